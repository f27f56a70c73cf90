import { createRequire } from 'node:module';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import { SMALL_SIZES, randomPaddleParams, randomVideo } from '../../../tools/testing/random';
import { convertAndLoad } from '../../../tools/testing/memoryModel';
import { maxDiff } from '../../../tools/testing/compare';
import { writePickledParams } from '../paddle/pdparamsPickle';
import { type LoadedModel, predictVideos, readWeights } from '../model/model';
import type { Sizes, Variant } from '../model/architecture';
import type { VideoFeatures } from '../features/featureTypes';
import type { NdArray } from '../ndarray';
import { InputError } from '../errors';
import { ModelProtoType, ONNX_OPSET, toOnnx } from './onnx';
import { exportModel } from './exportModel';
import { EXPORT_FORMATS, EXPORT_FORMAT_LABELS } from './formats';
import { paddedFrames } from '../features/padded';

const LENGTHS = [7, 3, 1, 5, 7];
const D37: Sizes = { ...SMALL_SIZES, lstm: 37, embed: 9, head1: 12 };

/** Runs an exported graph on ONNX Runtime Web (wasm, one thread) for a padded batch. */
async function runOnnx(bytes: Uint8Array, sizes: Sizes, videos: readonly VideoFeatures[]) {
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const B = videos.length;
  const T = Math.max(...videos.map((v) => v.frames));
  const out = await session.run({
    rgb: new ort.Tensor('float32', paddedFrames(videos, 'rgb', T), [B, T, sizes.rgbDim]),
    audio: new ort.Tensor('float32', paddedFrames(videos, 'audio', T), [B, T, sizes.audioDim]),
    lengths: new ort.Tensor('int32', Int32Array.from(videos.map((v) => v.frames)), [B]),
  });
  await session.release();
  const p = out.probabilities.data as Float32Array;
  const ar = out.attention_rgb.data as Float32Array;
  const aa = out.attention_audio.data as Float32Array;
  expect(out.probabilities.dims).toEqual([B, sizes.classes]);
  expect(out.attention_rgb.dims).toEqual([B, T]);
  const C = sizes.classes;
  return videos.map((v, b) => ({
    probabilities: p.slice(b * C, (b + 1) * C),
    attention: { rgb: ar.slice(b * T, b * T + v.frames), audio: aa.slice(b * T, b * T + v.frames) },
    padding: [...ar.slice(b * T + v.frames, (b + 1) * T), ...aa.slice(b * T + v.frames, (b + 1) * T)],
  }));
}

async function modelOf(variant: Variant, params: Map<string, NdArray>): Promise<LoadedModel> {
  return convertAndLoad('random.pdparams', writePickledParams(params, { protocol: 2 }));
}

/** Largest differences between the project's predictions and ONNX Runtime's for the same videos. */
async function compare(model: LoadedModel, videos: VideoFeatures[]) {
  const want = await predictVideos(model, videos, { batchSize: videos.length });
  const bytes = toOnnx(model.meta, await readWeights(model));
  const got = await runOnnx(bytes, model.meta.sizes, videos);
  let prob = 0;
  let att = 0;
  let padding = 0;
  videos.forEach((_, i) => {
    prob = Math.max(prob, maxDiff(got[i].probabilities, want[i].probabilities));
    att = Math.max(att, maxDiff(got[i].attention.rgb, want[i].attention.rgb), maxDiff(got[i].attention.audio, want[i].attention.audio));
    padding = Math.max(padding, ...got[i].padding.map(Math.abs));
  });
  return { prob, att, padding, want, got, bytes };
}

