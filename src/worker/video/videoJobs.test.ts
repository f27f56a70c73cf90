/**
 * The worker's video jobs with the decoder replaced (WebCodecs is the
 * browser's; e2e/videos.e2e.ts runs the real one): the extractor files kept
 * and read once, the frame rule over microsecond timestamps, progress and the
 * record handed on as a TFRecord, Cancel, a file cut off after some frames,
 * and errors as one sentence naming the file.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend } from '../../node/backend';
import { readFeatureFile } from '../../core/features/read';
import { pcaNpyFiles, standInPca, writeTgz } from '../../../tools/testing/extractorFixtures';
import { inceptionStandIn } from '../../../tools/testing/inceptionStandIn';
import { testFrames } from '../../../tools/testing/testVideos';
import type { FeatureSource, WorkerEvent } from '../../protocol/protocol';
import { MemoryExtractorStore } from './extractorStore';

const W = 40;
const H = 30;
const frames = testFrames({ width: W, height: H, count: 80, seed: 5 });
/** What the mocked decoder does for each file name. */
const plans = new Map<string, { count: number; fps: number; failAfter?: number; open?: string }>();

vi.mock('./videoFrames', () => ({
  openVideo: async (_blob: Blob, name: string) => {
    const plan = plans.get(name)!;
    // The real openVideo's errors are InputErrors naming the file.
    if (plan.open) throw new (await import('../../core/errors')).InputError(plan.open);
    return {
      duration: plan.count / plan.fps,
      codec: 'vp09',
      width: W,
      height: H,
      close: () => {},
      async *frames() {
        for (let i = 0; i < plan.count; i++) {
          if (plan.failAfter !== undefined && i === plan.failAfter)
            throw new (await import('../../core/errors')).InputError(`${name}: the video could not be decoded (truncated)`);
          const rgba = new Uint8Array(W * H * 4);
          for (let p = 0; p < W * H; p++) rgba.set(frames[i].subarray(3 * p, 3 * p + 3), 4 * p);
          yield { us: Math.round((i * 1e6) / plan.fps), rgba: () => ({ width: W, height: H, data: rgba }), drawInto: () => {} };
        }
      },
    };
  },
}));

const { VideoJobs } = await import('./videoJobs');

