import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../node/backend';
import '../node/gradients';
import { SMALL_SIZES, randomPaddleParams, randomVideo, rng, toRefParams } from '../../tools/testing/random';
import { convertAndLoad } from '../../tools/testing/memoryModel';
import { maxDiff } from '../../tools/testing/compare';
import { writePickledParams } from '../core/paddle/pdparamsPickle';
import { type Sizes, type Variant, canonicalTensors } from '../core/model/architecture';
import { type BatchInput, type WeightLayout, forward, opsBiLstm, paddedOpsBiLstm } from '../core/model/attentionLstm';
import { batchInput, createModel, packBatch, packRows, predictVideos } from '../core/model/model';
import { referenceForward } from '../../tools/testing/referenceModel';
import { PACKED_LINEAR_KERNEL, PACKED_LSTM_KERNEL, hasPackedKernel } from '../core/model/packedBatch';
import { registerPackedLstmCpu } from './packedLstmCpu';
import { registerPackedLstmWasm } from './packedLstmWasm';

const D37: Sizes = { ...SMALL_SIZES, lstm: 37, embed: 9 };

function randomModel(variant: Variant, sizes: Sizes, seed: number, scale: number, layout: WeightLayout) {
  const r = rng(seed);
  const arrays = new Map(
    canonicalTensors(variant, sizes).map(({ name, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return [name, Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale)] as const;
    }),
  );
  return createModel({ version: 1, variant, sizes, classNames: null, dtype: 'float32', source: null }, arrays, layout);
}

/** The packed kernel path (opsBiLstm in inference) against the padded op path, on one batch, every output. */
function comparePaths(model: ReturnType<typeof randomModel>, input: BatchInput) {
  const got = forward(model.weights, model.spec, input, opsBiLstm);
  const want = forward(model.weights, model.spec, input, paddedOpsBiLstm);
  const d = {
    probabilities: maxDiff(got.probabilities.dataSync(), want.probabilities.dataSync()),
    logits: maxDiff(got.logits.dataSync(), want.logits.dataSync()),
    pooled: maxDiff(got.pooled.dataSync(), want.pooled.dataSync()),
    attention: Math.max(
      maxDiff(got.attention.rgb.dataSync(), want.attention.rgb.dataSync()),
      maxDiff(got.attention.audio.dataSync(), want.attention.audio.dataSync()),
    ),
  };
  tf.dispose([got, want] as unknown as tf.Tensor[]);
  return d;
}

