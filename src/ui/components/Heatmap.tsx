import { type CSSProperties, type KeyboardEvent, memo, type MouseEvent, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { formatTime } from '../formatNumbers';
import type { SampleEvent } from '../state/slices/videos';
import './Heatmap.css';

export interface HeatmapRow {
  id: string;
  label: string;
  /** attention: weights >= 0, shaded from 0 to the scale's top; evidence: signed, shaded both ways from 0. */
  kind: 'attention' | 'evidence';
  values: ArrayLike<number>;
  describe: (value: number, frame: number) => string;
}

/** One colour scale for every attention row (their colours compare), or each row its own. */
export type ScaleMode = 'shared' | 'per-row';

/** Attention scales reach at least this many times the uniform weight 1/T, so that near-uniform attention stays pale. */
const MIN_TOP_TIMES_UNIFORM = 4;
/** An evidence scale reaches at least this drop in probability, so that drops of a few thousandths stay pale. */
export const MIN_EVIDENCE_TOP = 0.02;

/**
 * The top of each row's colour scale: a cell is shaded |value| / top.
 * Attention: the largest weight (of all attention rows when shared), at
 * least MIN_TOP_TIMES_UNIFORM / T. Evidence: the largest |drop| (of all
 * evidence rows), at least MIN_EVIDENCE_TOP, the same both ways.
 */
export function scaleTops(rows: readonly Pick<HeatmapRow, 'kind' | 'values'>[], frames: number, mode: ScaleMode): number[] {
  const maxAbs = (v: ArrayLike<number>) => {
    let m = 0;
    for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i])) m = Math.max(m, Math.abs(v[i]));
    return m;
  };
  const own = rows.map((r) => maxAbs(r.values));
  const floor = (kind: HeatmapRow['kind']) => (kind === 'attention' ? MIN_TOP_TIMES_UNIFORM / Math.max(1, frames) : MIN_EVIDENCE_TOP);
  const sharedMax = (kind: HeatmapRow['kind']) => Math.max(0, ...rows.map((r, i) => (r.kind === kind ? own[i] : 0)));
  return rows.map((r, i) => {
    // Evidence rows always share one signed scale; attention rows do when asked.
    const m = r.kind === 'evidence' || mode === 'shared' ? sharedMax(r.kind) : own[i];
    return Math.max(m, floor(r.kind));
  });
}

/** A scale's number: two significant digits below 0.1 (attention of long videos is small), else two decimals. */
export function formatScaleValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 0.1 ? v.toFixed(2) : v.toPrecision(2);
}

interface Props {
  rows: HeatmapRow[];
  frames: number;
  /** Labelled events of a bundled sample, drawn above the rows. */
  events?: SampleEvent[];
  classNames: string[];
  scale?: ScaleMode;
  /** The grid's accessible name. */
  label?: string;
  /** What a signed (evidence) scale measures, for its legend: e.g. "Drop in p(siren)". */
  evidenceTitle?: string;
  /** Seconds selected elsewhere (the segment timeline): a band over every row, and the focus moves to their first frame. */
  selection?: { start: number; frames: number } | null;
  /** The frame a linked player shows (src/ui/video): drawn as a line across the rows. */
  cursor?: number | null;
  /** A click on a frame, or Enter on a focused cell, also goes here (a linked player seeks to it). */
  onPickFrame?: (t: number) => void;
  /** The zoom along time, when another view shares it (the segment timeline): controlled by the parent. */
  zoom?: number;
  onZoom?: (zoom: number) => void;
  /** Put on the sideways scroller, so that another one (useLinkedScroll) scrolls with it. */
  scrollRef?: (el: HTMLElement | null) => void;
}

/** Zoom levels along time: the track's width as a multiple of the space it has. */
const ZOOMS = [1, 2, 4, 8, 16] as const;

/**
 * A grid of rows × frames, navigable as an ARIA grid: one tab stop, arrow keys
 * move between cells (PageUp/PageDown by 10 frames, Home/End to the ends), and
 * the focused, hovered or tapped cell shows its frame, time and value, in a
 * readout line below the rows (and, with a mouse, a tooltip). Zoom along
 * time widens the track, which then scrolls sideways. Below: the time axis,
 * with its title, and the colour scale with its values.
 */
