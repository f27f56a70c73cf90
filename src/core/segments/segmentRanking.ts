/**
 * The per-class rankings of windows that YouTube-8M's segment challenge
 * scores: what `inference.py --segment_labels` builds for its submission
 * (spec 8.2) and `segment_eval_inference.py` reads back (spec 8.3), kept
 * streaming. Each window offers its top classes (20 by default, among the
 * rated classes when there is such a list), each class keeps its best K
 * windows (classHeap.ts), and every rated segment of every video is counted
 * (the positives per class that AP divides by). So memory is bounded by
 * classes x K, not by the number of videos or files.
 *
 * A window offered to a class carries its rating for that class (the video's
 * rating of the segment starting where the window starts), so the metric
 * needs no table of all ratings. The state is exact, serializable (toState /
 * fromState, plain JSON) and mergeable: merging the rankings of inputs split
 * any way gives exactly the ranking of one run over all of them (the heaps'
 * order is total; counts add).
 */
import { InputError } from '../errors';
import type { SegmentRating } from '../features/featureTypes';
import { topKInto } from '../metrics/topk';
import { ClassHeap, type RankedColumns, type RankedWindow } from './classHeap';
import { percentG } from './pythonFloat';
import { type WindowSettings, windowSettings } from './windows';

export interface SegmentRankingOptions {
  /** The model's classes (the length of a window's probabilities). */
  classes: number;
  /** Windows kept per class: upstream's --segment_max_pred, and the K of MAP@K. Default 100,000. */
  k?: number;
  /** Classes a window offers, its highest first: upstream's --top_k. Default 20. */
  topPerWindow?: number;
  /** The classes the submission may hold (the challenge's 1,000 rated ids: ratedClasses.ts), ascending; null for all. */
  rated?: readonly number[] | null;
  /** The windows the videos were cut into (recorded so that only like rankings merge). */
  window?: Partial<WindowSettings>;
  /** Keep each class's order between reads (the page reads the figures every second while a shard is ranked); more memory. */
  keepOrder?: boolean;
}

export const SEGMENT_K = 100_000;
const NO_WINDOWS: RankedColumns = {
  n: 0,
  scores: new Float64Array(0),
  videos: [],
  starts: new Int32Array(0),
  ratings: new Float64Array(0),
};
const SEGMENT_TOP_PER_WINDOW = 20;

/** What was counted of the videos' ratings. */
export interface RatingCounts {
  /** Videos offered (with or without ratings), and those that carried ratings. */
  videos: number;
  ratedVideos: number;
  windows: number;
  /** Rated (segment, class) pairs, and those rated positive (score > 0). */
  ratings: number;
  positive: number;
  /** Ratings of classes the model does not have: no window can rank them. */
  outsideModel: number;
  /** Ratings of classes outside the rated list the submission is restricted to. */
  outsideRated: number;
  /** Ratings whose segment starts where no window starts (off the hop's grid, or past the frame cap). */
  noWindow: number;
}

const ZERO_COUNTS: RatingCounts = {
  videos: 0,
  ratedVideos: 0,
  windows: 0,
  ratings: 0,
  positive: 0,
  outsideModel: 0,
  outsideRated: 0,
  noWindow: 0,
};

/** A video as the ranking needs it: its id, its frames (after the cap) and its ratings. */
export interface RankedVideo {
  id: string;
  frames: number;
  segments?: readonly SegmentRating[];
}

export class SegmentRanking {
  readonly classes: number;
  readonly k: number;
  readonly topPerWindow: number;
  readonly rated: readonly number[] | null;
  readonly window: WindowSettings;
  private readonly keepOrder: boolean;
  private readonly heaps = new Map<number, ClassHeap>();
  /** Positive ratings per class id (any id: a class the model lacks still has its ratings counted). */
  private readonly positives = new Map<number, number>();
  private counts: RatingCounts = { ...ZERO_COUNTS };
  private readonly allowed: Int32Array | null;
  private readonly scratch: Float32Array | null;
  private readonly topCount: number;
  private readonly top: Int32Array;
  private readonly topValues: Float64Array;
  private readonly ratingsOf = new WeakMap<RankedVideo, Map<number, Map<number, number>>>();

