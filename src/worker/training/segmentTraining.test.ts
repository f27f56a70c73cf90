// tfjs-core first, then the gradients training needs (worker.ts registers them in the page).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainingReport } from '../../protocol/protocol';
import { engineHarness } from '../../../tools/testing/workerHarness';
import { TrainingHandler } from './trainingHandler';

const root = path.resolve(__dirname, '../../..');

describe('fine-tuning on rated segments in the worker', () => {
  it('trains the model’s own classes on the loaded videos’ rated segments, split by video, and reports the validation videos’ segment MAP before and after', async () => {
    const samples = new Uint8Array(await readFile(path.join(root, 'public/samples/demo-segments.tfrecord')));
    const h = await engineHarness();
    await h.engine.addFeatures([{ kind: 'file', file: new File([samples], 'demo-segments.tfrecord') }]);
    await h.idle();
    const before = tf.memory().numTensors;
    const training = new TrainingHandler(h.engine, h.store, (e) => h.events.push(e));
    const config = {
      mode: 'same-labels',
      headLayers: 'whole-head',
      optimizer: 'adam',
      learningRate: 0.001,
      epochs: 2,
      batchSize: 8,
      validationFraction: 0.25,
      seed: 0,
    } as const;
    expect(await training.start({ ...config, segments: { window: { length: 5, hop: 5 } } })).toEqual({ state: 'done' });
    const report = h.events.flatMap((e) => (e.type === 'trainingReport' ? [e.report] : []))[0] as TrainingReport;
    const s = report.segments!;
    // One example per rated segment (a video's start), its rated classes together: 71 ratings on 60 segments.
    const segments = h.events
      .flatMap((e) => (e.type === 'file' ? e.videos : []))
      .reduce((n, v) => n + new Set(v.segments!.map((r) => r.start)).size, 0);
    expect(segments).toBe(60);
    expect(s).toMatchObject({ window: { length: 5, hop: 5 }, examples: segments });
    // 16 rated videos, a quarter of them held out whole.
    expect(s.trainVideos + s.validationVideos).toBe(16);
    expect(s.validationVideos).toBe(4);
    for (const m of [s.before, s.after]) {
      expect(m).not.toBeNull();
      expect(m!).toBeGreaterThanOrEqual(0);
      expect(m!).toBeLessThanOrEqual(1);
    }
    expect(s.classesCounted).toBeGreaterThan(0);
    expect(report.epochs).toBe(2);
    // The start event counts the examples (one per rated segment), not videos.
    const start = h.events.flatMap((e) => (e.type === 'trainingProgress' && e.progress.phase === 'start' ? [e.progress] : []))[0];
    expect(start).toMatchObject({ trainVideos: expect.any(Number), validationVideos: expect.any(Number) });
    await h.idle();
    expect(tf.memory().numTensors).toBe(before);
    // Too few rated videos: one sentence.
    const h2 = await engineHarness();
    const t2 = new TrainingHandler(h2.engine, h2.store, (e) => h2.events.push(e));
    await expect(t2.start({ ...config, segments: { window: { length: 5, hop: 5 } } })).rejects.toThrow(
      /at least 2 videos with segment ratings/,
    );
  }, 180_000);
});
