import { describe, expect, it } from 'vitest';
import { fileEvent, storeHarness, TEST_MODEL, testResult } from '../../../../tools/testing/storeHarness';
import { selectedVideo } from '../selectors';

describe('the videos slice', () => {
  it('turns worker events into rows, results and metrics, and keeps results when a file fails', () => {
    const { state, fake } = storeHarness('?video=1');
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('a', [[2], [0]]));
    fake.emit({ type: 'status', keys: ['a#0', 'a#1'], status: 'running' });
    fake.emit({ type: 'predictions', results: [testResult('a#0', [0.1, 0.2, 0.9])] });
    fake.emit({ type: 'status', keys: ['a#0'], status: 'done' });
    expect(state().videos.map((v) => v.status)).toEqual(['done', 'running']);
    expect(selectedVideo(state())?.key).toBe('a#1');
    fake.emit({ type: 'fileError', file: 'bad.txt', message: 'bad.txt: not a feature file' });
    expect(state().videos[0].result?.probabilities[2]).toBeCloseTo(0.9);
  });

  it('says how many records of a file were skipped', () => {
    const { state, fake } = storeHarness();
    fake.emit({ ...fileEvent('a', [null]), warnings: ['a: record 1 (byte 90) skipped: its data is corrupt', 'a: record 2 …'] } as never);
    expect(state().notices.at(-1)).toMatchObject({
      level: 'warning',
      message: 'a: 2 records skipped or changed (a: record 1 (byte 90) skipped: its data is corrupt, …)',
    });
  });

  it('drops results of another model, keeps them across a backend switch', () => {
    const { state, fake } = storeHarness();
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('a', [null]));
    fake.emit({ type: 'predictions', results: [testResult('a#0', [0.1, 0.2, 0.9])] });
    fake.emit({
      type: 'backend',
      status: { requested: 'webgpu', active: 'webgpu', state: 'ready', adapter: null, reason: null, layout: 'out-in', threads: null },
    });
    fake.emit({ type: 'model', model: TEST_MODEL });
    expect(state().videos[0].result).toBeDefined();
    fake.emit({ type: 'model', model: { ...TEST_MODEL, id: 'other' } });
    expect(state().videos[0].result).toBeUndefined();
    expect(state().videos[0].status).toBe('queued');
  });

  it('loads the samples with their labelled events, once', async () => {
    const { state, fake, url } = storeHarness();
    await state().loadSamples();
    fake.emit(fileEvent('s.tfrecord', [null]));
    await state().loadSamples();
    expect(state().sampleEvents.v0).toEqual([{ class: 1, name: 'b', start: 2, frames: 3 }]);
    expect(fake.calls.filter((c) => c.type === 'addFeatures')).toHaveLength(1);
    expect(url()).toContain('samples=1');
  });

  it('clears the videos with their evidence, assignments and place in the URL', async () => {
    const { state, fake, url } = storeHarness('?video=1&samples=1');
    fake.emit(fileEvent('a', [null, null]));
    state().addClass('x');
    state().toggleLabel('a#1', 0);
    await state().clearVideos();
    expect(state()).toMatchObject({ videos: [], evidence: {}, customLabels: { classNames: ['x'], assignments: {} } });
    expect(url()).toBe('');
  });

  it('keeps the evidence of a video, or why it failed', async () => {
    let fail = false;
    const { state } = storeHarness('', {
      occlusion: ({ key, classIndex }) => {
        if (fail) throw new Error('that video is no longer loaded');
        return { key, classIndex, window: 5, baseline: 0.9, drop: new Float32Array(3), backend: 'wasm' };
      },
    });
    await state().requestEvidence('a#0', 1, 4);
    expect(state().evidence['a#0']).toMatchObject({ status: 'done', window: 5, result: { baseline: 0.9 } });
    fail = true;
    await state().requestEvidence('a#0', 1, 4);
    expect(state().evidence['a#0']).toEqual({ classIndex: 1, window: 4, status: 'error', error: 'that video is no longer loaded' });
  });
});

describe('the videos slice with a stream of videos', () => {
  const load = (state: 'reading' | 'done' | 'cancelled', videosRead: number, bytesRead = 0) =>
    ({
      type: 'load',
      progress: { state, files: 1, filesDone: state === 'reading' ? 0 : 1, bytesRead, bytesTotal: 100, videosRead, file: 'a' },
    }) as const;

  it('takes a batch of results in one update, and follows long work until nothing waits', () => {
    const { state, fake, store } = storeHarness();
    let updates = 0;
    store.subscribe(() => updates++);
    fake.emit(load('reading', 0));
    expect(state().work).toMatchObject({ predicted: 0, failed: 0, load: { state: 'reading' } });
    fake.emit(fileEvent('a', [[0], [1], [2]]));
    fake.emit(load('done', 3, 100));
    // Reading is over but videos wait: the work goes on.
    expect(state().work).not.toBeNull();
    updates = 0;
    fake.emit({ type: 'predictions', results: [testResult('a#0', [0.9, 0.1]), testResult('a#1', [0.2, 0.8])] });
    expect(updates).toBe(1);
    expect(state().videos.map((v) => v.status)).toEqual(['done', 'done', 'queued']);
    expect(state().work).toMatchObject({ predicted: 2 });
    fake.emit({ type: 'status', keys: ['a#2'], status: 'error', message: 'a: video 2 has rgb features of width 512' });
    // Nothing waits any more: the progress bar goes.
    expect(state().work).toBeNull();
    expect(state().videos[2]).toMatchObject({ status: 'error', message: 'a: video 2 has rgb features of width 512' });
    // And the page says it, in the worker's sentence, where it is seen whatever the list shows.
    expect(
      state()
        .notices.filter((n) => n.level === 'error')
        .map((n) => n.message),
    ).toEqual(['a: video 2 has rgb features of width 512']);
  });

  it('says a failure of several videos once, with how many failed', () => {
    const { state, fake } = storeHarness();
    fake.emit(fileEvent('w.json', [null, null]));
    fake.emit({ type: 'status', keys: ['w.json#0', 'w.json#1'], status: 'running' });
    expect(state().notices).toEqual([]);
    fake.emit({
      type: 'status',
      keys: ['w.json#0', 'w.json#1'],
      status: 'error',
      message: "w.json: video 0 ('wrong-widths') has rgb features of width 100, the model expects 1024",
    });
    expect(state().notices.map((n) => [n.level, n.message])).toEqual([
      [
        'error',
        "w.json: video 0 ('wrong-widths') has rgb features of width 100, the model expects 1024 (2 videos could not be classified)",
      ],
    ]);
  });

  it('forgets removed videos with their evidence, and asks the worker to remove or cancel', async () => {
    const { state, fake } = storeHarness();
    fake.emit(fileEvent('a', [null, null, null]));
    await state().removeVideo('a#1');
    await state().cancelLoads();
    expect(fake.calls.filter((c) => c.type === 'removeVideo' || c.type === 'cancelLoads').map((c) => [c.type, c.args])).toEqual([
      ['removeVideo', { key: 'a#1' }],
      ['cancelLoads', {}],
    ]);
    fake.emit({ type: 'removed', keys: ['a#1', 'a#2'] });
    expect(state().videos.map((v) => v.key)).toEqual(['a#0']);
  });

  it('loads a named sample set', async () => {
    const { state, fake } = storeHarness();
    await state().loadSamples('nope');
    expect(state().notices.at(-1)?.message).toMatch(/there is no sample set 'nope'/);
    expect(fake.calls.some((c) => c.type === 'addFeatures')).toBe(false);
  });
});