  constructor(opts: SegmentRankingOptions) {
    const { classes } = opts;
    if (!Number.isSafeInteger(classes) || classes < 1)
      throw new InputError(`a segment ranking needs the model's class count, not ${classes}`);
    this.classes = classes;
    this.k = opts.k ?? SEGMENT_K;
    this.topPerWindow = opts.topPerWindow ?? SEGMENT_TOP_PER_WINDOW;
    for (const [name, v] of [
      ['K (windows kept per class)', this.k],
      ['the classes kept per window', this.topPerWindow],
    ] as const) {
      if (!Number.isSafeInteger(v) || v < 1) throw new InputError(`${name} must be a positive whole number, not ${v}`);
    }
    this.window = windowSettings(opts.window);
    this.keepOrder = opts.keepOrder ?? false;
    const rated = opts.rated ?? null;
    if (rated) {
      for (let i = 0; i < rated.length; i++) {
        if (!Number.isSafeInteger(rated[i]) || rated[i] < 0 || rated[i] >= classes || (i > 0 && rated[i] <= rated[i - 1])) {
          throw new InputError(
            `the rated classes must be distinct class ids of the model's ${classes} in ascending order (entry ${i} is ${rated[i]})`,
          );
        }
      }
    }
    this.rated = rated ? [...rated] : null;
    this.allowed = rated ? Int32Array.from(rated) : null;
    this.scratch = rated ? new Float32Array(rated.length) : null;
    // Reused by every window: two small arrays a window were the ranking's own garbage.
    this.topCount = Math.min(this.topPerWindow, rated ? rated.length : classes);
    this.top = new Int32Array(this.topCount);
    this.topValues = new Float64Array(this.topCount);
  }

  /** Counts so far. */
  get counted(): Readonly<RatingCounts> {
    return this.counts;
  }

  /**
   * A video's ratings, counted once per video (call it once for each video,
   * whether or not it has ratings; before or after its windows).
   */
  addVideo(video: RankedVideo): void {
    const c = this.counts;
    c.videos++;
    const segments = video.segments;
    if (!segments || segments.length === 0) return;
    c.ratedVideos++;
    const onGrid = (start: number) => start < video.frames && start % this.window.hop === 0;
    for (const s of segments) {
      c.ratings++;
      if (s.score > 0) {
        c.positive++;
        this.positives.set(s.class, (this.positives.get(s.class) ?? 0) + 1);
      }
      if (s.class >= this.classes) c.outsideModel++;
      else if (this.rated && !this.isRated(s.class)) c.outsideRated++;
      if (!onGrid(s.start)) c.noWindow++;
    }
  }

  /**
   * One window of `video` (starting at `start`) and its probabilities: its top
   * classes each offer it to their ranking, with the video's rating of the
   * segment starting there, if any.
   */
  addWindow(video: RankedVideo, start: number, probabilities: ArrayLike<number>): void {
    if (probabilities.length !== this.classes)
      throw new Error(
        `segment ranking: window ${video.id}:${start} has ${probabilities.length} probabilities, the model ${this.classes} classes`,
      );
    this.counts.windows++;
    const ratings = this.ratingsAt(video, start);
    const top = this.topClasses(probabilities);
    for (let r = 0; r < this.topCount; r++) {
      const c = top[r];
      const p = probabilities[c];
      // NaN would make every comparison false and silently skew the ranking.
      if (Number.isNaN(p)) throw new Error(`segment ranking: window ${video.id}:${start}, class ${c}: probability is NaN`);
      let heap = this.heaps.get(c);
      if (!heap) this.heaps.set(c, (heap = new ClassHeap(this.k)));
      heap.push(percentG(p), video.id, start, ratings?.get(c) ?? NaN);
    }
  }

  /** The classes that hold windows, ascending (the submission's lines). */
  rankedClasses(): number[] {
    return [...this.heaps.keys()].sort((a, b) => a - b);
  }

  /** Class c's windows, best first (at most K): the submission's line for c. */
  ranking(c: number): readonly RankedWindow[] {
    return this.heaps.get(c)?.ranked() ?? [];
  }

  /** Class c's windows, best first, as columns (the page's report, every second: no object per window). */
  rankedColumns(c: number): Readonly<RankedColumns> {
    return this.heaps.get(c)?.rankedColumns(this.keepOrder) ?? NO_WINDOWS;
  }

  /** The number of positive ratings of class c over every video counted. */
  positivesOf(c: number): number {
    return this.positives.get(c) ?? 0;
  }

  /** Classes with at least one positive rating, ascending. */
  positiveClasses(): number[] {
    return [...this.positives.keys()].sort((a, b) => a - b);
  }

