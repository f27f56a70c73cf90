import { useId, useMemo, useState } from 'react';
import { topKIndices } from '../../core/metrics';
import type { VideoResult } from '../../worker/protocol';
import { formatTime } from '../format';
import { useApp } from '../state/context';
import type { VideoRow } from '../state/slices/videos';
import { Heatmap, type HeatmapRow } from './Heatmap';

interface Props {
  video: VideoRow;
  labels: readonly number[] | null;
  /** The result is a fine-tune's live view: evidence (computed with the loaded model) does not apply to it. */
  live?: boolean;
  result: VideoResult;
  classNames: string[];
  classIndex: number | null;
  onPickClass: (c: number) => void;
}

const DEFAULT_WINDOW = 5;

/** Attention over time per modality, the evidence row on demand, and the top frames. */
export function AttentionCard({ video, labels, result, classNames, classIndex, onPickClass, live = false }: Props) {
  const evidence = useApp((s) => s.evidence[video.key]);
  const allEvents = useApp((s) => s.sampleEvents[video.id]);
  // A sample's events name the demo's classes: shown only when this model has those classes.
  const events = allEvents?.filter((e) => classNames[e.class] === e.name);
  const request = useApp((s) => s.requestEvidence);
  const [window, setWindow] = useState(DEFAULT_WINDOW);
  const classId = useId();
  const windowId = useId();
  const T = video.frames;

  const rows: HeatmapRow[] = [
    { id: 'rgb', label: 'RGB', kind: 'attention', values: result.attention.rgb, describe: (v) => `attention ${v.toFixed(4)} (${(v * T).toFixed(2)}× uniform)` },
    { id: 'audio', label: 'Audio', kind: 'attention', values: result.attention.audio, describe: (v) => `attention ${v.toFixed(4)} (${(v * T).toFixed(2)}× uniform)` },
  ];
  const ev = !live && evidence?.status === 'done' && evidence.result ? evidence.result : null;
  if (ev) {
    const half = Math.floor((ev.window - 1) / 2);
    rows.push({
      id: 'evidence', label: 'Evidence', kind: 'evidence', values: ev.drop,
      describe: (v, t) => {
        const from = Math.max(0, t - half);
        const to = Math.min(T, from + ev.window) - 1;
        return `occluding ${formatTime(from)}–${formatTime(to)} ${v >= 0 ? 'lowers' : 'raises'} p(${classNames[ev.classIndex]}) by ${Math.abs(v).toFixed(4)}`;
      },
    });
  }

  // Classes to choose from: the top 20 and the true labels (any other class via "Find a class").
  const options = useMemo(() => {
    const set = new Set<number>([...topKIndices(result.probabilities, 20), ...(labels ?? [])]);
    if (classIndex !== null) set.add(classIndex);
    return [...set].sort((a, b) => result.probabilities[b] - result.probabilities[a]);
  }, [result.probabilities, labels, classIndex]);

  const stale = evidence && evidence.status === 'done' && (evidence.classIndex !== classIndex || evidence.window !== Math.min(window, T));
  const running = evidence?.status === 'running';

  return (
    <section className="card attention-card" aria-labelledby="att-title">
      <div className="card-head">
        <h3 id="att-title">Attention over time</h3>
        <div className="legend" aria-hidden="true">
          <span><span className="legend-swatch swatch-rgb" /> RGB</span>
          <span><span className="legend-swatch swatch-audio" /> Audio</span>
          {ev && <span><span className="legend-swatch swatch-evidence" /> Evidence</span>}
        </div>
      </div>
      <p className="muted small card-sub">One cell per frame (1 frame = 1 second). Darker cells got more attention weight; each row sums to 1. Hover or focus a cell (arrow keys move) for its frame, time and weight.</p>
      <Heatmap rows={rows} frames={T} events={events} classNames={classNames} />

      {live ? (
        <p className="muted small evidence-live" data-testid="evidence-live">
          Evidence over time is computed with the loaded model; save the fine-tuned model to see its evidence.
        </p>
      ) : (
        <div className="evidence-controls">
          <div className="evidence-text">
            <h4>Evidence over time</h4>
            <p className="muted small">Attention shows where the model looked, not what convinced it. Evidence replaces each window of frames by the video’s mean frame and measures how much the class’s probability drops.</p>
          </div>
          <div className="evidence-form">
            <label htmlFor={classId} className="field-label">Class</label>
            <select id={classId} value={classIndex ?? ''} onChange={(e) => onPickClass(Number(e.target.value))}>
              {options.map((c) => (
                <option key={c} value={c}>{classNames[c] ?? `class ${c}`} ({result.probabilities[c].toFixed(3)}){labels?.includes(c) ? ' ✓' : ''}</option>
              ))}
            </select>
            <label htmlFor={windowId} className="field-label">Window (frames)</label>
            <input id={windowId} type="number" min={1} max={Math.max(1, T)} value={window} className="window-input"
              onChange={(e) => setWindow(Math.max(1, Math.min(T, Math.round(Number(e.target.value) || 1))))} />
            <button type="button" className="btn btn-primary" disabled={classIndex === null || running}
              onClick={() => classIndex !== null && void request(video.key, classIndex, Math.min(window, T))}>
              {running ? <><span className="spinner" aria-hidden="true" /> Computing…</> : ev && !stale ? 'Recompute evidence' : 'Show evidence'}
            </button>
          </div>
          <div aria-live="polite" className="evidence-status">
            {running && <p className="muted small">Running {T + 1} occluded copies of the video…</p>}
            {evidence?.status === 'error' && <p className="error-text small">{evidence.error}</p>}
            {ev && (
              <p className="muted small" data-testid="evidence-summary">
                Evidence for <strong>{classNames[ev.classIndex]}</strong> (p = {ev.baseline.toFixed(4)}), window {ev.window}
                {stale ? ' — settings changed, recompute to update.' : '.'}
                {' '}Strongest at {formatTime(topKIndices(ev.drop, 1)[0] ?? 0)}.
              </p>
            )}
          </div>
        </div>
      )}

      <TopFrames result={result} />
    </section>
  );
}

function TopFrames({ result }: { result: VideoResult }) {
  const lists = [
    { id: 'rgb', label: 'RGB', values: result.attention.rgb },
    { id: 'audio', label: 'Audio', values: result.attention.audio },
  ];
  return (
    <div className="top-frames">
      {lists.map((l) => (
        <div key={l.id}>
          <h4>Top {l.label} frames</h4>
          <ol data-testid={`top-frames-${l.id}`}>
            {Array.from(topKIndices(l.values, 5), (t) => (
              <li key={t}>
                <span className="tabular">{formatTime(t)}</span>
                <span className="muted small">frame {t}</span>
                <span className={`mini-bar mini-${l.id}`} aria-hidden="true"><span style={{ width: `${Math.min(100, 100 * l.values[t] / Math.max(...l.values))}%` }} /></span>
                <span className="tabular">{l.values[t].toFixed(4)}</span>
              </li>
            ))}
          </ol>
        </div>
      ))}
    </div>
  );
}
