import * as tf from '@tensorflow/tfjs-core';
import { BEHAVIOUR, DIRECTIONS, MODALITIES, type Modality } from './architecture';
import type { LinearFn, ModelSpec, WeightTensors } from './attentionLstm';

/**
 * A batch of videos of different lengths as Paddle's LoD batches them: only the
 * real frames, in "frame-major" order. Videos are ranked by length, longest
 * first (stable), and the packed rows are
 *
 *   frame 0 of ranks 0 .. n_0 - 1, frame 1 of ranks 0 .. n_1 - 1, ...
 *
 * where n_t is the number of videos longer than t (a prefix of the ranks, as
 * they are sorted). So a time step of the recurrence works on the first n_t
 * ranks and reads its inputs, and writes its outputs, at rows offsets[t] ..
 * offsets[t] + n_t - 1: the batch narrows as shorter videos end, and a batch
 * costs its real frames, not B x T.
 *
 * The backward LSTMs advance in step with the forward ones: at step k, rank i
 * (active while k < its length) is at frame k going forward and at frame
 * length - 1 - k going backward. Both directions write the output of frame t
 * to that frame's row, so the BiLSTM's output per frame is one row [h_fw | h_bw].
 */
export interface PackedLayout {
  /** Videos, padded frames (the longest video), packed rows (all real frames). */
  B: number;
  T: number;
  N: number;
  /** Each video's length, in batch order. */
  lengths: readonly number[];
  /** order[i]: the batch index of rank i (longest first, ties in batch order). */
  order: Int32Array;
  /** rank[b]: the rank of video b. */
  rank: Int32Array;
  /** The lengths by rank (non-increasing). */
  sortedLengths: Int32Array;
  /** active[t] = n_t: videos longer than t, i.e. ranks 0 .. n_t - 1 have a frame t. */
  active: Int32Array;
  /** offsets[t]: the row of frame t of rank 0; offsets[T] = N. */
  offsets: Int32Array;
  /** sourceRows[r]: the padded row b * T + t that packed row r holds. */
  sourceRows: Int32Array;
  /** paddedRows[b * T + t]: the packed row of frame t of video b, or N past its length. */
  paddedRows: Int32Array;
  /** videoOfRow[r]: the batch index of the video that packed row r belongs to. */
  videoOfRow: Int32Array;
  /** True when packing changes nothing: one video, as long as the batch (rows are its frames in order). */
  identity: boolean;
}

export function packedLayout(lengths: readonly number[], T: number): PackedLayout {
  const B = lengths.length;
  for (const n of lengths) {
    if (!Number.isInteger(n) || n < 1 || n > T) throw new Error(`packedLayout: a video of ${n} frames in a batch of ${T}`);
  }
  const order = Int32Array.from(lengths.map((_, b) => b).sort((a, b) => lengths[b] - lengths[a] || a - b));
  const rank = new Int32Array(B);
  order.forEach((b, i) => (rank[b] = i));
  const sortedLengths = Int32Array.from(order, (b) => lengths[b]);
  const active = new Int32Array(T);
  const offsets = new Int32Array(T + 1);
  let n = B;
  for (let t = 0; t < T; t++) {
    while (n > 0 && sortedLengths[n - 1] <= t) n--;
    active[t] = n;
    offsets[t + 1] = offsets[t] + n;
  }
  const N = offsets[T];
  const sourceRows = new Int32Array(N);
  const videoOfRow = new Int32Array(N);
  const paddedRows = new Int32Array(B * T).fill(N);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < active[t]; i++) {
      const r = offsets[t] + i;
      const b = order[i];
      sourceRows[r] = b * T + t;
      videoOfRow[r] = b;
      paddedRows[b * T + t] = r;
    }
  }
  return {
    B, T, N, lengths, order, rank, sortedLengths, active, offsets, sourceRows, paddedRows, videoOfRow,
    identity: B === 1 && lengths[0] === T,
  };
}

/** Multiply-adds of the recurrence as the packed path executes it (real frames only), for 4 LSTMs of width D. */
export function packedRecurrentMacs(layout: PackedLayout, D: number): number {
  return layout.N * 4 * D * 4 * D;
}

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
 * registers (src/kernels/packedLstm_wasm.ts, packedLstm_cpu.ts):
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
 * (src/kernels/packedLstm_wasm.ts):
 *
 * inputs  x [N, K], w [K, M] ([in, out]), b [M] (optional)
 * outputs [N, M] = x w + b
 */
export const PACKED_LINEAR_KERNEL = 'AttentionLstmLinear';

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
      const attrs: PackedLstmAttrs = { sortedLengths: Array.from(layout.sortedLengths), D, peepholes: beh.peepholes, clamped: beh.clampedActivations };
      const [rgb, audio] = tf.engine().runKernel(PACKED_LSTM_KERNEL, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D[];
      return { rgb, audio };
    });
  },
};