  /** Another ranking's windows and counts added to this one: the same as one run over both inputs. */
  merge(other: SegmentRanking): void {
    const same = (what: string, a: unknown, b: unknown) => {
      if (JSON.stringify(a) !== JSON.stringify(b))
        throw new InputError(`cannot merge segment rankings made with different ${what} (${JSON.stringify(a)} and ${JSON.stringify(b)})`);
    };
    same('class counts', this.classes, other.classes);
    same('K', this.k, other.k);
    same('classes per window', this.topPerWindow, other.topPerWindow);
    same('rated classes', this.rated, other.rated);
    same('windows', this.window, other.window);
    for (const [c, heap] of other.heaps) {
      let mine = this.heaps.get(c);
      if (!mine) this.heaps.set(c, (mine = new ClassHeap(this.k)));
      for (const w of heap.ranked()) mine.push(w.score, w.video, w.start, w.rating);
    }
    for (const [c, n] of other.positives) this.positives.set(c, (this.positives.get(c) ?? 0) + n);
    for (const key of Object.keys(this.counts) as (keyof RatingCounts)[]) this.counts[key] += other.counts[key];
  }

  /** Everything the ranking holds, as plain JSON (video ids listed once; NaN ratings as null). */
  toState(): SegmentRankingState {
    const videoIds: string[] = [];
    const index = new Map<string, number>();
    const heaps = this.rankedClasses().map((c) => {
      const windows = this.ranking(c);
      return {
        class: c,
        scores: windows.map((w) => w.score),
        videos: windows.map((w) => {
          let i = index.get(w.video);
          if (i === undefined) {
            index.set(w.video, (i = videoIds.length));
            videoIds.push(w.video);
          }
          return i;
        }),
        starts: windows.map((w) => w.start),
        ratings: windows.map((w) => (Number.isNaN(w.rating) ? null : w.rating)),
      };
    });
    return {
      kind: STATE_KIND,
      version: 1,
      classes: this.classes,
      k: this.k,
      topPerWindow: this.topPerWindow,
      rated: this.rated ? [...this.rated] : null,
      window: { ...this.window },
      counts: { ...this.counts },
      positives: this.positiveClasses().map((c) => [c, this.positives.get(c)!]),
      videoIds,
      heaps,
    };
  }

  /** A ranking back from toState()'s JSON; anything that is not such a state is an InputError naming `source`. */
  static fromState(state: unknown, source = 'the segment ranking state'): SegmentRanking {
    return restore(state, source);
  }

  private isRated(c: number): boolean {
    // Binary search of the ascending list.
    const a = this.allowed!;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid] === c) return true;
      if (a[mid] < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /**
   * The window's top classes (the first topCount of the buffer returned, reused by the next window),
   * highest probability first, ties to the lower class id (metrics/topk.ts).
   */
  private topClasses(p: ArrayLike<number>): Int32Array {
    const top = this.top;
    if (!this.allowed) {
      topKInto(p, this.topCount, top, this.topValues);
      return top;
    }
    const a = this.allowed;
    const s = this.scratch!;
    for (let i = 0; i < a.length; i++) s[i] = p[a[i]];
    topKInto(s, this.topCount, top, this.topValues);
    for (let r = 0; r < this.topCount; r++) top[r] = a[top[r]];
    return top;
  }

  /** The video's ratings by start and class (built once per video). */
  private ratingsAt(video: RankedVideo, start: number): Map<number, number> | undefined {
    if (!video.segments || video.segments.length === 0) return undefined;
    let byStart = this.ratingsOf.get(video);
    if (!byStart) {
      byStart = new Map();
      for (const s of video.segments) {
        let m = byStart.get(s.start);
        if (!m) byStart.set(s.start, (m = new Map()));
        m.set(s.class, s.score);
      }
      this.ratingsOf.set(video, byStart);
    }
    return byStart.get(start);
  }

  /** @internal restore()'s way in. */
  static _restore(r: SegmentRanking, heaps: Map<number, ClassHeap>, positives: Map<number, number>, counts: RatingCounts): void {
    for (const [c, h] of heaps) r.heaps.set(c, h);
    for (const [c, n] of positives) r.positives.set(c, n);
    r.counts = counts;
  }
}

const STATE_KIND = 'attention-lstm segment ranking';

