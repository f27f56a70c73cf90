import * as tf from '@tensorflow/tfjs-core';
import { BEHAVIOUR, type Modality, type Sizes, type Variant, type VariantBehaviour } from './architecture';

/**
 * The AttentionLSTM forward pass on tfjs, for a batch of videos of different
 * lengths (padded to the longest, masked). Built only from differentiable tfjs
 * ops, so the same function serves inference, the demo's training and fine-tuning.
 */

/**
 * How weight matrices are stored. tfjs's WebGPU matMul is 10-15x faster with the
 * right operand stored [out, in] and transposeB; wasm is fastest with [in, out].
 */
export type WeightLayout = 'in-out' | 'out-in';

/** Canonical tensors by name (architecture.ts), possibly tf.Variables while training. */
export type WeightTensors = Record<string, tf.Tensor>;

export interface ModelSpec {
  variant: Variant;
  sizes: Sizes;
  layout: WeightLayout;
}

export interface BatchInput {
  /** [B, T, rgbDim] and [B, T, audioDim], zero past each video's length. */
  rgb: tf.Tensor3D;
  audio: tf.Tensor3D;
  /** Frames of each video, 1..T. */
  lengths: readonly number[];
}

export interface ForwardOutput {
  logits: tf.Tensor2D;
  probabilities: tf.Tensor2D;
  /** Per-frame attention weights [B, T]; zero past each video's length. */
  attention: Record<Modality, tf.Tensor2D>;
  /** The pooled video vector concat(p_rgb, p_audio) [B, 4D] that the head classifies. */
  pooled: tf.Tensor2D;
}

/** Names of the tensors that are matrices applied with matMul (affected by the layout). */
export function isMatrix(name: string): boolean {
  return /\.(w|wx|wh)$/.test(name) && !name.endsWith('.att.w');
}

