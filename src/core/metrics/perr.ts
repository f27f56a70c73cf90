import { prepareInputs, type MetricInputs } from './inputs';
import { topKIndices } from './topk';

/**
 * `calculate_precision_at_equal_recall_rate`: per video, k = its number of true
 * labels; take its k highest predictions (`argpartition(p, -k)[-k:]`); count
 * those that are true labels AND have a prediction > 0
 * (`if predictions[row][label_index] > 0: item_precision += actuals[...]`);
 * divide by k; average over all videos.
 *
 * Ties at the k-th place: lower class index first (see topk.ts); the reference
 * leaves the choice to argpartition.
 *
 * A video with no labels scores 0 and still counts in the mean. That is what
 * the reference computes: with num_labels = 0, `argpartition(p, -0)[-0:]` is
 * every class (-0 == 0 and `[0:]` is the whole row), none of them is a true
 * label, so item_precision = 0 / C = 0; no division by zero happens.
 *
 * The sum is kept exact: the hits of the videos with k labels are whole
 * numbers summed per k (perrFromHits), so the figure depends only on the set
 * of videos, not on their order; parts of a set evaluated apart merge to the
 * same bits as one run (metrics/partial.ts). A running float sum of hits/k
 * would differ in the last bits with the order.
 */
export function perr(predictions: ArrayLike<number>[], labels: number[][]): number {
  return perrOf(prepareInputs(predictions, labels));
}

export function perrOf({ predictions, labels, numClasses }: MetricInputs): number {
  const isLabel = new Uint8Array(numClasses);
  const hitsByK = new Map<number, number>();
  for (let v = 0; v < predictions.length; v++) {
    const lab = labels[v];
    const k = lab.length;
    if (k === 0) continue;
    const row = predictions[v];
    for (let i = 0; i < k; i++) isLabel[lab[i]] = 1;
    const top = topKIndices(row, k);
    let hits = 0;
    for (let r = 0; r < top.length; r++) {
      const c = top[r];
      if (row[c] > 0 && isLabel[c]) hits++;
    }
    for (let i = 0; i < k; i++) isLabel[lab[i]] = 0;
    hitsByK.set(k, (hitsByK.get(k) ?? 0) + hits);
  }
  return perrFromHits(hitsByK, predictions.length);
}

/**
 * PERR from the hits summed per label count k (whole numbers, exact): the
 * sum over k, ascending, of hits_k / k, over the number of videos.
 */
export function perrFromHits(hitsByK: ReadonlyMap<number, number>, videos: number): number {
  let total = 0;
  for (const k of [...hitsByK.keys()].sort((a, b) => a - b)) total += hitsByK.get(k)! / k;
  return total / videos;
}
