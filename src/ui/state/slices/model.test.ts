import { describe, expect, it } from 'vitest';
import { fileEvent, ORIGIN, storeHarness, TEST_MODEL } from '../../../../tools/testing/storeHarness';
import { progressState } from './model';

describe('the model slice', () => {
  it('names a cached model in the URL, and the demo not at all', async () => {
    const { state, url } = storeHarness();
    await state().loadModel({ kind: 'cached', id: TEST_MODEL.id });
    expect(url()).toContain(`model=cache%3A${encodeURIComponent(TEST_MODEL.id)}`);
    await state().loadModelUrl('');
    expect(url()).not.toContain('model=');
  });

  it('keeps the reason a model failed to load, and clears it with the next model', async () => {
    const { state, fake } = storeHarness('', {
      loadModel: () => {
        throw new Error(`${ORIGIN}x/model.json: the server answered 404 Not Found`);
      },
    });
    await state().loadModelUrl('x/model.json');
    expect(state().modelError).toMatch(/404/);
    // No videos: the empty state says it, so no notice repeats it.
    expect(state().notices).toEqual([]);
    fake.emit(fileEvent('a.tfrecord', [null]));
    await state().loadModelUrl('x/model.json');
    expect(state().notices.at(-1)?.message).toMatch(/^The model could not be loaded: .*404/);
    fake.emit({ type: 'model', model: TEST_MODEL });
    expect(state()).toMatchObject({ model: TEST_MODEL, modelError: null });
  });

  it('follows a load task’s progress and forgets it when the next task starts', () => {
    let st = progressState(null, 1, 'load', { status: 'initiate', name: 'demo', total: 100 });
    st = progressState(st, 1, 'load', { status: 'progress', name: 'demo', file: 'a.bin', loaded: 40, total: 100, progress: 40 });
    expect(st).toMatchObject({ op: 1, loaded: 40, total: 100, file: 'a.bin' });
    st = progressState(st, 2, 'convert', { status: 'initiate', name: 'w.pdparams', total: 7 });
    expect(st).toMatchObject({ op: 2, task: 'convert', loaded: 0, total: 7, name: 'w.pdparams' });
  });

  it('lists the cached models the worker announces', () => {
    const { state, fake } = storeHarness();
    const models = [{ id: 'm', name: 'm', source: 's', bytes: 1, savedAt: 2 }];
    fake.emit({ type: 'cache', models });
    expect(state().cachedModels).toEqual(models);
  });
});
