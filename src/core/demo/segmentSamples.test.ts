import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import { readModelDir } from '../../node/files';
import { readFeatureFile } from '../features/read';
import { writeTfRecordFeatures } from '../features/tfrecordFeatures';
import { createModel, type LoadedModel } from '../model/model';
import { modelRunner, predictVideoWindows, type WindowPrediction } from '../segments/predictWindows';
import { SegmentRanking } from '../segments/segmentRanking';
import { segmentMap } from '../segments/segmentMap';
import { SEGMENT_WINDOWS } from '../segments/windows';
import { DEMO_CLASSES } from './classes';
import { DEMO_SEEDS } from './config';
import type { SampleSetEntry } from './sampleSets';
import { SEGMENT_SAMPLE_SET, ratedDemoRecord, segmentSampleVideos } from './segmentSamples';
import { demoFeatures, syntheticVideos } from './syntheticVideos';

const root = path.resolve(__dirname, '../../..');
const samples = path.join(root, 'public/samples');

interface Event {
  class: number;
  start: number;
  frames: number;
}

/** The window (by start) where the class's probability peaks; the first of equal peaks. */
function peak(windows: readonly WindowPrediction[], c: number): WindowPrediction {
  return windows.reduce((best, w) => (w.probabilities[c] > best.probabilities[c] ? w : best));
}

const contains = (w: WindowPrediction, e: Event) => w.start <= e.start && e.start + e.frames <= w.start + w.frames;

/** Per class: events whose class peaks in a window that holds the whole event, of all events. */
function peakHits(
  videos: readonly { events: readonly Event[] }[],
  windows: readonly WindowPrediction[][],
): { hits: number; events: number; byClass: Map<number, [number, number]> } {
  const byClass = new Map<number, [number, number]>();
  let hits = 0;
  let events = 0;
  videos.forEach((v, i) => {
    for (const e of v.events) {
      const ok = contains(peak(windows[i], e.class), e);
      const c = byClass.get(e.class) ?? [0, 0];
      byClass.set(e.class, [c[0] + (ok ? 1 : 0), c[1] + 1]);
      hits += ok ? 1 : 0;
      events++;
    }
  });
  return { hits, events, byClass };
}

const describeByClass = (byClass: Map<number, [number, number]>) =>
  [...byClass]
    .sort((a, b) => a[0] - b[0])
    .map(([c, [h, n]]) => `${DEMO_CLASSES[c].name} ${h}/${n}`)
    .join(', ');

describe('the segment-rated sample set (public/samples)', () => {
  let demo: LoadedModel;
  let set: SampleSetEntry;
  let bytes: Uint8Array;
  beforeAll(async () => {
    await useBackend('wasm');
    const { json, weights } = await readModelDir(path.join(root, 'public/models/demo'));
    demo = createModel(json.attentionLstm, weights, 'in-out');
    const index = JSON.parse(await readFile(path.join(samples, 'index.json'), 'utf8')) as { sets: SampleSetEntry[] };
    set = index.sets.find((s) => s.name === SEGMENT_SAMPLE_SET.name)!;
    bytes = new Uint8Array(await readFile(path.join(samples, SEGMENT_SAMPLE_SET.file)));
  });

  it("is what the seeded builder makes, listed under `sets` with each video's planted events and its ratings, which the reader reads back", () => {
    const videos = segmentSampleVideos();
    expect(Buffer.from(writeTfRecordFeatures(videos.map(ratedDemoRecord))).equals(Buffer.from(bytes))).toBe(true);
    expect(bytes.length).toBeLessThan(650 * 1024);
    expect(set.classNames).toEqual(DEMO_CLASSES.map((c) => c.name));
    expect(set.files.map((f) => f.file)).toEqual([SEGMENT_SAMPLE_SET.file]);
    const listed = set.files[0].videos;
    expect(listed.map((v) => [v.id, v.frames, v.labels])).toEqual(videos.map((v) => [v.id, v.frames, v.labels]));
    const { videos: read, warnings } = readFeatureFile(bytes, SEGMENT_SAMPLE_SET.file);
    expect(warnings).toEqual([]);
    expect(read.map((v) => v.segments)).toEqual(
      listed.map((v) => v.segments!.map((s) => ({ class: s.class, start: s.start, score: s.score }))),
    );
    for (const v of listed) {
      for (const e of v.events!) {
        // Each event lies inside one 5-second segment, which is rated positive for its class.
        expect(Math.floor(e.start / 5)).toBe(Math.floor((e.start + e.frames - 1) / 5));
        expect(v.segments).toContainEqual({ class: e.class, name: e.name, start: Math.floor(e.start / 5) * 5, score: 1 });
      }
      // Negatives: segments of the video's classes away from their events.
      for (const s of v.segments!.filter((r) => r.score === 0)) {
        expect(v.events!.some((e) => e.class === s.class && Math.abs(Math.floor(e.start / 5) * 5 - s.start) <= 5)).toBe(false);
      }
    }
    const ratings = listed.flatMap((v) => v.segments!);
    expect(ratings.filter((r) => r.score > 0).length).toBe(listed.reduce((n, v) => n + v.events!.length, 0));
    expect(ratings.filter((r) => r.score === 0).length).toBeGreaterThan(20);
  });

  it("with the demo model, the window where a labelled event's class peaks holds that event for at least 90% of the events (hop 5), on the bundled set and on 200 held-out videos", async () => {
    const { videos } = readFeatureFile(bytes, SEGMENT_SAMPLE_SET.file);
    const windows = await predictVideoWindows(modelRunner(demo), videos, { window: SEGMENT_WINDOWS });
    const bundled = peakHits(
      set.files[0].videos.map((v) => ({ events: v.events! })),
      windows,
    );
    const heldOut = syntheticVideos(200, DEMO_SEEDS.heldOut, {
      segmentFrames: 5,
      twoClassFraction: SEGMENT_SAMPLE_SET.twoClassFraction,
      minFrames: SEGMENT_SAMPLE_SET.minFrames,
      maxFrames: SEGMENT_SAMPLE_SET.maxFrames,
    });
    const heldWindows = await predictVideoWindows(
      modelRunner(demo),
      heldOut.map((v) => demoFeatures(v)),
      { window: SEGMENT_WINDOWS },
    );
    const held = peakHits(
      heldOut.map((v) => ({ events: v.events.map((e) => ({ class: e.classIndex, start: e.start, frames: e.frames })) })),
      heldWindows,
    );
    console.log(
      `segment peaks holding their event: bundled ${bundled.hits}/${bundled.events} (${describeByClass(bundled.byClass)}); held-out ${held.hits}/${held.events} (${describeByClass(held.byClass)})`,
    );
    expect(bundled.events).toBeGreaterThanOrEqual(20);
    expect(bundled.hits / bundled.events).toBeGreaterThanOrEqual(0.9);
    expect(held.hits / held.events).toBeGreaterThanOrEqual(0.9);

    // The set's segment MAP with the demo model, as `npm run evaluate -- --segments` prints it.
    const ranking = new SegmentRanking({ classes: DEMO_CLASSES.length });
    videos.forEach((v, i) => {
      ranking.addVideo(v);
      for (const w of windows[i]) ranking.addWindow(v, w.start, w.probabilities);
    });
    const m = segmentMap(ranking);
    console.log(`segment MAP of the demo model on the set: ${m.map?.toFixed(3)} over ${m.perClass.length} classes`);
    expect(m.perClass.length).toBeGreaterThanOrEqual(8);
    expect(m.map!).toBeGreaterThan(0.5);
  }, 300_000);
});
