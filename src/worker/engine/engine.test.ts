import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeTfRecordFeatures, type Yt8mVideo } from '../../core/features/tfrecordFeatures';
import { evaluate } from '../../core/metrics';
import { seededRandom } from '../../core/training/seeded';
import { engineHarness, SITE } from '../../../tools/testing/workerHarness';
import type { VideoResult } from '../../protocol/protocol';

/** `n` YouTube-8M-shaped videos of 2 to 9 frames, labeled 0..9. */
function shortVideos(n: number, seed: number, prefix = 'v'): Yt8mVideo[] {
  const rand = seededRandom(seed);
  const frames = (T: number, dim: number) => Array.from({ length: T }, () => Uint8Array.from({ length: dim }, () => (rand() * 256) | 0));
  return Array.from({ length: n }, (_, i) => {
    const T = 2 + Math.floor(rand() * 8);
    return { id: `${prefix}${i}`, labels: [i % 10], rgb: frames(T, 1024), audio: frames(T, 128) };
  });
}

let shard: Uint8Array;
beforeAll(() => {
  shard = writeTfRecordFeatures(shortVideos(1000, 1));
});

const file = (name: string, bytes: Uint8Array) => ({ kind: 'file' as const, file: new File([bytes.slice()], name) });
const results = (h: Awaited<ReturnType<typeof engineHarness>>): VideoResult[] => h.of('predictions').flatMap((e) => e.results);

