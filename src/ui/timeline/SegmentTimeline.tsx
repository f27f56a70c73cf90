import { type CSSProperties, type KeyboardEvent, type MouseEvent, useEffect, useId, useMemo, useState } from 'react';
import type { SegmentTimeline as Timeline, VideoResult } from '../../protocol/protocol';
import { zoomedTicks } from '../components/Heatmap';
import { formatTime } from '../formatNumbers';
import { useApp, useAppShallow } from '../state/context';
import type { VideoRow } from '../state/slices/videos';
import { usePlaybackLink } from '../video/usePlaybackLink';
import {
  findClasses,
  type LaneClass,
  laneClasses,
  laneValues,
  nearestWindow,
  peakIndex,
  ratedMarks,
  ratedPastEnd,
  stepPath,
  windowSpans,
} from './lanes';
import './timeline.css';

interface Props {
  video: VideoRow;
  result: VideoResult;
  classNames: string[];
  /** The evidence below follows the class whose seconds were picked. */
  onPickClass: (c: number) => void;
  /** The heatmap's zoom along time, which the lanes share (their seconds stay under its columns). */
  zoom?: number;
  /** Put on the lanes' sideways scroller, which scrolls with the heatmap's. */
  scrollRef?: (el: HTMLElement | null) => void;
}

/** Window lengths and hops offered (seconds = frames); the challenge's are 5 and 5. */
const LENGTHS = [1, 2, 3, 5, 10, 15, 30] as const;
const HOPS = [1, 2, 5, 10] as const;

/** "0:05–0:09": the seconds a span of frames covers. */
export function secondsLabel(start: number, frames: number): string {
  return frames <= 1 ? formatTime(start) : `${formatTime(start)}–${formatTime(start + frames - 1)}`;
}

/**
 * When each class happens in the selected video: per lane, a class's
 * probability in each window (the video cut into short windows, each run as a
 * video, as YouTube-8M's segment challenge localizes), on the time axis of the
 * attention heatmap above it; the video's rated segments on their class's lane
 * (positive and negative marked apart); any class added by name. Picking a
 * rated segment, a peak or a window selects its seconds in the heatmap and
 * the evidence.
 */
