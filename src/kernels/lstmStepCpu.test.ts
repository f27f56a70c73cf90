import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../node/backend';
import { SMALL_SIZES, randomPaddleParams, randomVideo, rng } from '../../tools/testing/random';
import { convertAndLoad } from '../../tools/testing/memoryModel';
import { writePickledParams } from '../core/paddle/pdparamsPickle';
import { type Sizes, type Variant, canonicalTensors } from '../core/model/architecture';
import {
  type BatchGeometry,
  type GateInputs,
  type ModelSpec,
  type WeightLayout,
  type WeightTensors,
  batchGeometry,
  paddedOpsBiLstm,
} from '../core/model/attentionLstm';
import { type PackedGateInputs, type PackedLayout, packedLayout } from '../core/model/packedBatch';
import { createModel, predictVideos } from '../core/model/model';
import { cpuTwinBiLstm } from '../../tools/testing/lstmStepCpu';
import { LSTM_ORDER } from './packing';
import { maxDiff } from '../../tools/testing/compare';

/** Canonical weights with uniform values in [-scale, scale], on the current backend. */
function randomWeights(variant: Variant, sizes: Sizes, seed: number, scale: number, layout: WeightLayout) {
  const r = rng(seed);
  const arrays = new Map(
    canonicalTensors(variant, sizes).map(({ name, shape }) => {
      const n = shape.reduce((a, b) => a * b, 1);
      return [name, Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale)] as const;
    }),
  );
  const meta = { version: 1, variant, sizes, classNames: null, dtype: 'float32' as const, source: null };
  return createModel(meta, arrays, layout);
}

function randomGates(B: number, T: number, D: number, seed: number, scale: number): GateInputs {
  const r = rng(seed);
  const g = () =>
    tf.tensor3d(
      Float32Array.from({ length: B * T * 4 * D }, () => (r() * 2 - 1) * scale),
      [B, T, 4 * D],
    );
  return { rgb: { fw: g(), bw: g() }, audio: { fw: g(), bw: g() } };
}

/** The packed rows of padded gate inputs [B, T, 4D]. */
function packGates(G: GateInputs, layout: PackedLayout): PackedGateInputs {
  const rows = tf.tensor1d(layout.sourceRows, 'int32');
  const p = (g: tf.Tensor3D) => tf.gather(tf.reshape(g, [layout.B * layout.T, g.shape[2]]), rows) as tf.Tensor2D;
  const out = { rgb: { fw: p(G.rgb.fw), bw: p(G.rgb.bw) }, audio: { fw: p(G.audio.fw), bw: p(G.audio.bw) } };
  rows.dispose();
  return out;
}

/** The twin's packed outputs against the op path's padded ones, at every real frame of every video. */
function compareLstms(G: GateInputs, w: WeightTensors, spec: ModelSpec, geo: BatchGeometry, BT: number, U = 2): number {
  const D = spec.sizes.lstm;
  const want = paddedOpsBiLstm(G, w, spec, geo);
  const layout = packedLayout(geo.lengths, geo.T);
  const PG = packGates(G, layout);
  const got = cpuTwinBiLstm(BT, U).packed.run(PG, w, spec, layout);
  let worst = 0;
  for (const { m, d } of LSTM_ORDER) {
    const a = got[m].dataSync();
    const b = want[m][d].dataSync();
    expect(got[m].shape).toEqual([layout.N, 2 * D]);
    for (let v = 0; v < geo.B; v++) {
      for (let t = 0; t < geo.lengths[v]; t++) {
        const row = layout.paddedRows[v * geo.T + t];
        for (let j = 0; j < D; j++) {
          const diff = Math.abs(a[row * 2 * D + (d === 'bw' ? D : 0) + j] - b[(v * geo.T + t) * D + j]);
          worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff);
        }
      }
    }
  }
  tf.dispose([want, got, PG] as unknown as tf.Tensor[]);
  return worst;
}

const D37: Sizes = { ...SMALL_SIZES, lstm: 37, embed: 9 };

describe('the CPU twin of the fused LSTM step (packed batches) against the op path (lstmOps)', () => {
  beforeAll(() => useBackend('cpu'));

  for (const variant of ['fluid1', 'paddlevideo2'] as Variant[]) {
    for (const layout of ['in-out', 'out-in'] as WeightLayout[]) {
      for (const [sizes, BT, U] of [
        [SMALL_SIZES, 1, 1],
        [SMALL_SIZES, 4, 2],
        [D37, 2, 2],
        [D37, 8, 4],
      ] as [Sizes, number, number][]) {
        it(`${variant}, ${layout}, D=${sizes.lstm}, batch tile ${BT}, ${U} units per invocation: h at every frame of all four LSTMs`, () => {
          const model = randomWeights(variant, sizes, 3, 0.4, layout);
          const lengths = [6, 1, 4, 6, 2];
          const geo = batchGeometry(lengths, 6);
          const G = randomGates(lengths.length, 6, sizes.lstm, 9, 1.5);
          expect(compareLstms(G, model.weights, model.spec, geo, BT, U)).toBeLessThan(1e-6);
          tf.dispose([G, geo.mask] as unknown as tf.Tensor[]);
          model.dispose();
        });
      }
    }
  }

  it("fluid1's clamped sigmoid: saturated gates agree, and the clamp changes the result", () => {
    const D = 5;
    const sizes = { ...SMALL_SIZES, lstm: D };
    const lengths = [8, 5];
    const geo = batchGeometry(lengths, 8);
    // Gate inputs far past the clamp at 13 (and -40) make the forget gate 1 - 2.3e-6 instead of 1.
    const G = randomGates(2, 8, D, 4, 60);
    const fluid = randomWeights('fluid1', sizes, 5, 0.3, 'in-out');
    expect(compareLstms(G, fluid.weights, fluid.spec, geo, 2)).toBeLessThan(1e-6);
    const plain = { ...fluid.spec, variant: 'paddlevideo2' as const };
    const layout = packedLayout(lengths, 8);
    const PG = packGates(G, layout);
    const a = cpuTwinBiLstm(2).packed.run(PG, fluid.weights, fluid.spec, layout).rgb.dataSync();
    const b = cpuTwinBiLstm(2).packed.run(PG, fluid.weights, plain, layout).rgb.dataSync();
    expect(maxDiff(a, b)).toBeGreaterThan(1e-6);
    fluid.dispose();
  });

  for (const variant of ['fluid1', 'paddlevideo2'] as Variant[]) {
    it(`${variant}: the whole model through the twin, probabilities and attention within 1e-5`, async () => {
      const params = randomPaddleParams(variant, D37, 21, 0.5);
      const model = await convertAndLoad('random.pdparams', writePickledParams(params, { protocol: 2 }));
      const videos = [9, 3, 1, 7, 9, 5].map((n, i) => randomVideo(D37, n, 50 + i));
      const want = await predictVideos(model, videos, { batchSize: 6 });
      const got = await predictVideos(model, videos, { batchSize: 6, biLstm: cpuTwinBiLstm(4) });
      let worst = 0;
      videos.forEach((_, i) => {
        worst = Math.max(
          worst,
          maxDiff(got[i].probabilities, want[i].probabilities),
          maxDiff(got[i].attention.rgb, want[i].attention.rgb),
          maxDiff(got[i].attention.audio, want[i].attention.audio),
        );
      });
      expect(worst).toBeLessThanOrEqual(1e-5);
      const p = want[0].probabilities;
      expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
      model.dispose();
    });
  }
});
