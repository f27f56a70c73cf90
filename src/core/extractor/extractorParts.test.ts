import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { writeNpy } from '../containers/npy';
import { gunzip, readTarFiles } from '../containers/tarGz';
import { readFeatureFile } from '../features/read';
import { streamFeatureFile } from '../features/stream';
import { bytesSource } from '../io/byteSource';
import { writeTfRecords } from '../containers/tfrecord';
import { decodeSequenceExample } from '../containers/sequenceExample';
import { cuts, expectClear, flipped } from '../../../tools/testing/hostile';
import { pcaNpyFiles, standInPca, writeTgz } from '../../../tools/testing/extractorFixtures';
import { rng } from '../../../tools/testing/random';
import { atLeastAfter, FrameSampler, microseconds } from './frameRule';
import { readPca } from './pca';
import { quantize, quantizeValue, roundHalfEven } from './quantize';
import { encodeExtractedRecord, RGB_ONLY_NOTE } from './record';
import { labelsFor, parseVideoLabels } from './videoLabels';

async function outcome(p: Promise<unknown>): Promise<'ok' | InputError> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

describe('the frame rule', () => {
  it('takes the first frame, then the first at least 1,000 ms after the last taken, exactly', () => {
    const s = new FrameSampler();
    // 29.97 fps in the stream's 1/30000 s: frame 29 is 0.9676 s, 30 is 1.001 s.
    const taken = Array.from({ length: 100 }, (_, k) => s.consider({ pts: 1001 * k, num: 1, den: 30000 }));
    expect(taken.flatMap((t, k) => (t ? [k] : []))).toEqual([0, 30, 60, 90]);
    expect(s.considered).toBe(100);
  });

  it('a frame exactly one second later is taken, one microsecond earlier is not', () => {
    expect(atLeastAfter(microseconds(0), microseconds(1_000_000), 1000)).toBe(true);
    expect(atLeastAfter(microseconds(0), microseconds(999_999), 1000)).toBe(false);
    // 1/3 s ticks: three ticks are a second exactly, with no rounding.
    expect(atLeastAfter({ pts: 7, num: 1, den: 3 }, { pts: 10, num: 1, den: 3 }, 1000)).toBe(true);
    expect(atLeastAfter({ pts: 0, num: 1001, den: 30000 }, { pts: 30, num: 1001, den: 30000 }, 1000)).toBe(true);
    expect(atLeastAfter({ pts: 0, num: 1001, den: 30000 }, { pts: 29, num: 1001, den: 30000 }, 1000)).toBe(false);
  });

  it('frames out of order or with the same time are each considered once and not taken early', () => {
    const s = new FrameSampler();
    const times = [0, 500, 1000, 1000, 800, 1999, 2000].map((ms) => s.consider(microseconds(ms * 1000)));
    expect(times).toEqual([true, false, true, false, false, false, true]);
  });

  it('stops at the cap (300 by default) and says it is full', () => {
    const s = new FrameSampler();
    let taken = 0;
    for (let sec = 0; sec < 400; sec++) if (s.consider(microseconds(sec * 1_000_000))) taken++;
    expect(taken).toBe(300);
    expect(s.full).toBe(true);
    expect(new FrameSampler({ maxFrames: 3 }).maxFrames).toBe(3);
    expect(() => new FrameSampler({ maxFrames: 0 })).toThrow(RangeError);
  });
});

describe('quantize as the published extractor', () => {
  it('clips to [-2, 2], maps to 0..255, rounds ties to even', () => {
    expect([-5, -2, 2, 7, 0].map(quantizeValue)).toEqual([0, 0, 255, 255, 128]);
    // A float32 f gives an exact tie only at f = 0 ((f + 2) * 255 / 4 = 127.5), which goes to the even 128.
    expect(quantizeValue(0)).toBe(128);
    expect(quantizeValue(Math.fround(1e-7))).toBe(128);
    expect(quantizeValue(Math.fround(-1e-7))).toBe(127);
    expect([2.5, 3.5, -0.5, 0.49999999].map(roundHalfEven)).toEqual([2, 4, -0, 0]);
    expect(Array.from(quantize(Float32Array.from([-2, 0, 2])))).toEqual([0, 128, 255]);
  });

  it('reads back through the dequantization within half a step', () => {
    const r = rng(3);
    for (let i = 0; i < 1000; i++) {
      const f = Math.fround(r() * 4 - 2);
      const q = quantizeValue(f);
      expect(Math.abs(q * (4 / 255) + (4 / 512 - 2) - f)).toBeLessThanOrEqual(2 / 255 + 4 / 512 + 1e-9);
    }
  });
});

