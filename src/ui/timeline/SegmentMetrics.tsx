import { useMemo, memo } from 'react';
import type { SegmentReport } from '../../protocol/protocol';
import { formatMetric } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import { RATED_SEGMENT_FRAMES } from './lanes';
import { secondsLabel } from './SegmentTimeline';
import './timeline.css';

const count = (n: number) => n.toLocaleString('en-US');

/** The classes a report leaves out of the mean, in one sentence (null when none). */
export function leftOutNote(report: SegmentReport, name: (c: number) => string): string | null {
  const r = report.result;
  if (!r) return null;
  const parts: string[] = [];
  if (r.noPositive.length)
    parts.push(
      `${r.noPositive.length} ranked class${r.noPositive.length === 1 ? '' : 'es'} with no positive rating (${r.noPositive.slice(0, 3).map(name).join(', ')}${r.noPositive.length > 3 ? ', …' : ''}) left out of the mean`,
    );
  if (r.neverRanked.length)
    parts.push(
      `${r.neverRanked.length} class${r.neverRanked.length === 1 ? '' : 'es'} rated positive that no window ranks among its top 20 (${r.neverRanked.slice(0, 3).map(name).join(', ')}${r.neverRanked.length > 3 ? ', …' : ''}) not in the submission`,
    );
  return parts.length ? `${parts.join('; ')}.` : null;
}

/**
 * Segment MAP@K in the Metrics card: the core's segmentMap (exactly what
 * `npm run evaluate -- --segments` prints) over the loaded segment-rated
 * videos ranked so far; nothing when none is loaded.
 */
// Memoized: the Metrics card renders again as each batch of a load changes its pending count; this part need not.
export const SegmentMapLine = memo(function SegmentMapLine() {
  const [report, classNames] = useAppShallow((s) => [s.segments.report, s.model?.classNames]);
  if (!report || report.ratedVideos === 0) return null;
  const r = report.result;
  const name = (c: number) => classNames?.[c] ?? `class ${c}`;
  const note = leftOutNote(report, name);
  const waiting = report.ratedVideos - report.ranked;
  return (
    <div className="segment-map" data-testid="segment-map">
      <dl className="metrics">
        <div
          className="metric"
          title={`Mean over classes of the average precision of the rated ${RATED_SEGMENT_FRAMES}-second segments, each class's best ${count(r?.k ?? 100000)} windows ranked (the YouTube-8M segment challenge's metric)`}
        >
          <dt>Segment MAP@{count(r?.k ?? 100000)}</dt>
          <dd data-metric="segment_map">{r && r.map !== null ? formatMetric(r.map) : '—'}</dd>
        </div>
      </dl>
      <p className="muted small" data-testid="segment-map-counts">
        {count(report.ranked)} of {count(report.ratedVideos)} segment-rated video{report.ratedVideos === 1 ? '' : 's'} ranked
        {waiting > 0 ? ` (${count(waiting)} waiting)` : ''}
        {r && (
          <>
            {' '}
            · {count(r.perClass.length)} class{r.perClass.length === 1 ? '' : 'es'} counted · {count(r.counts.windows)} windows ·{' '}
            {count(r.counts.positive)} of {count(r.counts.ratings)} ratings positive
          </>
        )}{' '}
        · windows of {report.window.length} s every {report.window.hop} s
        {note && (
          <>
            <br />
            {note}
          </>
        )}
      </p>
    </div>
  );
});

