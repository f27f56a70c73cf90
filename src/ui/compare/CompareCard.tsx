import { useId, useMemo, useState } from 'react';
import type { DatasetReport, EvaluationResult } from '../../protocol/protocol';
import { formatMetric } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { foreignLabelFiles } from '../state/slices/compare';
import { classDeltas, topChanges } from './compareRows';
import './compare.css';

const METRICS: { key: keyof Omit<EvaluationResult, 'videos'>; label: string }[] = [
  { key: 'hit_at_1', label: 'Hit@1' },
  { key: 'perr', label: 'PERR' },
  { key: 'gap', label: 'GAP' },
  { key: 'map', label: 'mAP' },
];
const NO_NAMES: string[] = [];
/** Rows shown before "Show all". */
const FIRST = 12;

/**
 * The model loaded now against the one before the last switch, on the same
 * videos: each one's metrics, per-class AP with the change, and the videos
 * whose top class changed; the other model is one click away.
 */
export function CompareCard() {
  // Only while there is a comparison: its body reads the whole list, which changes with every batch of a load.
  const shown = useApp((s) => s.comparison !== null && s.model !== null && s.comparison.model.id !== s.model.id);
  return shown ? <Comparison /> : null;
}

function Comparison() {
  const id = useId();
  const other = useApp((s) => s.comparison);
  const [model, report, videos] = useAppShallow((s) => [s.model, s.dataset.report, s.videos]);
  const [back, close, select, setView] = useAppShallow((s) => [s.switchToCompared, s.closeComparison, s.selectVideo, s.setView]);
  const names = model?.classNames ?? NO_NAMES;
  const leftOut = useApp((s) => foreignLabelFiles(s).join('\n'));
  const [allClasses, setAllClasses] = useState(false);
  const [allVideos, setAllVideos] = useState(false);
  const deltas = useMemo(() => (other ? classDeltas(other.report, other.model.classNames, report, names) : []), [other, report, names]);
  const changes = useMemo(() => (other ? topChanges(other.tops, other.model.classNames, videos, names) : []), [other, videos, names]);
  if (!other || !model || other.model.id === model.id) return null;
  const predicted = videos.filter((v) => v.result).length;
  const shownClasses = allClasses ? deltas : deltas.slice(0, FIRST);
  const shownVideos = allVideos ? changes : changes.slice(0, FIRST);

  return (
    <section className="card compare" aria-labelledby={`${id}-title`} data-testid="compare">
      <div className="card-head">
        <h2 id={`${id}-title`}>Compare models on these videos</h2>
        <button type="button" className="btn btn-small btn-ghost" onClick={close} aria-label="Close the comparison">
          Close
        </button>
      </div>
      <p className="muted small">
        <strong>{other.model.name}</strong> (before) and <strong>{model.name}</strong> (loaded now), on the same{' '}
        {videos.length.toLocaleString('en-US')} videos.
        {predicted < videos.length && (
          <>
            {' '}
            {model.name} has predicted {predicted.toLocaleString('en-US')} of them; the figures fill in as it goes.
          </>
        )}
      </p>
      <div className="compare-actions">
        <button type="button" className="btn btn-small" onClick={() => void back()} data-testid="compare-switch">
          Switch back to {other.model.name}
        </button>
      </div>
      <div className="compare-metrics" data-testid="compare-metrics">
        <MetricsColumn title={other.model.name} role="before" report={other.report} leftOut={other.leftOut} />
        <MetricsColumn title={model.name} role="after" report={report} other={other.report} leftOut={leftOut ? leftOut.split('\n') : []} />
      </div>
      <h3 className="field-label">Average precision per class</h3>
      {deltas.length === 0 ? (
        <p className="muted small">No labelled video was scored by either model yet.</p>
      ) : (
        <div className="compare-table-wrap">
          <table className="compare-table" data-testid="compare-classes">
            <thead>
              <tr>
                <th scope="col">Class</th>
                <th scope="col">{other.model.name}</th>
                <th scope="col">{model.name}</th>
                <th scope="col">Change</th>
                <th scope="col">Videos</th>
              </tr>
            </thead>
            <tbody>
              {shownClasses.map((d) => (
                <tr key={d.name} data-class={d.name} data-before={d.before ?? undefined} data-after={d.after ?? undefined}>
                  <th scope="row">{d.name}</th>
                  <td className="tabular">
                    {d.before === null ? (
                      <span className="muted" title="not one of its classes">
                        —
                      </span>
                    ) : (
                      formatMetric(d.before)
                    )}
                  </td>
                  <td className="tabular">
                    {d.after === null ? (
                      <span className="muted" title="not one of its classes">
                        —
                      </span>
                    ) : (
                      formatMetric(d.after)
                    )}
                  </td>
                  <td className={`tabular${d.diff === null ? '' : d.diff > 0 ? ' delta-up' : d.diff < 0 ? ' delta-down' : ''}`}>
                    {d.diff === null ? '—' : signed(d.diff)}
                  </td>
                  <td className="tabular">{d.positives}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {deltas.length > FIRST && (
        <button type="button" className="link-btn small" onClick={() => setAllClasses((x) => !x)}>
          {allClasses ? 'Show fewer classes' : `Show all ${deltas.length} classes`}
        </button>
      )}
      <h3 className="field-label" data-testid="compare-changed-count">
        {changes.length.toLocaleString('en-US')} video{changes.length === 1 ? '' : 's'} changed top class
      </h3>
      {changes.length > 0 && (
        <ul className="compare-changes" data-testid="compare-changes">
          {shownVideos.map((c) => (
            <li key={c.key}>
              <button
                type="button"
                className="link-btn"
                onClick={() => {
                  select(c.index);
                  setView('video');
                }}
                aria-label={`Open ${c.id}: ${c.before} before, ${c.after} now`}
              >
                {c.id}
              </button>
              <span className="muted small">
                {' '}
                {c.before} → {c.after}
              </span>
            </li>
          ))}
        </ul>
      )}
      {changes.length > FIRST && (
        <button type="button" className="link-btn small" onClick={() => setAllVideos((x) => !x)}>
          {allVideos ? 'Show fewer videos' : `Show all ${changes.length} videos`}
        </button>
      )}
    </section>
  );
}

function MetricsColumn({
  title,
  role,
  report,
  leftOut = [],
  other,
}: {
  title: string;
  role: 'before' | 'after';
  report: DatasetReport | null;
  leftOut?: string[];
  other?: DatasetReport | null;
}) {
  const m = report?.summary;
  return (
    <div className="compare-column" data-testid={`compare-${role}`}>
      <h3 className="compare-column-title">
        {title} <span className="muted small">{role === 'before' ? 'before' : 'now'}</span>
      </h3>
      {m ? (
        <dl className="metrics">
          {METRICS.map((d) => {
            const was = other?.summary?.[d.key];
            return (
              <div key={d.key} className="metric">
                <dt>{d.label}</dt>
                <dd data-metric={d.key}>
                  {formatMetric(m[d.key])}
                  {was !== undefined && (
                    <span className={`small ${m[d.key] > was ? 'delta-up' : m[d.key] < was ? 'delta-down' : 'muted'}`}>
                      {' '}
                      {signed(m[d.key] - was)}
                    </span>
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      ) : (
        <p className="muted small">
          {leftOut.length ? `Not scored: the labels of ${leftOut.join(', ')} are not its classes.` : 'No labelled video predicted yet.'}
        </p>
      )}
      {m && <p className="muted small">{m.videos.toLocaleString('en-US')} labelled videos</p>}
    </div>
  );
}

function signed(x: number): string {
  const s = formatMetric(Math.abs(x));
  return x > 0 ? `+${s}` : x < 0 ? `−${s}` : `±${s}`;
}
