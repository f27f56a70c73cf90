import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storeHarness, TEST_MODEL, testResult } from '../../../../tools/testing/storeHarness';
import type { DatasetReport } from '../../../protocol/protocol';
import { DATASET_REFRESH_MS } from './dataset';

const REPORT: DatasetReport = {
  summary: { videos: 2, hit_at_1: 0.5, perr: 0.5, gap: 0.5, map: 0.5 },
  figures: null,
  videos: 3,
  predicted: 2,
  labeled: 2,
  failed: 1,
};

describe('the dataset slice', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks the worker for the figures a little after results arrive, once for a burst of batches', async () => {
    const { state, fake } = storeHarness('', { datasetReport: () => REPORT });
    for (let i = 0; i < 5; i++) fake.emit({ type: 'predictions', results: [testResult(`a#${i}`, [0.5])] });
    expect(fake.calls.filter((c) => c.type === 'datasetReport')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(DATASET_REFRESH_MS);
    expect(fake.calls.filter((c) => c.type === 'datasetReport')).toEqual([{ type: 'datasetReport', args: { k: 1 } }]);
    expect(state().dataset.report).toEqual(REPORT);
    // Another k asks at once; another model drops the figures.
    state().setDatasetK(5);
    await vi.runOnlyPendingTimersAsync();
    expect(fake.calls.filter((c) => c.type === 'datasetReport').at(-1)?.args).toEqual({ k: 5 });
    fake.emit({ type: 'model', model: { ...TEST_MODEL, id: 'other' } });
    expect(state().dataset.report).toBeNull();
  });
});
