import { useId, useMemo, useState } from 'react';
import { topKIndices } from '../../core/metrics';
import type { OcclusionResult, VideoResult } from '../../protocol/protocol';
import { formatTime } from '../formatNumbers';
import { useApp } from '../state/context';
import type { SampleEvent, VideoRow } from '../state/slices/videos';
import { Heatmap, type HeatmapRow } from './Heatmap';
import { usePlaybackLink } from '../video/usePlaybackLink';
import './EvidenceCard.css';

interface Props {
  video: VideoRow;
  labels: readonly number[] | null;
  result: VideoResult;
  classNames: string[];
  classIndex: number | null;
  onPickClass: (c: number) => void;
  /** The result is a fine-tune's live view: evidence is computed with the loaded model, so it does not apply. */
  live: boolean;
  events?: SampleEvent[];
}

const DEFAULT_WINDOW = 5;

/** The frames [from, to] (inclusive) that the window around frame t covers, as core/explain/occlusion.ts's windowAt. */
export function occludedFrames(t: number, window: number, frames: number): [number, number] {
  const from = Math.max(0, t - Math.floor((window - 1) / 2));
  return [from, Math.min(frames, from + window) - 1];
}

/** The largest drops, at least a window apart (neighbouring windows overlap and say the same). */
export function largestDrops(drop: ArrayLike<number>, window: number, count = 3): number[] {
  const out: number[] = [];
  for (const t of topKIndices(drop, drop.length)) {
    if (out.length >= count || !(drop[t] > 0)) break;
    if (out.every((u) => Math.abs(u - t) >= window)) out.push(t);
  }
  return out;
}

/**
 * Occlusion evidence for one class: how much its probability drops when a
 * window of frames around each frame is replaced by the video's mean frame.
 * Attention says where the model looked; this says what its answer rests on.
 */
export function EvidenceCard({ video, labels, result, classNames, classIndex, onPickClass, live, events }: Props) {
  const evidence = useApp((s) => s.evidence[video.key]);
  const playback = usePlaybackLink(video.file);
  const request = useApp((s) => s.requestEvidence);
  // Seconds picked on the segment timeline, marked on the evidence too.
  const picked = useApp((s) => (s.segments.selection?.key === video.key && !live ? s.segments.selection : null));
  const [window, setWindow] = useState(DEFAULT_WINDOW);
  const id = useId();
  const T = video.frames;
  const ev = !live && evidence?.status === 'done' && evidence.result ? evidence.result : null;

  // Classes to choose from: the top 20 and the true labels (any other class via "Find a class").
  const options = useMemo(() => {
    const set = new Set<number>([...topKIndices(result.probabilities, 20), ...(labels ?? [])]);
    if (classIndex !== null) set.add(classIndex);
    return [...set].sort((a, b) => result.probabilities[b] - result.probabilities[a]);
  }, [result.probabilities, labels, classIndex]);

  const stale = evidence && evidence.status === 'done' && (evidence.classIndex !== classIndex || evidence.window !== Math.min(window, T));
  const running = evidence?.status === 'running';
  const name = (c: number) => classNames[c] ?? `class ${c}`;

  return (
    <section className="card evidence-card" aria-labelledby={`${id}-title`} data-testid="evidence-card">
      <div className="card-head">
        <h3 id={`${id}-title`}>Evidence over time</h3>
      </div>
      <p className="muted small card-sub">
        Attention shows where the model looked, not what convinced it. Evidence replaces a window of frames around each frame by the video’s
        mean frame and measures how much the chosen class’s probability drops: a drop of 0.30 means p falls by 0.30 (from 0.90 to 0.60, say)
        without those seconds. A negative drop means the window argued against the class.
      </p>
      {live ? (
        <p className="muted small evidence-live" data-testid="evidence-live">
          Evidence over time is computed with the loaded model; save the fine-tuned model to see its evidence.
        </p>
      ) : (
        <>
          <div className="evidence-form">
            <label htmlFor={`${id}-class`} className="field-label">
              Class
            </label>
            <select id={`${id}-class`} value={classIndex ?? ''} onChange={(e) => onPickClass(Number(e.target.value))}>
              {options.map((c) => (
                <option key={c} value={c}>
                  {name(c)} (p = {result.probabilities[c].toFixed(3)}){labels?.includes(c) ? ' ✓ true label' : ''}
                </option>
              ))}
            </select>
            <label htmlFor={`${id}-window`} className="field-label">
              Window (frames = seconds)
            </label>
            <input
              id={`${id}-window`}
              type="number"
              min={1}
              max={Math.max(1, T)}
              value={window}
              className="window-input"
              onChange={(e) => setWindow(Math.max(1, Math.min(T, Math.round(Number(e.target.value) || 1))))}
            />
            {/* aria-disabled rather than disabled while it runs: the button keeps the keyboard's focus. */}
            <button
              type="button"
              className="btn btn-primary"
              disabled={classIndex === null}
              aria-disabled={running || undefined}
              onClick={() => classIndex !== null && !running && void request(video.key, classIndex, Math.min(window, T))}
            >
              {running ? (
                <>
                  <span className="spinner" aria-hidden="true" /> Computing…
                </>
              ) : ev && !stale ? (
                'Recompute evidence'
              ) : (
                'Show evidence'
              )}
            </button>
          </div>
          <div aria-live="polite" className="evidence-status">
            {running && <p className="muted small">Running {T + 1} occluded copies of the video…</p>}
            {evidence?.status === 'error' && <p className="error-text small">{evidence.error}</p>}
            {ev && <EvidenceSummary ev={ev} name={name(ev.classIndex)} frames={T} stale={!!stale} />}
          </div>
          {ev && (
            <>
              <Heatmap
                rows={[evidenceRow(ev, name(ev.classIndex), T)]}
                frames={T}
                events={events}
                classNames={classNames}
                label={`Evidence for ${name(ev.classIndex)} over ${T} frames`}
                evidenceTitle={`Drop in p(${name(ev.classIndex)})`}
                selection={picked}
                {...playback}
              />
              <LargestDrops ev={ev} frames={T} />
            </>
          )}
        </>
      )}
    </section>
  );
}

