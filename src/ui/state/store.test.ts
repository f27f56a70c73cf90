import { beforeEach, describe, expect, it } from 'vitest';
import type { WorkerClient } from '../../worker/client';
import type { Calls, ModelInfo, RequestType, VideoResult, WorkerEvent } from '../../worker/protocol';
import { createAppStore, progressState, selectedVideo, setMetrics } from './store';

const ORIGIN = 'http://localhost:5173/';

const model: ModelInfo = {
  id: `${ORIGIN}models/demo/model.json`, name: 'demo', source: `${ORIGIN}models/demo/model.json`, variant: 'fluid1',
  sizes: { rgbDim: 1024, audioDim: 128, embed: 32, lstm: 32, head1: 64, head2: 32, classes: 3 },
  classNames: ['a', 'b', 'c'], parameters: 1, bytes: 4, description: null, fromCache: false,
};

/** A worker that answers from a table and lets the test send events. */
function fakeClient() {
  const calls: { type: RequestType; args: unknown }[] = [];
  const listeners = new Set<(e: WorkerEvent) => void>();
  const answers: Partial<{ [K in RequestType]: (args: Calls[K]['args']) => Calls[K]['result'] }> = {
    setBackend: ({ backend }) => ({ requested: backend, active: 'wasm', state: 'ready', adapter: null, reason: null, layout: 'in-out' }),
    loadModel: () => model,
    addFeatures: () => ({ videos: 0, failed: 0 }),
    listModels: () => [],
    clearVideos: () => null,
    startTraining: () => ({ state: 'done' }),
    watchTraining: () => true,
  };
  const client: WorkerClient = {
    call: async (type, args) => {
      calls.push({ type, args });
      const answer = answers[type] as ((a: unknown) => unknown) | undefined;
      if (!answer) throw new Error(`no answer for ${type}`);
      return answer(args) as never;
    },
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    terminate: () => {},
  };
  return { client, calls, emit: (e: WorkerEvent) => listeners.forEach((l) => l(e)) };
}

function setup(search = '') {
  const fake = fakeClient();
  let url = search;
  const store = createAppStore({
    client: fake.client,
    url: { read: () => url, write: (s) => (url = s) },
    publicUrl: (p) => new URL(p, ORIGIN).href,
    fetchJson: async () => ({ files: [{ file: 's.tfrecord', videos: [{ id: 'v0', events: [{ class: 1, name: 'b', start: 2, frames: 3 }] }] }] }),
  });
  return { store, fake, url: () => url };
}

const result = (key: string, p: number[]): VideoResult => ({
  key, probabilities: Float32Array.from(p), attention: { rgb: new Float32Array(2), audio: new Float32Array(2) }, backend: 'wasm', adapter: null, ms: 1,
});

describe('the page store', () => {
  let s: ReturnType<typeof setup>;
  beforeEach(() => {
    s = setup('?backend=wasm&video=1&topk=5');
  });

  it('reads its settings from the URL and starts the backend and the demo model from them', async () => {
    const { store, fake } = s;
    expect(store.getState().settings).toEqual({ model: null, backend: 'wasm', video: 1, topK: 5, samples: false });
    await store.getState().init();
    expect(fake.calls.find((c) => c.type === 'setBackend')?.args).toEqual({ backend: 'wasm' });
    expect(fake.calls.find((c) => c.type === 'loadModel')?.args).toEqual({ source: { kind: 'url', url: `${ORIGIN}models/demo/model.json` } });
  });

  it('writes what the user changes back into the URL', async () => {
    const { store, url } = s;
    store.getState().setTopK(20);
    store.getState().selectVideo(3);
    await store.getState().chooseBackend('webgpu');
    expect(url()).toBe('?backend=webgpu&video=3&topk=20');
  });

  it('names a cached model in the URL, and the demo not at all', async () => {
    const { store, url } = s;
    await store.getState().loadModel({ kind: 'cached', id: model.id });
    expect(url()).toContain(`model=cache%3A${encodeURIComponent(model.id)}`);
    await store.getState().loadModel({ kind: 'url', url: `${ORIGIN}models/demo/model.json` });
    expect(url()).not.toContain('model=');
  });

  it('turns worker events into rows, results and metrics, and keeps results when a file fails', () => {
    const { store, fake } = s;
    fake.emit({ type: 'model', model });
    fake.emit({ type: 'file', file: 'a.tfrecord', videos: [
      { key: 'a#0', file: 'a.tfrecord', index: 0, id: 'v0', frames: 2, labels: [2] },
      { key: 'a#1', file: 'a.tfrecord', index: 1, id: 'v1', frames: 2, labels: [0] },
    ], warnings: [] });
    fake.emit({ type: 'status', keys: ['a#0', 'a#1'], status: 'running' });
    fake.emit({ type: 'prediction', result: result('a#0', [0.1, 0.2, 0.9]) });
    fake.emit({ type: 'status', keys: ['a#0'], status: 'done' });
    expect(store.getState().videos.map((v) => v.status)).toEqual(['done', 'running']);
    expect(selectedVideo(store.getState())?.key).toBe('a#1');
    expect(setMetrics(store.getState().videos)).toMatchObject({ videos: 1, hit_at_1: 1, pending: 1 });

    fake.emit({ type: 'fileError', file: 'bad.txt', message: 'bad.txt: not a feature file' });
    expect(store.getState().notices.map((n) => [n.level, n.message])).toEqual([['error', 'bad.txt: not a feature file']]);
    expect(store.getState().videos[0].result?.probabilities[2]).toBeCloseTo(0.9);
  });

  it('drops results of another model, keeps them across a backend switch', () => {
    const { store, fake } = s;
    fake.emit({ type: 'model', model });
    fake.emit({ type: 'file', file: 'a', videos: [{ key: 'a#0', file: 'a', index: 0, id: 'v0', frames: 2, labels: null }], warnings: [] });
    fake.emit({ type: 'prediction', result: result('a#0', [0.1, 0.2, 0.9]) });
    fake.emit({ type: 'backend', status: { requested: 'webgpu', active: 'webgpu', state: 'ready', adapter: null, reason: null, layout: 'out-in' } });
    expect(store.getState().videos[0].result).toBeDefined();
    fake.emit({ type: 'model', model: { ...model, id: 'other' } });
    expect(store.getState().videos[0].result).toBeUndefined();
    expect(store.getState().videos[0].status).toBe('queued');
  });

  it('loads the samples with their labelled events, once', async () => {
    const { store, fake, url } = s;
    await store.getState().loadSamples();
    expect(store.getState().sampleEvents.v0).toEqual([{ class: 1, name: 'b', start: 2, frames: 3 }]);
    expect(fake.calls.filter((c) => c.type === 'addFeatures')).toHaveLength(1);
    expect(url()).toContain('samples=1');
  });

  it('follows a load task’s progress and forgets it when the next task starts', () => {
    let st = progressState(null, 1, 'load', { status: 'initiate', name: 'demo', total: 100 });
    st = progressState(st, 1, 'load', { status: 'progress', name: 'demo', file: 'a.bin', loaded: 40, total: 100, progress: 40 });
    expect(st).toMatchObject({ op: 1, loaded: 40, total: 100, file: 'a.bin' });
    st = progressState(st, 2, 'convert', { status: 'initiate', name: 'w.pdparams', total: 7 });
    expect(st).toMatchObject({ op: 2, task: 'convert', loaded: 0, total: 7, name: 'w.pdparams' });
  });
});



