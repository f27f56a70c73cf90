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
  /** When each held window came (a count of pushes kept), moved with it: what came after the kept order was made. */
  private arrived = new Int32Array(8);
  private pushes = 0;
  private sorted: RankedColumns | null = null;
  /** `pushes` when `sorted` was last brought up to date. */
  private sortedAt = 0;

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
      return;
    }
    if (this.n === 0 || compareWindows(score, video, start, rating, this.scores[0], this.videos[0], this.starts[0], this.ratings[0]) <= 0)
      return;
    // One dropped: the kept order is sorted again when next asked.
    this.sorted = null;
    this.set(0, score, video, start, rating);
    this.siftDown(0);
  }

  /** The windows held, greatest first (the submission's order for this class). */
  ranked(): RankedWindow[] {
    const c = this.rankedColumns();
    return Array.from({ length: c.n }, (_, i) => ({ score: c.scores[i], video: c.videos[i], start: c.starts[i], rating: c.ratings[i] }));
  }

  /**
   * The windows held, greatest first, as columns (read them in a plain loop:
   * a callback per window boxed its numbers, hundreds of megabytes a shard).
   * With `keep`, the order is kept and kept up by merging in the windows
   * pushed since, while none was dropped: the page asks for the segment MAP
   * every second while a shard is ranked, and sorting every class's windows
   * each time cost a tenth of the shard's time. Without, nothing is kept (the
   * command line sorts once, at the end, and would hold every window twice).
   * Do not change them.
   */
  rankedColumns(keep = false): Readonly<RankedColumns> {
    return this.sortedColumns(keep);
  }

  private sortedColumns(keep: boolean): RankedColumns {
    const { scores, videos, starts, ratings } = this;
    const byRankAt = (a: number, b: number) =>
      scores[a] !== scores[b]
        ? scores[a] < scores[b]
          ? 1
          : -1
        : compareWindows(scores[b], videos[b], starts[b], ratings[b], scores[a], videos[a], starts[a], ratings[a]);
    if (this.sorted && this.sortedAt < this.pushes) {
      // The windows that came since, found by when they came (no list of them is kept between reports).
      const fresh: number[] = [];
      for (let i = 0; i < this.n; i++) if (this.arrived[i] > this.sortedAt) fresh.push(i);
      this.sorted = this.mergeColumns(this.sorted, fresh.sort(byRankAt));
    }
    if (!this.sorted) {
      const order = this.rankOrder(byRankAt);
      const c = columns(this.n);
      for (let r = 0; r < this.n; r++) {
        const i = order[r];
        c.scores[r] = scores[i];
        c.videos[r] = videos[i];
        c.starts[r] = starts[i];
        c.ratings[r] = ratings[i];
      }
      if (!keep) return c;
      this.sorted = c;
    }
    this.sortedAt = this.pushes;
    return this.sorted;
  }

  /**
   * The held windows' indices in rank order. A comparator sort of every window (tens of thousands a class)
   * cost the command line a third of a second a shard: here the scores are sorted natively, each window's key
   * is (rank of its score, its index) as one exact number, the keys sorted natively, and only runs of tied
   * scores go through the full comparison.
   */
  private rankOrder(byRankAt: (a: number, b: number) => number): ArrayLike<number> {
    const n = this.n;
    // Keys up to n^2 must stay exact integers.
    if (n > 1 << 26) return Array.from({ length: n }, (_, i) => i).sort(byRankAt);
    const distinct = this.scores.slice(0, n).sort();
    let d = 0;
    for (let i = 0; i < n; i++) if (i === 0 || distinct[i] !== distinct[d - 1]) distinct[d++] = distinct[i];
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // The score's place among the distinct ones, highest first.
      const s = this.scores[i];
      let lo = 0;
      let hi = d - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (distinct[mid] < s) lo = mid + 1;
        else hi = mid;
      }
      keys[i] = (d - 1 - lo) * n + i;
    }
    keys.sort();
    const order = new Int32Array(n);
    for (let r = 0; r < n; r++) order[r] = keys[r] % n;
    for (let r = 0; r < n;) {
      const rank = Math.floor(keys[r] / n);
      let end = r + 1;
      while (end < n && Math.floor(keys[end] / n) === rank) end++;
      if (end - r > 16) order.subarray(r, end).sort(byRankAt);
      else {
        // A few tied windows (the usual run): sorted in place, no view or sort call each.
        for (let a = r + 1; a < end; a++) {
          const x = order[a];
          let b = a - 1;
          for (; b >= r && byRankAt(order[b], x) > 0; b--) order[b + 1] = order[b];
          order[b + 1] = x;
        }
      }
      r = end;
    }
    return order;
  }

  /**
   * The fresh windows (held indices, byRank) merged into the sorted columns, in place from the back: the
   * columns grow by doubling, so a report allocates nothing once they are large (new columns at every report
   * were most of the page's garbage while a shard is ranked).
   */
  private mergeColumns(a: RankedColumns, fresh: readonly number[]): RankedColumns {
    const { scores, videos, starts, ratings } = this;
    const n = a.n + fresh.length;
    let out = a;
    if (a.scores.length < n) {
      out = columns(Math.min(Math.max(n, 2 * a.scores.length), this.capacity));
      out.scores.set(a.scores.subarray(0, a.n));
      out.starts.set(a.starts.subarray(0, a.n));
      out.ratings.set(a.ratings.subarray(0, a.n));
      for (let i = 0; i < a.n; i++) out.videos[i] = a.videos[i];
    }
    let i = a.n - 1;
    let j = fresh.length - 1;
    for (let k = n - 1; j >= 0; k--) {
      const f = fresh[j];
      // Sorted window i goes before fresh window f when it ranks higher, or ties with it (as a forward merge kept it).
      const before =
        i >= 0 &&
        (out.scores[i] !== scores[f]
          ? out.scores[i] > scores[f]
          : compareWindows(scores[f], videos[f], starts[f], ratings[f], out.scores[i], out.videos[i], out.starts[i], out.ratings[i]) <= 0);
      if (i >= 0 && !before) {
        out.scores[k] = out.scores[i];
        out.videos[k] = out.videos[i];
        out.starts[k] = out.starts[i];
        out.ratings[k] = out.ratings[i];
        i--;
      } else {
        out.scores[k] = scores[f];
        out.videos[k] = videos[f];
        out.starts[k] = starts[f];
        out.ratings[k] = ratings[f];
        j--;
      }
    }
    out.n = n;
    return out;
  }

  private set(i: number, score: number, video: string, start: number, rating: number): void {
    this.arrived[i] = ++this.pushes;
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
    const a = this.arrived[i];
    this.arrived[i] = this.arrived[j];
    this.arrived[j] = a;
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
    const arrived = new Int32Array(size);
    arrived.set(this.arrived);
    this.arrived = arrived;
  }
}

