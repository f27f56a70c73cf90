// tfjs-core first, then the gradients training needs (worker.ts registers them in the page).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertWeights } from '../../core/convert/convert';
import { FINETUNE_CLASSES } from '../../core/demo/classes';
import { demoRecord, syntheticVideos } from '../../core/demo/syntheticVideos';
import { writeTfRecordFeatures } from '../../core/features/tfrecordFeatures';
import { bytesSource } from '../../core/io/byteSource';
import type { TrainingProgress, TrainingReport, WorkerEvent } from '../../protocol/protocol';
import { engineHarness, SITE } from '../../../tools/testing/workerHarness';
import { TrainingHandler } from './trainingHandler';

let tfrecord: Uint8Array;
/** The same videos labeled with sparse ids, as YouTube-8M files label a few of its classes. */
let sparse: Uint8Array;
const SPARSE_IDS = [7, 2, 9, 5];
beforeAll(() => {
  const videos = syntheticVideos(24, 5, { classes: FINETUNE_CLASSES, maxFrames: 30 });
  sparse = writeTfRecordFeatures(videos.map((v) => demoRecord({ ...v, labels: v.labels.map((l) => SPARSE_IDS[l]) })));
  tfrecord = writeTfRecordFeatures(videos.map(demoRecord));
});

/** The worker's engine and training handler on tfjs-cpu, with the demo model and 24 labeled videos. */
async function setup() {
  const h = await engineHarness({ 'mine.tfrecord': tfrecord, 'sparse.tfrecord': sparse });
  const { engine, store, events, until } = h;
  await engine.addFeatures([{ kind: 'url', url: `${SITE}mine.tfrecord`, name: 'mine.tfrecord' }]);
  const training = new TrainingHandler(engine, store, (e) => events.push(e));
  const progress = () => events.flatMap((e) => (e.type === 'trainingProgress' ? [e.progress] : [])) as TrainingProgress[];
  const reports = () => events.flatMap((e) => (e.type === 'trainingReport' ? [e.report] : [])) as TrainingReport[];
  // Waits for the background predictions to finish, so that tensor counts compare.
  const idle = async () => {
    await h.idle();
    return tf.memory().numTensors;
  };
  const live = () => events.flatMap((e) => (e.type === 'trainingPrediction' ? [e] : []));
  return { engine, training, store, events, progress, reports, idle, live, until };
}

const CONFIG = {
  mode: 'new-head',
  headLayers: 'whole-head',
  optimizer: 'adam',
  learningRate: 0.01,
  epochs: 4,
  batchSize: 8,
  validationFraction: 0.25,
  seed: 0,
} as const;

