import { describe, expect, it } from 'vitest';
import { packedLayout } from './packedBatch';

describe('packedLayout: a batch as its real frames, frame-major, longest video first', () => {
  it('ranks videos by length (ties in batch order) and narrows the batch as they end', () => {
    const p = packedLayout([2, 4, 1, 4], 4);
    expect(Array.from(p.order)).toEqual([1, 3, 0, 2]);
    expect(Array.from(p.rank)).toEqual([2, 0, 3, 1]);
    expect(Array.from(p.sortedLengths)).toEqual([4, 4, 2, 1]);
    expect(Array.from(p.active)).toEqual([4, 3, 2, 2]);
    expect(Array.from(p.offsets)).toEqual([0, 4, 7, 9, 11]);
    expect(p.N).toBe(11);
    expect(p.identity).toBe(false);
  });

  it('maps rows both ways: every real frame exactly once, padding to N', () => {
    const lengths = [3, 5, 1, 5, 2];
    const T = 5;
    const p = packedLayout(lengths, T);
    const seen = new Set<number>();
    for (let r = 0; r < p.N; r++) {
      const src = p.sourceRows[r];
      const b = Math.floor(src / T);
      const t = src % T;
      expect(t).toBeLessThan(lengths[b]);
      expect(p.videoOfRow[r]).toBe(b);
      expect(p.paddedRows[src]).toBe(r);
      // Frame-major: row r is frame t of rank r - offsets[t].
      expect(p.order[r - p.offsets[t]]).toBe(b);
      seen.add(src);
    }
    expect(seen.size).toBe(lengths.reduce((a, b) => a + b, 0));
    for (let b = 0; b < lengths.length; b++) for (let t = lengths[b]; t < T; t++) expect(p.paddedRows[b * T + t]).toBe(p.N);
  });

  it('one video as long as the batch is the identity', () => {
    const p = packedLayout([7], 7);
    expect(p.identity).toBe(true);
    expect(Array.from(p.sourceRows)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('refuses lengths outside 1..T', () => {
    expect(() => packedLayout([0, 2], 2)).toThrow(/0 frames/);
    expect(() => packedLayout([3], 2)).toThrow(/3 frames/);
  });
});
