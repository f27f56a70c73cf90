import * as tf from '@tensorflow/tfjs-core';
import { BEHAVIOUR } from '../core/model/architecture';
import type { BiLstmRunner, LstmOutputs } from '../core/model/attentionLstm';
import { gateInputsInOrder, packLstmParams, packedWIndex } from './packing';

/**
 * The CPU twin of lstmStep.wgsl.ts: the same step in plain TypeScript, loop for
 * loop and index for index (float32 arithmetic through Math.fround), so that
 * the shader's logic (indices, masking, the state layout, the activations) is
 * tested in Node against the op path, and a WebGPU result can be explained.
 * Slow: for tests only.
 */
export interface LstmStepArrays {
  D: number;
  B: number;
  T: number;
  /** Videos and units per invocation, as in the shader (any values give the same numbers). */
  BT: number;
  U: number;
  peepholes: boolean;
  clamped: boolean;
  /** Input projections of the four LSTMs, [B, T, 4D] each, in kernel order. */
  G: readonly Float32Array[];
  /** Packed recurrent weights (tiles of 4U units) and bias/peepholes [4, 2, D, 4] (packing.ts). */
  W: Float32Array;
  P: Float32Array;
  /** Each video's length. */
  L: Int32Array;
  /** The state [4, B, T+1, D], written in place (frame T holds c). */
  state: Float32Array;
}

const f = Math.fround;
const sigm = (x: number) => f(1 / f(1 + f(Math.exp(f(-x)))));
function tanh1(a: number): number {
  const e2x = f(Math.exp(f(-2 * Math.abs(a))));
  return f(f(Math.sign(a) * f(1 - e2x)) / f(1 + e2x));
}

/** Unit j of one invocation of the shader: LSTM l, the videos b0 .. b0+BT-1, step k. */
function invocation(a: LstmStepArrays, j: number, l: number, b0: number, k: number): void {
  const { D, B, T, BT, G, W, P, L, state } = a;
  const gateSigmoid = a.clamped ? (x: number) => sigm(Math.min(Math.max(x, -40), 13)) : sigm;
  const reverse = (l & 1) === 1;
  const t = reverse ? T - 1 - k : k;
  const tPrev = reverse ? t + 1 : t - 1;
  const nb = Math.min(BT, B - b0);

  let anyActive = false;
  for (let bb = 0; bb < nb; bb++) if (t < L[b0 + bb]) anyActive = true;

  // acc[bb * 4 + g]: the recurrent products h_prev @ Wh of the four gates of unit j.
  const acc = new Float32Array(BT * 4);
  if (k > 0 && anyActive) {
    const hBase = new Int32Array(BT);
    for (let bb = 0; bb < BT; bb++) hBase[bb] = ((l * B + Math.min(b0 + bb, B - 1)) * (T + 1) + tPrev) * D;
    const TU = 4 * a.U;
    const NT = Math.ceil(D / TU);
    for (let kk = 0; kk < D; kk++) {
      const w = packedWIndex(l, j, kk, D, TU, NT) * 4;
      for (let bb = 0; bb < BT; bb++) {
        const h = state[hBase[bb] + kk];
        for (let g = 0; g < 4; g++) acc[bb * 4 + g] = f(acc[bb * 4 + g] + f(W[w + g] * h));
      }
    }
  }

  const bias = ((l * 2) * D + j) * 4;
  const pe = ((l * 2 + 1) * D + j) * 4;
  for (let bb = 0; bb < nb; bb++) {
    const b = b0 + bb;
    const sBase = (l * B + b) * (T + 1);
    const outIdx = (sBase + t) * D + j;
    const cIdx = (sBase + T) * D + j;
    if (t >= L[b]) {
      if (k === 0) {
        state[outIdx] = 0;
        state[cIdx] = 0;
      } else {
        state[outIdx] = state[(sBase + tPrev) * D + j];
      }
      continue;
    }
    const gIdx = (g: number) => ((b * T + t) * 4 + g) * D + j;
    const gate = (g: number) => f(f(acc[bb * 4 + g] + P[bias + g]) + G[l][gIdx(g)]);
    const cPrev = k > 0 ? state[cIdx] : 0;
    const peep = (x: number, p: number, cell: number) => (a.peepholes ? f(x + f(p * cell)) : x);
    const ig = gateSigmoid(peep(gate(0), P[pe + 0], cPrev));
    const fg = gateSigmoid(peep(gate(1), P[pe + 1], cPrev));
    const cNew = f(f(tanh1(gate(2)) * ig) + f(cPrev * fg));
    const og = gateSigmoid(peep(gate(3), P[pe + 2], cNew));
    state[outIdx] = f(og * tanh1(cNew));
    state[cIdx] = cNew;
  }
}

/** One dispatch: every invocation of the shader's grid, at step k. */
export function lstmStepCpu(a: LstmStepArrays, k: number): void {
  for (let l = 0; l < 4; l++) {
    for (let b0 = 0; b0 < a.B; b0 += a.BT) {
      for (let j = 0; j < a.D; j++) invocation(a, j, l, b0, k);
    }
  }
}

/** The whole recurrence on the CPU twin: a BiLstmRunner for any backend (tests). */
export function cpuTwinBiLstm(BT = 4, U = 2): BiLstmRunner {
  return (G, w, spec, geo) => {
    const D = spec.sizes.lstm;
    const { B, T } = geo;
    const beh = BEHAVIOUR[spec.variant];
    const { W, P } = packLstmParams(w, spec, 4 * U);
    const a: LstmStepArrays = {
      D, B, T, BT, U, peepholes: beh.peepholes, clamped: beh.clampedActivations,
      G: gateInputsInOrder(G).map((g) => g.dataSync() as Float32Array),
      W: W.dataSync() as Float32Array,
      P: P.dataSync() as Float32Array,
      L: Int32Array.from(geo.lengths),
      state: new Float32Array(4 * B * (T + 1) * D).fill(Number.NaN), // never read before written
    };
    tf.dispose([W, P]);
    for (let k = 0; k < T; k++) lstmStepCpu(a, k);
    const stateT = tf.tensor4d(a.state, [4, B, T + 1, D]);
    const h = [0, 1, 2, 3].map((l) => tf.reshape(tf.slice(stateT, [l, 0, 0, 0], [1, B, T, D]), [B, T, D]) as tf.Tensor3D);
    stateT.dispose();
    const out: LstmOutputs = { rgb: { fw: h[0], bw: h[1] }, audio: { fw: h[2], bw: h[3] } };
    return out;
  };
}
