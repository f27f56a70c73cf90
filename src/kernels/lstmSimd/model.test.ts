import { beforeAll, describe, expect, it } from 'vitest';
import { modelFiles } from '../../core/convert/fromWeights';
import { type Sizes, type Variant, canonicalTensors } from '../../core/model/architecture';
import { createModel, predictVideos } from '../../core/model/model';
import { referenceForward } from '../../../tools/testing/referenceModel';
import { paddleTensorSpecs } from '../../core/model/paddleLayout';
import { useBackend } from '../../node/backend';
import { SMALL_SIZES, randomPaddleParams, randomVideo, rng, toRefParams } from '../../../tools/testing/random';
import { maxDiff } from '../../../tools/testing/compare';
import { SimdModel } from './model';
import { setBetweenSteps } from './recurrence';

const D37: Sizes = { ...SMALL_SIZES, lstm: 37, embed: 9 };
/** Widths that are whole panels and vectors (the kernels' four-at-a-time paths), head widths that are not. */
const D64: Sizes = { rgbDim: 40, audioDim: 8, embed: 32, lstm: 64, head1: 48, head2: 36, classes: 29 };

function meta(variant: Variant, sizes: Sizes) {
  return { version: 1, variant, sizes, classNames: null, dtype: 'float32' as const, source: null };
}

/** Canonical weights from random Paddle tensors (the converter's mapping), with the float64 reference's parameters. */
function randomWeights(variant: Variant, sizes: Sizes, seed: number, scale = 0.5) {
  const params = randomPaddleParams(variant, sizes, seed, scale);
  const weights = new Map<string, Float32Array>();
  for (const spec of paddleTensorSpecs(variant, sizes)) {
    for (const { name, data } of spec.toCanonical(params.get(spec.name)!.data as Float32Array)) weights.set(name, data);
  }
  return { weights, ref: toRefParams(params) };
}

