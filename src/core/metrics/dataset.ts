/**
 * What the page's dataset view shows about a set of labelled videos: per
 * video, its top class and how well its labels rank; per class, AP (as mAP
 * counts it), precision and recall at the top-k, positives and predictions;
 * and the pairs of classes most often confused.
 */
import { classAveragePrecisionsOf } from './map';
import { prepareInputs } from './inputs';
import { topKIndices, topKPool } from './topk';

export interface VideoFigures {
  /** The class with the highest probability (the first, on ties). */
  top: number;
  topProbability: number;
  /** Whether the top class is a true label; null without labels. */
  hit: boolean | null;
  /**
   * The video's average precision: its true labels' mean precision at their
   * ranks among all classes (1 when they are its highest classes); null
   * without labels.
   */
  ap: number | null;
}

export function videoFigures(probabilities: ArrayLike<number>, labels: readonly number[] | null | undefined): VideoFigures {
  let top = 0;
  for (let c = 1; c < probabilities.length; c++) if (probabilities[c] > probabilities[top]) top = c;
  const topProbability = probabilities[top];
  const truth = [...new Set((labels ?? []).filter((l) => l >= 0 && l < probabilities.length))];
  if (truth.length === 0)
    return { top, topProbability, hit: labels && labels.length ? false : null, ap: labels && labels.length ? 0 : null };
  // Rank of each label: classes strictly above it, plus those tied before it (lower index first, as topKIndices).
  const ranks = truth
    .map((l) => {
      const p = probabilities[l];
      let above = 0;
      for (let c = 0; c < probabilities.length; c++) if (probabilities[c] > p || (probabilities[c] === p && c < l)) above++;
      return above + 1;
    })
    .sort((a, b) => a - b);
  const ap = ranks.reduce((s, rank, i) => s + (i + 1) / rank, 0) / truth.length;
  return { top, topProbability, hit: truth.includes(top), ap };
}

export interface ClassFigures {
  class: number;
  /** Labelled videos that have the class. */
  positives: number;
  /** Videos that have the class among their top-k. */
  predicted: number;
  /** ...of which it is a true label. */
  truePositives: number;
  /** truePositives / predicted; null when never predicted. */
  precision: number | null;
  /** truePositives / positives; null without positives. */
  recall: number | null;
  /** Average precision as mAP counts it (eval_util: each video's top 20, over all its positives). */
  ap: number;
}

interface Confusion {
  /** A true label of a video... */
  label: number;
  /** ...and the top-1 class that beat it. */
  predicted: number;
  videos: number;
}

/**
 * Whether a video counts under the confused pair label -> predicted: it is
 * labelled `label`, its top class is `predicted`, and that top class is not
 * one of its true labels (a top class among the labels is a hit, not a
 * confusion). The dataset figures count with this, and the page's "videos of
 * this pair" filter selects with it, so the count and the list agree.
 */
export function isConfusedPair(labels: readonly number[], top: number | null, label: number, predicted: number): boolean {
  return top === predicted && labels.includes(label) && !labels.includes(predicted);
}

export interface DatasetFigures {
  /** Labelled videos the figures are over. */
  videos: number;
  /** The k of precision and recall. */
  k: number;
  classes: ClassFigures[];
  /** Most frequent first; at most `maxConfusions`. */
  confusions: Confusion[];
}

export interface DatasetOptions {
  /** Precision and recall count a class as predicted when it is among a video's k highest. Default 1. */
  k?: number;
  /** Predictions per video for AP, as eval_util's top_k. Default 20. */
  topK?: number;
  maxConfusions?: number;
}

export function datasetFigures(predictions: ArrayLike<number>[], labels: number[][], opts: DatasetOptions = {}): DatasetFigures {
  const k = opts.k ?? 1;
  const inputs = prepareInputs(predictions, labels);
  const C = inputs.numClasses;
  const aps = classAveragePrecisionsOf(topKPool(inputs.predictions, inputs.labels, C, opts.topK ?? 20));
  const positives = new Int32Array(C);
  const predicted = new Int32Array(C);
  const truePositives = new Int32Array(C);
  const confused = new Map<number, number>();
  const isLabel = new Uint8Array(C);
  for (let v = 0; v < inputs.predictions.length; v++) {
    const row = inputs.predictions[v];
    const lab = inputs.labels[v];
    for (const l of lab) {
      isLabel[l] = 1;
      positives[l]++;
    }
    const top = topKIndices(row, k);
    for (const c of top) {
      predicted[c]++;
      if (isLabel[c]) truePositives[c]++;
    }
    const best = topKIndices(row, 1)[0];
    if (lab.length > 0 && !isLabel[best]) for (const l of lab) confused.set(l * C + best, (confused.get(l * C + best) ?? 0) + 1);
    for (const l of lab) isLabel[l] = 0;
  }
  const classes: ClassFigures[] = Array.from({ length: C }, (_, c) => ({
    class: c,
    positives: positives[c],
    predicted: predicted[c],
    truePositives: truePositives[c],
    precision: predicted[c] ? truePositives[c] / predicted[c] : null,
    recall: positives[c] ? truePositives[c] / positives[c] : null,
    ap: aps[c],
  }));
  const confusions = [...confused]
    .map(([key, n]) => ({ label: Math.floor(key / C), predicted: key % C, videos: n }))
    .sort((a, b) => b.videos - a.videos || a.label - b.label || a.predicted - b.predicted)
    .slice(0, opts.maxConfusions ?? 50);
  return { videos: inputs.predictions.length, k, classes, confusions };
}