export function SegmentTimeline({ video, result, classNames, onPickClass, zoom = 1, scrollRef }: Props) {
  const [seg, loadTimeline, setWindows, selectSeconds, addClass, removeClass] = useAppShallow((s) => [
    s.segments,
    s.loadTimeline,
    s.setSegmentWindows,
    s.selectSeconds,
    s.addTimelineClass,
    s.removeTimelineClass,
  ]);
  const modelId = useApp((s) => s.model?.id ?? null);
  const id = useId();
  const T = video.frames;
  const { window, timelineStatus } = seg;
  // A timeline of another model (the model just changed: a fine-tune applied, another loaded) has other classes than
  // this result: it waits for the new one rather than read a class past the end of its windows.
  const timeline = seg.timeline?.key === video.key && seg.timeline.classes === result.probabilities.length ? seg.timeline : null;

  useEffect(() => {
    void loadTimeline(video.key);
  }, [loadTimeline, video.key, modelId, window.length, window.hop]);

  const lanes = useMemo(
    () => laneClasses(result.probabilities, video.segments, seg.added),
    [result.probabilities, video.segments, seg.added],
  );
  const selection = seg.selection?.key === video.key ? seg.selection : null;
  // An extracted video's player: picking seconds here seeks it, and its time is a cursor on every lane.
  const { cursor, onPickFrame } = usePlaybackLink(video.file);
  /** Selects seconds for a class; the player (if any) seeks to `at`, the second picked, else their start. */
  const pick = (start: number, frames: number, c: number, at = start) => {
    selectSeconds({ key: video.key, start, frames, class: c });
    onPickClass(c);
    onPickFrame?.(at);
  };
  const pastEnd = ratedPastEnd(video.segments, T);
  const rated = video.segments?.length ?? 0;
  const ticks = useMemo(() => zoomedTicks(T, zoom), [T, zoom]);

  return (
    <section className="timeline" aria-labelledby={`${id}-title`} data-testid="timeline">
      <div className="tl-head">
        <h4 id={`${id}-title`}>When each class happens</h4>
        <div className="tl-settings" role="group" aria-label="Timeline windows">
          <label>
            Window
            <select
              value={window.length}
              onChange={(e) => void setWindows({ length: Number(e.target.value) })}
              data-testid="timeline-length"
            >
              {LENGTHS.map((n) => (
                <option key={n} value={n}>
                  {n} s{n === 5 ? ' (challenge)' : ''}
                </option>
              ))}
            </select>
          </label>
          <label>
            every
            <select value={window.hop} onChange={(e) => void setWindows({ hop: Number(e.target.value) })} data-testid="timeline-hop">
              {HOPS.map((n) => (
                <option key={n} value={n}>
                  {n} s{n === 1 ? ' (smooth)' : ''}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      <p className="muted small card-sub">
        The video cut into windows of {window.length} s every {window.hop} s, each run through the model as a short video (as the YouTube-8M
        segment challenge localizes a class); a lane is a class’s probability in each window, from 0 to 1, on the heatmap’s time axis.
        {rated > 0 &&
          ` This video has ${rated} rated segment${rated === 1 ? '' : 's'} (5 s each) on ${new Set(video.segments!.map((s) => s.class)).size === 1 ? 'its class’s lane' : 'their classes’ lanes'}.`}
        {pastEnd > 0 && ` ${pastEnd} of them start${pastEnd === 1 ? 's' : ''} past the frames read (the frame cap) and cannot be drawn.`}{' '}
        Pick a rated segment, a peak or a window (arrow keys, Enter) to select its seconds in the heatmap and the evidence
        {onPickFrame ? '; the video seeks there, and playing it moves the cursor on the lanes.' : '.'}
      </p>
      <Legend hasRated={rated > 0} />
      {timelineStatus === 'error' && seg.timeline?.key !== video.key ? (
        <p className="error-text" role="alert">
          The timeline could not be computed: {seg.timelineError}{' '}
          <button type="button" className="link-button" onClick={() => void loadTimeline(video.key, true)}>
            Try again
          </button>
        </p>
      ) : !timeline ? (
        <p className="muted small tl-loading" role="status">
          <span className="spinner" aria-hidden="true" /> Running the windows…
        </p>
      ) : (
        <div ref={scrollRef} className={`hm-scroll tl-scroll${zoom > 1 ? ' hm-scroll-zoomed' : ''}`} data-testid="timeline-scroll">
          <div
            className="hm-canvas tl-lanes"
            data-testid="timeline-lanes"
            data-zoom={zoom}
            aria-busy={timelineStatus === 'loading'}
            style={{ '--zoom': zoom } as CSSProperties}
          >
            {lanes.map((lane) => (
              <Lane
                key={lane.class}
                lane={lane}
                timeline={timeline}
                video={video}
                name={classNames[lane.class] ?? `class ${lane.class}`}
                selection={selection}
                cursor={cursor}
                onPick={pick}
                onRemove={lane.why === 'added' ? () => removeClass(lane.class) : undefined}
              />
            ))}
            <div className="hm-row tl-axis" aria-hidden="true">
              <div className="hm-label" />
              <div className="hm-track tl-axis-track">
                {ticks.map((t) => (
                  <span key={t} className="hm-tick" style={{ left: `${(100 * (t + 0.5)) / T}%` }}>
                    {formatTime(t)}
                  </span>
                ))}
              </div>
            </div>
          </div>
        </div>
      )}
      <ClassFinder classNames={classNames} shown={lanes.map((l) => l.class)} onAdd={addClass} />
      {selection && (
        <p className="small tl-selection-line" data-testid="timeline-selection">
          Selected {secondsLabel(selection.start, selection.frames)}
          {selection.class !== null && <> for {classNames[selection.class] ?? `class ${selection.class}`}</>} (marked in the heatmap
          {selection.class !== null ? ' and the evidence' : ''}){' '}
          <button type="button" className="link-button" onClick={() => selectSeconds(null)}>
            Clear
          </button>
        </p>
      )}
    </section>
  );
}

function Legend({ hasRated }: { hasRated: boolean }) {
  return (
    <ul className="tl-legend small" aria-label="Timeline legend">
      <li>
        <span className="tl-key tl-key-area" aria-hidden="true" /> probability in a window
      </li>
      <li>
        <span className="tl-key tl-key-peak" aria-hidden="true" /> the class’s peak window
      </li>
      {hasRated && (
        <li>
          <span className="tl-key tl-rated tl-pos" aria-hidden="true">
            +
          </span>{' '}
          rated positive
        </li>
      )}
      {hasRated && (
        <li>
          <span className="tl-key tl-rated tl-neg" aria-hidden="true">
            −
          </span>{' '}
          rated negative
        </li>
      )}
      <li>
        <span className="tl-key tl-key-selection" aria-hidden="true" /> selected seconds
      </li>
    </ul>
  );
}

interface LaneProps {
  lane: LaneClass;
  timeline: Timeline;
  video: VideoRow;
  name: string;
  selection: { start: number; frames: number } | null;
  /** The frame the linked player shows; null without one. */
  cursor: number | null;
  onPick: (start: number, frames: number, c: number, at?: number) => void;
  onRemove?: () => void;
}

const WHY = { top: 'a top class', rated: 'rated in this video', added: 'added' } as const;

function Lane({ lane, timeline, video, name, selection, cursor: playing, onPick, onRemove }: LaneProps) {
  const T = video.frames;
  const c = lane.class;
  const values = useMemo(() => laneValues(timeline, c), [timeline, c]);
  const spans = useMemo(() => windowSpans(timeline), [timeline]);
  const path = useMemo(() => stepPath(spans, values), [spans, values]);
  const peak = peakIndex(values);
  const marks = ratedMarks(video.segments, c, T);
  const [cursor, setCursor] = useState<number | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  const W = values.length;
  const shown = hover ?? cursor;
  const windowText = (w: number) => `window ${secondsLabel(timeline.starts[w], timeline.frames[w])}: p ${values[w].toFixed(3)}`;

  const key = (e: KeyboardEvent) => {
    let w = cursor ?? peak;
    switch (e.key) {
      case 'ArrowLeft':
        w--;
        break;
      case 'ArrowRight':
        w++;
        break;
      case 'Home':
        w = 0;
        break;
      case 'End':
        w = W - 1;
        break;
      case 'PageUp':
        w -= 10;
        break;
      case 'PageDown':
        w += 10;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        onPick(timeline.starts[w], timeline.frames[w], c);
        return;
      default:
        return;
    }
    e.preventDefault();
    setCursor(Math.max(0, Math.min(W - 1, w)));
  };
  /** The time under the pointer, in seconds (frames). */
  const timeAt = (e: MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    return ((e.clientX - box.left) / Math.max(1, box.width)) * T;
  };
  const at = (e: MouseEvent<HTMLDivElement>) => nearestWindow(spans, timeAt(e));

  return (
    <div className={`tl-lane tl-lane-${lane.why}`} data-testid="timeline-lane" data-class={c}>
      <div className="hm-row tl-lane-head">
        <div className="hm-label" />
        <div className="tl-lane-title">
          <strong>{name}</strong>
          <span className="muted small"> · {WHY[lane.why]}</span>
          <button
            type="button"
            className="link-button tl-peak-button"
            onClick={() => onPick(timeline.starts[peak], timeline.frames[peak], c)}
            data-testid="timeline-peak"
          >
            peak {secondsLabel(timeline.starts[peak], timeline.frames[peak])} · p {values[peak].toFixed(2)}
            <span className="sr-only">: select these seconds for {name}</span>
          </button>
          {onRemove && (
            <button type="button" className="link-button tl-remove" onClick={onRemove} aria-label={`Remove ${name} from the timeline`}>
              Remove
            </button>
          )}
        </div>
      </div>
      <div className="hm-row">
        <div className="hm-label tl-scale" aria-hidden="true">
          <span>1</span>
          <span>0</span>
        </div>
        <div className="hm-track tl-track">
          <div
            className="tl-plot"
            role="slider"
            tabIndex={0}
            aria-label={`${name}, probability per window`}
            data-values={Array.from(values, (v) => v.toFixed(6)).join(' ')}
            aria-valuemin={0}
            aria-valuemax={Math.max(0, W - 1)}
            aria-valuenow={cursor ?? peak}
            aria-valuetext={`${windowText(cursor ?? peak)}${cursor === null ? ' (the peak)' : ''}; Enter selects its seconds`}
            onKeyDown={key}
            onBlur={() => setCursor(null)}
            onMouseMove={(e) => setHover(at(e))}
            onMouseLeave={() => setHover(null)}
            onClick={(e) => {
              const t = timeAt(e);
              const w = nearestWindow(spans, t);
              onPick(timeline.starts[w], timeline.frames[w], c, Math.max(0, Math.min(T - 1, Math.floor(t))));
            }}
          >
            <svg viewBox={`0 0 ${Math.max(1, T)} 1`} preserveAspectRatio="none" aria-hidden="true" focusable="false">
              <line x1={0} x2={T} y1={0.5} y2={0.5} className="tl-half" vectorEffect="non-scaling-stroke" />
              <rect className="tl-peak" x={spans[peak].from} width={spans[peak].to - spans[peak].from} y={0} height={1} />
              <path d={path} className="tl-area" vectorEffect="non-scaling-stroke" />
              {shown !== null && (
                <rect className="tl-cursor" x={spans[shown].from} width={spans[shown].to - spans[shown].from} y={0} height={1} />
              )}
            </svg>
          </div>
          {playing !== null && playing < T && (
            <span
              className="hm-cursor tl-cursor-line"
              data-testid="timeline-cursor"
              data-t={playing}
              aria-hidden="true"
              style={{ left: `${(100 * (playing + 0.5)) / T}%` }}
            />
          )}
          {selection && (
            <span
              className="tl-selection"
              aria-hidden="true"
              style={{ left: `${(100 * selection.start) / T}%`, width: `${(100 * selection.frames) / T}%` }}
            />
          )}
          {marks.map((m) => (
            <button
              key={m.start}
              type="button"
              className={`tl-rated ${m.positive ? 'tl-pos' : 'tl-neg'}`}
              style={{ left: `${(100 * m.start) / T}%`, width: `${(100 * m.frames) / T}%` }}
              onClick={() => onPick(m.start, m.frames, c)}
              aria-label={`${name} rated ${m.positive ? 'positive' : 'negative'} (score ${m.score}) at ${secondsLabel(m.start, m.frames)}: select these seconds`}
              data-testid="timeline-rated"
              data-start={m.start}
              data-positive={m.positive}
            >
              <span aria-hidden="true">{m.positive ? '+' : '−'}</span>
            </button>
          ))}
        </div>
      </div>
      <p className="hm-row tl-readout small" aria-live="off">
        <span className="hm-label" />
        <span>{shown !== null ? windowText(shown) : '\u00a0'}</span>
      </p>
    </div>
  );
}

function ClassFinder({ classNames, shown, onAdd }: { classNames: string[]; shown: number[]; onAdd: (c: number) => void }) {
  const [query, setQuery] = useState('');
  const id = useId();
  const found = findClasses(classNames, query).filter((c) => !shown.includes(c));
  const add = (c: number) => {
    onAdd(c);
    setQuery('');
  };
  return (
    <div className="tl-finder">
      <label htmlFor={`${id}-find`} className="small">
        Add a class to the timeline
      </label>
      <input
        id={`${id}-find`}
        type="search"
        value={query}
        placeholder="Class name or id"
        autoComplete="off"
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && found.length) {
            e.preventDefault();
            add(found[0]);
          }
        }}
        aria-describedby={`${id}-found`}
        data-testid="timeline-find"
      />
      <div id={`${id}-found`} className="tl-found" aria-live="polite">
        {query.trim() &&
          (found.length ? (
            <ul aria-label="Matching classes">
              {found.map((c) => (
                <li key={c}>
                  <button type="button" className="chip tl-found-chip" onClick={() => add(c)}>
                    {classNames[c]}
                    <span className="sr-only">: add to the timeline</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <span className="muted small">No class not already shown matches “{query.trim()}”.</span>
          ))}
      </div>
    </div>
  );
}
