import * as tf from '@tensorflow/tfjs-core';
import { transpose2d } from '../ndarray';
import { longestOf, packedFrames, paddedFrames } from '../features/padded';
import type { VideoFeatures } from '../features/featureTypes';
import type { AttentionLstmMeta } from '../convert/modelFormat';
import { canonicalTensors } from './architecture';
import { budgetBatches, fixedBatches } from './batching';
import {
  type BatchInput,
  type BiLstmRunner,
  type ModelSpec,
  type PackedBatchInput,
  type WeightLayout,
  type WeightTensors,
  forward,
  forwardPackedWithGates,
  isMatrix,
  opsBiLstm,
  takesPackedPath,
  windowProbabilities,
} from './attentionLstm';
import { packedLayout } from './packedBatch';
import { windowChunks } from './packedWindows';
import { checkVideos, type PassWindow, type PredictOptions, type VideoPrediction } from './prediction';
import { type WindowSettings, videoWindow, windowStarts } from '../segments/windows';

export { checkVideos, type PredictOptions, type VideoPrediction, type VideoPredictor } from './prediction';

/** A model whose weights live on a tfjs backend. */
export interface LoadedModel {
  meta: AttentionLstmMeta;
  spec: ModelSpec;
  weights: WeightTensors;
  dispose(): void;
}

/** Uploads canonical weights, storing matrices [out, in] when `layout` says so. */
export function createModel(meta: AttentionLstmMeta, arrays: ReadonlyMap<string, Float32Array>, layout: WeightLayout): LoadedModel {
  const weights: WeightTensors = {};
  for (const { name, shape } of canonicalTensors(meta.variant, meta.sizes)) {
    const data = arrays.get(name);
    if (!data) throw new Error(`createModel: missing weight ${name}`);
    if (layout === 'out-in' && isMatrix(name)) {
      weights[name] = tf.tensor(transpose2d(data, shape[0], shape[1]), [shape[1], shape[0]]);
    } else {
      weights[name] = tf.tensor(data, shape);
    }
  }
  return {
    meta,
    spec: { variant: meta.variant, sizes: meta.sizes, layout },
    weights,
    dispose: () => Object.values(weights).forEach((t) => t.dispose()),
  };
}

/** The canonical weights back on the CPU, [in, out] whatever the layout (for export and caching). */
export async function readWeights(model: LoadedModel): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const { name, shape } of canonicalTensors(model.meta.variant, model.meta.sizes)) {
    const data = (await model.weights[name].data()) as Float32Array;
    out.set(name, model.spec.layout === 'out-in' && isMatrix(name) ? transpose2d(data, shape[1], shape[0]) : data.slice());
  }
  return out;
}

/** Pads videos to the longest one (dequantizing uint8 features): [B, T, dim] tensors and the lengths. */
export function packBatch(videos: readonly VideoFeatures[]): BatchInput {
  const T = longestOf(videos);
  const B = videos.length;
  return {
    rgb: tf.tensor3d(paddedFrames(videos, 'rgb', T), [B, T, videos[0].rgbDim]),
    audio: tf.tensor3d(paddedFrames(videos, 'audio', T), [B, T, videos[0].audioDim]),
    lengths: videos.map((v) => v.frames),
  };
}

/** The batch as packed rows of its real frames (the packed path's input): no padding is made or uploaded. */
export function packRows(videos: readonly VideoFeatures[]): PackedBatchInput {
  const lengths = videos.map((v) => v.frames);
  const layout = packedLayout(lengths, longestOf(videos));
  return {
    layout,
    rgb: tf.tensor2d(packedFrames(videos, 'rgb', layout.offsets, layout.rank), [layout.N, videos[0].rgbDim]),
    audio: tf.tensor2d(packedFrames(videos, 'audio', layout.offsets, layout.rank), [layout.N, videos[0].audioDim]),
    lengths,
  };
}

/** The batch in the form the runner will take: packed rows for the packed path, padded tensors for the op path. */
export function batchInput(
  videos: readonly VideoFeatures[],
  spec: ModelSpec,
  biLstm: BiLstmRunner = opsBiLstm,
): BatchInput | PackedBatchInput {
  return takesPackedPath(biLstm, spec) ? packRows(videos) : packBatch(videos);
}

export async function predictVideos(
  model: LoadedModel,
  videos: readonly VideoFeatures[],
  opts: PredictOptions = {},
): Promise<VideoPrediction[]> {
  checkVideos(videos, model.meta);
  // Longest first, so each batch pads little.
  const order = videos.map((_, i) => i).sort((a, b) => videos[b].frames - videos[a].frames);
  const frames = order.map((i) => videos[i].frames);
  const batches = opts.batchSize ? fixedBatches(order.length, opts.batchSize) : budgetBatches(frames, model.meta.sizes, opts.budgetBytes);
  const results: VideoPrediction[] = new Array(videos.length);
  for (const batch of batches) {
    const idx = batch.map((j) => order[j]);
    const w = opts.windows;
    const pick = w ? idx.flatMap((vi, b) => (w.of(vi) ? [b] : [])) : [];
    const out = await forwardBatch(
      model.weights,
      model.spec,
      idx.map((i) => videos[i]),
      opts.biLstm,
      w && pick.length ? { length: w.length, hop: w.hop, batchSize: w.batchSize, pick } : undefined,
    );
    idx.forEach((vi, b) => (results[vi] = out[b]));
  }
  return results;
}

