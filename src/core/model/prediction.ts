/**
 * What a prediction is, whichever engine computes it: a model on tfjs
 * (model.ts, predictVideos) or an engine with a memory of its own (the
 * command line's, src/kernels/lstmSimd/model.ts). No tfjs here, so that the
 * command line's engine does not load it.
 */
import type { AttentionLstmMeta } from '../convert/modelFormat';
import { InputError } from '../errors';
import type { VideoFeatures } from '../features/featureTypes';
import type { BiLstmRunner } from './attentionLstm';

/** Checks that videos fit the model before any tensor is made; errors name the file and video. */
export function checkVideos(videos: readonly VideoFeatures[], meta: Pick<AttentionLstmMeta, 'sizes'>): void {
  for (const v of videos) {
    const where = `${v.file}: video ${v.index} ('${v.id}')`;
    if (v.rgbDim !== meta.sizes.rgbDim)
      throw new InputError(`${where} has rgb features of width ${v.rgbDim}, the model expects ${meta.sizes.rgbDim}`);
    if (v.audioDim !== meta.sizes.audioDim)
      throw new InputError(`${where} has audio features of width ${v.audioDim}, the model expects ${meta.sizes.audioDim}`);
    if (v.frames < 1) throw new InputError(`${where} has no frames`);
  }
}

export interface VideoPrediction {
  probabilities: Float32Array;
  logits: Float32Array;
  /** One weight per frame of the video (not padded). */
  attention: { rgb: Float32Array; audio: Float32Array };
  /** Its segment windows, by start, when PredictOptions.windows asked for them. */
  windows?: PassWindow[];
}

/**
 * A segment window computed in its video's forward pass: as core/segments's
 * WindowPrediction. Its probabilities are a view of its chunk's (tens of
 * thousands of windows a shard: one array each would be as many allocations).
 */
export interface PassWindow {
  start: number;
  frames: number;
  probabilities: Float32Array;
}

/**
 * Segment windows to compute in the same forward pass as their videos
 * (tfjs models: core/model/packedWindows.ts): their length and hop, which
 * videos (by index in the list predicted), and windows per chunk of the pass.
 */
interface PassWindowsRequest {
  length: number;
  hop: number;
  of: (index: number) => boolean;
  batchSize: number;
}

export interface PredictOptions {
  /**
   * Videos per forward pass; videos of similar length are batched together.
   * Default: as many as fit `budgetBytes` (batching.ts).
   */
  batchSize?: number;
  /** The memory a batch may hold on the backend when `batchSize` is not given. Default BATCH_BUDGET_BYTES. */
  budgetBytes?: number;
  /** The recurrent implementation (tfjs models): the op path by default, the fused WebGPU kernel in the page. */
  biLstm?: BiLstmRunner;
  /** Also the segment windows of some videos, in the same forward pass (tfjs models). */
  windows?: PassWindowsRequest;
}

/** Something that predicts videos: what core/model/predictStream.ts streams a folder of shards through. */
export interface VideoPredictor {
  meta: AttentionLstmMeta;
  /** One prediction per video, in the order given; videos that do not fit the model are an InputError (checkVideos). */
  predict(videos: readonly VideoFeatures[], opts?: PredictOptions): Promise<VideoPrediction[]>;
}
