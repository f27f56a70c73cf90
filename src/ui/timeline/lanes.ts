/**
 * What the timeline draws, worked out apart from React: which classes get a
 * lane, each lane's curve over time, its peak window, and the rated segments
 * on it.
 */
import { topKIndices } from '../../core/metrics';
import type { SegmentRating } from '../../core/features/featureTypes';
import type { SegmentTimeline } from '../../protocol/protocol';

/** Classes with a lane before any is added: the video's top classes. */
const TOP_LANES = 3;
/** The rated segments of the challenge are 5 frames long (spec 8.1); no end is stored. */
export const RATED_SEGMENT_FRAMES = 5;

export interface LaneClass {
  class: number;
  /** Why it has a lane: among the video's top classes, rated in this video, added by the user. */
  why: 'top' | 'rated' | 'added';
}

/**
 * The lanes, in order: the video's top classes by video-level probability,
 * then its rated classes not among them (ascending id), then the classes the
 * user added; each class once, classes the model does not have left out.
 */
export function laneClasses(
  probabilities: ArrayLike<number>,
  segments: readonly SegmentRating[] | null | undefined,
  added: readonly number[],
  top = TOP_LANES,
): LaneClass[] {
  const C = probabilities.length;
  const out: LaneClass[] = [];
  const seen = new Set<number>();
  const push = (c: number, why: LaneClass['why']) => {
    if (c < 0 || c >= C || seen.has(c)) return;
    seen.add(c);
    out.push({ class: c, why });
  };
  for (const c of topKIndices(probabilities, Math.min(top, C))) push(c, 'top');
  for (const c of [...new Set((segments ?? []).map((s) => s.class))].sort((a, b) => a - b)) push(c, 'rated');
  for (const c of added) push(c, 'added');
  return out;
}

/** Class c's probability in each window, in window order. */
export function laneValues(t: SegmentTimeline, c: number): Float32Array {
  const out = new Float32Array(t.starts.length);
  for (let w = 0; w < out.length; w++) out[w] = t.probabilities[w * t.classes + c];
  return out;
}

/** The window where the values peak: the first of equal peaks (as the samples' test counts). */
export function peakIndex(values: ArrayLike<number>): number {
  let best = 0;
  for (let w = 1; w < values.length; w++) if (values[w] > values[best]) best = w;
  return best;
}

/**
 * Where each window's value is drawn along time, in frames: the window
 * itself when windows do not overlap (hop >= length), otherwise a hop-wide
 * step centred in the window, so that at hop 1 the curve at second t is the
 * window centred on t and overlapping windows do not hide each other.
 */
export function windowSpans(t: Pick<SegmentTimeline, 'starts' | 'frames' | 'window'>): { from: number; to: number }[] {
  return Array.from(t.starts, (start, w) => {
    const frames = t.frames[w];
    if (t.window.hop >= t.window.length) return { from: start, to: start + frames };
    const width = Math.min(t.window.hop, frames);
    const from = start + (frames - width) / 2;
    return { from, to: from + width };
  });
}

/** The window whose drawn span holds second t (the nearest centre in a gap or past the ends), as a click on a lane picks it. */
export function nearestWindow(spans: readonly { from: number; to: number }[], t: number): number {
  const holding = spans.findIndex((s) => t >= s.from && t < s.to);
  if (holding >= 0) return holding;
  let best = 0;
  for (let w = 1; w < spans.length; w++) {
    if (Math.abs((spans[w].from + spans[w].to) / 2 - t) < Math.abs((spans[best].from + spans[best].to) / 2 - t)) best = w;
  }
  return best;
}

/** An SVG path of the lane's steps (x in frames, y = 1 - probability), closed to the baseline for an area. */
export function stepPath(spans: readonly { from: number; to: number }[], values: ArrayLike<number>): string {
  if (!spans.length) return '';
  const y = (v: number) => (1 - Math.max(0, Math.min(1, v))).toFixed(4);
  let d = `M${spans[0].from} 1`;
  spans.forEach((s, i) => {
    d += ` L${s.from} ${y(values[i])} L${s.to} ${y(values[i])}`;
  });
  return `${d} L${spans[spans.length - 1].to} 1 Z`;
}

export interface RatedMark {
  class: number;
  start: number;
  /** Frames drawn: 5, or fewer at the video's end. */
  frames: number;
  positive: boolean;
  score: number;
}

/** The video's rated segments of class c, by start; those starting past its frames (cut by the frame cap) are left out. */
export function ratedMarks(segments: readonly SegmentRating[] | null | undefined, c: number, videoFrames: number): RatedMark[] {
  return (segments ?? [])
    .filter((s) => s.class === c && s.start < videoFrames)
    .map((s) => ({
      class: c,
      start: s.start,
      frames: Math.min(RATED_SEGMENT_FRAMES, videoFrames - s.start),
      positive: s.score > 0,
      score: s.score,
    }))
    .sort((a, b) => a.start - b.start);
}

/** Rated segments past the frames the video was read with (the frame cap): they cannot be drawn. */
export function ratedPastEnd(segments: readonly SegmentRating[] | null | undefined, videoFrames: number): number {
  return (segments ?? []).filter((s) => s.start >= videoFrames).length;
}

/** Class ids whose names contain the query (case-insensitive), names that start with it first, at most `limit`. */
export function findClasses(classNames: readonly string[], query: string, limit = 8): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const starts: number[] = [];
  const contains: number[] = [];
  classNames.forEach((n, c) => {
    const name = n.toLowerCase();
    if (name.startsWith(q)) starts.push(c);
    else if (name.includes(q) || String(c) === q) contains.push(c);
  });
  return [...starts, ...contains].slice(0, limit);
}
