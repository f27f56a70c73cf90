/**
 * The AttentionLSTM forward pass on tfjs, for a batch of videos of different
 * lengths. Two pipelines compute the same numbers:
 *
 * - the op path: the batch padded to the longest video and masked, built only
 *   from differentiable tfjs ops, so it serves training and fine-tuning (and is
 *   the reference the others are held to);
 * - the packed path, for inference: only the real frames (packedBatch.ts, as
 *   Paddle's LoD batches them), the recurrence of all four LSTMs as one
 *   backend kernel (wasm, cpu) or the fused WGSL step (WebGPU). encode() takes
 *   it when tfjs is not recording gradients and the runner has one for the
 *   current backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BEHAVIOUR, type Modality, type Sizes, type Variant, type VariantBehaviour } from './architecture';
import { type PackedBiLstm, type PackedGateInputs, type PackedLayout, gatherRows, kernelPackedBiLstm, packedLayout } from './packedBatch';

/**
 * How weight matrices are stored. tfjs's WebGPU matMul is much faster with the
 * right operand stored [out, in] and transposeB; wasm is fastest with [in, out]
 * (docs/benchmarks.md).
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

/**
 * The same batch as packed rows (packedBatch.ts): the real frames only, in the
 * layout's order, [N, rgbDim] and [N, audioDim]. Built on the CPU when the
 * runner will take the packed path, so no padded tensor is uploaded and no
 * gather picks the rows out of one.
 */
export interface PackedBatchInput {
  layout: PackedLayout;
  rgb: tf.Tensor2D;
  audio: tf.Tensor2D;
  lengths: readonly number[];
}

function isPackedInput(input: BatchInput | PackedBatchInput): input is PackedBatchInput {
  return 'layout' in input;
}

