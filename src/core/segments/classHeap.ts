/**
 * One class's best windows, at most `capacity` of them: upstream's per-class
 * heapq of (score, segment id) tuples (`inference.py`: push while fewer than
 * K, else push-pop), as a binary min-heap over typed arrays.
 *
 * The order is total and does not depend on when a window arrives: score,
 * then the window id as Python compares str (code points), then the rating
 * (unrated lowest; it only matters for a video id given twice). So the heap
 * keeps the K greatest windows of that order whatever the order of the
 * videos, two heaps merge into exactly the heap of one run over both, and
 * the final ranking sorts by the same order, greatest first. (Upstream's
 * final sort is by score alone and leaves tied scores in the heap's internal
 * order, which depends on the order of arrival.)
 */
import { compareCodePoints } from './pythonFloat';
import { segmentId } from './windows';

/** One ranked window of a class. `rating` is NaN for a window nobody rated for the class. */
export interface RankedWindow {
  score: number;
  video: string;
  start: number;
  rating: number;
}

export class ClassHeap {
  private scores = new Float64Array(8);
  private starts = new Int32Array(8);
  private ratings = new Float64Array(8);
  private videos: string[] = [];
  private n = 0;
  private sorted: RankedColumns | null = null;
  private added: RankedWindow[] | null = null;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.n;
  }

  /** Offers one window; kept when fewer than `capacity` are held or it beats the least of them. */
  push(score: number, video: string, start: number, rating: number): void {
    if (this.n < this.capacity) {
      this.grow();
      this.set(this.n, score, video, start, rating);
      this.siftUp(this.n++);
      this.noteAdded(score, video, start, rating);
      return;
    }
    if (this.n === 0 || compareWindows(score, video, start, rating, this.scores[0], this.videos[0], this.starts[0], this.ratings[0]) <= 0)
      return;
    // One dropped: the kept order is sorted again when next asked.
    this.sorted = this.added = null;
    this.set(0, score, video, start, rating);
    this.siftDown(0);
  }

  /** The windows held, greatest first (the submission's order for this class). */
  ranked(): RankedWindow[] {
    const out: RankedWindow[] = [];
    this.forEachRanked((score, video, start, rating) => out.push({ score, video, start, rating }));
    return out;
  }

  /**
   * Calls `fn` for each window held, greatest first. The order is kept (as
   * columns, not objects: a shard's windows are hundreds of thousands) and
   * kept up by merging in the windows pushed since, while none was dropped:
   * the page asks for the segment MAP every second while a shard is ranked,
   * and sorting every class's windows each time cost a tenth of the shard's time.
   */
  forEachRanked(fn: (score: number, video: string, start: number, rating: number) => void): void {
    const s = this.sortedColumns();
    for (let i = 0; i < s.n; i++) fn(s.scores[i], s.videos[i], s.starts[i], s.ratings[i]);
  }

  private sortedColumns(): RankedColumns {
    if (this.sorted && this.added?.length) this.sorted = mergeColumns(this.sorted, this.added.sort(byRank));
    if (!this.sorted) {
      const { scores, videos, starts, ratings } = this;
      const order = Array.from({ length: this.n }, (_, i) => i);
      order.sort((a, b) =>
        scores[a] !== scores[b]
          ? scores[a] < scores[b]
            ? 1
            : -1
          : compareWindows(scores[b], videos[b], starts[b], ratings[b], scores[a], videos[a], starts[a], ratings[a]),
      );
      const c = columns(this.n);
      order.forEach((i, r) => {
        c.scores[r] = scores[i];
        c.videos[r] = videos[i];
        c.starts[r] = starts[i];
        c.ratings[r] = ratings[i];
      });
      this.sorted = c;
    }
    this.added = [];
    return this.sorted;
  }

  /** Notes a window kept without dropping one, for the next ranked() to merge in (while one is kept, and not too many wait). */
  private noteAdded(score: number, video: string, start: number, rating: number): void {
    if (!this.sorted || !this.added) return;
    if (this.added.length > this.sorted.n + 4096) {
      this.sorted = this.added = null;
      return;
    }
    this.added.push({ score, video, start, rating });
  }

  private set(i: number, score: number, video: string, start: number, rating: number): void {
    this.scores[i] = score;
    this.videos[i] = video;
    this.starts[i] = start;
    this.ratings[i] = rating;
  }

  private less(i: number, j: number): boolean {
    return (
      compareWindows(
        this.scores[i],
        this.videos[i],
        this.starts[i],
        this.ratings[i],
        this.scores[j],
        this.videos[j],
        this.starts[j],
        this.ratings[j],
      ) < 0
    );
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i];
    this.scores[i] = this.scores[j];
    this.scores[j] = s;
    const t = this.starts[i];
    this.starts[i] = this.starts[j];
    this.starts[j] = t;
    const r = this.ratings[i];
    this.ratings[i] = this.ratings[j];
    this.ratings[j] = r;
    const v = this.videos[i];
    this.videos[i] = this.videos[j];
    this.videos[j] = v;
  }

  private siftUp(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.n) return;
      const c = l + 1 < this.n && this.less(l + 1, l) ? l + 1 : l;
      if (!this.less(c, i)) return;
      this.swap(i, c);
      i = c;
    }
  }

  /** Room for one more, doubling up to the capacity (a class seen in few windows costs little). */
  private grow(): void {
    if (this.n < this.scores.length) return;
    const size = Math.min(this.capacity, this.scores.length * 2);
    const scores = new Float64Array(size);
    scores.set(this.scores);
    this.scores = scores;
    const starts = new Int32Array(size);
    starts.set(this.starts);
    this.starts = starts;
    const ratings = new Float64Array(size);
    ratings.set(this.ratings);
    this.ratings = ratings;
  }
}