describe('the fine-tune slice', () => {
  const epoch = (n: number) => ({ epoch: n, trainLoss: 1 / n, validationLoss: 2 / n, validationGap: 0.5, validationHitAt1: 0.5, seconds: 0.01 });

  it('shows epoch reports in order, batched, and flushes them before the state that follows', () => {
    const { store, fake } = setup();
    fake.emit({ type: 'trainingProgress', progress: { phase: 'start', classNames: ['x', 'y'], trainVideos: 8, validationVideos: 2, epochs: 3, before: { loss: 3, gap: 0.1, hitAt1: 0 } } });
    for (let i = 1; i <= 3; i++) fake.emit({ type: 'trainingProgress', progress: { phase: 'epoch', report: epoch(i) } });
    // Batched: not in the state yet...
    expect(store.getState().training.epochs).toHaveLength(0);
    // ...but a state change never overtakes them.
    fake.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'done' } });
    const t = store.getState().training;
    expect(t.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(t.state).toBe('done');
    expect(t.classNames).toEqual(['x', 'y']);
  });

  it('keeps the user’s classes multi-label and re-indexes assignments when a class is removed', () => {
    const { store } = setup();
    const st = () => store.getState();
    st().addClass('alpha');
    st().addClass(' beta ');
    st().addClass('alpha');
    st().addClass('gamma');
    expect(st().customLabels.classNames).toEqual(['alpha', 'beta', 'gamma']);
    st().toggleLabel('f#0', 2);
    st().toggleLabel('f#0', 0);
    st().toggleLabel('f#1', 1);
    st().toggleLabel('f#2', 0);
    st().toggleLabel('f#2', 0);
    expect(st().customLabels.assignments).toEqual({ 'f#0': [0, 2], 'f#1': [1] });
    st().removeClass(1);
    expect(st().customLabels).toEqual({ classNames: ['alpha', 'gamma'], assignments: { 'f#0': [0, 1] } });
  });

  it('asks for the selected video’s live view as it trains, follows the selection, and drops it with the model', async () => {
    const { store, fake } = setup();
    const st = () => store.getState();
    fake.emit({ type: 'model', model });
    fake.emit({ type: 'file', file: 'a', videos: ['a#0', 'a#1'].map((key, index) => ({ key, file: 'a', index, id: `v${index}`, frames: 2, labels: [index] })), warnings: [] });
    st().selectVideo(1);
    await st().startTraining({ mode: 'new-head', headLayers: 'whole-head', optimizer: 'adam', learningRate: 0.001, epochs: 5, batchSize: 16, validationFraction: 0.15 });
    expect(fake.calls.find((c) => c.type === 'startTraining')?.args).toMatchObject({ config: { watch: 'a#1' } });
    fake.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'running' } });
    fake.emit({ type: 'trainingPrediction', epoch: 2, result: result('a#1', [0.3, 0.7]) });
    expect(st().training.live).toMatchObject({ epoch: 2, result: { key: 'a#1' } });
    expect(st().training).toMatchObject({ mode: 'new-head', customLabels: false, showLive: true });
    st().selectVideo(0);
    expect(fake.calls.filter((c) => c.type === 'watchTraining').map((c) => c.args)).toEqual([{ key: 'a#0' }]);
    st().setShowLive(false);
    expect(st().training.showLive).toBe(false);
    // What the worker can only do after the run says so at once.
    await st().chooseBackend('cpu');
    expect(st().notices.at(-1)?.message).toBe('The backend switches to cpu when the fine-tune ends; stop it to do this now.');
    // Once it is over, selecting another video asks for nothing.
    fake.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'done' } });
    st().selectVideo(1);
    expect(fake.calls.filter((c) => c.type === 'watchTraining')).toHaveLength(1);
    fake.emit({ type: 'model', model: { ...model, id: 'tuned' } });
    expect(st().training.live).toBeNull();
  });
});
