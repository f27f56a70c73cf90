/**
 * An independent float64 implementation of both variants, written from the spec
 * with plain loops over Paddle's own tensor names and layouts (no tfjs, no
 * canonical mapping). Tests hold the tfjs model against it; it is far too slow
 * for real use.
 */
import type { Variant } from '../../src/core/model/architecture';

interface RefTensor {
  shape: number[];
  data: Float64Array;
}
export type RefParams = ReadonlyMap<string, RefTensor>;

export interface RefResult {
  logits: Float64Array;
  probabilities: Float64Array;
  attention: { rgb: Float64Array; audio: Float64Array };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
// Paddle's dynamic_lstm activations (operators/math/detail/activation_functions.h).
const paddleSigmoid = (x: number) => 1 / (1 + Math.exp(-Math.min(13, Math.max(-40, x))));
const paddleTanh = (x: number) => 2 / (1 + Math.exp(Math.min(-2 * x, 40))) - 1;

function param(p: RefParams, name: string): RefTensor {
  const t = p.get(name);
  if (!t) throw new Error(`reference: missing ${name}`);
  return t;
}

/** y[T, out] = x[T, in] @ W[in, out] + b */
function linear(x: Float64Array, T: number, w: RefTensor, b: RefTensor): Float64Array {
  const [din, dout] = w.shape;
  const y = new Float64Array(T * dout);
  for (let t = 0; t < T; t++) {
    for (let o = 0; o < dout; o++) {
      let s = b.data[o];
      for (let i = 0; i < din; i++) s += x[t * din + i] * w.data[i * dout + o];
      y[t * dout + o] = s;
    }
  }
  return y;
}

/** fluid1 dynamic_lstm with peepholes, gate order c~, i, f, o; G already holds x-projections. */
function fluidLstm(G: Float64Array, T: number, W: RefTensor, B: RefTensor, reverse: boolean): Float64Array {
  const D = W.shape[0];
  const b = B.data;
  const h = new Float64Array(D);
  const c = new Float64Array(D);
  const out = new Float64Array(T * D);
  const g = new Float64Array(4 * D);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    for (let j = 0; j < 4 * D; j++) {
      let s = G[t * 4 * D + j] + b[j];
      for (let i = 0; i < D; i++) s += h[i] * W.data[i * 4 * D + j];
      g[j] = s;
    }
    for (let d = 0; d < D; d++) {
      const cand = paddleTanh(g[d]);
      const ig = paddleSigmoid(g[D + d] + b[4 * D + d] * c[d]);
      const fg = paddleSigmoid(g[2 * D + d] + b[5 * D + d] * c[d]);
      const cn = cand * ig + c[d] * fg;
      const og = paddleSigmoid(g[3 * D + d] + b[6 * D + d] * cn);
      c[d] = cn;
      h[d] = og * paddleTanh(cn);
      out[t * D + d] = h[d];
    }
  }
  return out;
}

/** paddle.nn.LSTM cell: gate order i, f, g, o, weights [4D, in] used transposed, no peepholes. */
function nnLstm(
  E: Float64Array,
  T: number,
  wih: RefTensor,
  whh: RefTensor,
  bih: RefTensor,
  bhh: RefTensor,
  reverse: boolean,
): Float64Array {
  const D = whh.shape[1];
  const Din = wih.shape[1];
  const h = new Float64Array(D);
  const c = new Float64Array(D);
  const out = new Float64Array(T * D);
  const g = new Float64Array(4 * D);
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    for (let j = 0; j < 4 * D; j++) {
      let s = bih.data[j] + bhh.data[j];
      for (let i = 0; i < Din; i++) s += E[t * Din + i] * wih.data[j * Din + i];
      for (let i = 0; i < D; i++) s += h[i] * whh.data[j * D + i];
      g[j] = s;
    }
    for (let d = 0; d < D; d++) {
      const ig = sigmoid(g[d]);
      const fg = sigmoid(g[D + d]);
      const gg = Math.tanh(g[2 * D + d]);
      const og = sigmoid(g[3 * D + d]);
      c[d] = fg * c[d] + ig * gg;
      h[d] = og * Math.tanh(c[d]);
      out[t * D + d] = h[d];
    }
  }
  return out;
}