describe('fine-tuning in the worker', () => {
  it('plans, trains a new head without leaking tensors, saves it into the cache and exports it', async () => {
    const s = await setup();
    const plan = s.training.plan('new-head', 'whole-head');
    expect(plan).toMatchObject({ labeled: 24, videos: 24, classNames: ['class 0', 'class 1', 'class 2', 'class 3'], largeHead: false });
    expect(plan.cachingMacs).toBeGreaterThan(plan.epochMacs);
    const before = await s.idle();
    // Once the videos were predicted, the plan knows the backend's speed, for the page's time estimate.
    expect(s.training.plan('new-head', 'whole-head').macsPerSecond).toBeGreaterThan(0);
    expect(await s.training.start({ ...CONFIG, watch: 'mine.tfrecord#3' })).toEqual({ state: 'done' });
    expect(await s.idle()).toBe(before);
    // The watched video's live view: before the first epoch, and after the last, over the 4 new classes.
    const live = s.live();
    expect(live[0].epoch).toBe(0);
    expect(live.at(-1)!.epoch).toBe(4);
    expect(live.every((e) => e.result.key === 'mine.tfrecord#3' && e.result.probabilities.length === 4 && e.result.backend === 'cpu')).toBe(
      true,
    );
    expect(live.at(-1)!.result.probabilities).not.toEqual(live[0].result.probabilities);
    expect(live[0].result.attention.rgb).toHaveLength(s.engine.snapshot().videos.find((v) => v.key === 'mine.tfrecord#3')!.frames);
    const p = s.progress();
    expect(p[0]).toEqual({ phase: 'state', state: 'caching' });
    expect(p.filter((x) => x.phase === 'caching').at(-1)).toEqual({ phase: 'caching', done: 24, total: 24 });
    const epochs = p.flatMap((x) => (x.phase === 'epoch' ? [x.report] : []));
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(epochs[3].trainLoss).toBeLessThan(epochs[0].trainLoss);
    expect(p.at(-1)).toEqual({ phase: 'state', state: 'done' });
    const [report] = s.reports();
    expect(report.perClass.map((c) => c.name)).toEqual(plan.classNames);
    expect(report.perClass.reduce((n, c) => n + c.count, 0)).toBeGreaterThanOrEqual(24);

    const pickle = await s.training.export('pdparams-pickle');
    expect(pickle.name).toBe('demo-finetuned.pdparams');
    const { modelJson } = await convertWeights(bytesSource(pickle.name, new Uint8Array(pickle.bytes)), async () => {});
    expect(modelJson.attentionLstm.sizes.classes).toBe(4);
    expect((await s.training.export('tfjs-zip')).name).toBe('demo-finetuned.zip');

    const info = await s.training.save(undefined, 2);
    expect(info).toMatchObject({ name: 'demo fine-tuned', classNames: plan.classNames, fromCache: true });
    expect((await s.store.list()).map((m) => m.id)).toContain(info.id);
    expect(s.events.some((e) => e.type === 'model' && e.model.id === info.id)).toBe(true);
  }, 120_000);

  it('trains on the user’s own classes, pauses, resumes and stops between batches', async () => {
    const s = await setup();
    const keys = ['mine.tfrecord#0', 'mine.tfrecord#1', 'mine.tfrecord#2', 'mine.tfrecord#3', 'mine.tfrecord#4'];
    const labels = { classNames: ['up', 'down'], assignments: Object.fromEntries(keys.map((k, i) => [k, i === 0 ? [0, 1] : [i % 2]])) };
    expect(s.training.plan('new-head', 'last-layer', labels)).toMatchObject({ labeled: 5, classNames: ['up', 'down'] });
    const before = await s.idle();
    const run = s.training.start({ ...CONFIG, headLayers: 'last-layer', epochs: 100_000, batchSize: 1, validationFraction: 0, labels });
    for (let i = 0; i < 2000 && !s.progress().some((x) => x.phase === 'epoch' || (x.phase === 'state' && x.state === 'error')); i++)
      await new Promise((r) => setTimeout(r, 5));
    expect(s.progress().some((x) => x.phase === 'epoch')).toBe(true);
    expect(s.training.pause()).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const paused = s.progress().filter((x) => x.phase === 'epoch').length;
    await new Promise((r) => setTimeout(r, 100));
    expect(s.progress().filter((x) => x.phase === 'epoch').length).toBe(paused);
    // While paused: another video selected gets its live view, and videos added get their predictions.
    expect(s.training.watch('mine.tfrecord#7')).toBe(true);
    expect(await s.until(() => s.live().some((e) => e.result.key === 'mine.tfrecord#7'))).toBe(true);
    expect(s.live().find((e) => e.result.key === 'mine.tfrecord#7')!.result.probabilities).toHaveLength(2);
    // The same file again, its videos added again on purpose (by default ids already listed are held back).
    await s.engine.addFeatures([{ kind: 'url', url: `${SITE}mine.tfrecord`, name: 'mine.tfrecord' }], { duplicates: 'add' });
    const added = () =>
      s.events.flatMap((e: WorkerEvent) => (e.type === 'predictions' ? e.results : [])).filter((r) => r.key.endsWith('~2')).length;
    expect(await s.until(() => added() === 24)).toBe(true);
    expect(s.progress().filter((x) => x.phase === 'epoch').length).toBe(paused);
    expect(s.training.resume()).toBe(true);
    expect(s.training.stop()).toBe(true);
    expect(await run).toEqual({ state: 'stopped' });
    expect(s.progress().at(-1)).toEqual({ phase: 'state', state: 'stopped' });
    expect(s.reports()[0].perClass.map((c) => [c.name, c.count])).toEqual([
      ['up', 3],
      ['down', 3],
    ]);
    expect(await s.idle()).toBe(before);
    await expect(s.training.start({ ...CONFIG, labels: { classNames: ['x'], assignments: {} } })).rejects.toThrow(
      /at least 2 labeled videos/,
    );
  }, 120_000);

  it('trains one class per label id present when the files’ ids are sparse, named as the model names them', async () => {
    const s = await setup();
    await s.engine.clearVideos();
    await s.engine.addFeatures([{ kind: 'url', url: `${SITE}sparse.tfrecord`, name: 'sparse.tfrecord' }]);
    const demoNames = s.events.flatMap((e) => (e.type === 'model' ? [e.model.classNames] : [])).at(-1)!;
    const plan = s.training.plan('new-head', 'last-layer');
    expect(plan.classNames).toEqual([2, 5, 7, 9].map((id) => demoNames[id]));
    expect(await s.training.start({ ...CONFIG, headLayers: 'last-layer', epochs: 2 })).toEqual({ state: 'done' });
    const [report] = s.reports();
    expect(report.perClass.map((c) => c.name)).toEqual(plan.classNames);
    // Each class has its videos: the ids were renumbered with the labels, not dropped.
    expect(report.perClass.every((c) => c.count > 0)).toBe(true);
  }, 120_000);
});
