/**
 * Segment inference: videos cut into windows (windows.ts), the windows run
 * through the model in batches as videos are, results handed on a batch at a
 * time. Shared by the CLI, the worker and fine-tuning.
 *
 * Memory: windows are views of their video's frames, and a batch of windows
 * is sized by the same byte budget as a batch of videos (batching.ts), so a
 * batch never holds more on the backend than the video-level path; results
 * leave a batch at a time (a shard at hop 1 has a quarter of a million
 * windows, each with a probability per class), so nothing grows with the
 * number of videos. Only the videos whose windows are in the batch being
 * filled are held.
 *
 * Speed: windows are short, so many go into one forward pass (up to
 * MAX_WINDOWS_PER_BATCH, not the 64 of videos): the per-pass costs (packing,
 * uploads, kernel calls, read-back) are paid per batch, and a shard at hop 5
 * has 45,000 windows. The packed path pools a large batch by padding
 * (attentionLstm.ts), so a pass stays linear in its windows.
 */
import { userMessage } from '../errors';
import type { VideoFeatures } from '../features/featureTypes';
import type { Sizes } from '../model/architecture';
import type { BiLstmRunner } from '../model/attentionLstm';
import { BATCH_BUDGET_BYTES, batchSizeFor } from '../model/batching';
import type { LoadedModel } from '../model/model';
import { checkVideos, type VideoPredictor } from '../model/prediction';
import type { StreamModel } from '../model/predictStream';
import { type WindowSettings, videoWindow, windowSettings, windowStarts } from './windows';

/** What runs a batch of (short) videos: the loaded model, or a fine-tune's current weights. */
export interface WindowRunner {
  /** The model's sizes: the feature widths a video must have, and what the batch budget counts. */
  sizes: Sizes;
  /** The class probabilities of each video of a batch, in order. */
  predict(batch: readonly VideoFeatures[]): Promise<Float32Array[]>;
}

/** A loaded model as a runner, on the recurrent implementation given (the fused WebGPU kernel in the page). */
export function modelRunner(model: LoadedModel, biLstm?: BiLstmRunner): WindowRunner {
  return {
    sizes: model.meta.sizes,
    // Loaded when first used, so that an engine of its own (the command line's) does not load tfjs.
    predict: async (batch) => {
      const { forwardBatch } = await import('../model/model');
      return (await forwardBatch(model.weights, model.spec, batch, biLstm)).map((p) => p.probabilities);
    },
  };
}

/** An engine with a memory of its own (the command line's) as a runner: each batch is one call, in its own batching. */
function predictorRunner(predictor: VideoPredictor): WindowRunner {
  return {
    sizes: predictor.meta.sizes,
    predict: async (batch) => (await predictor.predict(batch, { batchSize: batch.length })).map((p) => p.probabilities),
  };
}

/** Either kind of model as a runner. */
export function runnerFor(model: StreamModel): WindowRunner {
  return 'predict' in model ? predictorRunner(model) : modelRunner(model);
}

/** One window's result. */
export interface WindowPrediction {
  /** The window's first frame (second) in its video; its id is segmentId(video id, start). */
  start: number;
  /** Frames it holds: the window length, or fewer at the video's end. */
  frames: number;
  probabilities: Float32Array;
}

export interface WindowBatch<T> {
  /** The batch's windows, in the order the videos came and, within a video, by start. */
  windows: (WindowPrediction & { item: T })[];
  /** Videos whose last window is in this batch: each video once, in order, after all its windows. */
  done: T[];
  /** Videos the model cannot take (other feature widths, no frames), skipped, with why. */
  errors: { item: T; error: string }[];
}

export interface WindowStreamOptions {
  /** Window length and hop; the challenge's 5 and 5 by default. */
  window?: Partial<WindowSettings>;
  /** Windows per forward pass. Default: as many as fit `budgetBytes`, at most MAX_WINDOWS_PER_BATCH. */
  batchSize?: number;
  /** The memory a batch may hold on the backend; BATCH_BUDGET_BYTES by default, as for videos. */
  budgetBytes?: number;
}

/**
 * Windows per batch at most. Measured with the demo model on wasm (100
 * videos of 150-300 frames at hop 5, 7 interleaved runs on a busy machine):
 * 128 to 512 a batch took the same time within the noise, 1,024 a quarter
 * longer; the demo's budget would allow 900.
 */
export const MAX_WINDOWS_PER_BATCH = 256;

/** Windows of the given settings per forward pass for a model of `sizes`. */
export function windowsPerBatch(
  sizes: Sizes,
  s: WindowSettings,
  opts: Pick<WindowStreamOptions, 'batchSize' | 'budgetBytes'> = {},
): number {
  if (opts.batchSize !== undefined) return Math.max(1, Math.floor(opts.batchSize));
  return batchSizeFor(sizes, s.length, opts.budgetBytes ?? BATCH_BUDGET_BYTES, MAX_WINDOWS_PER_BATCH);
}

interface Pending<T> {
  item: T;
  start: number;
  features: VideoFeatures;
  last: boolean;
}

/**
 * The windows of a stream of videos, predicted a batch at a time. A batch
 * takes windows from as many videos as it needs, in order, so a video's
 * windows may span two batches; `done` says when a video is complete.
 * Probabilities are the runner's own arrays: kept by a consumer, they stay valid.
 */
export async function* predictWindowStream<T extends { video: VideoFeatures }>(
  runner: WindowRunner,
  items: AsyncIterable<T> | Iterable<T>,
  opts: WindowStreamOptions = {},
): AsyncGenerator<WindowBatch<T>> {
  const s = windowSettings(opts.window);
  const per = windowsPerBatch(runner.sizes, s, opts);
  let pending: Pending<T>[] = [];
  const errors: { item: T; error: string }[] = [];
  const run = async (): Promise<WindowBatch<T>> => {
    const batch = pending;
    pending = [];
    const probabilities = batch.length ? await runner.predict(batch.map((p) => p.features)) : [];
    return {
      windows: batch.map((p, i) => ({ item: p.item, start: p.start, frames: p.features.frames, probabilities: probabilities[i] })),
      done: batch.filter((p) => p.last).map((p) => p.item),
      errors: errors.splice(0),
    };
  };
  for await (const item of items) {
    try {
      checkVideos([item.video], { sizes: runner.sizes });
    } catch (e) {
      errors.push({ item, error: userMessage(e) });
      continue;
    }
    const starts = windowStarts(item.video.frames, s);
    for (let i = 0; i < starts.length; i++) {
      pending.push({ item, start: starts[i], features: videoWindow(item.video, starts[i], s.length), last: i === starts.length - 1 });
      if (pending.length >= per) yield await run();
    }
  }
  if (pending.length || errors.length) yield await run();
}

/**
 * Every window of a few videos held in memory (the video the page shows, a
 * fine-tune's validation videos): per video, its windows in order. A video the
 * model cannot take throws, as predictVideos does.
 */
export async function predictVideoWindows(
  runner: WindowRunner,
  videos: readonly VideoFeatures[],
  opts: WindowStreamOptions = {},
): Promise<WindowPrediction[][]> {
  checkVideos(videos, { sizes: runner.sizes });
  const out = videos.map((): WindowPrediction[] => []);
  const items = videos.map((video, i) => ({ video, i }));
  for await (const batch of predictWindowStream(runner, items, opts)) {
    for (const w of batch.windows) out[w.item.i].push({ start: w.start, frames: w.frames, probabilities: w.probabilities });
  }
  return out;
}