/** x [N, in] times a weight stored in `layout`, plus bias. */
export function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor | null, layout: WeightLayout): tf.Tensor2D {
  const y = tf.matMul(x, w as tf.Tensor2D, false, layout === 'out-in') as tf.Tensor2D;
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** The signature of `linear`: a backend may bring a faster one for the model's large products (BiLstmRunner.linear). */
export type LinearFn = typeof linear;

/** The 0/1 mask [B, T] of real frames. */
export function frameMask(lengths: readonly number[], T: number): tf.Tensor2D {
  const m = new Float32Array(lengths.length * T);
  lengths.forEach((len, b) => m.fill(1, b * T, b * T + len));
  return tf.tensor2d(m, [lengths.length, T]);
}

function activations(beh: VariantBehaviour) {
  // Paddle's dynamic_lstm clamps sigmoid's input to [-40, 13]; its tanh clamp (exp argument
  // at 40, i.e. x >= -20) changes nothing in float32, where tanh(-20) is already -1.
  const sigmoid = beh.clampedActivations ? (x: tf.Tensor) => tf.sigmoid(tf.clipByValue(x, -40, 13)) : tf.sigmoid;
  return { sigmoid, tanh: tf.tanh };
}

/**
 * One LSTM over a batch. G [B, T, 4D] holds the input projections of every frame
 * (gate order i, f, c~, o). Masked steps keep their state; so when `reverse` walks
 * t = T-1 ... 0, a video's state stays zero through its padding and its backward
 * pass starts at its own last frame, with no reordering of frames.
 */
export function lstmOps(
  G: tf.Tensor3D, wh: tf.Tensor, bh: tf.Tensor, peep: tf.Tensor | null,
  mask: tf.Tensor2D, reverse: boolean, beh: VariantBehaviour, layout: WeightLayout,
): tf.Tensor3D {
  const [B, T, D4] = G.shape;
  const D = D4 / 4;
  const { sigmoid, tanh } = activations(beh);
  // Each step's temporaries are freed at once (tf.tidy), and the step inputs at the end:
  // a batch of 32 long videos would otherwise hold gigabytes (more than wasm's 4 GB).
  // Gradients are unaffected: tfjs keeps its own copies of what backprop needs.
  return tf.tidy(() => {
    // The step inputs. Training unstacks them (cheap to differentiate); inference gathers
    // one step at a time, as tfjs-wasm's unstack copies the whole tensor for every step
    // (minutes for a batch of 32 long videos).
    const gb: tf.Tensor = tf.add(G, bh);
    const steps = tf.engine().isTapeOn() ? (tf.unstack(gb, 1) as tf.Tensor2D[]) : null;
    const stepInput = (t: number) => (steps ? steps[t] : (tf.gather(gb, t, 1) as tf.Tensor2D));
    const keep = tf.unstack(tf.expandDims(mask, 2), 1) as tf.Tensor2D[];
    const [pi, pf, po] = peep ? (tf.unstack(peep, 0) as tf.Tensor1D[]) : [null, null, null];
    let h: tf.Tensor2D = tf.zeros([B, D]);
    let c: tf.Tensor2D = tf.zeros([B, D]);
    const outs: tf.Tensor2D[] = new Array(T);
    for (let k = 0; k < T; k++) {
      const t = reverse ? T - 1 - k : k;
      [c, h] = tf.tidy(() => {
        const g = k === 0 ? stepInput(t) : tf.add(stepInput(t), linear(h, wh, null, layout));
        const [gi, gf, gc, go] = tf.split(g, 4, 1);
        const i = sigmoid(pi ? tf.add(gi, tf.mul(pi, c)) : gi);
        const f = sigmoid(pf ? tf.add(gf, tf.mul(pf, c)) : gf);
        const cNew = tf.add(tf.mul(tanh(gc), i), tf.mul(c, f)) as tf.Tensor2D;
        const o = sigmoid(po ? tf.add(go, tf.mul(po, cNew)) : go);
        const hNew = tf.mul(o, tanh(cNew)) as tf.Tensor2D;
        // m * new + (1 - m) * old is exact for m in {0, 1} and differentiable.
        const m = keep[t];
        const rest = tf.sub(1, m);
        return [tf.add(tf.mul(cNew, m), tf.mul(c, rest)), tf.add(tf.mul(hNew, m), tf.mul(h, rest))] as tf.Tensor2D[];
      });
      outs[t] = h;
    }
    return tf.stack(outs, 1) as tf.Tensor3D;
  });
}

/** Everything a modality's LSTMs need besides the weights: computed once per batch. */
export interface BatchGeometry {
  B: number;
  T: number;
  lengths: readonly number[];
  mask: tf.Tensor2D;
}

export function batchGeometry(lengths: readonly number[], T: number): BatchGeometry {
  return { B: lengths.length, T, lengths, mask: frameMask(lengths, T) };
}

function flatten(x: tf.Tensor3D): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0] * x.shape[1], x.shape[2]]);
}

/** The input projections of the four LSTMs: [B, T, 4D] per modality and direction. */
export type GateInputs = Record<Modality, { fw: tf.Tensor3D; bw: tf.Tensor3D }>;
/** Their outputs, h at every frame: [B, T, D] per modality and direction. */
export type LstmOutputs = Record<Modality, { fw: tf.Tensor3D; bw: tf.Tensor3D }>;

/**
 * The recurrent part of the model: all four LSTMs (two modalities, two
 * directions) over a batch. The op-by-op path below is the reference
 * implementation; a fused kernel (one dispatch per time step for all four) can
 * stand in for it.
 */
export type BiLstmRunner = ((G: GateInputs, w: WeightTensors, spec: ModelSpec, geo: BatchGeometry) => LstmOutputs) & {
  /** A faster `linear` that comes with the runner (a custom WebGPU matmul), used for the embedding, the input projections and the head. */
  linear?: LinearFn;
};

export const opsBiLstm: BiLstmRunner = (G, w, spec, geo) => {
  const beh = BEHAVIOUR[spec.variant];
  const run = (m: Modality, d: 'fw' | 'bw') =>
    lstmOps(G[m][d], w[`${m}.${d}.wh`], w[`${m}.${d}.bh`], beh.peepholes ? w[`${m}.${d}.peep`] : null, geo.mask, d === 'bw', beh, spec.layout);
  return {
    rgb: { fw: run('rgb', 'fw'), bw: run('rgb', 'bw') },
    audio: { fw: run('audio', 'fw'), bw: run('audio', 'bw') },
  };
};

