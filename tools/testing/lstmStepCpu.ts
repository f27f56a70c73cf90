/**
 * The CPU twin of lstmStep.wgsl.ts: the same step in plain TypeScript, loop for
 * loop and index for index (float32 arithmetic through Math.fround), so that
 * the shader's logic (indices, the packed rows, the state layout, the
 * activations) is tested in Node against the op path, and a WebGPU result can
 * be explained. Slow: for tests only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BEHAVIOUR } from '../../src/core/model/architecture';
import { type BiLstmRunner, paddedOpsBiLstm } from '../../src/core/model/attentionLstm';
import type { PackedBiLstm } from '../../src/core/model/packedBatch';
import { rankTable, stateSize } from '../../src/kernels/fusedBiLstmWebgpu';
import { LSTM_ORDER, packLstmParams, packedWIndex } from '../../src/kernels/packing';

interface LstmStepArrays {
  D: number;
  B: number;
  T: number;
  N: number;
  /** Videos and units per invocation, as in the shader (any values give the same numbers). */
  BT: number;
  U: number;
  peepholes: boolean;
  clamped: boolean;
  /** Input projections of the four LSTMs, [N, 4D] each (packed rows), in kernel order. */
  G: readonly Float32Array[];
  /** Packed recurrent weights (tiles of 4U units) and bias/peepholes [4, 2, D, 4] (packing.ts). */
  W: Float32Array;
  P: Float32Array;
  /** The shader's R: each rank's length, then each frame's first packed row. */
  R: Int32Array;
  /** The state (stateSize floats), written in place. */
  state: Float32Array;
}

const f = Math.fround;
const sigm = (x: number) => f(1 / f(1 + f(Math.exp(f(-x)))));
function tanh1(a: number): number {
  const e2x = f(Math.exp(f(-2 * Math.abs(a))));
  return f(f(Math.sign(a) * f(1 - e2x)) / f(1 + e2x));
}

/** Unit j of one invocation of the shader: LSTM l, the ranks b0 .. b0+BT-1, step k. */
function invocation(a: LstmStepArrays, j: number, l: number, b0: number, k: number): void {
  const { D, B, T, N, BT, G, W, P, R, state } = a;
  const gateSigmoid = a.clamped ? (x: number) => sigm(Math.min(Math.max(x, -40), 13)) : sigm;
  const reverse = (l & 1) === 1;
  const t = reverse ? T - 1 - k : k;
  const tPrev = reverse ? t + 1 : t - 1;
  const nb = Math.min(BT, B - b0);
  const zeroRow = 4 * N * D + 4 * B * D;
  const rowOf = (tt: number, b: number) => R[B + tt] + b;
  const hBase = (row: number) => ((l >> 1) * N + row) * 2 * D + (l & 1) * D;
  if (k === 0 && l === 0 && b0 === 0) state[zeroRow + j] = 0;

  let anyActive = false;
  for (let bb = 0; bb < nb; bb++) if (t < R[b0 + bb]) anyActive = true;

  // acc[bb * 4 + g]: the recurrent products h_prev @ Wh of the four gates of unit j.
  const acc = new Float32Array(BT * 4);
  if (k > 0 && anyActive) {
    const h = new Int32Array(BT).fill(zeroRow);
    for (let bb = 0; bb < BT; bb++) {
      const vb = b0 + bb;
      if (vb < B) {
        const len = R[vb];
        if (t < len && !(reverse && t === len - 1)) h[bb] = hBase(rowOf(tPrev, vb));
      }
    }
    const TU = 4 * a.U;
    const NT = Math.ceil(D / TU);
    for (let kk = 0; kk < D; kk++) {
      const w = packedWIndex(l, j, kk, D, TU, NT) * 4;
      for (let bb = 0; bb < BT; bb++) {
        const x = state[h[bb] + kk];
        for (let g = 0; g < 4; g++) acc[bb * 4 + g] = f(acc[bb * 4 + g] + f(W[w + g] * x));
      }
    }
  }

  const bias = (l * 2 * D + j) * 4;
  const pe = ((l * 2 + 1) * D + j) * 4;
  for (let bb = 0; bb < nb; bb++) {
    const b = b0 + bb;
    const len = R[b];
    if (t >= len) continue;
    const first = reverse ? t === len - 1 : t === 0;
    const row = rowOf(t, b);
    const cIdx = 4 * N * D + (l * B + b) * D + j;
    const gate = (g: number) => f(f(acc[bb * 4 + g] + P[bias + g]) + G[l][(row * 4 + g) * D + j]);
    const cPrev = first ? 0 : state[cIdx];
    const peep = (x: number, p: number, cell: number) => (a.peepholes ? f(x + f(p * cell)) : x);
    const ig = gateSigmoid(peep(gate(0), P[pe + 0], cPrev));
    const fg = gateSigmoid(peep(gate(1), P[pe + 1], cPrev));
    const cNew = f(f(tanh1(gate(2)) * ig) + f(cPrev * fg));
    const og = gateSigmoid(peep(gate(3), P[pe + 2], cNew));
    state[hBase(row) + j] = f(og * tanh1(cNew));
    state[cIdx] = cNew;
  }
}

/** One dispatch: every invocation of the shader's grid, at step k. */
function lstmStepCpu(a: LstmStepArrays, k: number): void {
  for (let l = 0; l < 4; l++) {
    for (let b0 = 0; b0 < a.B; b0 += a.BT) {
      for (let j = 0; j < a.D; j++) invocation(a, j, l, b0, k);
    }
  }
}

/**
 * The whole recurrence on the CPU twin, for any backend (tests): a runner
 * whose packed counterpart is the twin (in inference), the op path otherwise.
 */
export function cpuTwinBiLstm(BT = 4, U = 2): BiLstmRunner & { packed: PackedBiLstm } {
  const packed: PackedBiLstm = {
    available: () => !tf.engine().isTapeOn(),
    run(G, w, spec, layout) {
      const D = spec.sizes.lstm;
      const { B, T, N } = layout;
      const beh = BEHAVIOUR[spec.variant];
      const { W, P } = packLstmParams(w, spec, 4 * U);
      const a: LstmStepArrays = {
        D,
        B,
        T,
        N,
        BT,
        U,
        peepholes: beh.peepholes,
        clamped: beh.clampedActivations,
        G: LSTM_ORDER.map(({ m, d }) => G[m][d].dataSync() as Float32Array),
        W: W.dataSync() as Float32Array,
        P: P.dataSync() as Float32Array,
        R: rankTable(layout),
        state: new Float32Array(stateSize(D, B, N)).fill(Number.NaN), // never read before written
      };
      tf.dispose([W, P]);
      for (let k = 0; k < T; k++) lstmStepCpu(a, k);
      const out = (m: number) => tf.tensor2d(a.state.subarray(m * N * 2 * D, (m + 1) * N * 2 * D), [N, 2 * D]);
      return { rgb: out(0), audio: out(1) };
    },
  };
  return Object.assign((...args: Parameters<BiLstmRunner>) => paddedOpsBiLstm(...args), { packed });
}
