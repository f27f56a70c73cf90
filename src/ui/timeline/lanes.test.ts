import { describe, expect, it } from 'vitest';
import type { SegmentTimeline } from '../../protocol/protocol';
import { findClasses, laneClasses, laneValues, nearestWindow, peakIndex, ratedMarks, ratedPastEnd, stepPath, windowSpans } from './lanes';

const timeline = (starts: number[], frames: number[], classes: number, hop: number, length = 5): SegmentTimeline => ({
  key: 'k',
  window: { length, hop },
  starts: Int32Array.from(starts),
  frames: Int32Array.from(frames),
  classes,
  probabilities: Float32Array.from({ length: starts.length * classes }, (_, i) => (i % classes) / 10 + Math.floor(i / classes) / 100),
});

describe('the timeline lanes', () => {
  it('gives the top classes first, then the rated classes not among them, then the added ones, each once, within the model', () => {
    const p = Float32Array.from([0.1, 0.9, 0.3, 0.8, 0.05, 0.7]);
    const segments = [
      { class: 4, start: 0, score: 1 },
      { class: 1, start: 5, score: 0 },
      { class: 0, start: 10, score: 1 },
      { class: 4, start: 5, score: 0 },
    ];
    expect(laneClasses(p, segments, [2, 4, 99])).toEqual([
      { class: 1, why: 'top' },
      { class: 3, why: 'top' },
      { class: 5, why: 'top' },
      { class: 0, why: 'rated' },
      { class: 4, why: 'rated' },
      { class: 2, why: 'added' },
    ]);
    expect(laneClasses(Float32Array.from([0.2, 0.1]), null, [])).toEqual([
      { class: 0, why: 'top' },
      { class: 1, why: 'top' },
    ]);
  });

  it('reads a class’s values per window and finds its peak (the first of equal peaks)', () => {
    const t = timeline([0, 5, 10], [5, 5, 2], 3, 5);
    expect([...laneValues(t, 2)].map((v) => +v.toFixed(2))).toEqual([0.2, 0.21, 0.22]);
    expect(peakIndex([0.1, 0.5, 0.5, 0.2])).toBe(1);
    expect(peakIndex([0.3])).toBe(0);
  });

  it('draws back-to-back windows over their frames (the last one short), overlapping ones as hop-wide steps centred in them', () => {
    expect(windowSpans(timeline([0, 5], [5, 2], 1, 5))).toEqual([
      { from: 0, to: 5 },
      { from: 5, to: 7 },
    ]);
    // Hop 1, length 5, a 7-frame video: windows of 5, 5, 5, 4, 3, 2, 1 frames, each drawn one frame wide at its centre.
    const spans = windowSpans(timeline([0, 1, 2, 3, 4, 5, 6], [5, 5, 5, 4, 3, 2, 1], 1, 1));
    expect(spans.map((s) => s.from)).toEqual([2, 3, 4, 4.5, 5, 5.5, 6]);
    expect(spans.every((s) => s.to - s.from === 1)).toBe(true);
    expect(
      stepPath(
        [
          { from: 0, to: 5 },
          { from: 5, to: 7 },
        ],
        [0.25, 1.5],
      ),
    ).toBe('M0 1 L0 0.7500 L5 0.7500 L5 0.0000 L7 0.0000 L7 1 Z');
    expect(stepPath([], [])).toBe('');
  });

  it('marks the rated segments of a class, positive when the score is above 0, cut at the video’s end; those past it are counted', () => {
    const segments = [
      { class: 2, start: 10, score: 0 },
      { class: 2, start: 0, score: 0.5 },
      { class: 3, start: 0, score: 1 },
      { class: 2, start: 12, score: 1 },
      { class: 2, start: 40, score: 1 },
    ];
    expect(ratedMarks(segments, 2, 13)).toEqual([
      { class: 2, start: 0, frames: 5, positive: true, score: 0.5 },
      { class: 2, start: 10, frames: 3, positive: false, score: 0 },
      { class: 2, start: 12, frames: 1, positive: true, score: 1 },
    ]);
    expect(ratedPastEnd(segments, 13)).toBe(1);
    expect(ratedMarks(undefined, 2, 13)).toEqual([]);
  });

  it('finds classes by name, those starting with the query first, or by id', () => {
    const names = [
      'applause',
      'goal',
      'engine start',
      'dog bark',
      'door knock',
      'glass break',
      'siren',
      'lightning',
      'fireworks',
      'wave crash',
    ];
    expect(findClasses(names, 'g')).toEqual([1, 5, 2, 3, 7]);
    expect(findClasses(names, '  DOOR ')).toEqual([4]);
    expect(findClasses(names, '7')).toEqual([7]);
    expect(findClasses(names, '')).toEqual([]);
    expect(findClasses(names, 'a', 2)).toEqual([0, 1]);
  });

  it('picks the window a click at a second falls in: its own at hop = length, the one centred nearest with overlaps', () => {
    const apart = windowSpans(timeline([0, 5, 10], [5, 5, 2], 1, 5));
    expect([0, 4.9, 5.1, 9.99, 10, 11.5].map((t) => nearestWindow(apart, t))).toEqual([0, 0, 1, 1, 2, 2]);
    // Length 5, hop 1: window w is drawn over [w + 2, w + 3), so second 7.5 is window 5's.
    const smooth = windowSpans(timeline([0, 1, 2, 3, 4, 5, 6], [5, 5, 5, 5, 5, 5, 5], 1, 1));
    expect(nearestWindow(smooth, 7.5)).toBe(5);
    expect(nearestWindow(smooth, 0)).toBe(0);
    expect(nearestWindow(smooth, 99)).toBe(6);
  });
});