/** Per-class segment AP and the rated positives ranked worst: the dataset view's Segments tab. */
export function SegmentTable({ classNames }: { classNames: readonly string[] }) {
  const report = useApp((s) => s.segments.report);
  const [videos, select, setView, selectSeconds] = useAppShallow((s) => [s.videos, s.selectVideo, s.setView, s.selectSeconds]);
  const name = (c: number) => classNames[c] ?? `class ${c}`;
  const byId = useMemo(() => new Map(videos.map((v, i) => [v.id, i] as const)), [videos]);
  if (!report || report.ratedVideos === 0)
    return (
      <p className="muted small">
        No segment-rated video is loaded. Files with the context lists segment_labels, segment_start_times and segment_scores (YouTube-8M’s
        segment-rated validation files, or the “Rated segments” samples) give segment figures.
      </p>
    );
  const r = report.result;
  if (!r) return <p className="muted small">Ranking the rated videos’ windows…</p>;
  const perClass = [...r.perClass].sort((a, b) => a.ap - b.ap || a.class - b.class);
  /** Opens the video at the segment: selected, its seconds marked in the heatmap and the evidence. */
  const open = (segmentId: string, c: number) => {
    const cut = segmentId.lastIndexOf(':');
    const index = byId.get(segmentId.slice(0, cut));
    if (index === undefined) return;
    const v = videos[index];
    const start = Number(segmentId.slice(cut + 1));
    select(index);
    setView('video');
    selectSeconds({ key: v.key, start, frames: Math.max(1, Math.min(RATED_SEGMENT_FRAMES, v.frames - start)), class: c });
  };
  return (
    <div className="segment-tables">
      <p className="small">
        Segment MAP@{count(r.k)} <strong className="tabular">{r.map === null ? '—' : formatMetric(r.map)}</strong> over{' '}
        {count(r.perClass.length)} classes, worst class first. {leftOutNote(report, name)}
      </p>
      <table className="data-table" data-testid="segment-classes">
        <caption className="sr-only">Segment average precision per class, worst first</caption>
        <thead>
          <tr>
            <th scope="col">Class</th>
            <th scope="col" className="num" title="Average precision of the class's rated windows in rank order">
              Segment AP
            </th>
            <th scope="col" className="num" title="Positive ratings of the class over all rated videos">
              Positives
            </th>
            <th scope="col" className="num" title="Positive ratings among the class's ranked windows">
              Found
            </th>
            <th scope="col" className="num" title="Windows the class ranks (at most K), and those rated for it">
              Ranked (rated)
            </th>
          </tr>
        </thead>
        <tbody>
          {perClass.map((x) => (
            <tr key={x.class}>
              <td>{name(x.class)}</td>
              <td className="num tabular">{formatMetric(x.ap)}</td>
              <td className="num tabular">{count(x.positives)}</td>
              <td className="num tabular">{count(x.ratedPositive)}</td>
              <td className="num tabular">
                {count(x.ranked)} ({count(x.rated)})
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="segment-worst-title">Rated positives the model ranks worst</h3>
      <p className="muted small">
        Each positive segment’s place among its class’s rated windows (rated negatives ranked above it lower the class’s AP); a click opens
        the video with its seconds selected.
      </p>
      {report.worst.length === 0 ? (
        <p className="muted small">No rated positive is ranked yet.</p>
      ) : (
        <table className="data-table" data-testid="segment-worst">
          <caption className="sr-only">Positive rated segments ranked lowest among their class's rated windows</caption>
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Class</th>
              <th scope="col" className="num" title="Its place among the class's rated windows">
                Rank
              </th>
              <th scope="col" className="num" title="The window's probability as the submission ranks it">
                Score
              </th>
            </tr>
          </thead>
          <tbody>
            {report.worst.map((w) => {
              const start = Number(w.id.slice(w.id.lastIndexOf(':') + 1));
              return (
                <tr key={`${w.class}-${w.id}`}>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => open(w.id, w.class)}
                      disabled={!byId.has(w.id.slice(0, w.id.lastIndexOf(':')))}
                    >
                      {w.id.slice(0, w.id.lastIndexOf(':'))} at {secondsLabel(start, RATED_SEGMENT_FRAMES)}
                      <span className="sr-only">: open the video with these seconds selected</span>
                    </button>
                  </td>
                  <td>{name(w.class)}</td>
                  <td className="num tabular">
                    {w.rank} of {w.of}
                  </td>
                  <td className="num tabular">{w.score.toPrecision(3)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}
