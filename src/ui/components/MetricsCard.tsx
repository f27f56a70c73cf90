import { formatMetric } from '../formatNumbers';
import { useApp } from '../state/context';
import { SegmentMapLine } from '../timeline/SegmentMetrics';
import { MetricsGlossary } from './MetricsGlossary';
import { LabelsNote } from '../compare/LabelsNote';
import { foreignLabelFiles } from '../state/slices/compare';

const METRICS = [
  { key: 'hit_at_1', label: 'Hit@1', help: 'share of videos whose top class is a true label' },
  { key: 'perr', label: 'PERR', help: 'precision at equal recall rate' },
  { key: 'gap', label: 'GAP', help: 'global average precision over each video’s top 20' },
  { key: 'map', label: 'mAP', help: 'mean average precision over classes' },
] as const;

/**
 * YouTube-8M metrics over every labelled video with a result, as the worker
 * computes them (a few times a second at most, off the page's thread);
 * failed videos are left out and counted apart.
 */
export function MetricsCard() {
  const report = useApp((s) => s.dataset.report);
  const pending = useApp((s) => pendingLabelled(s.videos));
  const m = report?.summary;
  const segments = useApp((s) => (s.segments.report?.ratedVideos ?? 0) > 0);
  const foreign = useApp((s) => foreignLabelFiles(s).length > 0);
  if (!report || (!m && !foreign)) {
    // Segment-rated files need no video-level labels: their segment MAP shows alone.
    return segments ? (
      <section className="card" aria-labelledby="metrics-title" data-testid="metrics">
        <div className="card-head">
          <h2 id="metrics-title">Metrics</h2>
        </div>
        <SegmentMapLine />
      </section>
    ) : null;
  }
  return (
    <section className="card" aria-labelledby="metrics-title" data-testid="metrics">
      <div className="card-head">
        <h2 id="metrics-title">Metrics</h2>
        <span className="muted small" data-testid="metrics-counts">
          {(m?.videos ?? 0).toLocaleString('en-US')} labelled video{m?.videos === 1 ? '' : 's'}
          {pending ? ` · ${pending.toLocaleString('en-US')} pending` : ''}
          {report.failed ? ` · ${report.failed.toLocaleString('en-US')} failed, left out` : ''}
        </span>
      </div>
      <LabelsNote />
      {m && (
        <dl className="metrics">
          {METRICS.map((d) => (
            <div key={d.key} className="metric" title={d.help}>
              <dt>{d.label}</dt>
              <dd data-metric={d.key}>{formatMetric(m[d.key])}</dd>
            </div>
          ))}
        </dl>
      )}
      <SegmentMapLine />
      <MetricsGlossary />
    </section>
  );
}

/** Labelled videos still waiting for a prediction (failed ones are not waiting). */
function pendingLabelled(videos: readonly { labels: number[] | null; status: string }[]): number {
  let n = 0;
  for (const v of videos) if (v.labels && v.labels.length > 0 && (v.status === 'queued' || v.status === 'running')) n++;
  return n;
}
