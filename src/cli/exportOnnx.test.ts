import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFeatureFile } from '../core/features/read';
import type { PredictionDocument } from '../core/predictionDocument';
import { maxDiff } from '../../tools/testing/compare';
import { paddedFrames } from '../core/features/padded';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const cli = async (script: string, args: string[]) =>
  run(tsx, [path.join(root, 'src/cli', script), ...args], { cwd: root, maxBuffer: 64 << 20 });
const SAMPLE = path.join(root, 'public/samples/demo-samples-a.tfrecord');

describe('npm run export -- --format onnx', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-onnx-'));
    ort.env.wasm.numThreads = 1;
    ort.env.wasm.wasmPaths = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')) + '/';
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the demo model as an ONNX graph that ONNX Runtime runs to the predictions of npm run predict', async () => {
    const out = path.join(dir, 'demo.onnx');
    const exported = await cli('export.ts', ['--model', 'public/models/demo', '--format', 'onnx', '--out', out]);
    expect(exported.stderr).toMatch(/fluid1 model with 10 classes written to .*demo\.onnx as onnx/);
    const want = JSON.parse((await cli('predict.ts', ['--model', 'public/models/demo', SAMPLE])).stdout) as PredictionDocument;

    const { videos } = readFeatureFile(new Uint8Array(await readFile(SAMPLE)), SAMPLE);
    expect(videos.length).toBe(want.videos.length);
    const B = videos.length;
    const T = Math.max(...videos.map((v) => v.frames));
    const session = await ort.InferenceSession.create(new Uint8Array(await readFile(out)));
    const got = await session.run({
      rgb: new ort.Tensor('float32', paddedFrames(videos, 'rgb', T), [B, T, videos[0].rgbDim]),
      audio: new ort.Tensor('float32', paddedFrames(videos, 'audio', T), [B, T, videos[0].audioDim]),
      lengths: new ort.Tensor('int32', Int32Array.from(videos.map((v) => v.frames)), [B]),
    });
    await session.release();
    const C = want.videos[0].probabilities.length;
    const probs = got.probabilities.data as Float32Array;
    const att = got.attention_rgb.data as Float32Array;
    const attAudio = got.attention_audio.data as Float32Array;
    let worst = 0;
    want.videos.forEach((v, b) => {
      worst = Math.max(
        worst,
        maxDiff(probs.subarray(b * C, (b + 1) * C), v.probabilities),
        maxDiff(att.subarray(b * T, b * T + v.frames), v.attention.rgb),
        maxDiff(attAudio.subarray(b * T, b * T + v.frames), v.attention.audio),
      );
    });
    process.stderr.write(`ONNX demo model against npm run predict: ${worst.toExponential(2)}\n`);
    expect(worst).toBeLessThanOrEqual(1e-5);
  }, 120_000);

  it('names onnx in the usage line and exits 2 on an unknown format', async () => {
    const err = await cli('export.ts', ['--model', 'public/models/demo', '--format', 'onnnx', '--out', path.join(dir, 'x.onnx')]).catch(
      (e) => e,
    );
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/onnx/);
  });
});
