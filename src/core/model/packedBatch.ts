import * as tf from '@tensorflow/tfjs-core';
import { BEHAVIOUR, DIRECTIONS, MODALITIES, type Modality } from './architecture';
import type { PackedLayout } from './packedLayout';
import type { LinearFn, ModelSpec, WeightTensors } from './attentionLstm';

export { type PackedLayout, packedLayout, packedSteps } from './packedLayout';

/** Input projections of the four LSTMs on the packed rows, [N, 4D] each (x W_x + b_x; gates i, f, c~, o). */
export type PackedGateInputs = Record<Modality, { fw: tf.Tensor2D; bw: tf.Tensor2D }>;
/** The BiLSTM output per packed row, [N, 2D] per modality: [h_fw | h_bw] of that frame (before the variant's output scale). */
export type PackedLstmOutputs = Record<Modality, tf.Tensor2D>;

/**
 * The recurrence of all four LSTMs over a packed batch: what a backend's fast
 * inference path provides (a kernel of its own for wasm and cpu, the fused
 * WGSL step on WebGPU). Inference only: implementations need not be
 * differentiable, and encode() asks `available` first (it is false while
 * tfjs records gradients).
 */
export interface PackedBiLstm {
  available(spec: ModelSpec): boolean;
  run(G: PackedGateInputs, w: WeightTensors, spec: ModelSpec, layout: PackedLayout): PackedLstmOutputs;
  /** A faster `linear` for the embedding, the input projections and the head. */
  linear?: LinearFn;
}

/**
 * The contract of the packed recurrence as ONE tfjs kernel, which a backend
 * registers (src/kernels/packedLstmWasm.ts, packedLstmCpu.ts):
 *
 * inputs  G0..G3  [N, 4D] packed input projections of rgb.fw, rgb.bw, audio.fw, audio.bw (with b_x)
 *         W0..W3  [D, 4D] their recurrent weights, [in, out]
 *         bias    [4, 4D] their recurrent biases b_h
 *         peep    [4, 3, D] their peepholes (i, f, o); zeros when the variant has none
 * attrs   sortedLengths (by rank, non-increasing), D, peepholes, clamped (fluid1's sigmoid clamp)
 * outputs [N, 2D] for rgb and for audio: [h_fw | h_bw] of each packed row (PackedLayout).
 */
export const PACKED_LSTM_KERNEL = 'AttentionLstmPackedRecurrence';

/**
 * The contract of a linear layer as one tfjs kernel, which a backend may
 * register for the packed path's embedding and input projections
 * (src/kernels/packedLstmWasm.ts):
 *
 * inputs  x [N, K], w [K, M] ([in, out]), b [M] (optional)
 * outputs [N, M] = x w + b
 */
export const PACKED_LINEAR_KERNEL = 'AttentionLstmLinear';

/**
 * The contract of a row gather as one tfjs kernel, which a backend may
 * register where tf.gather is slow (tfjs-backend-wasm's computes every element's
 * index alone: 30 ns an element, src/kernels/gatherRowsWasm.ts):
 *
 * inputs  x [N, W], rows [R] int32 (each in 0 .. N - 1)
 * outputs [R, W], row r = x[rows[r]]
 */
export const GATHER_ROWS_KERNEL = 'AttentionLstmGatherRows';

/** x[rows] (rows of a 2-D tensor): the backend's GATHER_ROWS_KERNEL where it has one, tf.gather elsewhere. */
export function gatherRows(x: tf.Tensor2D, rows: Int32Array): tf.Tensor2D {
  const r = tf.tensor1d(rows, 'int32');
  const out =
    tf.getKernel(GATHER_ROWS_KERNEL, tf.getBackend()) !== undefined && !tf.engine().isTapeOn()
      ? (tf.engine().runKernel(GATHER_ROWS_KERNEL, { x, rows: r }) as tf.Tensor2D)
      : (tf.gather(x, r) as tf.Tensor2D);
  r.dispose();
  return out;
}

export interface PackedLstmAttrs {
  sortedLengths: number[];
  D: number;
  peepholes: boolean;
  clamped: boolean;
  [key: string]: number[] | number | boolean;
}

/** LSTM l = 2 * modality + direction, the order of the kernel's inputs. */
export const PACKED_LSTM_ORDER = MODALITIES.flatMap((m) => DIRECTIONS.map((d) => ({ m, d, name: `${m}.${d}` })));

/** Whether the current backend has the packed kernel registered. */
export function hasPackedKernel(): boolean {
  return tf.getKernel(PACKED_LSTM_KERNEL, tf.getBackend()) !== undefined;
}

/**
 * The packed recurrence through the registered kernel (one kernel call for the
 * whole batch). Matrices stored [out, in] are transposed for it per call
 * (no backend that registers the kernel stores them so; the tests do).
 */
export const kernelPackedBiLstm: PackedBiLstm = {
  available: () => !tf.engine().isTapeOn() && hasPackedKernel(),
  linear(x, w, b, layout) {
    if (layout === 'in-out' && tf.getKernel(PACKED_LINEAR_KERNEL, tf.getBackend()) !== undefined) {
      const inputs: tf.NamedTensorMap = b ? { x, w, b } : { x, w };
      return tf.engine().runKernel(PACKED_LINEAR_KERNEL, inputs) as tf.Tensor2D;
    }
    const y = tf.matMul(x, w as tf.Tensor2D, false, layout === 'out-in') as tf.Tensor2D;
    return b ? (tf.add(y, b) as tf.Tensor2D) : y;
  },
  run(G, w, spec, layout) {
    const D = spec.sizes.lstm;
    const beh = BEHAVIOUR[spec.variant];
    return tf.tidy(() => {
      const Gs = PACKED_LSTM_ORDER.map(({ m, d }) => G[m][d]);
      const Ws = PACKED_LSTM_ORDER.map(({ name }) => (spec.layout === 'in-out' ? w[`${name}.wh`] : tf.transpose(w[`${name}.wh`])));
      const bias = tf.stack(PACKED_LSTM_ORDER.map(({ name }) => w[`${name}.bh`]));
      const peep = beh.peepholes ? tf.stack(PACKED_LSTM_ORDER.map(({ name }) => w[`${name}.peep`])) : tf.zeros([4, 3, D]);
      const inputs: tf.NamedTensorMap = { bias, peep };
      Gs.forEach((g, l) => (inputs[`G${l}`] = g));
      Ws.forEach((x, l) => (inputs[`W${l}`] = x));
      const attrs: PackedLstmAttrs = {
        sortedLengths: Array.from(layout.sortedLengths),
        D,
        peepholes: beh.peepholes,
        clamped: beh.clampedActivations,
      };
      const [rgb, audio] = tf.engine().runKernel(PACKED_LSTM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D[];
      return { rgb, audio };
    });
  },
};
