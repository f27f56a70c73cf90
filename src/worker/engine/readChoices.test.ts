import { beforeAll, describe, expect, it } from 'vitest';
import { writeTfRecordFeatures, type Yt8mVideo } from '../../core/features/tfrecordFeatures';
import { seededRandom } from '../../core/training/seeded';
import { engineHarness } from '../../../tools/testing/workerHarness';
import type { VideoSummary } from '../../protocol/protocol';

/** `n` YouTube-8M-shaped videos of 2 to 9 frames, labeled 0..9, ids `<prefix><i>`. */
function shortVideos(n: number, seed: number, prefix = 'v'): Yt8mVideo[] {
  const rand = seededRandom(seed);
  const frames = (T: number, dim: number) => Array.from({ length: T }, () => Uint8Array.from({ length: dim }, () => (rand() * 256) | 0));
  return Array.from({ length: n }, (_, i) => {
    const T = 2 + Math.floor(rand() * 8);
    return { id: `${prefix}${i}`, labels: [i % 10], rgb: frames(T, 1024), audio: frames(T, 128) };
  });
}

const file = (name: string, bytes: Uint8Array) => ({ kind: 'file' as const, file: new File([bytes.slice()], name) });
type H = Awaited<ReturnType<typeof engineHarness>>;
/** The videos listed now: announced and not removed since. */
const listed = (h: H): VideoSummary[] => {
  const now = new Map<string, VideoSummary>();
  for (const e of h.events) {
    if (e.type === 'file') e.videos.forEach((v) => now.set(v.key, v));
    if (e.type === 'removed') e.keys.forEach((k) => now.delete(k));
  }
  return [...now.values()];
};

let small: Uint8Array;
let shard: Uint8Array;
beforeAll(() => {
  small = writeTfRecordFeatures(shortVideos(12, 7));
  shard = writeTfRecordFeatures(shortVideos(400, 8, 's'));
});

describe('loads that meet what is already listed', () => {
  it('skips a file read again (its ids are listed) and says which videos, adds them only when asked, and never counts them twice', async () => {
    const h = await engineHarness();
    await h.engine.addFeatures([file('a.tfrecord', small)]);
    await h.idle();
    const report = h.engine.datasetReport(1);
    expect(await h.engine.addFeatures([file('a.tfrecord', small)])).toEqual({ videos: 0, failed: 0, cancelled: false });
    await h.idle();
    const end = h.of('fileEnd').at(-1)!.end;
    expect(end).toMatchObject({ file: 'a.tfrecord', state: 'done', records: 12, estimate: 12 });
    expect(end.duplicates.map((d) => d.id)).toEqual(Array.from({ length: 12 }, (_, i) => `v${i}`));
    expect(listed(h)).toHaveLength(12);
    expect(h.engine.datasetReport(1)).toEqual(report);
    // Another file with two of the same ids: only those two are held back.
    const other = writeTfRecordFeatures([...shortVideos(2, 7), ...shortVideos(3, 9, 'w')]);
    await h.engine.addFeatures([file('b.tfrecord', other)]);
    expect(h.of('fileEnd').at(-1)!.end.duplicates).toEqual([
      { index: 0, id: 'v0' },
      { index: 1, id: 'v1' },
    ]);
    expect(
      listed(h)
        .map((v) => v.id)
        .slice(12),
    ).toEqual(['w0', 'w1', 'w2']);
    // Asked to add them again: those two, and nothing else of the file.
    await h.engine.addFeatures([file('b.tfrecord', other)], { duplicates: 'add', only: { 'b.tfrecord': [0, 1] } });
    await h.idle();
    expect(
      listed(h)
        .slice(15)
        .map((v) => [v.id, v.index, v.key]),
    ).toEqual([
      ['v0', 0, 'b.tfrecord#0'],
      ['v1', 1, 'b.tfrecord#1'],
    ]);
    expect(h.engine.datasetReport(1)).toMatchObject({ videos: 17, predicted: 17 });
  }, 60_000);

  it('says a cancelled file was read in part, about how many it holds, and resumes it without reading a listed video twice', async () => {
    const h = await engineHarness({}, { bufferBytes: 1 << 18 });
    const run = h.engine.addFeatures([file('shard-1.tfrecord', shard), file('shard-2.tfrecord', small)]);
    expect(await h.until(() => h.of('predictions').flatMap((e) => e.results).length >= 20)).toBe(true);
    h.engine.cancelLoads();
    await run;
    await h.idle();
    const ends = h.of('fileEnd').map((e) => e.end);
    expect(ends.map((e) => [e.file, e.state])).toEqual([
      ['shard-1.tfrecord', 'cancelled'],
      ['shard-2.tfrecord', 'cancelled'],
    ]);
    expect(ends[0].records).toBeLessThan(400);
    // Estimated from the bytes read: near the 400 the file holds.
    expect(ends[0].estimate).toBeGreaterThan(250);
    expect(ends[0].estimate).toBeLessThan(600);
    expect(ends[1]).toMatchObject({ records: 0, estimate: null });
    const kept = listed(h);
    expect(kept.length).toBeGreaterThanOrEqual(20);
    expect(kept.length).toBeLessThan(400);
    // Resume: the positions listed are skipped, the rest read; each video once.
    await h.engine.addFeatures([file('shard-1.tfrecord', shard), file('shard-2.tfrecord', small)], {
      skip: { 'shard-1.tfrecord': kept.map((v) => v.index) },
    });
    await h.idle();
    const all = listed(h);
    expect(all).toHaveLength(412);
    expect(new Set(all.map((v) => v.id)).size).toBe(412);
    expect(
      h
        .of('fileEnd')
        .slice(-2)
        .map((e) => [e.end.state, e.end.estimate, e.end.duplicates.length]),
    ).toEqual([
      ['done', 400, 0],
      ['done', 12, 0],
    ]);
    expect(h.engine.datasetReport(1)).toMatchObject({ videos: 412, predicted: 412, labeled: 412 });
  }, 120_000);

  it('puts back a removed video and a cleared list with their results (an Undo), and leaves out files whose labels are not the model’s', async () => {
    const h = await engineHarness();
    await h.engine.addFeatures([file('a.tfrecord', small)]);
    await h.idle();
    const before = h.engine.datasetReport(1);
    const keys = listed(h).map((v) => v.key);
    const predictions = h.of('predictions').length;
    h.engine.removeVideo(keys[3]);
    expect(h.engine.datasetReport(1).videos).toBe(11);
    expect(h.engine.restoreVideos([keys[3]])).toEqual([keys[3]]);
    expect(h.engine.datasetReport(1)).toEqual(before);
    await h.engine.clearVideos();
    expect(h.engine.datasetReport(1).videos).toBe(0);
    expect(h.engine.restoreVideos(keys)).toEqual(keys);
    await h.idle();
    expect(h.engine.datasetReport(1)).toEqual(before);
    // Their results came back with them: nothing was predicted again.
    expect(h.of('predictions')).toHaveLength(predictions);
    // Restoring twice puts back nothing more.
    expect(h.engine.restoreVideos(keys)).toEqual([]);
    expect(h.engine.datasetReport(1, ['a.tfrecord'])).toMatchObject({ summary: null, videos: 12, labeled: 0 });
  }, 60_000);
});
