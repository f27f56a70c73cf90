import { describe, expect, it } from 'vitest';
import { ClassHeap, type RankedWindow } from './classHeap';
import { compareCodePoints } from './pythonFloat';
import { segmentId } from './windows';

/** The ranking's order written out plainly: score, then the window id as Python compares str, then the rating (unrated lowest); greatest first. */
function byRank(a: RankedWindow, b: RankedWindow): number {
  if (a.score !== b.score) return b.score - a.score;
  const c = compareCodePoints(segmentId(b.video, b.start), segmentId(a.video, a.start));
  if (c !== 0) return c;
  const ra = Number.isNaN(a.rating) ? -Infinity : a.rating;
  const rb = Number.isNaN(b.rating) ? -Infinity : b.rating;
  return ra === rb ? 0 : rb - ra;
}

function windows(count: number, seed: number): RankedWindow[] {
  let s = seed;
  const next = (n: number) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s % n;
  };
  // Few scores, so most windows tie on score; ids that are prefixes of others ('v1' and 'v1:'), that differ only
  // past a surrogate pair or in the start's digits ('9' after '10' as text), so the id comparison decides.
  const ids = ['v1', 'v1:', 'v10', 'v', 'a\u{1F600}', 'a\uFFFD', 'b', '', 'v1:2'];
  const scores = [0.5, 0.25, -0, 0, 1e-9, 0.123457, 3];
  return Array.from({ length: count }, () => ({
    score: scores[next(scores.length)],
    video: ids[next(ids.length)],
    start: [0, 2, 9, 10, 15, 100][next(6)],
    rating: [NaN, 0, 1, 0.5][next(4)],
  }));
}

describe('ClassHeap', () => {
  it('ranks its windows in the full order, however many tie, kept or not', () => {
    for (const [count, capacity] of [
      [2000, 5000],
      [3000, 700],
      [1, 1],
      [50, 3],
    ]) {
      const all = windows(count, count + capacity);
      const heap = new ClassHeap(capacity);
      for (const w of all) heap.push(w.score, w.video, w.start, w.rating);
      const want = [...all].sort(byRank).slice(0, capacity);
      const got = heap.ranked();
      expect(got.length).toBe(want.length);
      for (let i = 0; i < got.length; i++) {
        const [g, w] = [got[i], want[i]];
        // Windows equal in every field are interchangeable; -0 and 0 are one score.
        if (byRank(g, w) !== 0) expect(g, `rank ${i}`).toEqual(w);
      }
      const kept = heap.rankedColumns(true);
      expect(Array.from(kept.scores.subarray(0, kept.n))).toEqual(got.map((w) => w.score));
    }
  });

  it('keeps its order up between reads, windows merged in at each, as one sort of them all gives', () => {
    // -0 and 0 tie: their windows' order between themselves is either (the first test allows it), so 0 only here.
    const all = windows(5000, 3).map((w) => ({ ...w, score: w.score === 0 ? 0 : w.score }));
    const kept = new ClassHeap(100_000);
    const once = new ClassHeap(100_000);
    let read = 0;
    for (let i = 0; i < all.length; i++) {
      const w = all[i];
      kept.push(w.score, w.video, w.start, w.rating);
      once.push(w.score, w.video, w.start, w.rating);
      // Reads after 1, 2, 4, ... windows and then every 700: the kept columns grow and are merged into.
      if (i + 1 === 2 ** read || (i + 1) % 700 === 0) {
        read += i + 1 === 2 ** read ? 1 : 0;
        const got = kept.rankedColumns(true);
        const want = once.rankedColumns(false);
        expect(got.n).toBe(i + 1);
        expect(Array.from(got.scores.subarray(0, got.n))).toEqual(Array.from(want.scores.subarray(0, want.n)));
        expect(got.videos.slice(0, got.n)).toEqual(want.videos.slice(0, want.n));
        expect(Array.from(got.starts.subarray(0, got.n))).toEqual(Array.from(want.starts.subarray(0, want.n)));
        expect(Array.from(got.ratings.subarray(0, got.n))).toEqual(Array.from(want.ratings.subarray(0, want.n)));
      }
    }
  });
});
