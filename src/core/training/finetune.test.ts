import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import '../../node/gradients';
import { readModelDir } from '../../node/files';
import { createModel, predictVideos, type LoadedModel } from '../model/model';
import { demoFeatures, syntheticVideos } from '../demo/syntheticVideos';
import { FINETUNE_CLASSES as NEW_CLASSES } from '../demo/classes';
import { FineTuneSession, type LabeledVideo } from './finetune';
import { toCombinedPdparams, toPickledPdparams } from '../export/toPaddle';
import { convertAndLoad } from '../../../tools/testing/memoryModel';
import { maxDiff } from '../../../tools/testing/compare';

const root = path.resolve(__dirname, '../../..');
function newClassVideos(count: number, seed: number): LabeledVideo[] {
  return syntheticVideos(count, seed, { classes: NEW_CLASSES, twoClassFraction: 0.2, maxFrames: 80 }).map((v, i) => ({
    video: demoFeatures(v, 'user.tfrecord', i),
    labels: v.labels,
  }));
}

describe('fine-tuning the demo model', () => {
  let demo: LoadedModel;
  beforeAll(async () => {
    await useBackend('wasm');
    const { json, weights } = await readModelDir(path.join(root, 'public/models/demo'));
    demo = createModel(json.attentionLstm, weights, 'in-out');
  });

  it('learns new labels with a new head (validation GAP >= 0.9), leaking no tensors, and exports to Paddle and back', async () => {
    const data = newClassVideos(200, 31);
    const session = await FineTuneSession.create(demo, data, { mode: 'new-head', classNames: NEW_CLASSES.map((c) => c.name), seed: 3 });
    expect(session.trainSet.length).toBe(170);
    expect(session.validationSet.length).toBe(30);
    const before = await session.validate();
    const counts: number[] = [];
    let last;
    while (!session.finished) {
      last = await session.runEpoch();
      counts.push(tf.memory().numTensors);
    }
    const after = await session.validate();
    console.log(
      `new-head fine-tune: validation GAP ${before.gap.toFixed(3)} -> ${after.gap.toFixed(3)}, Hit@1 ${before.hitAt1.toFixed(3)} -> ${after.hitAt1.toFixed(3)}, loss ${last!.trainLoss.toFixed(3)}`,
    );
    expect(last!.epoch).toBe(50);
    expect(after.gap).toBeGreaterThanOrEqual(0.9);
    expect(after.gap).toBeGreaterThan(before.gap);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(after.perClass.map((c) => c.name)).toEqual(NEW_CLASSES.map((c) => c.name));
    expect(after.perClass.reduce((n, c) => n + c.count, 0)).toBeGreaterThanOrEqual(200);

    const { meta, weights } = await session.result();
    session.dispose();
    expect(meta.sizes.classes).toBe(4);
    expect(meta.classNames).toEqual(NEW_CLASSES.map((c) => c.name));
    const tuned = createModel(meta, weights, 'in-out');
    const check = newClassVideos(6, 99).map((d) => d.video);
    const want = await predictVideos(tuned, check);
    for (const bytes of [toCombinedPdparams(meta.sizes, weights), toPickledPdparams(meta.variant, meta.sizes, weights)]) {
      const back = await convertAndLoad('AttentionLSTM_finetuned.pdparams', bytes);
      expect(back.meta.sizes).toEqual(meta.sizes);
      const got = await predictVideos(back, check);
      got.forEach((g, i) => {
        expect(maxDiff(g.probabilities, want[i].probabilities)).toBeLessThanOrEqual(1e-6);
        expect(maxDiff(g.attention.rgb, want[i].attention.rgb)).toBeLessThanOrEqual(1e-6);
      });
      back.dispose();
    }
    tuned.dispose();
  }, 300_000);

  it('trains the last layer alone, the same labels, or everything', async () => {
    const demoData = syntheticVideos(40, 41).map((v, i) => ({ video: demoFeatures(v, 'd.tfrecord', i), labels: v.labels }));
    for (const cfg of [
      {
        mode: 'new-head' as const,
        headLayers: 'last-layer' as const,
        classNames: NEW_CLASSES.map((c) => c.name),
        data: newClassVideos(40, 5),
      },
      // Paddle's centered RMSProp (tfjs's own takes the root of a negative number on small gradients, and the loss becomes NaN).
      { mode: 'same-labels' as const, classNames: [], data: demoData, optimizer: 'rmsprop' as const },
      { mode: 'all' as const, classNames: NEW_CLASSES.map((c) => c.name), data: newClassVideos(24, 6) },
    ]) {
      const s = await FineTuneSession.create(demo, cfg.data, { ...cfg, epochs: 2, batchSize: 8, learningRate: 0.003 });
      const e1 = await s.runEpoch();
      const e2 = await s.runEpoch();
      expect(s.finished).toBe(true);
      expect(Number.isFinite(e2.trainLoss)).toBe(true);
      expect(e2.trainLoss).toBeLessThan(e1.trainLoss * 1.5);
      const { meta } = await s.result();
      expect(meta.classNames).toEqual(cfg.mode === 'same-labels' ? demo.meta.classNames : NEW_CLASSES.map((c) => c.name));
      s.dispose();
    }
  }, 300_000);

  it('explains any video with the weights as they are now: the live view of the page while it trains', async () => {
    const data = newClassVideos(24, 12);
    const outsider = newClassVideos(1, 77)[0].video;
    const [loaded] = await predictVideos(demo, [outsider]);
    for (const cfg of [
      { mode: 'new-head' as const, headLayers: 'whole-head' as const },
      { mode: 'new-head' as const, headLayers: 'last-layer' as const },
      { mode: 'all' as const },
    ]) {
      const s = await FineTuneSession.create(demo, data, {
        ...cfg,
        classNames: NEW_CLASSES.map((c) => c.name),
        epochs: 3,
        batchSize: 8,
        learningRate: 0.01,
        validationFraction: 0.25,
      });
      // A validation video explained alone has the probabilities validate() gives it.
      const v = await s.validate();
      const first = await s.explain(s.validationSet[0].video);
      expect(first.probabilities).toHaveLength(4);
      expect(maxDiff(first.probabilities, v.probabilities[0])).toBeLessThan(1e-5);
      const before = await s.explain(outsider);
      expect(before.attention.rgb).toHaveLength(outsider.frames);
      // Before any step, the attention is the loaded model's, in every mode.
      expect(maxDiff(before.attention.rgb, loaded.attention.rgb)).toBeLessThan(1e-5);
      await s.runEpoch();
      // (The optimizer makes its moments in the first step.)
      const tensors = tf.memory().numTensors;
      await s.runEpoch();
      const after = await s.explain(outsider);
      expect(tf.memory().numTensors).toBe(tensors);
      expect(maxDiff(after.probabilities, before.probabilities)).toBeGreaterThan(1e-4);
      // A new head leaves the encoders, and so the attention, as they were; training everything moves it.
      const moved = maxDiff(after.attention.audio, before.attention.audio);
      if (cfg.mode === 'all') expect(moved).toBeGreaterThan(0);
      else expect(moved).toBe(0);
      s.dispose();
    }
  }, 300_000);

  it('refuses labels outside the label set, naming the video', async () => {
    const data = newClassVideos(10, 8);
    data[3].labels = [7];
    await expect(FineTuneSession.create(demo, data, { mode: 'new-head', classNames: ['a', 'b', 'c', 'd'] })).rejects.toThrow(
      /user\.tfrecord: video 3 .* has label 7, outside the 4 classes being trained/,
    );
  });
});