function evidenceRow(ev: OcclusionResult, name: string, T: number): HeatmapRow {
  return {
    id: 'evidence',
    label: 'Evidence',
    kind: 'evidence',
    values: ev.drop,
    describe: (v, t) => {
      const [from, to] = occludedFrames(t, ev.window, T);
      return `occluding ${formatTime(from)}–${formatTime(to)} ${v >= 0 ? 'lowers' : 'raises'} p(${name}) by ${Math.abs(v).toFixed(4)}`;
    },
  };
}

function EvidenceSummary({ ev, name, frames, stale }: { ev: OcclusionResult; name: string; frames: number; stale: boolean }) {
  const [best] = topKIndices(ev.drop, 1);
  const drop = ev.drop[best] ?? 0;
  const [from, to] = occludedFrames(best ?? 0, ev.window, frames);
  return (
    <p className="small evidence-summary" data-testid="evidence-summary" data-max-drop={drop}>
      Evidence for <strong>{name}</strong> (p = {ev.baseline.toFixed(4)}), window {ev.window}
      {stale ? ' — settings changed, recompute to update.' : '.'}{' '}
      {drop > 0 ? (
        <>
          Occluding{' '}
          <strong>
            {formatTime(from)}–{formatTime(to)}
          </strong>{' '}
          lowers p the most: by <strong className="tabular">{drop.toFixed(4)}</strong> (to {(ev.baseline - drop).toFixed(4)}).
        </>
      ) : (
        <>No window lowers p: the class does not rest on any few seconds.</>
      )}
    </p>
  );
}

/** The largest drops as numbers, so that their size reads without hovering. */
function LargestDrops({ ev, frames }: { ev: OcclusionResult; frames: number }) {
  const tops = largestDrops(ev.drop, ev.window);
  if (tops.length === 0) return null;
  const max = ev.drop[tops[0]];
  return (
    <div className="evidence-drops">
      <h4>
        Largest drops <span className="muted small">(seconds occluded, drop in p)</span>
      </h4>
      <ol data-testid="evidence-drops">
        {tops.map((t) => {
          const [from, to] = occludedFrames(t, ev.window, frames);
          return (
            <li key={t} data-t={t} data-drop={ev.drop[t]}>
              <span className="tabular">
                {formatTime(from)}–{formatTime(to)}
              </span>
              <span className="muted small">
                frames {from}–{to}
              </span>
              <span className="mini-bar mini-evidence" aria-hidden="true">
                <span style={{ width: `${(100 * ev.drop[t]) / max}%` }} />
              </span>
              <span className="tabular">{ev.drop[t].toFixed(4)}</span>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
