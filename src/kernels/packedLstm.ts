import type * as tf from '@tensorflow/tfjs-core';
import { PACKED_LSTM_KERNEL, PACKED_LSTM_ORDER, type PackedLstmAttrs, packedSteps } from '../core/model/packedBatch';

export { packedSteps };

/**
 * The packed recurrence of the four LSTMs (the PACKED_LSTM_KERNEL contract in
 * src/core/model/packedBatch.ts) over plain Float32Arrays, for the kernel of
 * the cpu backend (packedLstmCpu.ts); the wasm backend's runs the same steps
 * on SIMD kernels of its own (lstmSimd/), and shares `packedSteps` and
 * `kernelInput` from here.
 *
 * For each LSTM l (rgb.fw, rgb.bw, audio.fw, audio.bw), one after the other,
 * and each step k:
 *   1. the recurrent product mm = h @ W_l for the n_k active ranks (the
 *      caller's; skipped at k = 0, where h = 0);
 *   2. the gate arithmetic of every unit of those ranks, in three plain loops
 *      and two sigmoid loops: the pre-activations of i,
 *      f (their peepholes on c_{t-1}, fluid1's clamp) and -2|c~|, sigmoid; the
 *      cell (tanh x = sign(x) (1 - 2 sigmoid(-2|x|))) and the pre-activations
 *      of o (its peephole on c_t) and -2|c|, sigmoid; h = o tanh(c). The input projection
 *      is read at its packed row (no gather); h is written back in place (the
 *      next product's left operand: ranks only ever drop off the end) and to
 *      the output row of its frame, [h_fw | h_bw].
 * Values are stored in float32 between the steps, as tfjs stores every
 * intermediate of the op path: within float32 rounding of it.
 */
interface PackedLstmBuffers {
  /** G[l]: [N, 4D] input projections (gates i, f, c~, o). */
  G: readonly Float32Array[];
  /** mm[l]: [B, 4D] the recurrent products of the current step (rows < n_k). */
  mm: readonly Float32Array[];
  /** h[l]: [B, D] h of the previous step by rank, overwritten with the new h. */
  h: readonly Float32Array[];
  /** out[m]: [N, 2D] the outputs of modality m (rgb, audio). */
  out: readonly Float32Array[];
  /** [5 B D] scratch for the gates. */
  S: Float32Array;
}

export interface PackedLstmProblem {
  attrs: PackedLstmAttrs;
  /** [4, 4D] recurrent biases and [4, 3, D] peepholes. */
  bias: Float32Array;
  peep: Float32Array;
  /** mm[l][0 .. n) = h[l][0 .. n) @ W_l. */
  product(l: number, n: number): void;
  buffers: PackedLstmBuffers;
}

/** S[from .. from + count) = sigmoid(S[from .. from + count)), in place. */
function sigmoid(S: Float32Array, from: number, count: number): void {
  for (let i = from; i < from + count; i++) S[i] = 1 / (1 + Math.exp(-S[i]));
}

/** The kernel's input of that name (runKernel passes them all). */
export function kernelInput(inputs: tf.NamedTensorInfoMap, name: string): tf.TensorInfo {
  const t = inputs[name];
  if (!t) throw new Error(`${PACKED_LSTM_KERNEL}: no input ${name}`);
  return t;
}

/** Each step's active ranks and each frame's first row, from the lengths by rank. */
export function runPackedLstm(p: PackedLstmProblem): void {
  const { D, peepholes, clamped } = p.attrs;
  const L = p.attrs.sortedLengths;
  const B = L.length;
  const { T, active, offsets } = packedSteps(L);
  const c = new Float32Array(B * D);
  // The sign of each c~ pre-activation: tanh x = sign(x) (1 - 2 sigmoid(-2|x|)) is as exact as
  // the sigmoid near +-1 too (where 2 sigmoid(2x) - 1 would lose a bit to cancellation).
  const sign = new Float32Array(B * D);
  // Each rank's packed row at the current step.
  const rows = new Int32Array(B);
  // The clamp is Math.min/Math.max, not a conditional: V8 merged a conditional's `lo` (a tagged
  // number) with the float64 value in a boxed number, allocating one for every gate of every step
  // (1.3 GB of garbage for a shard of the demo model); the two give the same values, NaN included.
  const lo = clamped ? -40 : -Infinity;
  const hi = clamped ? 13 : Infinity;
  // One LSTM at a time, through all its steps: its recurrent weights (16 MB at full size) then
  // stay in the processor's cache from one step to the next, where the four LSTMs' 64 MB would
  // be read from memory at every step. The LSTMs are independent until the attention.
  const b = p.buffers;
  for (let l = 0; l < 4; l++) {
    const reverse = PACKED_LSTM_ORDER[l].d === 'bw';
    const bias = p.bias.subarray(l * 4 * D, (l + 1) * 4 * D);
    const peep = peepholes ? p.peep.subarray(l * 3 * D, (l + 1) * 3 * D) : null;
    for (let k = 0; k < T; k++) {
      const n = active[k];
      for (let i = 0; i < n; i++) rows[i] = offsets[reverse ? L[i] - 1 - k : k] + i;
      if (k > 0) p.product(l, n);
      // S: [0, nD) i, [nD, 2nD) f, [2nD, 3nD) -2|c~|, [3nD, 4nD) o, [4nD, 5nD) -2|c|.
      preActivations(b.G[l], k > 0 ? b.mm[l] : null, bias, peep, c, sign, b.S, rows, n, D, lo, hi);
      sigmoid(b.S, 0, 3 * n * D);
      cells(b.S, peep, c, sign, n, D, k > 0, lo, hi);
      sigmoid(b.S, 3 * n * D, 2 * n * D);
      outputs(b.S, c, b.h[l], b.out[l >> 1], rows, n, D, reverse ? D : 0);
    }
  }
}

