import { describe, expect, it } from 'vitest';
import { ORIGIN, storeHarness } from '../../../../tools/testing/storeHarness';

describe('the settings slice', () => {
  it('reads its settings from the URL and starts the backend and the demo model from them', async () => {
    const { state, fake } = storeHarness('?backend=wasm&video=1&topk=5&threads=2');
    expect(state().settings).toEqual({
      model: null,
      backend: 'wasm',
      video: 1,
      topK: 5,
      samples: false,
      view: 'video',
      maxFrames: 300,
      threads: 2,
    });
    await state().init();
    expect(fake.calls.find((c) => c.type === 'setBackend')?.args).toEqual({ backend: 'wasm', threads: 2 });
    expect(fake.calls.find((c) => c.type === 'loadModel')?.args).toEqual({
      source: { kind: 'url', url: `${ORIGIN}models/demo/model.json` },
    });
    expect(fake.calls.some((c) => c.type === 'addFeatures')).toBe(false);
  });

  it('starts a cached model and the samples when the URL names them', async () => {
    const { state, fake } = storeHarness('?model=cache%3Atrained%3Aabc&samples=1');
    await state().init();
    expect(fake.calls.find((c) => c.type === 'loadModel')?.args).toEqual({ source: { kind: 'cached', id: 'trained:abc' } });
    expect(fake.calls.find((c) => c.type === 'addFeatures')?.args).toEqual({
      sources: [{ kind: 'url', url: `${ORIGIN}samples/s.tfrecord`, name: 's.tfrecord' }],
    });
  });

  it('writes what the user changes back into the URL, clamped', async () => {
    const { state, url } = storeHarness('?backend=wasm&video=1&topk=5');
    state().setTopK(20);
    state().selectVideo(3);
    await state().chooseBackend('webgpu');
    expect(url()).toBe('?backend=webgpu&video=3&topk=20');
    state().setTopK(1000);
    state().selectVideo(-4.5);
    expect(state().settings).toMatchObject({ topK: 100, video: 0 });
  });

  it('keeps the view and the frame cap in the URL, and tells the worker the cap', async () => {
    const { state, fake, url } = storeHarness('?view=dataset&frames=120');
    expect(state().settings).toMatchObject({ view: 'dataset', maxFrames: 120 });
    await state().init();
    expect(fake.calls.find((c) => c.type === 'setMaxFrames')?.args).toEqual({ maxFrames: 120 });
    state().setView('video');
    await state().setMaxFrames(300);
    expect(url()).toBe('');
  });

  it('sets any setting through one clamped setter', () => {
    const { state, url } = storeHarness('');
    state().setSetting('topK', 1000);
    state().setSetting('view', 'dataset');
    expect(state().settings).toMatchObject({ topK: 100, view: 'dataset' });
    expect(url()).toBe('?topk=100&view=dataset');
  });
});
