import { describe, expect, it } from 'vitest';
import type { VideoRow } from './slices/videos';
import type { CustomLabels } from '../../protocol/protocol';
import {
  customClassesInUse,
  filesKey,
  fineTuneClasses,
  hasResults,
  labelIdsKey,
  predictionsPending,
  ratedCounts,
  videoCounts,
} from './selectors';

const row = (status: VideoRow['status'], result?: object) => ({ status, result }) as unknown as VideoRow;

describe('counting selectors', () => {
  it('count the videos predicted and failed', () => {
    expect(videoCounts([row('done'), row('error'), row('queued'), row('done')])).toEqual({ total: 4, done: 2, failed: 1 });
    expect(videoCounts([])).toEqual({ total: 0, done: 0, failed: 0 });
  });

  it('say whether any video has results or still waits', () => {
    expect(hasResults({ videos: [row('queued'), row('done', {})] })).toBe(true);
    expect(hasResults({ videos: [row('error')] })).toBe(false);
    expect(predictionsPending([row('done'), row('running')])).toBe(true);
    expect(predictionsPending([row('done'), row('error')])).toBe(false);
  });
});

describe("the fine-tune card's counts", () => {
  const labeled = (file: string, labels?: number[]) => ({ file, labels }) as unknown as VideoRow;
  const custom = (classNames: string[], assignments: Record<string, number[]>): CustomLabels => ({ classNames, assignments });

  it('list the label ids and the files in use, once per video list', () => {
    const videos = [labeled('a', [7, 2]), labeled('b'), labeled('a', [2, 0])];
    expect(labelIdsKey(videos)).toBe('0,2,7');
    expect(filesKey(videos)).toBe('a\nb');
    expect(labelIdsKey(videos)).toBe(labelIdsKey(videos));
    expect(labelIdsKey([])).toBe('');
  });

  it('count the classes a fine-tune teaches', () => {
    const mine = custom(['cat', 'dog', 'bird'], { 'a#0': [0], 'a#1': [0, 2], 'a#2': [] });
    expect(customClassesInUse(mine)).toBe(2);
    expect(fineTuneClasses({ custom: mine, mode: 'new-head', fileIds: 5, planned: 9 })).toBe(2);
    expect(fineTuneClasses({ custom: null, mode: 'same-labels', fileIds: 5, planned: 9 })).toBe(5);
    expect(fineTuneClasses({ custom: null, mode: 'new-head', fileIds: 5, planned: 9 })).toBe(9);
    // Before the worker's plan arrives, the files' label ids.
    expect(fineTuneClasses({ custom: null, mode: 'all', fileIds: 5, planned: null })).toBe(5);
  });

  it('count the loaded segment-rated videos and their ratings, failed videos left out', () => {
    const r = (n: number, status = 'done') => ({ status, segments: Array.from({ length: n }, () => ({ class: 0, start: 0, score: 1 })) });
    expect(ratedCounts([r(3), r(0), r(2, 'error'), { status: 'done', segments: null }, r(1, 'queued')])).toEqual({ videos: 2, ratings: 4 });
  });
});
