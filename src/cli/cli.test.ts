import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES, randomPaddleParams, rng, toRefParams } from '../../tools/testing/random';
import { writeCombined } from '../core/formats/combined';
import { writePickledParams } from '../core/formats/pdparamsPickle';
import { fluid1CombinedOrder } from '../core/model/paddleLayout';
import { writeTfRecordFeatures } from '../core/features/tfrecord';
import { dequantize } from '../core/features/dequantize';
import { referenceForward } from '../core/model/reference';
import type { PredictionDocument } from '../core/predictionDocument';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

async function cli(script: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(tsx, [path.join(root, 'src/cli', script), ...args], { cwd: root, maxBuffer: 64 << 20 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

function quantizedVideo(frames: number, seed: number) {
  const r = rng(seed);
  const frame = (dim: number) => Uint8Array.from({ length: dim }, () => Math.floor(r() * 256));
  return {
    id: `video-${seed}`,
    labels: [seed % SMALL_SIZES.classes],
    rgb: Array.from({ length: frames }, () => frame(SMALL_SIZES.rgbDim)),
    audio: Array.from({ length: frames }, () => frame(SMALL_SIZES.audioDim)),
  };
}

describe('the command line: convert, predict, evaluate', () => {
  let dir: string;
  const params = randomPaddleParams('fluid1', SMALL_SIZES, 21);
  const videos = [quantizedVideo(6, 1), quantizedVideo(2, 2), quantizedVideo(9, 3)];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-cli-'));
    await writeFile(path.join(dir, 'AttentionLSTM_final.pdparams'), writeCombined(fluid1CombinedOrder().map((n) => params.get(n)!)));
    await writeFile(path.join(dir, 'videos.tfrecord'), writeTfRecordFeatures(videos));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('converts a combined file, printing a table of tensors', async () => {
    const res = await cli('convert.ts', [path.join(dir, 'AttentionLSTM_final.pdparams'), '--out', path.join(dir, 'model')]);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/lstm_0\.w_0\s+rgb\.fw\.wh\s+\[4, 16\]\s+256/);
    expect(res.stdout).toMatch(/fluid1 AttentionLSTM \(rgb 12, audio 5, E 6, D 4, head 10\/8, 7 classes\)/);
    expect(res.stderr).toMatch(/100%/);
  }, 60_000);

  it('predicts every video of a TFRecord as Paddle would (float64 reference within 1e-5)', async () => {
    const res = await cli('predict.ts', ['--model', path.join(dir, 'model'), '--top-k', '3', path.join(dir, 'videos.tfrecord')]);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as PredictionDocument;
    expect(doc.backend).toBe('wasm');
    expect(doc.videos.map((v) => [v.id, v.index, v.frames, v.labels])).toEqual(videos.map((v, i) => [v.id, i, v.rgb.length, v.labels]));
    const ref = toRefParams(params);
    doc.videos.forEach((got, i) => {
      const v = videos[i];
      const flat = (frames: Uint8Array[]) => Float64Array.from(dequantize(Uint8Array.from(frames.flatMap((f) => Array.from(f)))));
      const want = referenceForward(ref, 'fluid1', flat(v.rgb), flat(v.audio), v.rgb.length);
      expect(got.probabilities).toHaveLength(SMALL_SIZES.classes);
      got.probabilities.forEach((p, c) => expect(Math.abs(p - want.probabilities[c])).toBeLessThanOrEqual(1e-5));
      got.attention.rgb.forEach((a, t) => expect(Math.abs(a - want.attention.rgb[t])).toBeLessThanOrEqual(1e-5));
      expect(got.top).toHaveLength(3);
      expect(got.top[0].probability).toBe(Math.max(...got.probabilities));
      expect(got.top[0].name).toBe(`class ${got.top[0].class}`);
    });
  }, 60_000);

  it('evaluates a labeled file', async () => {
    const res = await cli('evaluate.ts', ['--model', path.join(dir, 'model'), path.join(dir, 'videos.tfrecord')]);
    expect(res.code).toBe(0);
    const m = JSON.parse(res.stdout);
    expect(Object.keys(m)).toEqual(['videos', 'hit_at_1', 'perr', 'gap', 'map']);
    expect(m.videos).toBe(3);
    for (const k of ['hit_at_1', 'perr', 'gap', 'map']) expect(m[k]).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('converts a PaddleVideo 2 pickle with float16 storage', async () => {
    const pv = randomPaddleParams('paddlevideo2', SMALL_SIZES, 22);
    await writeFile(path.join(dir, 'AttentionLSTM_yt8.pdparams'), writePickledParams(pv, { protocol: 4 }));
    const res = await cli('convert.ts', [path.join(dir, 'AttentionLSTM_yt8.pdparams'), '--out', path.join(dir, 'pv'), '--dtype', 'float16']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/paddlevideo2 AttentionLSTM/);
    expect(res.stdout).toMatch(/float16/);
  }, 60_000);

  it('says what is wrong in one line, without a stack trace, for a user mistake', async () => {
    await writeFile(path.join(dir, 'evil.pdparams'), new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR."));
    const evil = await cli('convert.ts', [path.join(dir, 'evil.pdparams'), '--out', path.join(dir, 'evil')]);
    expect(evil.code).toBe(2);
    expect(evil.stderr).toMatch(/^error: evil\.pdparams: .*os\.system/m);
    expect(evil.stderr).not.toMatch(/\n\s+at /);
    expect(evil.stdout).not.toMatch(/pwned/);

    const missing = await cli('predict.ts', ['--model', path.join(dir, 'nope'), path.join(dir, 'videos.tfrecord')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/model\.json: cannot read \(no such file\)/);

    const flag = await cli('predict.ts', ['--model', path.join(dir, 'model'), '--backend', 'webgl', path.join(dir, 'videos.tfrecord')]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--backend must be one of wasm, cpu, not 'webgl'/);
  }, 60_000);

  it('keeps the good videos of a file with a broken record, warning about the broken one', async () => {
    const bytes = writeTfRecordFeatures(videos);
    // Flip one byte inside the second record's data: its CRC no longer matches.
    const firstLen = 16 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    bytes[firstLen + 12 + 5] ^= 0xff;
    await writeFile(path.join(dir, 'broken.tfrecord'), bytes);
    await writeFile(path.join(dir, 'notes.txt'), 'hello');
    const res = await cli('predict.ts', ['--model', path.join(dir, 'model'), path.join(dir, 'broken.tfrecord'), path.join(dir, 'notes.txt')]);
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as PredictionDocument;
    expect(doc.videos.map((v) => v.id)).toEqual(['video-1', 'video-3']);
    expect(res.stderr).toMatch(/warning: \S*broken\.tfrecord: record 1 \(byte \d+\) skipped: its data is corrupt/);
    expect(res.stderr).toMatch(/warning: \S*notes\.txt: not a feature file/);
  }, 60_000);
});
