import { memo } from 'react';
import './MetricsGlossary.css';

/** The YouTube-8M metrics the page shows, in words (as core/metrics computes them, after YouTube-8M's eval_util). */
const METRIC_GLOSSARY = {
  hit_at_1: {
    term: 'Hit@1',
    name: 'hit at one',
    text: 'The share of videos whose most probable class is one of their true labels.',
  },
  perr: {
    term: 'PERR',
    name: 'precision at equal recall rate',
    text: 'For a video with k true labels, the share of its k most probable classes that are true labels; averaged over the videos.',
  },
  gap: {
    term: 'GAP',
    name: 'global average precision',
    text: 'Every video’s 20 most probable classes are pooled and sorted by probability; GAP is the average precision of that one ranking over all true labels. YouTube-8M’s headline metric.',
  },
  map: {
    term: 'mAP',
    name: 'mean average precision',
    text: 'For each class, the average precision of ranking the videos by that class’s probability (within each video’s top 20); then the mean over the classes.',
  },
} as const;

export type MetricKey = keyof typeof METRIC_GLOSSARY;

/**
 * What Hit@1, PERR, GAP and mAP mean, as a disclosure anyone can open with
 * the keyboard (the metrics' own tooltips are hover-only).
 */
export const MetricsGlossary = memo(function MetricsGlossary({
  metrics = ['hit_at_1', 'perr', 'gap', 'map'],
  open = false,
  summary,
}: {
  metrics?: readonly MetricKey[];
  open?: boolean;
  /** The disclosure's text, when the page shows more than one glossary (each control its own name). */
  summary?: string;
}) {
  return (
    <details className="metrics-glossary" open={open} data-testid="metrics-glossary">
      <summary>{summary ?? `What ${metrics.length === 1 ? 'this number means' : 'these numbers mean'}`}</summary>
      {/* A list rather than a <dl>: the card's own <dl> holds the metrics' values. */}
      <ul>
        {metrics.map((k) => (
          <li key={k} data-metric={k}>
            <span className="glossary-term">
              <abbr title={METRIC_GLOSSARY[k].name}>{METRIC_GLOSSARY[k].term}</abbr>{' '}
              <span className="muted">({METRIC_GLOSSARY[k].name})</span>
            </span>
            <span className="glossary-text">{METRIC_GLOSSARY[k].text}</span>
          </li>
        ))}
      </ul>
      <p className="muted small">Each lies between 0 and 1; higher is better. They need videos with labels.</p>
    </details>
  );
});
