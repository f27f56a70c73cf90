import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES, randomPaddleParams, rng, toRefParams } from '../../tools/testing/random';
import { writeCombined } from '../core/paddle/combined';
import { writePickledParams } from '../core/paddle/pdparamsPickle';
import { fluid1CombinedOrder } from '../core/model/paddleLayout';
import { writeTfRecordFeatures } from '../core/features/tfrecordFeatures';
import { dequantize } from '../core/features/dequantize';
import { referenceForward } from '../../tools/testing/referenceModel';
import type { PredictionDocument } from '../core/predictionDocument';
import { evaluate } from '../core/metrics';
import { optimizerState, writeFluid1InferenceModel, writeInferenceModel, writeParamFolder } from '../../tools/testing/paddleFormats';

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

  it("predicts the same on 2 threads, and exits (the threads, tfjs's and the recurrence's helper, do not hold it)", async () => {
    const one = await cli('predict.ts', ['--model', path.join(dir, 'model'), path.join(dir, 'videos.tfrecord')]);
    const two = await cli('predict.ts', ['--model', path.join(dir, 'model'), '--threads', '2', path.join(dir, 'videos.tfrecord')]);
    expect(two.code).toBe(0);
    const a = JSON.parse(one.stdout) as PredictionDocument;
    const b = JSON.parse(two.stdout) as PredictionDocument;
    expect(b.videos.map((v) => v.probabilities)).toEqual(a.videos.map((v) => v.probabilities));
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
    const res = await cli('convert.ts', [
      path.join(dir, 'AttentionLSTM_yt8.pdparams'),
      '--out',
      path.join(dir, 'pv'),
      '--dtype',
      'float16',
    ]);
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
    expect(missing.stderr).toMatch(/^error: --model \S*nope: no such folder; the bundled demo model is public\/models\/demo/m);

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
    const res = await cli('predict.ts', [
      '--model',
      path.join(dir, 'model'),
      path.join(dir, 'broken.tfrecord'),
      path.join(dir, 'notes.txt'),
    ]);
    // Done in part: a record and a file were skipped.
    expect(res.code).toBe(3);
    const doc = JSON.parse(res.stdout) as PredictionDocument;
    expect(doc.videos.map((v) => v.id)).toEqual(['video-1', 'video-3']);
    expect(res.stderr).toMatch(/warning: \S*broken\.tfrecord: record 1 \(byte \d+\) skipped: its data is corrupt/);
    expect(res.stderr).toMatch(/warning: \S*notes\.txt: not a feature file/);
  }, 60_000);

  it('streams several files as one: --jsonl writes one object per video as the document would, evaluate folds them at constant memory, and progress goes to stderr', async () => {
    const many = Array.from({ length: 40 }, (_, i) => quantizedVideo(1 + (i % 11), 100 + i));
    await writeFile(path.join(dir, 'a.tfrecord'), writeTfRecordFeatures(many.slice(0, 25)));
    await writeFile(path.join(dir, 'b.tfrecord'), writeTfRecordFeatures(many.slice(25)));
    const files = [path.join(dir, 'a.tfrecord'), path.join(dir, 'b.tfrecord')];
    const doc = JSON.parse((await cli('predict.ts', ['--model', path.join(dir, 'model'), ...files])).stdout) as PredictionDocument;
    const jsonl = await cli('predict.ts', ['--model', path.join(dir, 'model'), '--jsonl', '--batch-size', '3', ...files]);
    expect(jsonl.code).toBe(0);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // File order, whatever the batches; the same numbers as one document.
    expect(lines.map((v) => v.id)).toEqual(many.map((v) => v.id));
    lines.forEach((v, i) =>
      v.probabilities.forEach((p: number, c: number) => expect(Math.abs(p - doc.videos[i].probabilities[c])).toBeLessThan(1e-6)),
    );
    // Not a terminal: plain lines, the last one saying how many videos and how fast.
    expect(jsonl.stderr).toMatch(/^predict: 40 videos in [\d.]+ s \([\d.]+ videos\/s\), \S+ \S+ read$/m);
    const whole = JSON.parse((await cli('evaluate.ts', ['--model', path.join(dir, 'model'), ...files])).stdout);
    expect(whole).toEqual(
      evaluate(
        doc.videos.map((v) => v.probabilities),
        many.map((v) => v.labels),
      ),
    );
  }, 60_000);

  it('cuts videos to --max-frames and says so', async () => {
    const long = [quantizedVideo(12, 7), quantizedVideo(3, 8)];
    await writeFile(path.join(dir, 'long.tfrecord'), writeTfRecordFeatures(long));
    const res = await cli('predict.ts', ['--model', path.join(dir, 'model'), '--max-frames', '5', path.join(dir, 'long.tfrecord')]);
    const doc = JSON.parse(res.stdout) as PredictionDocument;
    expect(doc.videos.map((v) => v.frames)).toEqual([5, 3]);
    expect(res.stderr).toMatch(
      /warning: \S*long\.tfrecord: 1 video was longer than the frame cap and cut to 5 frames \(7 frames left out\)/,
    );
    const bad = await cli('evaluate.ts', ['--model', path.join(dir, 'model'), '--max-frames', '0', path.join(dir, 'long.tfrecord')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--max-frames must be a positive whole number, not '0'/);
  }, 60_000);
});

