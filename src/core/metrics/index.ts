/**
 * The YouTube-8M evaluation metrics exactly as PaddleVideo reports them
 * (metrics/youtube8m/eval_util.py, copied from google/youtube-8m): Hit@1,
 * PERR, GAP and mAP. Each file says which reference line it follows and how
 * it settles the cases the reference leaves to numpy's internals (ties).
 */
import { gapOf } from './gap';
import { hitAt1Of } from './hitAt1';
import { checkTopK, prepareInputs } from './inputs';
import { meanAveragePrecisionOf } from './map';
import { perrOf } from './perr';
import { topKPool } from './topk';

export { MetricsAccumulator } from './accumulator';
export { averagePrecision } from './averagePrecision';
export { datasetFigures, isConfusedPair, videoFigures, type ClassFigures, type DatasetFigures, type VideoFigures } from './dataset';
export { gap } from './gap';
export { hitAt1 } from './hitAt1';
export { classAveragePrecisions, meanAveragePrecision } from './map';
export { perr } from './perr';
export { topKIndices } from './topk';

export interface EvaluationResult {
  videos: number;
  hit_at_1: number;
  perr: number;
  gap: number;
  map: number;
}

export interface EvaluateOptions {
  /** Predictions kept per video for GAP and mAP (eval_util's top_k); 20 as PaddleVideo's config. */
  topK?: number;
}

/**
 * All four metrics over a set of videos. Unlike EvaluationMetrics, which
 * averages Hit@1 and PERR per batch weighted by batch size, this averages per
 * video directly: the same number, without the batch split's rounding.
 */
export function evaluate(predictions: ArrayLike<number>[], labels: number[][], opts: EvaluateOptions = {}): EvaluationResult {
  const topK = opts.topK ?? 20;
  checkTopK(topK);
  const inputs = prepareInputs(predictions, labels);
  const pool = topKPool(inputs.predictions, inputs.labels, inputs.numClasses, topK);
  return {
    videos: predictions.length,
    hit_at_1: hitAt1Of(inputs),
    perr: perrOf(inputs),
    gap: gapOf(pool),
    map: meanAveragePrecisionOf(pool),
  };
}