/** Softmax attention over the frames, and the weighted sum of the BiLSTM outputs. */
function attend(hd: Float64Array, T: number, w: RefTensor, b: RefTensor): { pooled: Float64Array; weights: Float64Array } {
  const D2 = w.shape[0];
  const s = linear(hd, T, w, b);
  let max = -Infinity;
  for (let t = 0; t < T; t++) max = Math.max(max, s[t]);
  const a = new Float64Array(T);
  let sum = 0;
  for (let t = 0; t < T; t++) sum += a[t] = Math.exp(s[t] - max);
  for (let t = 0; t < T; t++) a[t] /= sum;
  const pooled = new Float64Array(D2);
  for (let t = 0; t < T; t++) for (let i = 0; i < D2; i++) pooled[i] += a[t] * hd[t * D2 + i];
  return { pooled, weights: a };
}

function concatRows(a: Float64Array, b: Float64Array, T: number, D: number, scale: number): Float64Array {
  const out = new Float64Array(T * 2 * D);
  for (let t = 0; t < T; t++) {
    for (let d = 0; d < D; d++) {
      out[t * 2 * D + d] = scale * a[t * D + d];
      out[t * 2 * D + D + d] = scale * b[t * D + d];
    }
  }
  return out;
}

function modality(p: RefParams, variant: Variant, m: number, x: Float64Array, T: number) {
  if (variant === 'fluid1') {
    const fc = (k: number) => [param(p, `fc_${k}.w_0`), param(p, `fc_${k}.b_0`)] as const;
    const e = linear(x, T, ...fc(4 * m)).map(Math.tanh);
    const gf = linear(e, T, ...fc(4 * m + 1));
    const gb = linear(e, T, ...fc(4 * m + 2));
    const lf = param(p, `lstm_${2 * m}.w_0`);
    const hf = fluidLstm(gf, T, lf, param(p, `lstm_${2 * m}.b_0`), false);
    const hb = fluidLstm(gb, T, param(p, `lstm_${2 * m + 1}.w_0`), param(p, `lstm_${2 * m + 1}.b_0`), true);
    const D = lf.shape[0];
    return attend(concatRows(hf, hb, T, D, 0.5), T, ...fc(4 * m + 3));
  }
  const k = (n: string) => param(p, `head.${n}`);
  const e = linear(x, T, k(`fc_feature${m}.weight`), k(`fc_feature${m}.bias`)).map(Math.tanh);
  const cell = (d: string) =>
    [
      `bi_lstm${m}.0.cell_${d}.weight_ih`,
      `bi_lstm${m}.0.cell_${d}.weight_hh`,
      `bi_lstm${m}.0.cell_${d}.bias_ih`,
      `bi_lstm${m}.0.cell_${d}.bias_hh`,
    ].map(k);
  const [fi, fh, fbi, fbh] = cell('fw');
  const [bi, bh, bbi, bbh] = cell('bw');
  const hf = nnLstm(e, T, fi, fh, fbi, fbh, false);
  const hb = nnLstm(e, T, bi, bh, bbi, bbh, true);
  const D = fh.shape[1];
  return attend(concatRows(hf, hb, T, D, 1), T, k(`att_fc${m}.weight`), k(`att_fc${m}.bias`));
}

/** One video: rgb [T, rgbDim] and audio [T, audioDim], row-major, already dequantized. */
export function referenceForward(p: RefParams, variant: Variant, rgb: Float64Array, audio: Float64Array, T: number): RefResult {
  const r = modality(p, variant, 0, rgb, T);
  const a = modality(p, variant, 1, audio, T);
  const z = new Float64Array(r.pooled.length + a.pooled.length);
  z.set(r.pooled, 0);
  z.set(a.pooled, r.pooled.length);
  const names =
    variant === 'fluid1'
      ? [
          ['fc_8.w_0', 'fc_8.b_0'],
          ['fc_9.w_0', 'fc_9.b_0'],
          ['fc_10.w_0', 'fc_10.b_0'],
        ]
      : [
          ['head.fc_out1.weight', 'head.fc_out1.bias'],
          ['head.fc_out2.weight', 'head.fc_out2.bias'],
          ['head.fc_logit.weight', 'head.fc_logit.bias'],
        ];
  const layer = (x: Float64Array, i: number) => linear(x, 1, param(p, names[i][0]), param(p, names[i][1]));
  const h1 = layer(z, 0).map((v) => Math.max(0, v));
  const h2 = layer(h1, 1).map(Math.tanh);
  const logits = layer(h2, 2);
  return { logits, probabilities: logits.map(sigmoid), attention: { rgb: r.weights, audio: a.weights } };
}