/** Whether encode() will take the packed path with this runner now (inference on a backend that has it). */
export function takesPackedPath(biLstm: BiLstmRunner, spec: ModelSpec): boolean {
  return biLstm.packed !== undefined && !tf.engine().isTapeOn() && biLstm.packed.available(spec);
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
function frameMask(lengths: readonly number[], T: number): tf.Tensor2D {
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
function lstmOps(
  G: tf.Tensor3D,
  wh: tf.Tensor,
  bh: tf.Tensor,
  peep: tf.Tensor | null,
  mask: tf.Tensor2D,
  reverse: boolean,
  beh: VariantBehaviour,
  layout: WeightLayout,
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
type LstmOutputs = Record<Modality, { fw: tf.Tensor3D; bw: tf.Tensor3D }>;

/**
 * The recurrent part of the model: all four LSTMs (two modalities, two
 * directions) over a batch. The op-by-op path below is the reference
 * implementation; a fused kernel (one dispatch per time step for all four) can
 * stand in for it.
 */
export type BiLstmRunner = ((G: GateInputs, w: WeightTensors, spec: ModelSpec, geo: BatchGeometry) => LstmOutputs) & {
  /** A faster `linear` that comes with the runner (a custom WebGPU matmul), used for the embedding, the input projections and the head. */
  linear?: LinearFn;
  /** Its packed counterpart for inference, when it has one (encode() asks `available` at each call). */
  packed?: PackedBiLstm;
};

/** The op path alone: padded, masked, differentiable; never the packed path (the reference in tests and benchmarks). */
export const paddedOpsBiLstm: BiLstmRunner = (G, w, spec, geo) => {
  const beh = BEHAVIOUR[spec.variant];
  const run = (m: Modality, d: 'fw' | 'bw') =>
    lstmOps(
      G[m][d],
      w[`${m}.${d}.wh`],
      w[`${m}.${d}.bh`],
      beh.peepholes ? w[`${m}.${d}.peep`] : null,
      geo.mask,
      d === 'bw',
      beh,
      spec.layout,
    );
  return {
    rgb: { fw: run('rgb', 'fw'), bw: run('rgb', 'bw') },
    audio: { fw: run('audio', 'fw'), bw: run('audio', 'bw') },
  };
};

/**
 * The packed recurrence by the op path: the packed rows scattered to a padded
 * batch, lstmOps, and gathered back. Exact and differentiable, as slow as the
 * op path: for a fast runner that cannot take a batch (the fused WebGPU kernel
 * past the device's binding limit) and for tests.
 */
export const opsPackedBiLstm: PackedBiLstm = {
  available: () => true,
  run(G, w, spec, layout) {
    const { B, T } = layout;
    const D = spec.sizes.lstm;
    return tf.tidy(() => {
      const toPadded = tf.tensor1d(layout.paddedRows, 'int32');
      const fromPadded = tf.tensor1d(layout.sourceRows, 'int32');
      const pad = (g: tf.Tensor2D) => tf.reshape(tf.gather(tf.concat([g, tf.zeros([1, 4 * D])]), toPadded), [B, T, 4 * D]) as tf.Tensor3D;
      const geo = batchGeometry(layout.lengths, T);
      const H = paddedOpsBiLstm(
        { rgb: { fw: pad(G.rgb.fw), bw: pad(G.rgb.bw) }, audio: { fw: pad(G.audio.fw), bw: pad(G.audio.bw) } },
        w,
        spec,
        geo,
      );
      const back = (h: tf.Tensor3D) => tf.gather(tf.reshape(h, [B * T, D]), fromPadded) as tf.Tensor2D;
      return {
        rgb: tf.concat([back(H.rgb.fw), back(H.rgb.bw)], 1) as tf.Tensor2D,
        audio: tf.concat([back(H.audio.fw), back(H.audio.bw)], 1) as tf.Tensor2D,
      };
    });
  },
};

/**
 * The default runner: the op path while tfjs records gradients (training) and on
 * backends without the packed kernel; in inference on a backend that registered
 * it (wasm and cpu: src/kernels/packedLstm_*.ts), the packed path, which gives
 * the same numbers (within float32 rounding) at the cost of the real frames.
 */
export const opsBiLstm: BiLstmRunner = Object.assign(
  (G: GateInputs, w: WeightTensors, spec: ModelSpec, geo: BatchGeometry) => paddedOpsBiLstm(G, w, spec, geo),
  { packed: kernelPackedBiLstm },
);

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
export function encode(w: WeightTensors, spec: ModelSpec, input: BatchInput | PackedBatchInput, biLstm: BiLstmRunner = opsBiLstm) {
  if (isPackedInput(input) && !takesPackedPath(biLstm, spec))
    throw new Error('encode: packed rows need a runner whose packed path is available (inference, a backend that has it)');
  if (isPackedInput(input) || takesPackedPath(biLstm, spec)) {
    // Call it inside tf.tidy (as forward does): the gates it also computed are freed with the rest.
    const { pooled, attention } = encodePacked(w, spec, input, biLstm.packed!, biLstm.linear ?? linear);
    return { pooled, attention };
  }
  const geo = batchGeometry(input.lengths, input.rgb.shape[1]);
  const lin = biLstm.linear ?? linear;
  const G: GateInputs = {
    rgb: gateInputs(input.rgb, 'rgb', w, spec, geo, lin),
    audio: gateInputs(input.audio, 'audio', w, spec, geo, lin),
  };
  const H = biLstm(G, w, spec, geo);
  const r = attend(H.rgb, 'rgb', w, spec, geo);
  const a = attend(H.audio, 'audio', w, spec, geo);
  return { pooled: tf.concat([r.pooled, a.pooled], 1) as tf.Tensor2D, attention: { rgb: r.attention, audio: a.attention } };
}

/**
 * encode() on the packed rows: the embedding and the input projections of the
 * real frames only, the runner's packed recurrence, and attention over each
 * video's own frames. With one video nothing is reordered (its rows are its frames).
 */
function encodePacked(w: WeightTensors, spec: ModelSpec, input: BatchInput | PackedBatchInput, runner: PackedBiLstm, lin: LinearFn) {
  const layout = isPackedInput(input) ? input.layout : packedLayout(input.lengths, input.rgb.shape[1]);
  const rows = (m: Modality): tf.Tensor2D => {
    if (isPackedInput(input)) return input[m];
    const flat = tf.reshape(input[m], [layout.B * layout.T, input[m].shape[2]]) as tf.Tensor2D;
    return layout.identity ? flat : gatherRows(flat, layout.sourceRows);
  };
  const G = packedGates(w, spec, { rgb: rows('rgb'), audio: rows('audio') }, runner.linear ?? lin);
  return { ...encodeGates(w, spec, G, layout, runner), G };
}

/** The embedding and both directions' input projections of packed rows [N, dim] per modality. */
function packedGates(w: WeightTensors, spec: ModelSpec, rows: Record<Modality, tf.Tensor2D>, lin: LinearFn): PackedGateInputs {
  const G = {} as PackedGateInputs;
  for (const m of ['rgb', 'audio'] as const) {
    const e = tf.tanh(lin(rows[m], w[`${m}.embed.w`], w[`${m}.embed.b`], spec.layout));
    G[m] = { fw: lin(e, w[`${m}.fw.wx`], w[`${m}.fw.bx`], spec.layout), bw: lin(e, w[`${m}.bw.wx`], w[`${m}.bw.bx`], spec.layout) };
  }
  return G;
}

/** The packed recurrence of the gates' rows (`layout`) and attention over each video's own frames. */
function encodeGates(w: WeightTensors, spec: ModelSpec, G: PackedGateInputs, layout: PackedLayout, runner: PackedBiLstm) {
  const H = runner.run(G, w, spec, layout);
  const r = attendPacked(H.rgb, 'rgb', w, spec, layout);
  const a = attendPacked(H.audio, 'audio', w, spec, layout);
  return { pooled: tf.concat([r.pooled, a.pooled], 1) as tf.Tensor2D, attention: { rgb: r.attention, audio: a.attention } };
}

/**
 * forward() of a packed batch that also hands back its input projections
 * (the gates), for the segment windows of its videos (windowProbabilities).
 * Inference only, on a runner whose packed path is available.
 */
export function forwardPackedWithGates(
  w: WeightTensors,
  spec: ModelSpec,
  input: PackedBatchInput,
  biLstm: BiLstmRunner,
): ForwardOutput & { gates: PackedGateInputs } {
  if (!takesPackedPath(biLstm, spec)) throw new Error('forwardPackedWithGates: the runner has no packed path available now');
  return tf.tidy(() => {
    const lin = biLstm.linear ?? linear;
    const { pooled, attention, G } = encodePacked(w, spec, input, biLstm.packed!, lin);
    const logits = head(pooled, w, spec.layout, lin);
    return { logits, probabilities: tf.sigmoid(logits), attention, pooled, gates: G };
  });
}

/**
 * The class probabilities [windows, C] of a chunk of windows of a packed
 * batch's videos (packedWindows.ts), from the batch's gates: each window's
 * rows gathered, then its own recurrence (from zero at its ends), attention
 * and head, as the window alone would run as a short video.
 */
export function windowProbabilities(
  w: WeightTensors,
  spec: ModelSpec,
  gates: PackedGateInputs,
  chunk: { layout: PackedLayout; rows: Int32Array },
  biLstm: BiLstmRunner,
): tf.Tensor2D {
  if (!takesPackedPath(biLstm, spec)) throw new Error('windowProbabilities: the runner has no packed path available now');
  return tf.tidy(() => {
    const G = {} as PackedGateInputs;
    for (const m of ['rgb', 'audio'] as const) G[m] = { fw: gatherRows(gates[m].fw, chunk.rows), bw: gatherRows(gates[m].bw, chunk.rows) };
    const { pooled } = encodeGates(w, spec, G, chunk.layout, biLstm.packed!);
    return tf.sigmoid(head(pooled, w, spec.layout, biLstm.linear ?? linear)) as tf.Tensor2D;
  });
}

/**
 * attend() on packed rows hd [N, 2D]. The variant's output scale (0.5, a power
 * of two) is applied to the scores and to the pooled vector rather than to
 * every row: the same numbers, exactly.
 */
function attendPacked(hd: tf.Tensor2D, m: Modality, w: WeightTensors, spec: ModelSpec, layout: PackedLayout) {
  const { B, T, N } = layout;
  const scale = BEHAVIOUR[spec.variant].outputScale;
  let s = tf.matMul(hd, w[`${m}.att.w`] as tf.Tensor2D);
  if (scale !== 1) s = tf.mul(s, scale);
  s = tf.reshape(tf.add(s, w[`${m}.att.b`]), [N]);
  // Scores per video and frame [B, T]; padding gets -1e30, i.e. weight 0.
  const scores = layout.identity
    ? tf.reshape(s, [1, T])
    : tf.reshape(gatherRows(tf.reshape(tf.concat([s, tf.tensor1d([-1e30])]), [N + 1, 1]) as tf.Tensor2D, layout.paddedRows), [B, T]);
  const a = tf.softmax(scores, 1) as tf.Tensor2D;
  let pooled: tf.Tensor = layout.identity
    ? tf.matMul(a, hd)
    : B > DENSE_POOLING_MAX_BATCH
      ? pooledByPadding(hd, a, layout)
      : pooledByRowWeights(hd, a, layout);
  if (scale !== 1) pooled = tf.mul(pooled, scale);
  return { attention: a, pooled: pooled as tf.Tensor2D };
}

/**
 * Batches larger than this pool by padding. The [B, N] matrix of
 * pooledByRowWeights grows with the square of the batch (N is about B times
 * the frames a video): fine for videos (at most 64 a batch), but 256
 * five-frame segment windows made its product as costly as the embedding of
 * every frame (a shard's windows took 1.5x the time of its videos).
 */
const DENSE_POOLING_MAX_BATCH = 64;

/** pooled[b] = sum over b's rows of a * hd: one product with the [B, N] matrix of each row's weight in its own video. */
function pooledByRowWeights(hd: tf.Tensor2D, a: tf.Tensor2D, layout: PackedLayout): tf.Tensor2D {
  const { B, T, N } = layout;
  const own = new Float32Array(B * N);
  layout.videoOfRow.forEach((b, r) => (own[b * N + r] = 1));
  const weights = tf.mul(tf.tensor2d(own, [B, N]), tf.reshape(gatherRows(tf.reshape(a, [B * T, 1]), layout.sourceRows), [1, N]));
  return tf.matMul(weights as tf.Tensor2D, hd);
}

/** The same sums over the rows gathered into [B, T, 2D] (zeros past each video's end): B products of [1, T] by [T, 2D]. */
function pooledByPadding(hd: tf.Tensor2D, a: tf.Tensor2D, layout: PackedLayout): tf.Tensor2D {
  const { B, T } = layout;
  const D2 = hd.shape[1];
  // paddedRows gives N for a frame past a video's end: the zero row appended here.
  const padded = tf.reshape(gatherRows(tf.concat([hd, tf.zeros([1, D2])]) as tf.Tensor2D, layout.paddedRows), [B, T, D2]) as tf.Tensor3D;
  return tf.reshape(tf.matMul(tf.reshape(a, [B, 1, T]), padded), [B, D2]);
}

export function forward(
  w: WeightTensors,
  spec: ModelSpec,
  input: BatchInput | PackedBatchInput,
  biLstm: BiLstmRunner = opsBiLstm,
): ForwardOutput {
  return tf.tidy(() => {
    const { pooled, attention } = encode(w, spec, input, biLstm);
    const logits = head(pooled, w, spec.layout, biLstm.linear ?? linear);
    return { logits, probabilities: tf.sigmoid(logits), attention, pooled };
  });
}