/** Segment windows of some videos of a batch (their batch indices), computed in chunks of `batchSize` windows. */
export interface BatchWindows extends WindowSettings {
  pick: readonly number[];
  batchSize: number;
}

/**
 * One forward pass over a batch of videos (packed rows, or padded to the
 * longest for the op path), read back per video; with `windows`, the segment
 * windows of the videos picked too, each with its video's prediction. On the
 * packed path the windows take their rows of the batch's input projections
 * (packedWindows.ts): the frames are read, dequantized and embedded once. On
 * the op path (no packed kernel) they run as short videos of their own.
 */
export async function forwardBatch(
  weights: WeightTensors,
  spec: ModelSpec,
  batch: readonly VideoFeatures[],
  biLstm: BiLstmRunner = opsBiLstm,
  windows?: BatchWindows,
): Promise<VideoPrediction[]> {
  if (!windows?.pick.length)
    return readBack(spec, batch, batchInput(batch, spec, biLstm), (input) => forward(weights, spec, input, biLstm));
  if (!takesPackedPath(biLstm, spec)) {
    const out = await forwardBatch(weights, spec, batch, biLstm);
    await windowsAsVideos(weights, spec, batch, biLstm, windows, out);
    return out;
  }
  const input = packRows(batch);
  let gates: ReturnType<typeof forwardPackedWithGates>['gates'] | null = null;
  try {
    const out = await readBack(spec, batch, input, (packed) => {
      const o = forwardPackedWithGates(weights, spec, packed as PackedBatchInput, biLstm);
      gates = o.gates;
      return o;
    });
    for (const b of windows.pick) out[b].windows = [];
    const C = spec.sizes.classes;
    for (const chunk of windowChunks(input.layout, windows, windows.pick, windows.batchSize)) {
      const p = windowProbabilities(weights, spec, gates!, chunk, biLstm);
      const probs = (await p.data()) as Float32Array;
      p.dispose();
      chunk.windows.forEach((w, i) =>
        out[w.video].windows!.push({ start: w.start, frames: w.frames, probabilities: probs.subarray(i * C, (i + 1) * C) }),
      );
    }
    return out;
  } finally {
    if (gates) tf.dispose(gates);
  }
}

/** Runs the batch's forward pass and reads its results back per video; the input tensors are freed. */
async function readBack(
  spec: ModelSpec,
  batch: readonly VideoFeatures[],
  input: BatchInput | PackedBatchInput,
  run: (input: BatchInput | PackedBatchInput) => ReturnType<typeof forward>,
): Promise<VideoPrediction[]> {
  let out: ReturnType<typeof forward> | null = null;
  try {
    out = run(input);
    const [probs, logits, ar, aa] = (await Promise.all([
      out.probabilities.data(),
      out.logits.data(),
      out.attention.rgb.data(),
      out.attention.audio.data(),
    ])) as Float32Array[];
    const C = spec.sizes.classes;
    const T = longestOf(batch);
    return batch.map((v, b) => ({
      probabilities: probs.slice(b * C, (b + 1) * C),
      logits: logits.slice(b * C, (b + 1) * C),
      attention: { rgb: ar.slice(b * T, b * T + v.frames), audio: aa.slice(b * T, b * T + v.frames) },
    }));
  } finally {
    tf.dispose([input.rgb, input.audio]);
    if (out) tf.dispose([out.logits, out.probabilities, out.attention.rgb, out.attention.audio, out.pooled]);
  }
}

/** The op path's windows: each a short video (views of its video's frames), `batchSize` a pass. */
async function windowsAsVideos(
  weights: WeightTensors,
  spec: ModelSpec,
  batch: readonly VideoFeatures[],
  biLstm: BiLstmRunner,
  windows: BatchWindows,
  out: VideoPrediction[],
): Promise<void> {
  const all: { b: number; start: number; video: VideoFeatures }[] = [];
  for (const b of windows.pick) {
    out[b].windows = [];
    for (const start of windowStarts(batch[b].frames, windows)) all.push({ b, start, video: videoWindow(batch[b], start, windows.length) });
  }
  const per = Math.max(1, Math.floor(windows.batchSize));
  for (let i = 0; i < all.length; i += per) {
    const part = all.slice(i, i + per);
    const res = await forwardBatch(
      weights,
      spec,
      part.map((x) => x.video),
      biLstm,
    );
    part.forEach((x, j) =>
      out[x.b].windows!.push({ start: x.start, frames: x.video.frames, probabilities: res[j].probabilities } satisfies PassWindow),
    );
  }
}
