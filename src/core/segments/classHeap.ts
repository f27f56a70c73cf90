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
  private sorted: RankedWindow[] | null = null;
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

  /**
   * The windows held, greatest first (the submission's order for this class).
   * Kept, and kept up by merging in the windows pushed since (while none was
   * dropped): the page asks for the segment MAP every second while a shard
   * is ranked, and sorting every class's windows each time cost a tenth of
   * the shard's time. Do not change the array.
   */
  ranked(): readonly RankedWindow[] {
    if (this.sorted && this.added?.length) this.sorted = mergeRanked(this.sorted, this.added.sort(byRank));
    if (!this.sorted) {
      const out: RankedWindow[] = [];
      for (let i = 0; i < this.n; i++)
        out.push({ score: this.scores[i], video: this.videos[i], start: this.starts[i], rating: this.ratings[i] });
      this.sorted = out.sort(byRank);
    }
    this.added = [];
    return this.sorted;
  }

  /** Notes a window kept without dropping one, for the next ranked() to merge in (while one is kept, and not too many wait). */
  private noteAdded(score: number, video: string, start: number, rating: number): void {
    if (!this.sorted || !this.added) return;
    if (this.added.length > this.sorted.length + 4096) {
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

/** Two lists in byRank order as one. */
function mergeRanked(a: readonly RankedWindow[], b: readonly RankedWindow[]): RankedWindow[] {
  const out: RankedWindow[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = byRank(a[i], b[j]) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
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