describe('the PCA files', () => {
  const pca = standInPca(
    [Float64Array.from({ length: 2048 }, (_, i) => (i % 7) / 7), Float64Array.from({ length: 2048 }, (_, i) => (i % 5) / 5)],
    1,
    1030,
  );
  const files = pcaNpyFiles(pca);

  it('reads yt8m_pca.tgz, the three .npy files, and float64 files; keeps the first 1024 components', async () => {
    const fromTgz = await readPca([{ name: 'yt8m_pca.tgz', bytes: await writeTgz(files.map((f) => ({ ...f, name: `pca/${f.name}` }))) }]);
    const loose = await readPca(files);
    const f64 = await readPca(pcaNpyFiles(pca, 'float64'));
    for (const p of [fromTgz, loose, f64]) {
      expect(p.components).toBe(1030);
      expect(p.eigenvals.length).toBe(1024);
      expect(p.eigenvecs.length).toBe(1024 * 2048);
      expect(p.mean[5]).toBeCloseTo(pca.mean[5], 6);
      expect(p.eigenvecs[1023 * 2048 + 7]).toBeCloseTo(pca.eigenvecs[1023 * 2048 + 7], 6);
    }
    expect(fromTgz.source).toMatch(/yt8m_pca\.tgz:pca\/mean\.npy/);
  });

  it('wrong shapes, too few components, a missing file, another file: one sentence naming the file', async () => {
    const swap = (name: string, bytes: Uint8Array) => files.map((f) => (f.name === name ? { name, bytes } : f));
    const z = (shape: number[]) => writeNpy({ dtype: 'float32', shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    expectClear(
      await outcome(readPca(swap('mean.npy', z([2048])))),
      ['mean.npy'],
      /has shape \[2048\], expected \[2048, 1\] as in yt8m_pca\.tgz/,
    );
    expectClear(
      await outcome(readPca(swap('eigenvals.npy', z([1000, 1])))),
      ['eigenvals.npy'],
      /has shape \[1000, 1\], expected \[K, 1\] with K >= 1024/,
    );
    expectClear(
      await outcome(readPca(swap('eigenvecs.npy', z([1030, 1024])))),
      ['eigenvecs.npy'],
      /has shape \[1030, 1024\], expected \[1030, 2048\]/,
    );
    expectClear(await outcome(readPca(files.slice(0, 2))), ['mean.npy, eigenvals.npy'], /eigenvecs\.npy is missing/);
    expectClear(await outcome(readPca([{ name: 'notes.txt', bytes: new Uint8Array(10) }])), ['notes.txt'], /not one of the PCA files/);
    expectClear(
      await outcome(readPca([{ name: 'yt8m_pca.tgz', bytes: await writeTgz([files[0]]) }])),
      ['yt8m_pca.tgz'],
      /the archive holds no eigenvals\.npy, eigenvecs\.npy/,
    );
    const neg = Float64Array.from(pca.eigenvals);
    neg[3] = -1;
    expectClear(await outcome(readPca(pcaNpyFiles({ ...pca, eigenvals: neg }))), ['eigenvals.npy'], /eigenvalue 3 is -1/);
  });

  it('a truncated or damaged .tgz is one sentence naming it', async () => {
    const tgz = await writeTgz(files);
    for (const n of cuts(tgz.length, 60, 4))
      expectClear(await outcome(readPca([{ name: 'yt8m_pca.tgz', bytes: tgz.subarray(0, n) }])), ['yt8m_pca.tgz']);
    const tar = gunzip(tgz, 'x');
    for (const at of [100, 148, 300, 512 + 40, tar.length - 2000]) {
      const r = await outcome(readTarFiles(flipped(tar, at, 0x55), 'pca.tar', () => true));
      if (r instanceof InputError) expectClear(r, ['pca.tar']);
    }
    expectClear(await outcome(readTarFiles(tar.subarray(0, 5000), 'pca.tar', () => true)), ['pca.tar'], /damaged or cut off/);
  });
});

describe('the record', () => {
  const frames = 3;
  const rgb = Uint8Array.from({ length: frames * 1024 }, (_, i) => (i * 7) % 256);
  const meanRgb = Float32Array.from({ length: 1024 }, (_, i) => i / 1000 - 0.5);
  const record = encodeExtractedRecord({ id: 'my clip', labels: [17, 3], rgb, rgbDim: 1024, frames, meanRgb });

  it('holds what the published extractor writes: id, sorted labels, mean_rgb, mean_audio zeros, rgb, audio zeros', () => {
    const ex = decodeSequenceExample(record);
    expect(ex.context.get('id')).toEqual({ kind: 'bytes', values: [new TextEncoder().encode('my clip')] });
    expect(ex.context.get('labels')).toEqual({ kind: 'int64', values: [3, 17] });
    const mean = ex.context.get('mean_rgb') as { values: number[] };
    expect(mean.values.length).toBe(1024);
    expect(mean.values[10]).toBeCloseTo(meanRgb[10], 6);
    expect(ex.context.get('mean_audio')).toEqual({ kind: 'float', values: new Array(128).fill(0) });
    expect(ex.featureLists.get('rgb')!.length).toBe(frames);
    expect((ex.featureLists.get('audio')![2] as { values: Uint8Array[] }).values[0]).toEqual(new Uint8Array(128));
  });

  it('every reader of the project reads it back', async () => {
    const file = writeTfRecords([record, record]);
    const whole = readFeatureFile(file, 'clips.tfrecord');
    expect(whole.warnings).toEqual([]);
    expect(whole.videos.map((v) => [v.id, v.frames, v.rgbDim, v.audioDim, v.labels])).toEqual([
      ['my clip', 3, 1024, 128, [3, 17]],
      ['my clip', 3, 1024, 128, [3, 17]],
    ]);
    expect(Array.from(whole.videos[0].rgb as Uint8Array)).toEqual(Array.from(rgb));
    expect(Array.from(whole.videos[0].audio as Uint8Array).every((x) => x === 0)).toBe(true);
    const streamed = [];
    for await (const item of streamFeatureFile(bytesSource('clips.tfrecord', file), { chunkBytes: 1000 }))
      if (item.kind === 'video') streamed.push(item.video);
    expect(streamed.map((v) => v.id)).toEqual(['my clip', 'my clip']);
  });

  it('the note on audio says predictions rest on rgb alone', () => {
    expect(RGB_ONLY_NOTE).toMatch(/audio is written as zeros/);
    expect(RGB_ONLY_NOTE).toMatch(/rgb alone/);
  });
});

describe('the videos and labels CSV (upstream --input_videos_csv)', () => {
  it('reads path,ids;ids rows, with or without a header, and matches by path or file name', () => {
    const rows = parseVideoLabels('video,labels\nclips/a.mp4,3;17\n/data/b.webm,4\nc.mov,\n', 'videos.csv');
    expect(rows.map((r) => [r.path, r.labels])).toEqual([
      ['clips/a.mp4', [3, 17]],
      ['/data/b.webm', [4]],
      ['c.mov', []],
    ]);
    expect(labelsFor(rows, 'clips/a.mp4', 'videos.csv')).toEqual([3, 17]);
    expect(labelsFor(rows, 'elsewhere/b.webm', 'videos.csv')).toEqual([4]);
    expect(labelsFor(rows, 'd.mp4', 'videos.csv')).toBeUndefined();
  });

  it('bad rows are one sentence naming the file and the line', () => {
    const e = (text: string) => {
      try {
        parseVideoLabels(text, 'videos.csv');
        return 'ok';
      } catch (x) {
        return x as InputError;
      }
    };
    expectClear(e('a.mp4,3\nb.mp4,3;x\n'), ['videos.csv'], /line 2: "3;x" is not a list of label ids/);
    expectClear(e('a.mp4,3\nb.mp4,4,5\n'), ['videos.csv'], /line 2 has 3 fields/);
    expectClear(e(''), ['videos.csv'], /lists no videos/);
    const rows = parseVideoLabels('x/a.mp4,1\ny/a.mp4,2\n', 'videos.csv');
    expect(() => labelsFor(rows, 'z/a.mp4', 'videos.csv')).toThrow(/lines 1 and 2 both name a video called a\.mp4/);
  });
});