/** Greatest first: the submission's order. */
function byRank(a: RankedWindow, b: RankedWindow): number {
  if (a.score !== b.score) return a.score < b.score ? 1 : -1;
  return compareWindows(b.score, b.video, b.start, b.rating, a.score, a.video, a.start, a.rating);
}

/** Windows in rank order, as parallel arrays. */
interface RankedColumns {
  n: number;
  scores: Float64Array;
  videos: string[];
  starts: Int32Array;
  ratings: Float64Array;
}

function columns(n: number): RankedColumns {
  return { n, scores: new Float64Array(n), videos: new Array<string>(n), starts: new Int32Array(n), ratings: new Float64Array(n) };
}

/** Sorted columns and a sorted list (both byRank) as one. */
function mergeColumns(a: RankedColumns, b: readonly RankedWindow[]): RankedColumns {
  const out = columns(a.n + b.length);
  const put = (k: number, score: number, video: string, start: number, rating: number) => {
    out.scores[k] = score;
    out.videos[k] = video;
    out.starts[k] = start;
    out.ratings[k] = rating;
  };
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.n && j < b.length) {
    const w = b[j];
    const first =
      a.scores[i] !== w.score
        ? a.scores[i] > w.score
        : compareWindows(w.score, w.video, w.start, w.rating, a.scores[i], a.videos[i], a.starts[i], a.ratings[i]) <= 0;
    if (first) {
      put(k++, a.scores[i], a.videos[i], a.starts[i], a.ratings[i]);
      i++;
    } else {
      put(k++, w.score, w.video, w.start, w.rating);
      j++;
    }
  }
  for (; i < a.n; i++) put(k++, a.scores[i], a.videos[i], a.starts[i], a.ratings[i]);
  for (; j < b.length; j++) put(k++, b[j].score, b[j].video, b[j].start, b[j].rating);
  return out;
}

/** The order of windows: score, then id (code points), then rating (NaN, unrated, lowest). */
function compareWindows(sa: number, va: string, ta: number, ra: number, sb: number, vb: string, tb: number, rb: number): number {
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (va !== vb || ta !== tb) {
    const c = compareCodePoints(segmentId(va, ta), segmentId(vb, tb));
    if (c !== 0) return c;
  }
  if (ra === rb || (ra !== ra && rb !== rb)) return 0;
  if (ra !== ra) return -1;
  if (rb !== rb) return 1;
  return ra < rb ? -1 : 1;
}