export function Heatmap({
  rows,
  frames,
  events,
  classNames,
  scale = 'shared',
  label,
  evidenceTitle,
  selection = null,
  cursor = null,
  onPickFrame,
  zoom: sharedZoom,
  onZoom,
  scrollRef,
}: Props) {
  const [focus, setFocus] = useState({ row: 0, t: 0 });
  const [hover, setHover] = useState<{ row: number; t: number } | null>(null);
  const [focused, setFocused] = useState(false);
  const [ownZoom, setOwnZoom] = useState<number>(1);
  const zoom = sharedZoom ?? ownZoom;
  const setZoom = onZoom ?? setOwnZoom;
  const grid = useRef<HTMLDivElement>(null);
  const tops = useMemo(() => scaleTops(rows, frames, scale), [rows, frames, scale]);
  const row = Math.min(focus.row, rows.length - 1);
  const shown = hover ?? (focused ? { row, t: focus.t } : null);
  const name = label ?? `Attention over ${frames} frames`;
  const selStart = selection && selection.start < frames ? selection.start : null;
  const selFrames = selStart !== null ? Math.min(selection!.frames, frames - selStart) : 0;
  // A selection made elsewhere moves the grid's focus cell to it, so that arrow keys go on from there.
  useEffect(() => {
    if (selStart !== null) setFocus((f) => ({ ...f, t: selStart }));
  }, [selStart, selFrames]);
  const band = selStart !== null && (
    <span
      className="hm-selection"
      data-testid="heatmap-selection"
      data-start={selStart}
      data-frames={selFrames}
      aria-hidden="true"
      style={{ left: `${(100 * selStart) / frames}%`, width: `${(100 * selFrames) / frames}%` }}
    />
  );

  const move = (e: KeyboardEvent) => {
    let { t } = focus;
    let r = row;
    switch (e.key) {
      case 'ArrowLeft':
        t--;
        break;
      case 'ArrowRight':
        t++;
        break;
      case 'ArrowUp':
        r--;
        break;
      case 'ArrowDown':
        r++;
        break;
      case 'PageUp':
        t -= 10;
        break;
      case 'PageDown':
        t += 10;
        break;
      case 'Home':
        t = 0;
        break;
      case 'End':
        t = frames - 1;
        break;
      case 'Enter':
      case ' ':
        if (!onPickFrame) return;
        e.preventDefault();
        onPickFrame(t);
        return;
      default:
        return;
    }
    e.preventDefault();
    const next = { row: Math.max(0, Math.min(rows.length - 1, r)), t: Math.max(0, Math.min(frames - 1, t)) };
    setFocus(next);
    setHover(null);
    grid.current?.querySelector<HTMLElement>(`[data-row="${next.row}"][data-t="${next.t}"]`)?.focus();
  };

  /** A tap or click on a track picks the frame under it, however narrow its cell. */
  const pick = (e: MouseEvent<HTMLDivElement>, ri: number) => {
    const box = e.currentTarget.getBoundingClientRect();
    const t = Math.max(0, Math.min(frames - 1, Math.floor(((e.clientX - box.left) / Math.max(1, box.width)) * frames)));
    setFocus({ row: ri, t });
    setHover(null);
    grid.current?.querySelector<HTMLElement>(`[data-row="${ri}"][data-t="${t}"]`)?.focus({ preventScroll: true });
    onPickFrame?.(t);
  };

  // About six labels across the part of the track in view.
  const ticks = useMemo(() => zoomedTicks(frames, zoom), [frames, zoom]);
  const gap = frames / zoom <= 90 ? 1 : 0;
  const zoomed = zoom > 1;
  const level = ZOOMS.indexOf(zoom as (typeof ZOOMS)[number]);
  const scroller = useRef<HTMLElement | null>(null);
  const setScroller = useCallback(
    (el: HTMLElement | null) => {
      scroller.current = el;
      scrollRef?.(el);
    },
    [scrollRef],
  );
  // Zoomed, a playing video's cursor that leaves the part in view brings the track along (a quarter in), and a linked timeline with it.
  useEffect(() => {
    const el = scroller.current;
    const line = el?.querySelector<HTMLElement>('[data-testid=heatmap-cursor]');
    if (!el || !line || !zoomed) return;
    const box = el.getBoundingClientRect();
    const label = el.querySelector('.hm-label')?.getBoundingClientRect().width ?? 0;
    const x = line.getBoundingClientRect().left;
    const from = box.left + label;
    if (x < from || x > box.right) el.scrollLeft += x - from - (box.width - label) / 4;
  }, [cursor, zoomed, zoom]);

  return (
    <div className="heatmap" data-testid="heatmap" data-zoom={zoom}>
      {frames > 30 && (
        <div className="hm-zoom" role="group" aria-label={`Zoom along time: ${name}`}>
          <span className="muted small" aria-hidden="true">
            Time zoom
          </span>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setZoom(ZOOMS[Math.max(0, level - 1)])}
            disabled={zoom === 1}
            aria-label={`Zoom out along time (${name})`}
          >
            −
          </button>
          <span className="tabular hm-zoom-level" aria-live="polite">
            {zoom}×
          </span>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setZoom(ZOOMS[Math.min(ZOOMS.length - 1, level + 1)])}
            disabled={zoom === ZOOMS[ZOOMS.length - 1]}
            aria-label={`Zoom in along time (${name})`}
          >
            +
          </button>
        </div>
      )}
      <div ref={setScroller} className={`hm-scroll${zoomed ? ' hm-scroll-zoomed' : ''}`}>
        <div className="hm-canvas" style={{ '--zoom': zoom } as CSSProperties}>
          {events && events.length > 0 && (
            <div className="hm-row hm-events" aria-label="Labelled events of this sample">
              <div className="hm-label muted small">Events</div>
              <div className="hm-track hm-events-track">
                {events.map((ev, i) => (
                  <span
                    key={i}
                    className="hm-event"
                    style={{ left: `${(100 * ev.start) / frames}%`, width: `${(100 * ev.frames) / frames}%` }}
                    title={`${ev.name}: ${formatTime(ev.start)}–${formatTime(ev.start + ev.frames - 1)}`}
                  >
                    <span className="hm-event-name">{ev.name ?? classNames[ev.class]}</span>
                  </span>
                ))}
                {band}
              </div>
            </div>
          )}
          <div
            ref={grid}
            role="grid"
            aria-label={name}
            aria-rowcount={rows.length}
            aria-colcount={frames + 1}
            className="hm-grid"
            onKeyDown={move}
            onMouseLeave={() => setHover(null)}
            onFocus={() => setFocused(true)}
            onBlur={(e) => {
              if (!e.currentTarget.contains(e.relatedTarget as Node)) setFocused(false);
            }}
          >
            {rows.map((r, ri) => (
              <div key={r.id} role="row" className={`hm-row hm-${r.id}`} data-testid={`heatmap-${r.id}`} data-scale-top={tops[ri]}>
                <div role="rowheader" className="hm-label">
                  {r.label}
                </div>
                <div
                  className="hm-track"
                  style={{ gridTemplateColumns: `repeat(${frames}, minmax(0, 1fr))`, columnGap: gap }}
                  onClick={(e) => pick(e, ri)}
                  onMouseOver={(e) => {
                    const at = cellAt(e.target);
                    if (at) setHover(at);
                  }}
                  onFocus={(e) => {
                    const at = cellAt(e.target);
                    if (at) setFocus(at);
                  }}
                >
                  {chunkStarts(frames).map((start) => {
                    const end = Math.min(frames, start + CELL_CHUNK);
                    const inChunk = (t: number | undefined) => (t !== undefined && t >= start && t < end ? t : -1);
                    return (
                      <CellChunk
                        key={start}
                        row={r}
                        rowIndex={ri}
                        start={start}
                        end={end}
                        top={tops[ri]}
                        focusT={ri === row ? inChunk(focus.t) : -1}
                        shownT={shown && shown.row === ri ? inChunk(shown.t) : -1}
                        selStart={selStart ?? -1}
                        selEnd={selStart !== null ? selStart + selFrames : -1}
                      />
                    );
                  })}
                  {band}
                  {cursor !== null && cursor < frames && (
                    <div
                      className="hm-cursor"
                      data-testid="heatmap-cursor"
                      data-t={cursor}
                      aria-hidden="true"
                      style={{ left: `${(100 * (cursor + 0.5)) / frames}%` }}
                    />
                  )}
                  {shown && shown.row === ri && !zoomed && (
                    <div
                      className="hm-tooltip"
                      role="presentation"
                      data-testid="heatmap-tooltip"
                      style={{ left: `clamp(min(100px, 50%), ${(100 * (shown.t + 0.5)) / frames}%, max(calc(100% - 100px), 50%))` }}
                    >
                      <strong>
                        Frame {shown.t} · {formatTime(shown.t)}
                      </strong>
                      <span>
                        {r.label}: {r.describe(r.values[shown.t] ?? 0, shown.t)}
                      </span>
                    </div>
                  )}
                </div>
              </div>
            ))}
          </div>
          <div className="hm-row hm-axis" aria-hidden="true">
            <div className="hm-label" />
            <div className="hm-track hm-axis-track">
              {ticks.map((t) => (
                <span key={t} className="hm-tick" style={{ left: `${(100 * (t + 0.5)) / frames}%` }}>
                  {formatTime(t)}
                </span>
              ))}
            </div>
          </div>
        </div>
      </div>
      <div className="hm-row hm-readout-row">
        <div className="hm-label" />
        <p className="hm-readout small" data-testid="heatmap-readout">
          {shown ? (
            <>
              <strong>
                Frame {shown.t} · {formatTime(shown.t)}
              </strong>{' '}
              · {rows[shown.row].label}: {rows[shown.row].describe(rows[shown.row].values[shown.t] ?? 0, shown.t)}
            </>
          ) : selStart !== null ? (
            <>
              <strong>
                Selected {formatTime(selStart)}
                {selFrames > 1 ? `–${formatTime(selStart + selFrames - 1)}` : ''}
              </strong>{' '}
              · frames {selStart}
              {selFrames > 1 ? `–${selStart + selFrames - 1}` : ''} (picked on the timeline)
            </>
          ) : (
            <span className="muted">
              Tap, hover or focus a cell for its frame, time and value{frames > 30 ? '; zoom to widen the cells' : ''}.
            </span>
          )}
        </p>
      </div>
      <div className="hm-row hm-axis-title-row">
        <div className="hm-label" />
        <p className="hm-axis-title">Time in the video (m:ss) · one cell per frame, 1 frame = 1 second · {frames} frames</p>
      </div>
      <ColorScales rows={rows} tops={tops} frames={frames} mode={scale} evidenceTitle={evidenceTitle} />
    </div>
  );
}

