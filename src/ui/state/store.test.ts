import { describe, expect, it } from 'vitest';
import { fileEvent, storeHarness, TEST_MODEL, testResult } from '../../../tools/testing/storeHarness';

describe('the combined store', () => {
  it('routes one event to every slice that handles it, each seeing the state from before it', () => {
    const { state, fake } = storeHarness();
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('a', [null]));
    fake.emit({ type: 'predictions', results: [testResult('a#0', [0.1, 0.2, 0.9])] });
    fake.emit({ type: 'trainingPrediction', epoch: 1, result: testResult('a#0', [0.5]) });
    // A new model: the model slice takes it, the videos slice drops the old results, the training slice its live view.
    fake.emit({ type: 'model', model: { ...TEST_MODEL, id: 'other' } });
    expect(state().model?.id).toBe('other');
    expect(state().videos[0].status).toBe('queued');
    expect(state().videos[0].result).toBeUndefined();
    expect(state().training.live).toBeNull();
  });
});