describe("the worker's video jobs", () => {
  let inception: File;
  let pca: File;

  beforeAll(async () => {
    await useBackend('wasm');
    const standIn = inceptionStandIn({ size: 'small', seed: 3 });
    inception = new File(
      [(await writeTgz([{ name: 'classify_image_graph_def.pb', bytes: standIn.bytes }])) as Uint8Array<ArrayBuffer>],
      'inception-2015-12-05.tgz',
    );
    pca = new File(
      [
        (await writeTgz(
          pcaNpyFiles(standInPca([new Float64Array(2048).fill(0.1), new Float64Array(2048).fill(0.3)], 2, 1024)),
        )) as Uint8Array<ArrayBuffer>,
      ],
      'yt8m_pca.tgz',
    );
  }, 120_000);

  function jobs(store = new MemoryExtractorStore()) {
    const events: WorkerEvent[] = [];
    const added: FeatureSource[] = [];
    const host = {
      tfTask: <T>(fn: () => Promise<T>) => fn(),
      addFeatures: async (sources: readonly FeatureSource[]) => {
        added.push(...sources);
        return { videos: 1, failed: 0, cancelled: false };
      },
    };
    return { j: new VideoJobs(host, store, (e) => events.push(e)), events, added, store };
  }

  it('asks for both files, keeps them, extracts a video by the frame rule and hands its record on', async () => {
    const { j, events, added, store } = jobs();
    expect((await j.state()).missing).toEqual(['inception', 'pca']);
    await expect(j.extract([{ job: 'a', file: new File([], 'x.mp4'), name: 'x.mp4' }])).rejects.toThrow(/extractor files are needed first/);
    expect(await j.setFiles([inception])).toMatchObject({ ready: null, missing: ['pca'], staged: ['inception-2015-12-05.tgz'] });
    const state = await j.setFiles([pca]);
    expect(state.ready).toMatchObject({ inception: 'inception-2015-12-05.tgz', pca: 'yt8m_pca.tgz', components: 1024 });
    // Kept: a new worker (a later visit) does not ask again.
    expect((await jobs(store).j.state()).ready).not.toBeNull();

    plans.set('walk.mp4', { count: 70, fps: 30000 / 1001 });
    expect(await j.extract([{ job: 'a', file: new File([], 'walk.mp4'), name: 'walk.mp4', labels: [4, 1] }])).toEqual({
      extracted: 1,
      failed: 0,
      cancelled: 0,
    });
    const media = events.flatMap((e) => (e.type === 'extracted' ? [e.media] : []));
    expect(media).toHaveLength(1);
    expect(media[0]).toMatchObject({ name: 'walk.mp4', frames: 3, considered: 70, filmstrip: null });
    expect(media[0].times).toEqual([0, 1.001, 2.002]);
    // 70 frames at 29.97 fps end at 2.336 s: 3 frames expected from the start.
    const firstDecoding = events.find((e) => e.type === 'extraction' && e.progress.state === 'decoding');
    expect(firstDecoding?.type === 'extraction' && firstDecoding.progress.framesTotal).toBe(3);
    const states = events.flatMap((e) => (e.type === 'extraction' ? [e.progress.state] : []));
    expect(states[0]).toBe('queued');
    expect(states.at(-1)).toBe('done');
    expect(added).toHaveLength(1);
    const source = added[0] as { kind: 'file'; file: File };
    const { videos } = readFeatureFile(new Uint8Array(await source.file.arrayBuffer()), source.file.name);
    expect(videos.map((v) => [v.id, v.frames, v.labels])).toEqual([['walk', 3, [1, 4]]]);
  }, 120_000);

  it('cancels, keeps the frames of a file cut off after some, and names the file that fails', async () => {
    const { j, events, added } = jobs();
    await j.setFiles([inception, pca]);
    plans.set('long.mp4', { count: 80, fps: 10 });
    plans.set('cut.mp4', { count: 80, fps: 10, failAfter: 25 });
    plans.set('notes.mp4', { count: 0, fps: 10, open: 'notes.mp4: the browser cannot read it as a video (unsupported format)' });
    plans.set('empty.webm', { count: 0, fps: 10 });
    const done = j.extract([
      { job: 'l', file: new File([], 'long.mp4'), name: 'long.mp4' },
      { job: 'c', file: new File([], 'cut.mp4'), name: 'cut.mp4' },
      { job: 'n', file: new File([], 'notes.mp4'), name: 'notes.mp4' },
      { job: 'e', file: new File([], 'empty.webm'), name: 'empty.webm' },
    ]);
    expect(j.cancel('l')).toBe(1);
    expect(await done).toEqual({ extracted: 1, failed: 2, cancelled: 1 });
    const last = new Map(events.flatMap((e) => (e.type === 'extraction' ? [[e.progress.name, e.progress] as const] : [])));
    expect(last.get('long.mp4')?.state).toBe('cancelled');
    expect(last.get('cut.mp4')).toMatchObject({ state: 'done', framesDone: 3 });
    expect(last.get('notes.mp4')).toMatchObject({
      state: 'error',
      message: 'notes.mp4: the browser cannot read it as a video (unsupported format)',
    });
    expect(last.get('empty.webm')).toMatchObject({ state: 'error', message: 'empty.webm: the video has no frames that could be decoded' });
    expect(
      events.some(
        (e) =>
          e.type === 'notice' &&
          /^cut\.mp4: decoding stopped after 3 frames \(the video could not be decoded \(truncated\)\); those frames are kept$/.test(
            e.message,
          ),
      ),
    ).toBe(true);
    expect(added.map((s) => (s as { file: File }).file.name)).toEqual(['cut.mp4']);
  }, 120_000);
});
