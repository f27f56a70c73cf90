import { averagePrecision } from './averagePrecision';
import { checkTopK, prepareInputs, type MetricInputs } from './inputs';
import { topKPool, type TopKPool } from './topk';

/**
 * `calculate_gap` / EvaluationMetrics' global_ap_calculator: every video's
 * min(topK, C) highest (score, is-true-label) pairs (`top_k_by_class`, all k
 * of them, scores of 0 included) pooled into one list; its AP
 * (averagePrecision.ts) with numpos = every true label of every video
 * (`sum(num_positives)`), including those outside any video's top-k.
 */
export function gap(predictions: ArrayLike<number>[], labels: number[][], topK = 20): number {
  checkTopK(topK);
  const inputs: MetricInputs = prepareInputs(predictions, labels);
  return gapOf(topKPool(inputs.predictions, inputs.labels, inputs.numClasses, topK));
}

export function gapOf(pool: TopKPool): number {
  let nPos = 0;
  for (let i = 0; i < pool.positive.length; i++) nPos += pool.positive[i];
  const pos = new Float64Array(nPos);
  const neg = new Float64Array(pool.positive.length - nPos);
  let p = 0;
  let q = 0;
  for (let i = 0; i < pool.positive.length; i++) {
    if (pool.positive[i]) pos[p++] = pool.scores[i];
    else neg[q++] = pool.scores[i];
  }
  return averagePrecision(pos, neg, pool.totalPositives);
}