describe('the engine on a shard of 1,000 videos', () => {
  it('streams the file, predicts every video in batches and tells the page in batches', async () => {
    const h = await engineHarness();
    const before = tf.memory().numTensors;
    expect(await h.engine.addFeatures([file('shard.tfrecord', shard)])).toEqual({ videos: 1000, failed: 0, cancelled: false });
    expect(await h.until(() => results(h).length === 1000)).toBe(true);
    // Listed in file order, in a handful of events rather than one per video.
    const listed = h.of('file').flatMap((e) => e.videos);
    expect(listed.map((v) => v.id)).toEqual(Array.from({ length: 1000 }, (_, i) => `v${i}`));
    expect(listed[1].offset).toBeGreaterThan(0);
    expect(h.of('file').length).toBeLessThan(100);
    // No result arrives for a video the page has not been told of.
    const announced = new Set<string>();
    for (const e of h.events) {
      if (e.type === 'file') e.videos.forEach((v) => announced.add(v.key));
      if (e.type === 'predictions') for (const r of e.results) expect(announced.has(r.key)).toBe(true);
    }
    // Batches of many videos (the first alone, so that it shows at once).
    expect(h.of('predictions')[0].results).toHaveLength(1);
    expect(h.of('predictions').length).toBeLessThan(60);
    // The load's progress: bytes only grow, and it ends done with the whole file.
    const loads = h.of('load').map((e) => e.progress);
    expect(loads.map((p) => p.bytesRead)).toEqual([...loads.map((p) => p.bytesRead)].sort((a, b) => a - b));
    expect(loads.at(-1)).toMatchObject({ state: 'done' });
    expect(loads.filter((p) => p.state === 'reading').at(-1)).toMatchObject({
      bytesRead: shard.length,
      bytesTotal: shard.length,
      videosRead: 1000,
    });
    // The dataset report is the metrics over the results.
    const report = h.engine.datasetReport(1);
    const byKey = new Map(results(h).map((r) => [r.key, r.probabilities]));
    expect(report.summary).toEqual(
      evaluate(
        listed.map((v) => byKey.get(v.key)!),
        listed.map((v) => v.labels!),
      ),
    );
    expect(report).toMatchObject({ videos: 1000, predicted: 1000, labeled: 1000, failed: 0 });
    expect(report.figures!.classes).toHaveLength(10);
    // Each result carries its video's figures for the table.
    const r0 = results(h).find((r) => r.key === listed[0].key)!;
    expect(r0.figures.top).toBe([...r0.probabilities].indexOf(Math.max(...r0.probabilities)));
    await h.idle();
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('reads no further ahead of the predictions than its buffer, and cancels a load midway: what was predicted stays, the videos still waiting are removed', async () => {
    // A buffer of 1 MiB holds about a hundred of these videos: reading waits for the predictions.
    const h = await engineHarness({}, { bufferBytes: 1 << 20 });
    const run = h.engine.addFeatures([file('a.tfrecord', shard), file('b.tfrecord', shard)]);
    expect(await h.until(() => results(h).length >= 50)).toBe(true);
    const read = h.of('file').flatMap((e) => e.videos).length;
    expect(read).toBeLessThan(results(h).length + 300);
    const removed = h.engine.cancelLoads();
    const outcome = await run;
    expect(outcome.cancelled).toBe(true);
    expect(outcome.videos).toBeLessThan(2000);
    await h.idle();
    const listed = h
      .of('file')
      .flatMap((e) => e.videos)
      .map((v) => v.key);
    const gone = new Set(h.of('removed').flatMap((e) => e.keys));
    expect(gone.size).toBe(removed);
    const predicted = new Set(results(h).map((r) => r.key));
    // Every video listed was either predicted (and kept) or removed, never left pending.
    for (const key of listed) expect(predicted.has(key) !== gone.has(key)).toBe(true);
    expect(h.engine.datasetReport(1)).toMatchObject({ videos: listed.length - gone.size, predicted: predicted.size });
    expect(h.of('load').at(-1)!.progress.state).toBe('cancelled');
  }, 120_000);

  it('removes one video, lists a video that fails with its reason, and leaves both out of metrics and fine-tuning', async () => {
    const videos = shortVideos(6, 2);
    // A video whose rgb has the wrong width for the model.
    videos[3] = { ...videos[3], rgb: videos[3].rgb.map((f) => f.subarray(0, 512)) };
    const h = await engineHarness();
    await h.engine.addFeatures([file('six.tfrecord', writeTfRecordFeatures(videos))]);
    await h.idle();
    const keys = h
      .of('file')
      .flatMap((e) => e.videos)
      .map((v) => v.key);
    const failed = h.of('status').find((e) => e.status === 'error')!;
    expect(failed.keys).toEqual([keys[3]]);
    expect(failed.message).toMatch(/six\.tfrecord: video 3 \('v3'\) has rgb features of width 512, the model expects 1024/);
    expect(h.engine.removeVideo(keys[0])).toBeNull();
    expect(h.of('removed').at(-1)!.keys).toEqual([keys[0]]);
    expect(h.engine.datasetReport(1)).toMatchObject({ videos: 5, predicted: 4, labeled: 4, failed: 1 });
    expect(h.engine.snapshot().videos.map((v) => [v.key, v.failed])).toEqual(keys.slice(1).map((k) => [k, k === keys[3]]));
  }, 60_000);

  it('reads the frames again from the file for a new model, and for evidence', async () => {
    const h = await engineHarness();
    await h.engine.addFeatures([file('s.tfrecord', writeTfRecordFeatures(shortVideos(20, 3)))]);
    await h.idle();
    const first = new Map(results(h).map((r) => [r.key, r.probabilities]));
    // The same weights under another id: every video is predicted again, from the file.
    await h.engine.loadModel({ kind: 'url', url: `${SITE}models/demo/model.json?again` }, 2);
    await h.idle();
    const again = results(h).slice(first.size);
    expect(again).toHaveLength(20);
    // The same frames (to float rounding: the batches are made up differently the second time).
    for (const r of again) r.probabilities.forEach((p, c) => expect(Math.abs(p - first.get(r.key)![c])).toBeLessThan(1e-6));
    const key = again[5].key;
    const evidence = await h.engine.occlusion(key, 0, 2);
    expect(evidence.drop.length).toBe(h.engine.snapshot().videos.find((v) => v.key === key)!.frames);
  }, 60_000);
});