describe('ONNX export, run on ONNX Runtime Web (wasm) against the project (tfjs wasm)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
    ort.env.wasm.numThreads = 1;
    const require = createRequire(import.meta.url);
    ort.env.wasm.wasmPaths = path.dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')) + '/';
    ort.env.logLevel = 'error';
  });

  const cases: { variant: Variant; sizes: Sizes; lengths: number[]; scale: number }[] = [
    { variant: 'fluid1', sizes: SMALL_SIZES, lengths: LENGTHS, scale: 0.8 },
    { variant: 'paddlevideo2', sizes: SMALL_SIZES, lengths: LENGTHS, scale: 0.8 },
    { variant: 'fluid1', sizes: D37, lengths: [9, 2, 6, 9, 1, 4], scale: 0.4 },
    { variant: 'paddlevideo2', sizes: D37, lengths: [9, 2, 6, 9, 1, 4], scale: 0.4 },
    { variant: 'fluid1', sizes: D37, lengths: [11], scale: 0.4 },
  ];
  for (const c of cases) {
    it(`${c.variant}, D=${c.sizes.lstm}, lengths ${c.lengths.join(' ')}: probabilities and attention within 1e-5`, async () => {
      const model = await modelOf(c.variant, randomPaddleParams(c.variant, c.sizes, 11, c.scale));
      const videos = c.lengths.map((n, i) => randomVideo(c.sizes, n, 300 + i));
      const r = await compare(model, videos);
      process.stderr.write(
        `ONNX ${c.variant} D=${c.sizes.lstm}: probabilities ${r.prob.toExponential(2)}, attention ${r.att.toExponential(2)}\n`,
      );
      expect(r.prob).toBeLessThanOrEqual(1e-5);
      expect(r.att).toBeLessThanOrEqual(1e-5);
      expect(r.padding).toBe(0);
      // Not trivially flat, so the comparison means something.
      const p = r.want[0].probabilities;
      expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
      expect(Math.max(...r.want[0].attention.rgb) - Math.min(...r.want[0].attention.rgb)).toBeGreaterThan(1e-3);
      model.dispose();
    });
  }

  it('gives a video the same result alone as padded in a batch', async () => {
    const model = await modelOf('fluid1', randomPaddleParams('fluid1', SMALL_SIZES, 4));
    const videos = LENGTHS.map((n, i) => randomVideo(SMALL_SIZES, n, 400 + i));
    const bytes = toOnnx(model.meta, await readWeights(model));
    const batched = await runOnnx(bytes, SMALL_SIZES, videos);
    const [alone] = await runOnnx(bytes, SMALL_SIZES, [videos[2]]);
    expect(maxDiff(alone.probabilities, batched[2].probabilities)).toBeLessThan(1e-6);
    expect(maxDiff(alone.attention.rgb, batched[2].attention.rgb)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('holds the graph described in docs/onnx.md: one bidirectional LSTM per modality, peepholes for fluid1 only', async () => {
    for (const variant of ['fluid1', 'paddlevideo2'] as const) {
      const model = await modelOf(variant, randomPaddleParams(variant, SMALL_SIZES, 3));
      const decoded = ModelProtoType.toObject(ModelProtoType.decode(toOnnx(model.meta, await readWeights(model))), {
        longs: Number,
        bytes: Array,
      }) as {
        opsetImport: { version: number }[];
        graph: {
          node: { opType: string; input: string[]; attribute: { name: string; s?: number[]; i?: number }[] }[];
          input: { name: string }[];
          output: { name: string }[];
          initializer: { name: string; dims: number[] }[];
        };
        metadataProps: { key: string; value: string }[];
      };
      expect(decoded.opsetImport[0].version).toBe(ONNX_OPSET);
      const { graph } = decoded;
      expect(graph.input.map((x) => x.name)).toEqual(['rgb', 'audio', 'lengths']);
      expect(graph.output.map((x) => x.name)).toEqual(['probabilities', 'attention_rgb', 'attention_audio']);
      const lstms = graph.node.filter((n) => n.opType === 'LSTM');
      expect(lstms).toHaveLength(2);
      for (const n of lstms) {
        const dir = n.attribute.find((a) => a.name === 'direction')!;
        expect(String.fromCharCode(...dir.s!)).toBe('bidirectional');
        expect(n.attribute.find((a) => a.name === 'hidden_size')!.i).toBe(SMALL_SIZES.lstm);
        expect(n.input[4]).toBe('lengths');
        expect(n.input.length).toBe(variant === 'fluid1' ? 8 : 5);
      }
      const shapes = new Map(graph.initializer.map((t) => [t.name, t.dims]));
      expect(shapes.get('rgb.lstm.W')).toEqual([2, 4 * SMALL_SIZES.lstm, SMALL_SIZES.embed]);
      expect(shapes.get('audio.lstm.R')).toEqual([2, 4 * SMALL_SIZES.lstm, SMALL_SIZES.lstm]);
      expect(shapes.has('rgb.lstm.P')).toBe(variant === 'fluid1');
      expect(graph.node.filter((n) => n.opType === 'Mul')).toHaveLength(variant === 'fluid1' ? 2 : 0);
      expect(decoded.metadataProps.find((p) => p.key === 'variant')!.value).toBe(variant);
      model.dispose();
    }
  });

  it("measures what fluid1's clamped sigmoid changes when gate pre-activations exceed 13", async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 21, 0.8);
    // Drive the input, forget and output gates far past the clamp: +20 on their bias (dynamic_lstm's
    // bias row is c~, i, f, o, then the peepholes) in every LSTM. Paddle (and the project) compute
    // sigmoid(13) = 1 - 2.3e-6 there, ONNX sigmoid(20+) = 1 - 2e-9.
    const D = SMALL_SIZES.lstm;
    for (const [name, t] of params) {
      if (!/^lstm_\d\.b_0$/.test(name)) continue;
      const b = t.data as Float32Array;
      for (let j = D; j < 4 * D; j++) b[j] += 20;
    }
    const model = await modelOf('fluid1', params);
    const short = await compare(
      model,
      LENGTHS.map((n, i) => randomVideo(SMALL_SIZES, n, 500 + i)),
    );
    const long = await compare(
      model,
      [300, 200].map((n, i) => randomVideo(SMALL_SIZES, n, 600 + i)),
    );
    for (const [what, r] of [
      ['1..7 frames', short],
      ['300 and 200 frames', long],
    ] as const) {
      process.stderr.write(
        `ONNX fluid1, gates saturated past the clamp, ${what}: probabilities ${r.prob.toExponential(2)}, attention ${r.att.toExponential(2)}\n`,
      );
    }
    // The clamp is exercised: differences well above float32's noise (about 1e-7 in the cases above) ...
    expect(Math.max(short.prob, short.att)).toBeGreaterThan(4e-7);
    // ... small on short videos, and growing with the length, as the cell state carries them along.
    expect(Math.max(short.prob, short.att)).toBeLessThan(1e-5);
    expect(Math.max(long.prob, long.att)).toBeGreaterThan(Math.max(short.prob, short.att));
    expect(Math.max(long.prob, long.att)).toBeLessThan(1e-4);
    model.dispose();
  });

  it('is one of the export formats: exportModel names it <base>.onnx', async () => {
    expect(EXPORT_FORMATS).toContain('onnx');
    expect(EXPORT_FORMAT_LABELS.onnx).toMatch(/onnx/i);
    const model = await modelOf('paddlevideo2', randomPaddleParams('paddlevideo2', SMALL_SIZES, 8));
    const weights = await readWeights(model);
    const file = await exportModel(model.meta, weights, 'onnx', 'tuned');
    expect(file.name).toBe('tuned.onnx');
    expect(file.bytes).toEqual(toOnnx(model.meta, weights));
    weights.delete('head.logit.b');
    expect(() => toOnnx(model.meta, weights)).toThrow(InputError);
    model.dispose();
  });
});