export interface SegmentRankingState {
  kind: typeof STATE_KIND;
  version: 1;
  classes: number;
  k: number;
  topPerWindow: number;
  rated: number[] | null;
  window: WindowSettings;
  counts: RatingCounts;
  /** [class id, positive ratings], ascending class id. */
  positives: [number, number][];
  /** Every video id the heaps name, once; heaps refer to them by index. */
  videoIds: string[];
  /** Per class that holds windows: its windows best first, as parallel lists. */
  heaps: { class: number; scores: number[]; videos: number[]; starts: number[]; ratings: (number | null)[] }[];
}

function restore(state: unknown, source: string): SegmentRanking {
  const bad = (what: string): never => {
    throw new InputError(`${source}: not a segment ranking state: ${what}`);
  };
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const whole = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
  if (!isObject(state)) bad('it is not a JSON object');
  const s = state as Record<string, unknown>;
  if (s.kind !== STATE_KIND) bad(`its kind is ${JSON.stringify(s.kind)}, expected ${JSON.stringify(STATE_KIND)}`);
  if (s.version !== 1) bad(`version ${JSON.stringify(s.version)} is not one this version reads (1)`);
  if (!whole(s.classes, 1) || !whole(s.k, 1) || !whole(s.topPerWindow, 1))
    bad('classes, k and topPerWindow must be positive whole numbers');
  if (s.rated !== null && !(Array.isArray(s.rated) && s.rated.every((c) => whole(c)))) bad('rated must be null or a list of class ids');
  if (!isObject(s.window)) bad('window is missing');
  let ranking: SegmentRanking;
  try {
    ranking = new SegmentRanking({
      classes: s.classes as number,
      k: s.k as number,
      topPerWindow: s.topPerWindow as number,
      rated: s.rated as number[] | null,
      window: s.window as Partial<WindowSettings>,
    });
  } catch (e) {
    if (e instanceof InputError) return bad(e.message);
    throw e;
  }
  if (!isObject(s.counts)) bad('counts are missing');
  const counts = { ...ZERO_COUNTS };
  for (const key of Object.keys(ZERO_COUNTS) as (keyof RatingCounts)[]) {
    const v = (s.counts as Record<string, unknown>)[key];
    if (!whole(v)) bad(`counts.${key} must be a whole number`);
    counts[key] = v as number;
  }
  const positives = new Map<number, number>();
  if (!Array.isArray(s.positives)) bad('positives must be a list');
  for (const p of s.positives as unknown[]) {
    if (!Array.isArray(p) || p.length !== 2 || !whole(p[0]) || !whole(p[1], 1) || positives.has(p[0]))
      bad('positives must be distinct [class id, count] pairs');
    positives.set((p as number[])[0], (p as number[])[1]);
  }
  if (!Array.isArray(s.videoIds) || !s.videoIds.every((v) => typeof v === 'string')) bad('videoIds must be a list of strings');
  const videoIds = s.videoIds as string[];
  if (!Array.isArray(s.heaps)) bad('heaps must be a list');
  const heaps = new Map<number, ClassHeap>();
  for (const h of s.heaps as unknown[]) {
    if (!isObject(h) || !whole(h.class) || (h.class as number) >= ranking.classes || heaps.has(h.class as number))
      bad('each heap needs a distinct class id of the model');
    const hh = h as Record<string, unknown>;
    const lists = ['scores', 'videos', 'starts', 'ratings'].map((k) => hh[k]);
    if (
      !lists.every((l) => Array.isArray(l) && l.length === (hh.scores as unknown[]).length) ||
      (hh.scores as unknown[]).length > ranking.k
    ) {
      bad(`class ${hh.class as number}: scores, videos, starts and ratings must be lists of one length, at most K`);
    }
    const [scores, videos, starts, ratings] = lists as unknown[][];
    const heap = new ClassHeap(ranking.k);
    for (let i = 0; i < scores.length; i++) {
      const score = scores[i];
      const v = videos[i];
      const start = starts[i];
      const rating = ratings[i];
      if (
        typeof score !== 'number' ||
        !Number.isFinite(score) ||
        !whole(v) ||
        (v as number) >= videoIds.length ||
        !whole(start) ||
        (start as number) > 0x7fffffff ||
        !(rating === null || (typeof rating === 'number' && Number.isFinite(rating)))
      ) {
        bad(`class ${hh.class as number}, window ${i}: a score, a video index, a start and a rating (or null) expected`);
      }
      heap.push(score as number, videoIds[v as number], start as number, rating === null ? NaN : (rating as number));
    }
    heaps.set(hh.class as number, heap);
  }
  SegmentRanking._restore(ranking, heaps, positives, counts);
  return ranking;
}