/**
 * Cells per chunk. A heatmap holds a cell per frame and row (600 for a
 * 300-frame video); rendered as memoized chunks, a hover or a focus move
 * renders the one or two chunks it touches, not every cell, and a new video's
 * cells render in pieces that React can interleave with the user's input.
 */
const CELL_CHUNK = 50;

function chunkStarts(frames: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < frames; t += CELL_CHUNK) out.push(t);
  return out;
}

/** The cell an event happened on (hover and focus are handled once, by the track, for all its cells). */
function cellAt(target: EventTarget): { row: number; t: number } | null {
  if (!(target instanceof HTMLElement) || target.getAttribute('role') !== 'gridcell') return null;
  return { row: Number(target.dataset.row), t: Number(target.dataset.t) };
}

/** Cells start..end-1 of a row; `focusT` and `shownT` are the focused and shown frames when in this chunk, else -1. */
const CellChunk = memo(function CellChunk({
  row: r,
  rowIndex,
  start,
  end,
  top,
  focusT,
  shownT,
  selStart,
  selEnd,
}: {
  row: HeatmapRow;
  rowIndex: number;
  start: number;
  end: number;
  top: number;
  focusT: number;
  shownT: number;
  selStart: number;
  selEnd: number;
}) {
  const cells = [];
  for (let t = start; t < end; t++) {
    const v = r.values[t] ?? 0;
    const strength = Math.min(1, Math.abs(v) / top);
    cells.push(
      <div
        key={t}
        role="gridcell"
        tabIndex={t === focusT ? 0 : -1}
        data-row={rowIndex}
        data-t={t}
        data-value={v}
        aria-selected={t >= selStart && t < selEnd ? true : undefined}
        aria-label={`${r.label}, frame ${t}, ${formatTime(t)}: ${r.describe(v, t)}`}
        className={`hm-cell${t === shownT ? ' hm-cell-active' : ''}${r.kind === 'evidence' ? (v >= 0 ? ' hm-pos' : ' hm-neg') : ''}`}
        style={{ '--s': `${(strength * 100).toFixed(1)}%` } as CSSProperties}
      />,
    );
  }
  return <>{cells}</>;
});

