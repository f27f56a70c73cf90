import { PACKED_LSTM_ORDER, type PackedLstmAttrs } from '../core/model/packedBatch';

/**
 * The packed recurrence of the four LSTMs (the PACKED_LSTM_KERNEL contract in
 * src/core/model/packedBatch.ts) over plain Float32Arrays, shared by the
 * kernels of the wasm backend (packedLstm_wasm.ts: the arrays are views of its
 * memory, the products are XNNPACK's) and of the cpu backend (packedLstm_cpu.ts).
 *
 * For each LSTM l (rgb.fw, rgb.bw, audio.fw, audio.bw), one after the other, each step k:
 *   1. the recurrent product mm = h @ W_l for the n_k active ranks (the
 *      backend's matrix product; skipped at k = 0, where h = 0);
 *   2. the gate arithmetic of every unit of those ranks in one loop: input
 *      projection (read at its packed row, no gather), recurrent bias,
 *      peepholes, fluid1's clamped sigmoid, cell and output; h is written back
 *      in place (the next product's left operand: ranks only ever drop off the
 *      end) and to the output row of its frame, [h_fw | h_bw].
 * Arithmetic is in double precision, rounded to float32 where it is stored
 * (c, h), as tfjs stores every intermediate: within float32 rounding of the op path.
 */
export interface PackedLstmBuffers {
  /** G[l]: [N, 4D] input projections (gates i, f, c~, o). */
  G: readonly Float32Array[];
  /** mm[l]: [B, 4D] the recurrent products of the current step (rows < n_k). */
  mm: readonly Float32Array[];
  /** h[l]: [B, D] h of the previous step by rank, overwritten with the new h. */
  h: readonly Float32Array[];
  /** out[m]: [N, 2D] the outputs of modality m (rgb, audio). */
  out: readonly Float32Array[];
}

export interface PackedLstmProblem {
  attrs: PackedLstmAttrs;
  /** [4, 4D] recurrent biases and [4, 3, D] peepholes. */
  bias: Float32Array;
  peep: Float32Array;
  /** mm[l][0 .. n) = h[l][0 .. n) @ W_l. */
  product(l: number, n: number): void;
  /** The buffers, fetched again after every product (a product may move the wasm memory). */
  buffers(): PackedLstmBuffers;
}

/** Each step's active ranks and each frame's first row, from the lengths by rank. */
export function packedSteps(sortedLengths: readonly number[]): { T: number; active: Int32Array; offsets: Int32Array; N: number } {
  const T = sortedLengths.length ? sortedLengths[0] : 0;
  const active = new Int32Array(T);
  const offsets = new Int32Array(T + 1);
  let n = sortedLengths.length;
  for (let t = 0; t < T; t++) {
    while (n > 0 && sortedLengths[n - 1] <= t) n--;
    active[t] = n;
    offsets[t + 1] = offsets[t] + n;
  }
  return { T, active, offsets, N: offsets[T] };
}

export function runPackedLstm(p: PackedLstmProblem): void {
  const { D, peepholes, clamped } = p.attrs;
  const L = p.attrs.sortedLengths;
  const B = L.length;
  const { T, active, offsets } = packedSteps(L);
  const D4 = 4 * D;
  const c = new Float32Array(B * D);
  const lo = clamped ? -40 : -Infinity;
  const hi = clamped ? 13 : Infinity;
  const { bias, peep } = p;
  // One LSTM at a time, through all its steps: its recurrent weights (16 MB at full size) then
  // stay in the processor's cache from one step to the next, where the four LSTMs' 64 MB would
  // be read from memory at every step. The LSTMs are independent until the attention.
  for (let l = 0; l < 4; l++) {
    const reverse = PACKED_LSTM_ORDER[l].d === 'bw';
    const outCol = reverse ? D : 0;
    const b0 = l * D4;
    const p0 = l * 3 * D;
    for (let k = 0; k < T; k++) {
      const n = active[k];
      if (k > 0) p.product(l, n);
      const buf = p.buffers();
      const G = buf.G[l];
      const mm = buf.mm[l];
      const h = buf.h[l];
      const out = buf.out[l >> 1];
      for (let i = 0; i < n; i++) {
        const t = reverse ? L[i] - 1 - k : k;
        const row = offsets[t] + i;
        const g0 = row * D4;
        const m0 = i * D4;
        const h0 = i * D;
        const o0 = row * 2 * D + outCol;
        for (let j = 0; j < D; j++) {
          let gi = G[g0 + j] + bias[b0 + j];
          let gf = G[g0 + D + j] + bias[b0 + D + j];
          let gc = G[g0 + 2 * D + j] + bias[b0 + 2 * D + j];
          let go = G[g0 + 3 * D + j] + bias[b0 + 3 * D + j];
          let cPrev = 0;
          if (k > 0) {
            gi += mm[m0 + j];
            gf += mm[m0 + D + j];
            gc += mm[m0 + 2 * D + j];
            go += mm[m0 + 3 * D + j];
            cPrev = c[h0 + j];
          }
          if (peepholes) {
            gi += peep[p0 + j] * cPrev;
            gf += peep[p0 + D + j] * cPrev;
          }
          const ig = 1 / (1 + Math.exp(-(gi < lo ? lo : gi > hi ? hi : gi)));
          const fg = 1 / (1 + Math.exp(-(gf < lo ? lo : gf > hi ? hi : gf)));
          const cNew = Math.fround(tanh(gc) * ig + cPrev * fg);
          if (peepholes) go += peep[p0 + 2 * D + j] * cNew;
          const og = 1 / (1 + Math.exp(-(go < lo ? lo : go > hi ? hi : go)));
          const hNew = og * tanh(cNew);
          c[h0 + j] = cNew;
          h[h0 + j] = hNew;
          out[o0 + j] = hNew;
        }
      }
    }
  }
}

/** tanh through one exp (faster than Math.tanh here); in double precision, exact to far below float32's rounding. */
function tanh(x: number): number {
  const e = Math.exp(-2 * Math.abs(x));
  const y = (1 - e) / (1 + e);
  return x < 0 ? -y : y;
}
