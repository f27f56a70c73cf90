import { describe, expect, it } from 'vitest';
import type { ClassFigures, DatasetReport } from '../../protocol/protocol';
import { classDeltas, topChanges } from './compareRows';

const cls = (c: number, ap: number, positives = 2): ClassFigures => ({
  class: c,
  positives,
  predicted: 1,
  truePositives: 1,
  precision: 1,
  recall: 0.5,
  ap,
});
const report = (classes: ClassFigures[]): DatasetReport => ({
  summary: { videos: 4, hit_at_1: 0.5, perr: 0.5, gap: 0.5, map: 0.5 },
  figures: { videos: 4, k: 1, classes, confusions: [] },
  videos: 4,
  predicted: 4,
  labeled: 4,
  failed: 0,
});

describe('comparing two models over the same videos', () => {
  it('matches classes by name across a renumbered head, with the change, largest first', () => {
    const before = report([cls(0, 0.2), cls(1, 0.9), cls(2, 0.5, 0)]);
    const after = report([cls(0, 0.95), cls(1, 0.7), cls(2, 0.4)]);
    expect(classDeltas(before, ['storm', 'goal', 'siren'], after, ['goal', 'storm', 'traffic'])).toEqual([
      { name: 'storm', before: 0.2, after: 0.7, diff: expect.closeTo(0.5), positives: 2 },
      { name: 'goal', before: 0.9, after: 0.95, diff: expect.closeTo(0.05), positives: 2 },
      { name: 'traffic', before: null, after: 0.4, diff: null, positives: 2 },
    ]);
    // A model that scored nothing (its labels were not its classes) leaves the before column empty.
    expect(classDeltas(null, [], after, ['goal', 'storm', 'traffic']).map((r) => [r.name, r.before, r.diff])).toEqual([
      ['goal', null, null],
      ['storm', null, null],
      ['traffic', null, null],
    ]);
  });

  it('lists the videos whose top class changed, by name, with their place in the list', () => {
    const rows = [
      { key: 'a#0', id: 'v0', result: { figures: { top: 1 } } },
      { key: 'a#1', id: 'v1', result: { figures: { top: 0 } } },
      { key: 'a#2', id: 'v2' },
      { key: 'a#3', id: 'v3', result: { figures: { top: 0 } } },
    ];
    expect(topChanges({ 'a#0': 0, 'a#1': 0, 'a#2': 1 }, ['storm', 'goal'], rows, ['goal', 'storm'])).toEqual([
      { key: 'a#1', id: 'v1', index: 1, before: 'storm', after: 'goal' },
    ]);
  });
});
