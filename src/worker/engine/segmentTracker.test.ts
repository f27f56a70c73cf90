import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readFeatureFile } from '../../core/features/read';
import { writeTfRecordFeatures, type Yt8mVideo } from '../../core/features/tfrecordFeatures';
import { readModelDir } from '../../node/files';
import { createModel } from '../../core/model/model';
import { modelRunner, predictVideoWindows, SegmentRanking, segmentMap } from '../../core/segments';
import { seededRandom } from '../../core/training/seeded';
import { engineHarness } from '../../../tools/testing/workerHarness';
import type { SegmentTimeline } from '../../protocol/protocol';

const root = path.resolve(__dirname, '../../..');
const file = (name: string, bytes: Uint8Array) => ({ kind: 'file' as const, file: new File([bytes.slice()], name) });

interface Event {
  class: number;
  start: number;
  frames: number;
}
interface SetVideo {
  id: string;
  events: Event[];
}

let samples: Uint8Array;
let setVideos: SetVideo[];
beforeAll(async () => {
  samples = new Uint8Array(await readFile(path.join(root, 'public/samples/demo-segments.tfrecord')));
  const index = JSON.parse(await readFile(path.join(root, 'public/samples/index.json'), 'utf8')) as {
    sets: { name: string; files: { videos: SetVideo[] }[] }[];
  };
  setVideos = index.sets.find((s) => s.name === 'segments')!.files.flatMap((f) => f.videos);
});

/** Window w's probability of class c. */
const p = (t: SegmentTimeline, w: number, c: number) => t.probabilities[w * t.classes + c];

/** The window where class c peaks (the first of equal peaks), as the timeline's lane marks it. */
function peakWindow(t: SegmentTimeline, c: number): number {
  let best = 0;
  for (let w = 1; w < t.starts.length; w++) if (p(t, w, c) > p(t, best, c)) best = w;
  return best;
}

describe('segments in the worker', () => {
  it('ranks the rated videos as they are predicted: the segment MAP is the core segmentMap of the same windows', async () => {
    const h = await engineHarness();
    await h.engine.addFeatures([file('demo-segments.tfrecord', samples)]);
    expect(await h.until(() => h.of('segments').some((e) => e.ranked === 16 && e.pending === 0), 60_000)).toBe(true);
    const report = h.engine.segmentReport(5);
    expect(report).toMatchObject({ window: { length: 5, hop: 5 }, ratedVideos: 16, ranked: 16, pending: 0 });
    // Each video's windows came with its video-level pass (never read again): every batch's results are followed at once by the ranking that holds them.
    let predicted = 0;
    h.events.forEach((e, i) => {
      if (e.type !== 'predictions') return;
      predicted += e.results.length;
      expect(h.events[i + 1]).toEqual({ type: 'segments', ranked: predicted, pending: 0 });
    });
    expect(predicted).toBe(16);

    // The same windows computed apart, with the core alone (tfjs-cpu, as the harness's engine).
    const { videos } = readFeatureFile(new Uint8Array(samples), 'demo-segments.tfrecord');
    const { json, weights } = await readModelDir(path.join(root, 'public/models/demo'));
    const model = createModel(json.attentionLstm, weights, 'in-out');
    const windows = await predictVideoWindows(modelRunner(model), videos);
    const ranking = new SegmentRanking({ classes: model.meta.sizes.classes });
    videos.forEach((v, i) => {
      ranking.addVideo(v);
      for (const w of windows[i]) ranking.addWindow(v, w.start, w.probabilities);
    });
    expect(report.result).toEqual(segmentMap(ranking));
    expect(report.result!.map).toBeGreaterThan(0.9);
    expect(report.worst.length).toBeLessThanOrEqual(5);
    for (const w of report.worst) expect(w.rank).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('on the bundled samples, the window where an event’s class peaks holds the event for at least 90% of the events', async () => {
    const h = await engineHarness();
    await h.engine.addFeatures([file('demo-segments.tfrecord', samples)]);
    const listed = h.of('file').flatMap((e) => e.videos);
    expect(listed).toHaveLength(16);
    let hits = 0;
    let events = 0;
    for (const v of listed) {
      const t = await h.engine.segmentTimeline(v.key);
      for (const e of setVideos.find((s) => s.id === v.id)!.events) {
        const w = peakWindow(t, e.class);
        events++;
        if (t.starts[w] <= e.start && e.start + e.frames <= t.starts[w] + t.frames[w]) hits++;
      }
    }
    expect(events).toBe(24);
    expect(hits / events).toBeGreaterThanOrEqual(0.9);
  }, 120_000);

  it('cuts a 7-frame video into windows of 5 and 2 frames, and every frame at hop 1; new settings rank again', async () => {
    const rand = seededRandom(3);
    const frames = (T: number, dim: number) => Array.from({ length: T }, () => Uint8Array.from({ length: dim }, () => (rand() * 256) | 0));
    const videos: Yt8mVideo[] = [
      { id: 'seven', rgb: frames(7, 1024), audio: frames(7, 128), segments: { labels: [1, 2], startTimes: [0, 5], scores: [1, 0] } },
      { id: 'plain', rgb: frames(12, 1024), audio: frames(12, 128) },
    ];
    const h = await engineHarness();
    await h.engine.addFeatures([file('seven.tfrecord', writeTfRecordFeatures(videos))]);
    const [seven, plain] = h.of('file').flatMap((e) => e.videos);
    expect(seven.segments).toEqual([
      { class: 1, start: 0, score: 1 },
      { class: 2, start: 5, score: 0 },
    ]);
    expect(plain.segments).toBeNull();
    const t = await h.engine.segmentTimeline(seven.key);
    expect([...t.starts]).toEqual([0, 5]);
    expect([...t.frames]).toEqual([5, 2]);
    expect(t.probabilities).toHaveLength(2 * t.classes);
    // Only the rated video is ranked.
    expect(await h.until(() => h.engine.segmentReport().ranked === 1)).toBe(true);
    expect(h.engine.segmentReport()).toMatchObject({ ratedVideos: 1, pending: 0 });
    expect(h.engine.segmentReport().result!.counts).toMatchObject({ videos: 1, windows: 2, ratings: 2, positive: 1 });

    expect(h.engine.setSegmentWindows({ hop: 1 })).toEqual({ length: 5, hop: 1 });
    const t1 = await h.engine.segmentTimeline(seven.key);
    expect([...t1.starts]).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect([...t1.frames]).toEqual([5, 5, 5, 4, 3, 2, 1]);
    // The first window is the same computation at either hop.
    expect(t1.probabilities.subarray(0, t.classes)).toEqual(t.probabilities.subarray(0, t.classes));
    expect(await h.until(() => h.engine.segmentReport().result?.counts.windows === 7)).toBe(true);
    expect(() => h.engine.setSegmentWindows({ hop: 0 })).toThrow(/hop must be a positive whole number/);

    // A removed video leaves the ranking.
    h.engine.removeVideo(seven.key);
    expect(await h.until(() => h.engine.segmentReport().ranked === 0)).toBe(true);
    expect(h.engine.segmentReport()).toMatchObject({ ratedVideos: 0, result: null, worst: [] });
    await expect(h.engine.segmentTimeline(seven.key)).rejects.toThrow(/no longer loaded/);
  }, 120_000);
});
