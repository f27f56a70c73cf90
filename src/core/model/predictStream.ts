/**
 * Predicting a stream of videos (a folder of shards) at bounded memory: the
 * videos arrive in windows of at most `windowBytes` of features, each window
 * is predicted in batches sorted by length (predictVideos), and its results
 * come out in the order the videos arrived. A video the model cannot take
 * (other feature widths) comes out with its error instead, and costs only itself.
 */
import { userMessage } from '../errors';
import type { VideoFeatures } from '../features/featureTypes';
import type { LoadedModel } from './model';
import { checkVideos, type PredictOptions, type VideoPrediction, type VideoPredictor } from './prediction';

export type StreamedPrediction<T> =
  { item: T; prediction: VideoPrediction; error?: undefined } | { item: T; prediction?: undefined; error: string };

export interface StreamOptions extends PredictOptions {
  /** Features held at once, in bytes (uint8 features count a quarter of float32's). Default 16 MiB. */
  windowBytes?: number;
}

/**
 * A model on tfjs (LoadedModel, predicted by predictVideos, loaded when first
 * used so that an engine of its own does not load tfjs) or any VideoPredictor.
 */
export type StreamModel = LoadedModel | VideoPredictor;

export async function* predictStream<T extends { video: VideoFeatures }>(
  model: StreamModel,
  items: AsyncIterable<T>,
  opts: StreamOptions = {},
): AsyncGenerator<StreamedPrediction<T>[]> {
  const windowBytes = opts.windowBytes ?? 16 << 20;
  let window: T[] = [];
  let bytes = 0;
  for await (const item of items) {
    window.push(item);
    bytes += item.video.rgb.byteLength + item.video.audio.byteLength;
    if (bytes >= windowBytes) {
      yield await predictWindow(model, window, opts);
      window = [];
      bytes = 0;
    }
  }
  if (window.length) yield await predictWindow(model, window, opts);
}

/** Predicts videos on either kind of model (tfjs's predictVideos loaded only for a tfjs model). */
export async function predictWith(
  model: StreamModel,
  videos: readonly VideoFeatures[],
  opts: PredictOptions = {},
): Promise<VideoPrediction[]> {
  if ('predict' in model) return model.predict(videos, opts);
  const { predictVideos } = await import('./model');
  return predictVideos(model, videos, opts);
}

async function predictWindow<T extends { video: VideoFeatures }>(
  model: StreamModel,
  window: T[],
  opts: PredictOptions,
): Promise<StreamedPrediction<T>[]> {
  const errors = new Map<T, string>();
  for (const item of window) {
    try {
      checkVideos([item.video], model.meta);
    } catch (e) {
      errors.set(item, userMessage(e));
    }
  }
  const ok = window.filter((item) => !errors.has(item));
  const predictions = await predictWith(
    model,
    ok.map((item) => item.video),
    opts,
  );
  const byItem = new Map(ok.map((item, i) => [item, predictions[i]]));
  return window.map((item) => (errors.has(item) ? { item, error: errors.get(item)! } : { item, prediction: byItem.get(item)! }));
}