describe('SimdModel: the whole forward pass on the SIMD kernels', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  for (const variant of ['fluid1', 'paddlevideo2'] as Variant[]) {
    for (const [sizes, lengths] of [
      [D37, [9, 3, 1, 7, 9, 5, 2]],
      [SMALL_SIZES, [5]],
      [D64, [12, 1, 7, 30]],
    ] as [Sizes, number[]][]) {
      it(`${variant}, D=${sizes.lstm}, lengths ${lengths}: the float64 reference within 1e-6, and tfjs's packed path`, async () => {
        const { weights, ref } = randomWeights(variant, sizes, 21);
        const model = await SimdModel.fromWeights(meta(variant, sizes), weights);
        const videos = lengths.map((n, i) => randomVideo(sizes, n, 50 + i));
        const got = await model.predict(videos);
        const tfjs = createModel(meta(variant, sizes), weights, 'in-out');
        const want = await predictVideos(tfjs, videos, { batchSize: videos.length });
        for (const [i, v] of videos.entries()) {
          const r = referenceForward(ref, variant, Float64Array.from(v.rgb), Float64Array.from(v.audio), v.frames);
          expect(maxDiff(got[i].probabilities, r.probabilities)).toBeLessThan(1e-6);
          expect(maxDiff(got[i].attention.rgb, r.attention.rgb)).toBeLessThan(1e-6);
          expect(maxDiff(got[i].attention.audio, r.attention.audio)).toBeLessThan(1e-6);
          expect(maxDiff(got[i].logits, r.logits)).toBeLessThan(1e-5);
          expect(got[i].attention.rgb.length).toBe(v.frames);
          expect(maxDiff(got[i].probabilities, want[i].probabilities)).toBeLessThan(1e-6);
        }
        const p = got[0].probabilities;
        expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
        tfjs.dispose();
        model.dispose();
      });
    }
  }

  it("fluid1's clamped sigmoid: saturated gates as the float64 reference has them", async () => {
    const { weights, ref } = randomWeights('fluid1', D37, 8, 3);
    const model = await SimdModel.fromWeights(meta('fluid1', D37), weights);
    const videos = [9, 4, 7].map((n, i) => randomVideo(D37, n, 70 + i));
    const got = await model.predict(videos);
    for (const [i, v] of videos.entries()) {
      const r = referenceForward(ref, 'fluid1', Float64Array.from(v.rgb), Float64Array.from(v.audio), v.frames);
      // Weights this large amplify float32 rounding through the head (tfjs's path is held to 1e-5 here too).
      expect(maxDiff(got[i].probabilities, r.probabilities)).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it('gives each video the same outputs alone, in any batch, and in batches cut by a small memory budget', async () => {
    const { weights } = randomWeights('paddlevideo2', D64, 3);
    const model = await SimdModel.fromWeights(meta('paddlevideo2', D64), weights);
    const videos = [30, 2, 17, 17, 1, 44, 9].map((n, i) => randomVideo(D64, n, 80 + i));
    const all = await model.predict(videos);
    const small = await model.predict(videos, { budgetBytes: 40 * model.bytesPerFrame() });
    const pairs = await model.predict(videos, { batchSize: 2 });
    for (const [i, v] of videos.entries()) {
      const [alone] = await model.predict([v]);
      for (const other of [small[i], pairs[i], alone]) {
        expect(maxDiff(other.probabilities, all[i].probabilities)).toBeLessThan(1e-6);
        expect(maxDiff(other.attention.audio, all[i].attention.audio)).toBeLessThan(1e-6);
      }
    }
    model.dispose();
  });

  it("calls the page's pause point between steps and panels, and gives the same outputs with it", async () => {
    const { weights } = randomWeights('fluid1', D64, 4);
    const model = await SimdModel.fromWeights(meta('fluid1', D64), weights);
    const videos = [12, 1, 7, 30].map((n, i) => randomVideo(D64, n, 90 + i));
    const before = await model.predict(videos);
    let calls = 0;
    setBetweenSteps(() => calls++);
    try {
      const during = await model.predict(videos);
      for (const [i, p] of during.entries()) expect(Array.from(p.probabilities)).toEqual(Array.from(before[i].probabilities));
    } finally {
      setBetweenSteps(null);
    }
    // Each of the four LSTMs' 30 steps at least.
    expect(calls).toBeGreaterThanOrEqual(4 * 30);
    model.dispose();
  });

  it('loads a converted model shard by shard in any split, float32 or float16, and refuses a short or long one', async () => {
    const sizes = D37;
    const r = rng(4);
    const weights = new Map(
      canonicalTensors('fluid1', sizes).map(({ name, shape }) => [
        name,
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) * 0.5),
      ]),
    );
    const video = randomVideo(sizes, 6, 1);
    const direct = await SimdModel.fromWeights(meta('fluid1', sizes), weights);
    const [want] = await direct.predict([video]);
    direct.dispose();
    for (const dtype of ['float32', 'float16'] as const) {
      const { json } = await modelFiles(meta('fluid1', sizes), weights, dtype);
      const { shards } = await modelFiles(meta('fluid1', sizes), weights, dtype);
      const bytes = new Uint8Array([...json.weightsManifest[0].paths].flatMap((p) => [...shards.get(p)!]));
      for (const piece of [1, 7, 1000, bytes.length]) {
        const model = await SimdModel.create({ ...meta('fluid1', sizes), dtype });
        const sink = model.weightSink(json.weightsManifest[0].weights);
        for (let at = 0; at < bytes.length;) {
          const space = sink.space(Math.min(piece, bytes.length - at));
          space.set(bytes.subarray(at, at + space.length));
          sink.wrote(space.length);
          at += space.length;
        }
        sink.finish();
        const [got] = await model.predict([video]);
        expect(maxDiff(got.probabilities, want.probabilities)).toBeLessThan(dtype === 'float32' ? 1e-7 : 1e-2);
        if (dtype === 'float32') expect(Array.from(got.probabilities)).toEqual(Array.from(want.probabilities));
        model.dispose();
      }
      const short = await SimdModel.create(meta('fluid1', sizes));
      const s = short.weightSink(json.weightsManifest[0].weights);
      const space = s.space(bytes.length - 3);
      space.set(bytes.subarray(0, space.length));
      s.wrote(space.length);
      expect(() => s.finish()).toThrow(/end inside/);
      short.dispose();
      const long = await SimdModel.create(meta('fluid1', sizes));
      const l = long.weightSink(json.weightsManifest[0].weights);
      for (const part of [bytes, new Uint8Array(8)]) {
        const room = l.space(part.length);
        room.set(part.subarray(0, room.length));
        l.wrote(room.length);
      }
      expect(() => l.finish()).toThrow(/8 bytes more than the weights hold/);
      long.dispose();
    }
  });

  it('refuses videos of other widths, naming the video', async () => {
    const { weights } = randomWeights('fluid1', SMALL_SIZES, 1);
    const model = await SimdModel.fromWeights(meta('fluid1', SMALL_SIZES), weights);
    await expect(model.predict([{ ...randomVideo(D64, 3, 1), file: 'x.tfrecord' }])).rejects.toThrow(
      /x\.tfrecord: video 0 .*rgb features of width 40, the model expects 12/,
    );
    model.dispose();
  });
});
