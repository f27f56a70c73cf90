import { describe, expect, it } from 'vitest';
import type { VideoRow } from './slices/videos';
import { hasResults, predictionsPending, videoCounts } from './selectors';

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
