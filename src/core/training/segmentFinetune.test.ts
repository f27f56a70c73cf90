import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import '../../node/gradients';
import { readModelDir } from '../../node/files';
import { ratedDemoVideos } from '../demo/segmentSamples';
import { demoFeatures } from '../demo/syntheticVideos';
import type { VideoFeatures } from '../features/featureTypes';
import { createModel, type LoadedModel } from '../model/model';
import { modelRunner } from '../segments/predictWindows';
import { lossMask, multiHot, sigmoidCrossEntropy } from './loss';
import { SegmentFineTune, segmentExamples, segmentMapOf, videoKey } from './segmentFinetune';

const root = path.resolve(__dirname, '../../..');

function rated(n: number, seed: number): VideoFeatures[] {
  return ratedDemoVideos(n, seed).map((v, i) => ({ ...demoFeatures(v, `rated-${seed}.tfrecord`, i), segments: v.segments }));
}

describe('fine-tuning on rated segments', () => {
  let demo: LoadedModel;
  beforeAll(async () => {
    await useBackend('wasm');
    const { json, weights } = await readModelDir(path.join(root, 'public/models/demo'));
    demo = createModel(json.attentionLstm, weights, 'in-out');
  });

  it('masks every class but the rated ones out of the loss: rated positive 1, rated negative 0', () => {
    const logits = tf.tensor2d([
      [2, -1, 0.5],
      [0.3, 0.1, -2],
    ]);
    const targets = multiHot([[0], []], 3);
    // Example 0: classes 0 (positive) and 1 (negative) rated; example 1: nothing rated (it does not count).
    const mask = lossMask([[0, 1], []], 3)!;
    const sp = (x: number) => Math.log1p(Math.exp(x));
    const want = (sp(-2) + sp(-1)) / 1;
    expect(sigmoidCrossEntropy(logits, targets, mask).dataSync()[0]).toBeCloseTo(want, 6);
    // Every class known: the plain loss.
    const all = lossMask([undefined, undefined], 3)!;
    expect(sigmoidCrossEntropy(logits, targets, all).dataSync()[0]).toBeCloseTo(sigmoidCrossEntropy(logits, targets).dataSync()[0], 6);
    expect(lossMask(undefined, 3)).toBeNull();
    tf.dispose([logits, targets, mask, all]);
  });

  it('makes one example per rated segment: its window, its positive and rated classes, its video as the group; leaves out what it cannot use', () => {
    const [v] = rated(1, 77);
    const extra = { ...v, segments: [...v.segments!, { class: 12, start: 0, score: 1 }, { class: 1, start: v.frames + 10, score: 1 }] };
    const { examples, videos, notes } = segmentExamples([extra, { ...v, index: 5, segments: undefined }], { classes: 10 });
    expect(videos).toEqual([extra]);
    const starts = [...new Set(v.segments!.map((s) => s.start))].sort((a, b) => a - b);
    expect(examples.map((e) => Number(e.video.id.split(':').pop()))).toEqual(starts);
    for (const e of examples) {
      const start = Number(e.video.id.split(':').pop());
      const here = v.segments!.filter((s) => s.start === start);
      expect(e.rated).toEqual(here.map((s) => s.class).sort((a, b) => a - b));
      expect(e.labels).toEqual(
        here
          .filter((s) => s.score > 0)
          .map((s) => s.class)
          .sort((a, b) => a - b),
      );
      expect(e.group).toBe(videoKey(v));
      expect(e.video.frames).toBe(Math.min(5, v.frames - start));
      expect(e.video.rgb.buffer).toBe(v.rgb.buffer);
    }
    expect(notes).toEqual([
      '1 video has no segment ratings: left out',
      '1 rating is of classes the model does not have: left out',
      '1 rating starts past the frames kept (the frame cap): left out',
    ]);
  });

  it("splits by video, and raises the validation videos' segment MAP of the demo (same-labels)", async () => {
    const videos = rated(80, 9100);
    const ft = await SegmentFineTune.create(demo, videos, {
      epochs: 40,
      validationFraction: 0.25,
      seed: 3,
      learningRate: 0.003,
      patience: 0,
    });
    const s = ft.session;
    const trainGroups = new Set(s.trainSet.map((d) => d.group));
    expect(s.validationSet.every((d) => !trainGroups.has(d.group))).toBe(true);
    expect(ft.validationVideos.length).toBe(20);
    expect(ft.trainVideos.length + ft.validationVideos.length).toBe(80);
    // Before any epoch, the session predicts as the model does.
    const before = await ft.segmentMap();
    const model = await segmentMapOf(modelRunner(demo), ft.validationVideos);
    expect(Math.abs(before.map! - model.map!)).toBeLessThan(1e-6);
    while (!s.finished) await s.runEpoch();
    const after = await ft.segmentMap();
    console.log(
      `segment fine-tune (same-labels): ${s.trainSet.length} windows of ${ft.trainVideos.length} videos trained; validation segment MAP ${before.map!.toFixed(4)} -> ${after.map!.toFixed(4)} over ${after.perClass.length} classes`,
    );
    expect(after.map!).toBeGreaterThan(before.map!);
    s.dispose();
  }, 300_000);

  it("refuses videos without ratings of the model's classes", async () => {
    const videos = rated(3, 9200).map((v) => ({ ...v, segments: undefined }));
    await expect(SegmentFineTune.create(demo, videos)).rejects.toThrow(/needs at least 2 videos with segment ratings/);
  });
});