describe.each(['wasm', 'cpu'] as const)('the packed LSTM kernel on tfjs %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
    // The projections' kernel too (Node's backend leaves it out): held to the op path with the rest.
    await registerPackedLstmWasm({ projections: true });
    registerPackedLstmCpu();
  });

  it('is registered, and taken in inference only', () => {
    expect(hasPackedKernel()).toBe(true);
    // On wasm the projections have a kernel of their own too, so the tests below hold it to the op path as well.
    expect(tf.getKernel(PACKED_LINEAR_KERNEL, backend) !== undefined).toBe(backend === 'wasm');
    const spec = { variant: 'fluid1' as const, sizes: SMALL_SIZES, layout: 'in-out' as const };
    expect(opsBiLstm.packed!.available(spec)).toBe(true);
    expect(paddedOpsBiLstm.packed).toBeUndefined();
  });

  for (const variant of ['fluid1', 'paddlevideo2'] as Variant[]) {
    for (const layout of ['in-out', 'out-in'] as WeightLayout[]) {
      for (const [sizes, lengths] of [
        [D37, [6, 1, 9, 4, 9, 2]],
        [SMALL_SIZES, [5]],
        [D37, [3, 7]],
        [D37, [4, 4, 4]],
      ] as [Sizes, number[]][]) {
        it(`${variant}, ${layout}, D=${sizes.lstm}, lengths ${lengths}: the op path's outputs`, () => {
          const before = tf.memory().numTensors;
          const model = randomModel(variant, sizes, 3, 0.5, layout);
          const videos = lengths.map((n, i) => randomVideo(sizes, n, 40 + i));
          const input = packBatch(videos);
          const d = comparePaths(model, input);
          expect(d.probabilities).toBeLessThan(1e-6);
          expect(d.attention).toBeLessThan(1e-6);
          expect(d.pooled).toBeLessThan(2e-6);
          tf.dispose([input.rgb, input.audio]);
          model.dispose();
          expect(tf.memory().numTensors).toBe(before);
        });
      }
    }
  }

  it('packed rows built on the CPU give exactly what the padded upload gives, and are what inference takes', () => {
    const before = tf.memory().numTensors;
    const model = randomModel('paddlevideo2', D37, 6, 0.5, 'in-out');
    const videos = [6, 1, 9, 4, 9, 2].map((n, i) => randomVideo(D37, n, 60 + i));
    const padded = packBatch(videos);
    const rows = packRows(videos);
    expect(rows.rgb.shape).toEqual([31, D37.rgbDim]);
    const [a, b] = [forward(model.weights, model.spec, padded, opsBiLstm), forward(model.weights, model.spec, rows, opsBiLstm)];
    for (const k of ['probabilities', 'logits', 'pooled'] as const)
      expect(Array.from(b[k].dataSync())).toEqual(Array.from(a[k].dataSync()));
    expect(Array.from(b.attention.rgb.dataSync())).toEqual(Array.from(a.attention.rgb.dataSync()));
    // The padded op path cannot take packed rows; training (the tape on) gets the padded batch.
    expect(() => forward(model.weights, model.spec, rows, paddedOpsBiLstm)).toThrow(/packed rows/);
    const inference = batchInput(videos, model.spec, opsBiLstm);
    expect('layout' in inference).toBe(true);
    tf.dispose([inference.rgb, inference.audio]);
    const bias = tf.variable(model.weights['head.logit.b']);
    tf.tidy(() => {
      const taped = tf.variableGrads(() => {
        const input = batchInput(videos, model.spec, opsBiLstm);
        expect('layout' in input).toBe(false);
        return tf.sum(forward({ ...model.weights, 'head.logit.b': bias }, model.spec, input, opsBiLstm).logits) as tf.Scalar;
      }, [bias]);
      expect(Number.isFinite(taped.value.dataSync()[0])).toBe(true);
    });
    tf.dispose([a, b] as unknown as tf.Tensor[]);
    tf.dispose([padded.rgb, padded.audio, rows.rgb, rows.audio, bias]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it("fluid1's clamped sigmoid: saturated gates give the op path's outputs", () => {
    const model = randomModel('fluid1', D37, 8, 3, 'in-out');
    const input = packBatch([9, 4, 7].map((n, i) => randomVideo(D37, n, 70 + i)));
    const d = comparePaths(model, input);
    // Weights this large amplify float32 rounding through the head; the recurrence's outputs agree to rounding.
    expect(d.pooled).toBeLessThan(2e-6);
    expect(Math.max(d.probabilities, d.attention)).toBeLessThan(1e-5);
    // And the clamp is exercised: the same kernel call without it gives other outputs.
    const D = D37.lstm;
    const r = rng(5);
    const inputs: tf.NamedTensorMap = { bias: tf.zeros([4, 4 * D]), peep: tf.zeros([4, 3, D]) };
    for (let l = 0; l < 4; l++) {
      inputs[`G${l}`] = tf.tensor2d(
        Float32Array.from({ length: 6 * 4 * D }, () => (r() * 2 - 1) * 60),
        [6, 4 * D],
      );
      inputs[`W${l}`] = tf.tensor2d(
        Float32Array.from({ length: D * 4 * D }, () => (r() * 2 - 1) * 0.3),
        [D, 4 * D],
      );
    }
    const run = (clamped: boolean) =>
      tf.engine().runKernel(PACKED_LSTM_KERNEL, inputs, { sortedLengths: [4, 2], D, peepholes: false, clamped }) as tf.Tensor[];
    const [a, b] = [run(true), run(false)];
    expect(maxDiff(a[0].dataSync(), b[0].dataSync())).toBeGreaterThan(1e-6);
    tf.dispose([...a, ...b, ...Object.values(inputs)]);
    tf.dispose([input.rgb, input.audio]);
    model.dispose();
  });

  for (const variant of ['fluid1', 'paddlevideo2'] as Variant[]) {
    it(`${variant}: predictVideos against the float64 reference within 1e-5, each video alone as in a batch`, async () => {
      const params = randomPaddleParams(variant, D37, 21, 0.5);
      const model = await convertAndLoad('random.pdparams', writePickledParams(params, { protocol: 2 }));
      const videos = [9, 3, 1, 7, 9, 5, 2].map((n, i) => randomVideo(D37, n, 50 + i));
      const got = await predictVideos(model, videos, { batchSize: 4 });
      const ref = toRefParams(params);
      let worst = 0;
      for (const [i, v] of videos.entries()) {
        const want = referenceForward(ref, variant, Float64Array.from(v.rgb), Float64Array.from(v.audio), v.frames);
        worst = Math.max(
          worst,
          maxDiff(got[i].probabilities, want.probabilities),
          maxDiff(got[i].attention.rgb, want.attention.rgb),
          maxDiff(got[i].attention.audio, want.attention.audio),
        );
        const [alone] = await predictVideos(model, [v]);
        expect(maxDiff(alone.probabilities, got[i].probabilities)).toBeLessThan(1e-6);
      }
      expect(worst).toBeLessThanOrEqual(1e-5);
      const p = got[0].probabilities;
      expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
      model.dispose();
    });
  }

  it('training still runs the differentiable op path (gradients flow through the recurrence)', () => {
    const model = randomModel('fluid1', SMALL_SIZES, 4, 0.5, 'in-out');
    const input = packBatch([5, 3].map((n, i) => randomVideo(SMALL_SIZES, n, 90 + i)));
    const wh = tf.variable(model.weights['rgb.fw.wh']);
    const weights = { ...model.weights, 'rgb.fw.wh': wh };
    const { value, grads } = tf.variableGrads(() => tf.sum(forward(weights, model.spec, input).logits) as tf.Scalar, [wh]);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Math.max(...grads[wh.name].abs().dataSync())).toBeGreaterThan(0);
    tf.dispose([value, wh, ...Object.values(grads), input.rgb, input.audio]);
    model.dispose();
  });
});