/**
 * Windows in rank order, as parallel arrays (the first `n` of each: kept columns have room to grow, and are
 * brought up to date in place at the next read).
 */
export interface RankedColumns {
  n: number;
  scores: Float64Array;
  videos: string[];
  starts: Int32Array;
  ratings: Float64Array;
}

function columns(n: number): RankedColumns {
  return { n, scores: new Float64Array(n), videos: new Array<string>(n), starts: new Int32Array(n), ratings: new Float64Array(n) };
}

/** The order of windows: score, then id (code points), then rating (NaN, unrated, lowest). */
function compareWindows(sa: number, va: string, ta: number, ra: number, sb: number, vb: string, tb: number, rb: number): number {
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (va !== vb || ta !== tb) {
    const c = compareIds(va, ta, vb, tb);
    if (c !== 0) return c;
  }
  if (ra === rb || (ra !== ra && rb !== rb)) return 0;
  if (ra !== ra) return -1;
  if (rb !== rb) return 1;
  return ra < rb ? -1 : 1;
}

/** compareCodePoints(segmentId(va, ta), segmentId(vb, tb)), without making the ids where the videos' ids decide (ties are common: 6 digits). */
function compareIds(va: string, ta: number, vb: string, tb: number): number {
  if (va === vb) return compareCodePoints(String(ta), String(tb));
  const n = Math.min(va.length, vb.length);
  for (let i = 0; i < n; i++) {
    const x = va.charCodeAt(i);
    const y = vb.charCodeAt(i);
    // As compareCodePoints: surrogates sort after U+E000..FFFF.
    if (x !== y)
      return (x >= 0xd800 ? (x < 0xe000 ? x + 0x2000 : x - 0x800) : x) - (y >= 0xd800 ? (y < 0xe000 ? y + 0x2000 : y - 0x800) : y);
  }
  return compareCodePoints(segmentId(va, ta), segmentId(vb, tb));
}