/** The colour scales in use, with their values: what a cell's shade means without hovering it. */
function ColorScales({
  rows,
  tops,
  frames,
  mode,
  evidenceTitle,
}: {
  rows: HeatmapRow[];
  tops: number[];
  frames: number;
  mode: ScaleMode;
  evidenceTitle?: string;
}) {
  const attention = rows.map((r, i) => ({ r, top: tops[i] })).filter((x) => x.r.kind === 'attention');
  const evidence = rows.map((r, i) => ({ r, top: tops[i] })).filter((x) => x.r.kind === 'evidence');
  const uniform = 1 / Math.max(1, frames);
  const groups = mode === 'shared' ? (attention.length ? [attention] : []) : attention.map((x) => [x]);
  return (
    <div className="hm-scales" data-testid="heatmap-scale">
      {groups.map((g) => {
        const top = g[0].top;
        const title =
          g.length > 1 ? `Attention weight, one scale for ${g.map((x) => x.r.label).join(' and ')}` : `${g[0].r.label} attention weight`;
        return (
          <figure
            key={g.map((x) => x.r.id).join('+')}
            className="hm-scale"
            data-scale="attention"
            data-top={top}
            aria-label={`${title}: colour from 0 (pale) to ${formatScaleValue(top)} (full); uniform attention is ${formatScaleValue(uniform)} a frame`}
          >
            <figcaption className="hm-label">{g.length > 1 ? 'Scale' : g[0].r.label}</figcaption>
            <div className="hm-scale-body">
              <div className="hm-scale-title">
                {title}
                {uniform <= top && (
                  <span className="hm-scale-uniform">
                    <span className="hm-scale-mark-key" aria-hidden="true" /> uniform 1/{frames} = {formatScaleValue(uniform)}
                  </span>
                )}
              </div>
              <div className="hm-scale-bars">
                {g.map((x) => (
                  <span key={x.r.id} className={`hm-scale-bar hm-scale-${x.r.id}`} title={x.r.label} />
                ))}
                {uniform <= top && <span className="hm-scale-mark" style={{ left: `${(100 * uniform) / top}%` }} />}
              </div>
              <div className="hm-scale-ticks" aria-hidden="true">
                <span>0</span>
                <span>{formatScaleValue(top / 2)}</span>
                <span>{formatScaleValue(top)}</span>
              </div>
            </div>
          </figure>
        );
      })}
      {evidence.length > 0 && (
        <figure
          className="hm-scale"
          data-scale="evidence"
          data-top={evidence[0].top}
          aria-label={`${evidenceTitle ?? 'Evidence'}: from ${formatScaleValue(-evidence[0].top)} (occluding raises the probability) through 0 to ${formatScaleValue(evidence[0].top)} (occluding lowers it)`}
        >
          <figcaption className="hm-label">Scale</figcaption>
          <div className="hm-scale-body">
            <div className="hm-scale-title">{evidenceTitle ?? 'Drop in probability'} when the window is occluded</div>
            <div className="hm-scale-bars">
              <span className="hm-scale-bar hm-scale-signed" />
            </div>
            <div className="hm-scale-ticks" aria-hidden="true">
              <span>
                −{formatScaleValue(evidence[0].top)}
                <br />
                <span className="muted">raises p</span>
              </span>
              <span>0</span>
              <span>
                +{formatScaleValue(evidence[0].top)}
                <br />
                <span className="muted">lowers p</span>
              </span>
            </div>
          </div>
        </figure>
      )}
    </div>
  );
}

/** The axis's ticks at a zoom: about six across the part of the track in view (the segment timeline draws the same). */
export function zoomedTicks(frames: number, zoom: number): number[] {
  return timeTicks(frames, Math.ceil(frames / zoom));
}

/** Ticks at a round step that gives about six labels over `visible` frames (all of them unless zoomed), across all `frames`. */
export function timeTicks(frames: number, visible = frames): number[] {
  const steps = [1, 2, 5, 10, 15, 20, 30, 60, 120];
  const step = steps.find((s) => visible / s <= 7) ?? 300;
  const out: number[] = [];
  for (let t = 0; t < frames; t += step) out.push(t);
  return out;
}
