import { useMemo } from 'react';
import { formatMetric } from '../format';
import { useApp } from '../state/context';
import { setMetrics } from '../state/selectors';
import { MetricsGlossary } from './MetricsGlossary';

const METRICS = [
  { key: 'hit_at_1', label: 'Hit@1', help: 'share of videos whose top class is a true label' },
  { key: 'perr', label: 'PERR', help: 'precision at equal recall rate' },
  { key: 'gap', label: 'GAP', help: 'global average precision over each video’s top 20' },
  { key: 'map', label: 'mAP', help: 'mean average precision over classes' },
] as const;

/** YouTube-8M metrics over every labelled video with a result. */
export function MetricsCard() {
  const videos = useApp((s) => s.videos);
  const m = useMemo(() => setMetrics(videos), [videos]);
  if (!m) return null;
  return (
    <section className="card" aria-labelledby="metrics-title" data-testid="metrics">
      <div className="card-head">
        <h2 id="metrics-title">Metrics</h2>
        <span className="muted small">{m.videos} labelled video{m.videos === 1 ? '' : 's'}{m.pending ? ` · ${m.pending} pending` : ''}</span>
      </div>
      <dl className="metrics">
        {METRICS.map((d) => (
          <div key={d.key} className="metric" title={d.help}>
            <dt>{d.label}</dt>
            <dd data-metric={d.key}>{formatMetric(m[d.key])}</dd>
          </div>
        ))}
      </dl>
      <MetricsGlossary />
    </section>
  );
}
