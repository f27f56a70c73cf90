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
  isMatrix,
  opsBiLstm,
  takesPackedPath,
} from './attentionLstm';
import { packedLayout } from './packedBatch';
import { checkVideos, type PredictOptions, type VideoPrediction } from './prediction';

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
    const out = await forwardBatch(
      model.weights,
      model.spec,
      idx.map((i) => videos[i]),
      opts.biLstm,
    );
    idx.forEach((vi, b) => (results[vi] = out[b]));
  }
  return results;
}

/** One forward pass over a batch of videos (packed rows, or padded to the longest for the op path), read back per video. */
export async function forwardBatch(
  weights: WeightTensors,
  spec: ModelSpec,
  batch: readonly VideoFeatures[],
  biLstm: BiLstmRunner = opsBiLstm,
): Promise<VideoPrediction[]> {
  const input = batchInput(batch, spec, biLstm);
  const out = forward(weights, spec, input, biLstm);
  const [probs, logits, ar, aa] = (await Promise.all([
    out.probabilities.data(),
    out.logits.data(),
    out.attention.rgb.data(),
    out.attention.audio.data(),
  ])) as Float32Array[];
  tf.dispose([input.rgb, input.audio, out.logits, out.probabilities, out.attention.rgb, out.attention.audio, out.pooled]);
  const C = spec.sizes.classes;
  const T = longestOf(batch);
  return batch.map((v, b) => ({
    probabilities: probs.slice(b * C, (b + 1) * C),
    logits: logits.slice(b * C, (b + 1) * C),
    attention: { rgb: ar.slice(b * T, b * T + v.frames), audio: aa.slice(b * T, b * T + v.frames) },
  }));
}
