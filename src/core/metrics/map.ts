import { averagePrecision } from './averagePrecision';
import { checkTopK, prepareInputs } from './inputs';
import { topKPool, type TopKPool } from './topk';

/**
 * Per-class AP as EvaluationMetrics' MeanAveragePrecisionCalculator gets it:
 * `top_k_by_class` gives class c the scores of the videos that have c among
 * their min(topK, C) highest predictions; class c's calculator ranks those and
 * divides by c's true-label count over the WHOLE set (`sum(labels[:, c])`),
 * so positives outside the top-k lower its AP. A class with no true label
 * gets 0 (`numpos == 0: return 0`); one that never reaches any video's top-k
 * gets 0 (`heap_size <= 0: return 0`). Ties as in averagePrecision.ts.
 */
export function classAveragePrecisions(predictions: ArrayLike<number>[], labels: number[][], topK = 20): Float64Array {
  checkTopK(topK);
  const inputs = prepareInputs(predictions, labels);
  return classAveragePrecisionsOf(topKPool(inputs.predictions, inputs.labels, inputs.numClasses, topK));
}

/**
 * mAP = the plain mean of all C per-class APs, zeros of classes that never
 * occur included. PaddleVideo's MeanAveragePrecisionCalculator (the 2017
 * YouTube-8M copy) has no `filter_empty_classes`: `peek_map_at_n` returns an
 * AP for every class, and YouTube-8M's `utils.AddEpochSummary` reports
 * `mean_ap = numpy.mean(aps)`. (Later YouTube-8M/TF-models versions drop
 * classes without positives; on a small set that gives a much higher number.)
 */
export function meanAveragePrecision(predictions: ArrayLike<number>[], labels: number[][], topK = 20): number {
  return meanOf(classAveragePrecisions(predictions, labels, topK));
}

export function meanAveragePrecisionOf(pool: TopKPool): number {
  return meanOf(classAveragePrecisionsOf(pool));
}

function meanOf(aps: Float64Array): number {
  let s = 0;
  for (let c = 0; c < aps.length; c++) s += aps[c];
  return s / aps.length;
}

export function classAveragePrecisionsOf(pool: TopKPool): Float64Array {
  const numClasses = pool.positivesPerClass.length;
  const { classes, scores, positive } = pool;
  // Bucket the pool by class (counting sort) so each class's scores are one contiguous view.
  const posStart = new Int32Array(numClasses + 1);
  const negStart = new Int32Array(numClasses + 1);
  for (let i = 0; i < classes.length; i++) {
    if (positive[i]) posStart[classes[i] + 1]++;
    else negStart[classes[i] + 1]++;
  }
  for (let c = 0; c < numClasses; c++) {
    posStart[c + 1] += posStart[c];
    negStart[c + 1] += negStart[c];
  }
  const pos = new Float64Array(posStart[numClasses]);
  const neg = new Float64Array(negStart[numClasses]);
  const posFill = posStart.slice(0, numClasses);
  const negFill = negStart.slice(0, numClasses);
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (positive[i]) pos[posFill[c]++] = scores[i];
    else neg[negFill[c]++] = scores[i];
  }
  const aps = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) {
    aps[c] = averagePrecision(
      pos.subarray(posStart[c], posStart[c + 1]),
      neg.subarray(negStart[c], negStart[c + 1]),
      pool.positivesPerClass[c],
    );
  }
  return aps;
}