/** Embedding and the input projections of both directions, for all frames at once. */
function gateInputs(x: tf.Tensor3D, m: Modality, w: WeightTensors, spec: ModelSpec, geo: BatchGeometry, lin: LinearFn) {
  const e = tf.tanh(lin(flatten(x), w[`${m}.embed.w`], w[`${m}.embed.b`], spec.layout));
  const proj = (d: 'fw' | 'bw') =>
    tf.reshape(lin(e, w[`${m}.${d}.wx`], w[`${m}.${d}.bx`], spec.layout), [geo.B, geo.T, 4 * spec.sizes.lstm]) as tf.Tensor3D;
  return { fw: proj('fw'), bw: proj('bw') };
}

/** Attention over the BiLSTM outputs and the weighted sum that pools them. */
function attend(h: { fw: tf.Tensor3D; bw: tf.Tensor3D }, m: Modality, w: WeightTensors, spec: ModelSpec, geo: BatchGeometry) {
  const { B, T } = geo;
  const beh = BEHAVIOUR[spec.variant];
  let hd = tf.concat([h.fw, h.bw], 2) as tf.Tensor3D;
  if (beh.outputScale !== 1) hd = tf.mul(hd, beh.outputScale);
  // The attention fc is [2D, 1]: a matrix-vector product, stored the same in both layouts.
  const scores = tf.reshape(tf.add(tf.matMul(flatten(hd), w[`${m}.att.w`] as tf.Tensor2D), w[`${m}.att.b`]), [B, T]);
  const masked = tf.add(scores, tf.mul(tf.sub(1, geo.mask), -1e30));
  const a = tf.softmax(masked, 1) as tf.Tensor2D;
  const pooled = tf.reshape(tf.matMul(tf.expandDims(a, 1), hd), [B, 2 * spec.sizes.lstm]) as tf.Tensor2D;
  return { attention: a, pooled };
}

/** The head: pooled video vectors [B, 4D] to logits [B, C]. */
export function head(z: tf.Tensor2D, w: WeightTensors, layout: WeightLayout, lin: LinearFn = linear): tf.Tensor2D {
  const h1 = tf.relu(lin(z, w['head.fc1.w'], w['head.fc1.b'], layout));
  const h2 = tf.tanh(lin(h1, w['head.fc2.w'], w['head.fc2.b'], layout));
  return lin(h2, w['head.logit.w'], w['head.logit.b'], layout);
}

/** The pooled vectors alone (the frozen encoders' output, cached by new-head fine-tuning). */
export function encode(w: WeightTensors, spec: ModelSpec, input: BatchInput, biLstm: BiLstmRunner = opsBiLstm) {
  const geo = batchGeometry(input.lengths, input.rgb.shape[1]);
  const lin = biLstm.linear ?? linear;
  const G: GateInputs = { rgb: gateInputs(input.rgb, 'rgb', w, spec, geo, lin), audio: gateInputs(input.audio, 'audio', w, spec, geo, lin) };
  const H = biLstm(G, w, spec, geo);
  const r = attend(H.rgb, 'rgb', w, spec, geo);
  const a = attend(H.audio, 'audio', w, spec, geo);
  return { pooled: tf.concat([r.pooled, a.pooled], 1) as tf.Tensor2D, attention: { rgb: r.attention, audio: a.attention } };
}

export function forward(w: WeightTensors, spec: ModelSpec, input: BatchInput, biLstm: BiLstmRunner = opsBiLstm): ForwardOutput {
  return tf.tidy(() => {
    const { pooled, attention } = encode(w, spec, input, biLstm);
    const logits = head(pooled, w, spec.layout, biLstm.linear ?? linear);
    return { logits, probabilities: tf.sigmoid(logits), attention, pooled };
  });
}

