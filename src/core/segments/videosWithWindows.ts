/**
 * A predictor that computes a video's windows and the whole video in one
 * pass (the command line's engine, src/kernels/lstmSimd/model.ts): each
 * frame's features, embedding and LSTM input projections are the same in the
 * whole video and in every window over it, so they are computed once per
 * frame and every recurrence (the video's, each window's) runs from them.
 */
import type { VideoFeatures } from '../features/featureTypes';
import type { VideoPrediction, VideoPredictor } from '../model/prediction';
import type { WindowPrediction } from './predictWindows';
import type { WindowSettings } from './windows';

/** One video's results: the whole video's prediction (when asked for), and its windows in order. */
export interface VideoWithWindows {
  prediction: VideoPrediction | null;
  windows: WindowPrediction[];
}

export interface VideosWithWindowsOptions {
  window: WindowSettings;
  /** whole[i]: video i is predicted whole too (its windows always are). */
  whole: readonly boolean[];
  /** Videos per pass at most (--batch-size); otherwise the predictor's own number, within the budget. */
  batchSize?: number;
  /** The working memory of a pass, in bytes (the predictor's own default otherwise). */
  budgetBytes?: number;
}

export interface WindowsPredictor extends VideoPredictor {
  /**
   * The videos in passes of consecutive videos, in order: each pass's
   * results as soon as it is done (`first`: the index of its first video),
   * so that what a caller holds is one pass's results.
   */
  predictWithWindows(
    videos: readonly VideoFeatures[],
    opts: VideosWithWindowsOptions,
  ): Generator<{ first: number; results: VideoWithWindows[] }>;
}

/** Whether a model predicts videos and their windows in one pass. */
export function sharesWindows(model: object): model is WindowsPredictor {
  return typeof (model as Partial<WindowsPredictor>).predictWithWindows === 'function';
}
