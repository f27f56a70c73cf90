import { describe, expect, it } from 'vitest';
import { fileEvent, ORIGIN, storeHarness, TEST_MODEL, testResult } from '../../../../tools/testing/storeHarness';
import type { DatasetReport, ModelInfo } from '../../../protocol/protocol';
import { foreignLabelFiles } from './compare';

const TUNED: ModelInfo = {
  ...TEST_MODEL,
  id: 'trained:1',
  name: 'demo fine-tuned',
  classNames: ['celebration', 'storm'],
  sizes: { ...TEST_MODEL.sizes, classes: 2 },
};
const REPORT: DatasetReport = {
  summary: { videos: 2, hit_at_1: 0.5, perr: 0.5, gap: 0.4, map: 0.3 },
  figures: null,
  videos: 2,
  predicted: 2,
  labeled: 2,
  failed: 0,
};

describe('the compare slice', () => {
  it('knows files whose labels are not the model’s classes, and leaves them out of the metrics', async () => {
    const { state, fake, store } = storeHarness();
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('new.tfrecord', [[0], [1]]));
    fake.emit(fileEvent('own.tfrecord', [[2]]));
    expect(foreignLabelFiles(state())).toEqual([]);
    store.setState({ labelNames: { 'new.tfrecord': ['celebration', 'storm'], 'own.tfrecord': ['a', 'b', 'c'] } });
    expect(foreignLabelFiles(state())).toEqual(['new.tfrecord']);
    await state().refreshDataset();
    expect(fake.calls.at(-1)).toMatchObject({ type: 'datasetReport', args: { leaveOut: ['new.tfrecord'] } });
    // The tuned model's classes are the new set's: now the other file's labels are foreign.
    fake.emit({ type: 'model', model: TUNED });
    expect(foreignLabelFiles(state())).toEqual(['own.tfrecord']);
  });

  it('applies the tuned model with the one before kept for the comparison, and switches back in one step', async () => {
    const h = storeHarness('', {
      datasetReport: () => REPORT,
      saveTrained: () => {
        h.fake.emit({ type: 'model', model: TUNED });
        return TUNED;
      },
      loadModel: () => {
        h.fake.emit({ type: 'model', model: TEST_MODEL });
        return TEST_MODEL;
      },
    });
    const { state, fake } = h;
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('a', [[0], [1]]));
    fake.emit({ type: 'predictions', results: [testResult('a#0', [0.1, 0.2, 0.7], [0]), testResult('a#1', [0.6, 0.3, 0.1], [1])] });
    await state().applyTrained();
    expect(state().comparison).toMatchObject({ model: { id: TEST_MODEL.id }, setting: null, report: REPORT, tops: { 'a#0': 2, 'a#1': 0 } });
    expect(state().model?.id).toBe('trained:1');
    // The videos wait for the tuned model's predictions.
    expect(state().videos.map((v) => v.status)).toEqual(['queued', 'queued']);
    fake.emit({ type: 'predictions', results: [testResult('a#0', [0.9, 0.1], [0]), testResult('a#1', [0.2, 0.8], [1])] });
    await state().switchToCompared();
    expect(fake.calls.find((c) => c.type === 'loadModel')?.args).toEqual({
      source: { kind: 'url', url: `${ORIGIN}models/demo/model.json` },
    });
    expect(state().comparison).toMatchObject({ model: { id: 'trained:1' }, setting: 'cache:trained:1', tops: { 'a#0': 0, 'a#1': 1 } });
    state().closeComparison();
    expect(state().comparison).toBeNull();
  });
});