describe('the command line converts a parameter folder and an inference model', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-cli-sets-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('a parameter folder with optimizer state and __model__, named after the folder', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 23);
    const folder = path.join(dir, 'pretrain');
    await mkdir(folder);
    for (const f of [
      ...writeParamFolder(new Map([...params, ...optimizerState(params, 'rmsprop')])),
      writeFluid1InferenceModel(params)[0],
    ]) {
      await writeFile(path.join(folder, f.name), f.bytes);
    }
    await writeFile(path.join(folder, '.DS_Store'), 'not a weight file'); // hidden files are left out
    const res = await cli('convert.ts', [folder, '--out', path.join(dir, 'm-folder')]);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/fluid1 AttentionLSTM \(rgb 12, audio 5, E 6, D 4, head 10\/8, 7 classes\)/);
    expect(res.stderr).toMatch(/converting pretrain: 100%/);
    expect(res.stderr).toMatch(/warning: pretrain: ignored __model__, an inference program/);
    expect(res.stderr).toMatch(/warning: pretrain: ignored 92 files that hold no parameter/);
    const json = JSON.parse(await readFile(path.join(dir, 'm-folder', 'model.json'), 'utf8'));
    expect(json.attentionLstm.source).toMatchObject({ file: 'pretrain', format: 'param-folder' });
    expect(json.attentionLstm.source.files).toHaveLength(30);
  }, 60_000);

  it('an inference model, as the folder export_model.py writes and as its two files, to the same weights', async () => {
    const pv = randomPaddleParams('paddlevideo2', SMALL_SIZES, 24);
    const m = writeInferenceModel(pv, SMALL_SIZES);
    const exported = path.join(dir, 'export');
    await mkdir(exported);
    for (const f of [m.pdmodel, m.pdiparams, m.info]) await writeFile(path.join(exported, f.name), f.bytes);
    const byFolder = await cli('convert.ts', [exported, '--out', path.join(dir, 'm-export')]);
    expect(byFolder.code).toBe(0);
    expect(byFolder.stdout).toMatch(/linear_0\.w_0\s+rgb\.embed\.w\s+\[12, 6\]/);
    expect(byFolder.stdout).toMatch(/paddlevideo2 AttentionLSTM/);
    expect(byFolder.stderr).toMatch(/warning: export: ignored AttentionLSTM\.pdiparams\.info/);
    const byPair = await cli('convert.ts', [
      path.join(exported, 'AttentionLSTM.pdiparams'),
      path.join(exported, 'AttentionLSTM.pdmodel'),
      '--out',
      path.join(dir, 'm-pair'),
    ]);
    expect(byPair.code).toBe(0);
    expect(byPair.stderr).toMatch(/converting AttentionLSTM\.pdmodel \+ AttentionLSTM\.pdiparams: 100%/);
    const a = JSON.parse(await readFile(path.join(dir, 'm-export', 'model.json'), 'utf8'));
    const b = JSON.parse(await readFile(path.join(dir, 'm-pair', 'model.json'), 'utf8'));
    expect(b.attentionLstm.source).toMatchObject({ file: 'AttentionLSTM.pdmodel + AttentionLSTM.pdiparams', format: 'inference-model' });
    expect(b.attentionLstm.source.sha256).toBe(a.attentionLstm.source.sha256);
    expect(b.weightsManifest).toEqual(a.weightsManifest);
    for (const p of a.weightsManifest[0].paths) {
      expect(await readFile(path.join(dir, 'm-pair', p))).toEqual(await readFile(path.join(dir, 'm-export', p)));
    }
  }, 60_000);

  it('a .pdiparams alone, or a folder with a file, says what is wrong in one line', async () => {
    const m = writeInferenceModel(randomPaddleParams('paddlevideo2', SMALL_SIZES, 25), SMALL_SIZES);
    const lone = path.join(dir, 'lone');
    await mkdir(lone);
    await writeFile(path.join(lone, m.pdiparams.name), m.pdiparams.bytes);
    const res = await cli('convert.ts', [lone, '--out', path.join(dir, 'm-lone')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe(
      'error: AttentionLSTM.pdiparams: holds 30 tensors shaped as the parameters of a PaddleVideo 2 inference model (.pdiparams), which store no names: give its .pdmodel with it\n',
    );
    const mixed = await cli('convert.ts', [lone, path.join(lone, m.pdiparams.name), '--out', path.join(dir, 'm-mixed')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/^error: give a folder alone, or two files/);
    const empty = path.join(dir, 'empty');
    await mkdir(empty);
    const none = await cli('convert.ts', [empty, '--out', path.join(dir, 'm-empty')]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/empty: the folder holds no files/);
  }, 60_000);
});
