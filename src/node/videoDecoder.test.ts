/**
 * ffmpeg's frames and timestamps against what the tests encoded (lossless)
 * and against ffprobe's own list of every frame's timestamp; the frame rule
 * (inside ffmpeg and in the core) against the rule written apart in
 * tools/testing, on constant rates that are not whole (29.97, 12.5), 25 fps
 * (frames exactly on the second) and variable timing.
 */
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvironmentError, InputError } from '../core/errors';
import { FrameSampler, microseconds } from '../core/extractor/frameRule';
import { expectedTaken, makeVideo, probeFrameTimes, type TestVideo, type VideoSpec } from '../../tools/testing/testVideos';
import { checkFfmpeg, decodeVideo, probeVideo, type DecodedFrame } from './videoDecoder';

const RATES: { name: string; spec: Omit<VideoSpec, 'seed'> }[] = [
  { name: '29.97fps.mp4', spec: { width: 48, height: 32, count: 100, rate: '30000/1001' } },
  { name: '25fps.mkv', spec: { width: 40, height: 30, count: 80, rate: '25' } },
  { name: '12.5fps.mkv', spec: { width: 36, height: 28, count: 60, rate: '25/2' } },
  { name: '12.5fps.mp4', spec: { width: 36, height: 28, count: 45, rate: '25/2' } },
  // Variable timing, in Matroska's milliseconds: frames just before, on and just after each second.
  {
    name: 'variable.mkv',
    spec: { width: 32, height: 24, count: 14, times: [0, 0.3, 0.999, 1, 1.2, 1.999, 2, 2.001, 3.5, 3.6, 4.499, 4.5, 5.2, 5.499] },
  },
  { name: 'variable.mp4', spec: { width: 32, height: 24, count: 9, times: [0, 0.04, 0.5, 1.5, 1.52, 2.49, 2.51, 3.6, 7] } },
];

async function all(gen: AsyncGenerator<DecodedFrame>): Promise<DecodedFrame[]> {
  const out: DecodedFrame[] = [];
  for await (const f of gen) out.push({ ...f, data: f.data.slice() });
  return out;
}

describe('decoding videos with ffmpeg: every frame once, exact timestamps, the frame rule', () => {
  let dir: string;
  const videos = new Map<string, TestVideo>();

  beforeAll(async () => {
    await checkFfmpeg();
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-video-'));
    let seed = 1;
    for (const r of RATES) videos.set(r.name, await makeVideo(dir, r.name, { ...r.spec, seed: seed++ }));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each(RATES)("$name: every decoded frame, byte for byte, with ffprobe's timestamps", async ({ name }) => {
    const v = videos.get(name)!;
    const info = await probeVideo(v.path);
    expect([info.width, info.height]).toEqual([v.width, v.height]);
    const frames = await all(decodeVideo(v.path, info));
    const probed = await probeFrameTimes(v.path);
    expect(frames.length).toBe(v.frames.length);
    expect(frames.map((f) => f.time.pts)).toEqual(probed.pts);
    expect(frames.every((f) => f.time.num === probed.num && f.time.den === probed.den)).toBe(true);
    frames.forEach((f, i) => expect(Buffer.compare(f.data, v.frames[i]), `frame ${i}`).toBe(0));
  });

  it.each(RATES)(
    "$name: the frames taken at one a second are those the rule takes from ffprobe's list, in ffmpeg and in the core",
    async ({ name }) => {
      const v = videos.get(name)!;
      const info = await probeVideo(v.path);
      const probed = await probeFrameTimes(v.path);
      const want = expectedTaken(probed);
      // The core's rule on ffprobe's timestamps, in the stream's time base and in WebCodecs' microseconds.
      const sampler = new FrameSampler();
      expect(
        probed.pts
          .map((p, i) => [i, sampler.consider({ pts: p, num: probed.num, den: probed.den })] as const)
          .filter(([, t]) => t)
          .map(([i]) => i),
      ).toEqual(want);
      expect(sampler.considered).toBe(probed.pts.length);
      const micro = new FrameSampler();
      const exactInMicroseconds = probed.pts.every((p) => (p * probed.num * 1e6) % probed.den === 0);
      if (exactInMicroseconds)
        expect(
          probed.pts
            .map((p, i) => [i, micro.consider(microseconds((p * probed.num * 1e6) / probed.den))] as const)
            .filter(([, t]) => t)
            .map(([i]) => i),
        ).toEqual(want);
      // ffmpeg's select in whole ticks passes exactly those frames, which are the encoded ones.
      const frames = await all(decodeVideo(v.path, info, { everyMs: 1000 }));
      expect(frames.map((f) => f.time.pts)).toEqual(want.map((i) => probed.pts[i]));
      frames.forEach((f, k) => expect(Buffer.compare(f.data, v.frames[want[k]]), `frame ${want[k]}`).toBe(0));
      expect(want.length).toBeGreaterThan(1);
    },
  );

  it('the expected frames at one a second: 29.97 fps takes frames 0, 30, 60, 90; 25 fps 0, 25, 50, 75; 12.5 fps 0, 13, 26, 39, 52 (1.04 s apart); variable timing just before, on and after each second', async () => {
    const taken = async (name: string) => expectedTaken(await probeFrameTimes(videos.get(name)!.path));
    expect(await taken('29.97fps.mp4')).toEqual([0, 30, 60, 90]);
    expect(await taken('25fps.mkv')).toEqual([0, 25, 50, 75]);
    expect(await taken('12.5fps.mkv')).toEqual([0, 13, 26, 39, 52]);
    expect(await taken('variable.mkv')).toEqual([0, 3, 6, 8, 11]);
    expect(await taken('variable.mp4')).toEqual([0, 3, 6, 7, 8]);
  });

  it('stopping early stops ffmpeg', async () => {
    const v = videos.get('25fps.mkv')!;
    const info = await probeVideo(v.path);
    let n = 0;
    for await (const f of decodeVideo(v.path, info)) {
      expect(f.index).toBe(n);
      if (++n === 3) break;
    }
    expect(n).toBe(3);
  });

  it('a file ffmpeg cannot read, a file with no video, a truncated mp4: one sentence naming the file', async () => {
    const junk = path.join(dir, 'junk.mp4');
    await writeFile(junk, 'this is not a video at all');
    const e1 = await probeVideo(junk).catch((e) => e);
    expect(e1).toBeInstanceOf(InputError);
    expect(e1.message).toMatch(new RegExp(`^${junk}: ffmpeg cannot read it as a video \\(.+\\)$`));
    const bytes = await readFile(videos.get('29.97fps.mp4')!.path);
    const cut = path.join(dir, 'cut.mp4');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const e2 = await (async () => all(decodeVideo(cut, await probeVideo(cut))))().catch((e) => e);
    expect(e2).toBeInstanceOf(InputError);
    expect(e2.message).toMatch(new RegExp(`^${cut}: `));
    expect(e2.message).not.toMatch(/\n/);
  });

  it('a missing ffmpeg is an EnvironmentError that says how to install it', async () => {
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    try {
      const e = await checkFfmpeg().catch((x) => x);
      expect(e).toBeInstanceOf(EnvironmentError);
      expect(e.message).toMatch(/\/nonexistent\/ffmpeg is not installed or not on the PATH: .*apt-get install ffmpeg/);
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });
});
