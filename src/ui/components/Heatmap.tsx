import { type CSSProperties, type KeyboardEvent, useMemo, useRef, useState } from 'react';
import { formatTime } from '../format';
import type { SampleEvent } from '../state/slices/videos';

export interface HeatmapRow {
  id: string;
  label: string;
  /** attention: weights >= 0, shaded by their share of the row's maximum; evidence: signed, shaded both ways. */
  kind: 'attention' | 'evidence';
  values: ArrayLike<number>;
  describe: (value: number, frame: number) => string;
}

interface Props {
  rows: HeatmapRow[];
  frames: number;
  /** Labelled events of a bundled sample, drawn above the rows. */
  events?: SampleEvent[];
  classNames: string[];
}

/**
 * A grid of rows × frames, navigable as an ARIA grid: one tab stop, arrow keys
 * move between cells (PageUp/PageDown by 10 frames, Home/End to the ends), and
 * the focused or hovered cell shows its frame, time and value.
 */
export function Heatmap({ rows, frames, events, classNames }: Props) {
  const [focus, setFocus] = useState({ row: 0, t: 0 });
  const [hover, setHover] = useState<{ row: number; t: number } | null>(null);
  const [focused, setFocused] = useState(false);
  const grid = useRef<HTMLDivElement>(null);
  const scales = useMemo(() => rows.map((r) => {
    let m = 0;
    for (let i = 0; i < r.values.length; i++) m = Math.max(m, Math.abs(r.values[i]));
    return m || 1;
  }), [rows]);
  const row = Math.min(focus.row, rows.length - 1);
  const shown = hover ?? (focused ? { row, t: focus.t } : null);

  const move = (e: KeyboardEvent) => {
    let { t } = focus;
    let r = row;
    switch (e.key) {
      case 'ArrowLeft': t--; break;
      case 'ArrowRight': t++; break;
      case 'ArrowUp': r--; break;
      case 'ArrowDown': r++; break;
      case 'PageUp': t -= 10; break;
      case 'PageDown': t += 10; break;
      case 'Home': t = 0; break;
      case 'End': t = frames - 1; break;
      default: return;
    }
    e.preventDefault();
    const next = { row: Math.max(0, Math.min(rows.length - 1, r)), t: Math.max(0, Math.min(frames - 1, t)) };
    setFocus(next);
    setHover(null);
    grid.current?.querySelector<HTMLElement>(`[data-row="${next.row}"][data-t="${next.t}"]`)?.focus();
  };

  const ticks = useMemo(() => timeTicks(frames), [frames]);
  const gap = frames <= 90 ? 1 : 0;

  return (
    <div className="heatmap" data-testid="heatmap">
      {events && events.length > 0 && (
        <div className="hm-row hm-events" aria-label="Labelled events of this sample">
          <div className="hm-label muted small">Events</div>
          <div className="hm-track hm-events-track">
            {events.map((ev, i) => (
              <span key={i} className="hm-event" style={{ left: `${(100 * ev.start) / frames}%`, width: `${(100 * ev.frames) / frames}%` }}
                title={`${ev.name}: ${formatTime(ev.start)}–${formatTime(ev.start + ev.frames - 1)}`}>
                <span className="hm-event-name">{ev.name ?? classNames[ev.class]}</span>
              </span>
            ))}
          </div>
        </div>
      )}
      <div
        ref={grid}
        role="grid"
        aria-label={`Attention over ${frames} frames`}
        aria-rowcount={rows.length}
        aria-colcount={frames + 1}
        className="hm-grid"
        onKeyDown={move}
        onMouseLeave={() => setHover(null)}
        onFocus={() => setFocused(true)}
        onBlur={(e) => { if (!e.currentTarget.contains(e.relatedTarget as Node)) setFocused(false); }}
      >
        {rows.map((r, ri) => (
          <div key={r.id} role="row" className={`hm-row hm-${r.id}`} data-testid={`heatmap-${r.id}`}>
            <div role="rowheader" className="hm-label">{r.label}</div>
            <div className="hm-track" style={{ gridTemplateColumns: `repeat(${frames}, minmax(0, 1fr))`, columnGap: gap }}>
              {Array.from({ length: frames }, (_, t) => {
                const v = r.values[t] ?? 0;
                const strength = Math.min(1, Math.abs(v) / scales[ri]);
                const isFocus = ri === row && t === focus.t;
                const isShown = shown && shown.row === ri && shown.t === t;
                return (
                  <div
                    key={t}
                    role="gridcell"
                    tabIndex={isFocus ? 0 : -1}
                    data-row={ri}
                    data-t={t}
                    data-value={v}
                    aria-label={`${r.label}, frame ${t}, ${formatTime(t)}: ${r.describe(v, t)}`}
                    className={`hm-cell${isShown ? ' hm-cell-active' : ''}${r.kind === 'evidence' ? (v >= 0 ? ' hm-pos' : ' hm-neg') : ''}`}
                    style={{ '--s': `${(strength * 100).toFixed(1)}%` } as CSSProperties}
                    onMouseEnter={() => setHover({ row: ri, t })}
                    onFocus={() => setFocus({ row: ri, t })}
                  />
                );
              })}
              {shown && shown.row === ri && (
                <div className="hm-tooltip" role="presentation" style={{ left: `${(100 * (shown.t + 0.5)) / frames}%` }} data-testid="heatmap-tooltip">
                  <strong>Frame {shown.t} · {formatTime(shown.t)}</strong>
                  <span>{r.label}: {r.describe(r.values[shown.t] ?? 0, shown.t)}</span>
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
            <span key={t} className="hm-tick" style={{ left: `${(100 * (t + 0.5)) / frames}%` }}>{formatTime(t)}</span>
          ))}
        </div>
      </div>
    </div>
  );
}

/** Ticks at a round step that gives about six labels. */
export function timeTicks(frames: number): number[] {
  const steps = [1, 2, 5, 10, 15, 20, 30, 60, 120];
  const step = steps.find((s) => frames / s <= 7) ?? 300;
  const out: number[] = [];
  for (let t = 0; t < frames; t += step) out.push(t);
  return out;
}
