import { describe, expect, it } from 'vitest';
import type { SegmentReport } from '../../protocol/protocol';
import { leftOutNote } from './SegmentMetrics';

const counts = { videos: 1, ratedVideos: 1, windows: 4, ratings: 3, positive: 2, outsideModel: 0, outsideRated: 0, noWindow: 0 };
const report = (noPositive: number[], neverRanked: number[]): SegmentReport => ({
  window: { length: 5, hop: 5 },
  worst: [],
  ratedVideos: 1,
  ranked: 1,
  pending: 0,
  result: { map: 0.5, k: 100000, perClass: [], noPositive, neverRanked, counts },
});

describe('the segment figures in the page', () => {
  it('says which classes the mean leaves out, and why', () => {
    const name = (c: number) => `c${c}`;
    expect(leftOutNote(report([], []), name)).toBeNull();
    expect(leftOutNote(report([3], []), name)).toBe('1 ranked class with no positive rating (c3) left out of the mean.');
    expect(leftOutNote(report([1, 2, 3, 4], [7]), name)).toBe(
      '4 ranked classes with no positive rating (c1, c2, c3, …) left out of the mean; 1 class rated positive that no window ranks among its top 20 (c7) not in the submission.',
    );
    expect(leftOutNote({ ...report([], []), result: null }, name)).toBeNull();
  });
});