/**
 * The pre-activations of i and f (with their peepholes on c_{t-1}, clamped) and
 * -2|c~| into S, the partial one of o (without its peephole) too; mm is null at
 * the first step (h = 0, c = 0). Small functions, called once per step: the
 * engine optimises them after a few calls.
 */
function preActivations(
  G: Float32Array,
  mm: Float32Array | null,
  bias: Float32Array,
  peep: Float32Array | null,
  c: Float32Array,
  sign: Float32Array,
  S: Float32Array,
  rows: Int32Array,
  n: number,
  D: number,
  lo: number,
  hi: number,
): void {
  const nD = n * D;
  for (let i = 0; i < n; i++) {
    const g0 = rows[i] * 4 * D;
    const m0 = i * 4 * D;
    const h0 = i * D;
    for (let j = 0; j < D; j++) {
      let gi = G[g0 + j] + bias[j];
      let gf = G[g0 + D + j] + bias[D + j];
      let gc = G[g0 + 2 * D + j] + bias[2 * D + j];
      let go = G[g0 + 3 * D + j] + bias[3 * D + j];
      if (mm !== null) {
        gi += mm[m0 + j];
        gf += mm[m0 + D + j];
        gc += mm[m0 + 2 * D + j];
        go += mm[m0 + 3 * D + j];
        if (peep !== null) {
          const cPrev = c[h0 + j];
          gi += peep[j] * cPrev;
          gf += peep[D + j] * cPrev;
        }
      }
      const s = h0 + j;
      S[s] = Math.min(hi, Math.max(lo, gi));
      S[nD + s] = Math.min(hi, Math.max(lo, gf));
      S[2 * nD + s] = gc < 0 ? 2 * gc : -2 * gc;
      sign[s] = gc < 0 ? -1 : 1;
      S[3 * nD + s] = go;
    }
  }
}

/** The new cells c (float32, as stored), then o's pre-activation (peephole on c_t, clamped) and -2|c| into S. */
function cells(
  S: Float32Array,
  peep: Float32Array | null,
  c: Float32Array,
  sign: Float32Array,
  n: number,
  D: number,
  hasPrev: boolean,
  lo: number,
  hi: number,
): void {
  const nD = n * D;
  for (let i = 0; i < n; i++) {
    const h0 = i * D;
    for (let j = 0; j < D; j++) {
      const s = h0 + j;
      const cPrev = hasPrev ? c[s] : 0;
      const cNew = Math.fround(sign[s] * (1 - 2 * S[2 * nD + s]) * S[s] + cPrev * S[nD + s]);
      c[s] = cNew;
      const go = peep !== null ? S[3 * nD + s] + peep[2 * D + j] * cNew : S[3 * nD + s];
      S[3 * nD + s] = Math.min(hi, Math.max(lo, go));
      S[4 * nD + s] = cNew < 0 ? 2 * cNew : -2 * cNew;
    }
  }
}

/** h = o tanh(c), into the next product's left operand and the output row of each rank's frame. */
function outputs(
  S: Float32Array,
  c: Float32Array,
  h: Float32Array,
  out: Float32Array,
  rows: Int32Array,
  n: number,
  D: number,
  column: number,
): void {
  const nD = n * D;
  for (let i = 0; i < n; i++) {
    const o0 = rows[i] * 2 * D + column;
    const h0 = i * D;
    for (let j = 0; j < D; j++) {
      const s = h0 + j;
      const tanhC = 1 - 2 * S[4 * nD + s];
      const hNew = S[3 * nD + s] * (c[s] < 0 ? -tanhC : tanhC);
      h[s] = hNew;
      out[o0 + j] = hNew;
    }
  }
}
