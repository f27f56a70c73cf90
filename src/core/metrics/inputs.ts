import { InputError } from '../errors';

/**
 * What every metric needs, checked once: predictions are [videos][C]
 * probabilities, labels the true class indices of each video.
 */
export interface MetricInputs {
  predictions: ArrayLike<number>[];
  /** Per video, its distinct true classes. Duplicates are dropped: the reference works on multi-hot rows. */
  labels: Int32Array[];
  numClasses: number;
}

/**
 * Validates and normalises the inputs. The reference raises on an empty set
 * (`EvaluationMetrics.get`: "total_sample must be positive"), so we do too.
 * Bad labels come from the user's data (InputError); bad predictions or
 * mismatched lengths are the caller's bug (Error).
 */
export function prepareInputs(predictions: ArrayLike<number>[], labels: number[][]): MetricInputs {
  if (predictions.length !== labels.length) {
    throw new Error(`metrics: ${predictions.length} prediction rows but ${labels.length} label lists`);
  }
  if (predictions.length === 0) throw new InputError('There are no videos to evaluate.');
  const numClasses = predictions[0].length;
  if (numClasses === 0) throw new Error('metrics: predictions have no classes');
  const out: Int32Array[] = new Array(labels.length);
  const seen = new Uint8Array(numClasses);
  for (let v = 0; v < predictions.length; v++) {
    const row = predictions[v];
    if (row.length !== numClasses) {
      throw new Error(`metrics: video ${v} has ${row.length} predictions, video 0 has ${numClasses}`);
    }
    for (let c = 0; c < numClasses; c++) {
      // NaN would make every comparison below false and silently skew the ranking.
      if (Number.isNaN(row[c])) throw new Error(`metrics: video ${v}, class ${c}: prediction is NaN`);
    }
    const list: number[] = [];
    for (const l of labels[v]) {
      if (!Number.isInteger(l) || l < 0 || l >= numClasses) {
        throw new InputError(`Video ${v} has label ${l}, which is not a class index in 0..${numClasses - 1}.`);
      }
      if (!seen[l]) {
        seen[l] = 1;
        list.push(l);
      }
    }
    for (const l of list) seen[l] = 0;
    out[v] = Int32Array.from(list);
  }
  return { predictions, labels: out, numClasses };
}

/** Rejects what `top_k_by_class` rejects ("k must be a positive integer"). */
export function checkTopK(topK: number): void {
  if (!Number.isInteger(topK) || topK <= 0) throw new RangeError(`metrics: topK must be a positive integer, got ${topK}`);
}
