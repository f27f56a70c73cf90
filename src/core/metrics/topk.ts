/**
 * Per-video top-k selection, the stand-in for `numpy.argpartition(p, -k)[-k:]`.
 *
 * Tie rule: argpartition picks an unspecified subset among scores tied at the
 * k-th place (it depends on introselect's pivots; an all-equal row happens to
 * give the highest indices). We take the lower class indices first, the same
 * rule as `numpy.argmax` (first occurrence), so the Hit@1 class is always
 * inside the top-k. Only exact float ties at the boundary are affected.
 */

/** Below this k an insertion buffer beats sorting all C indices (k is 20 in practice, C 3862). */
const BUFFER_LIMIT = 64;

/**
 * The indices of the k highest scores, highest first, equal scores in
 * ascending index order; k is clamped to scores.length.
 */
export function topKIndices(scores: ArrayLike<number>, k: number): Int32Array {
  const kk = Math.max(0, Math.min(k, scores.length));
  const idx = new Int32Array(kk);
  if (kk > 0) topKInto(scores, kk, idx, new Float64Array(kk));
  return idx;
}

/**
 * topKIndices into the caller's buffers (1 <= k <= scores.length, both buffers at least k long), for a
 * caller that takes the top classes of many rows (the segment ranking's windows, which then allocate nothing).
 */
export function topKInto(scores: ArrayLike<number>, kk: number, idx: Int32Array, val: Float64Array): void {
  const n = scores.length;
  if (kk > BUFFER_LIMIT) {
    const all = new Int32Array(n);
    for (let i = 0; i < n; i++) all[i] = i;
    all.sort((a, b) => {
      const sa = scores[a];
      const sb = scores[b];
      return sa > sb ? -1 : sa < sb ? 1 : a - b;
    });
    idx.set(all.subarray(0, kk));
    return;
  }
  let count = 0;
  for (let c = 0; c < n; c++) {
    const s = scores[c];
    let j: number;
    if (count < kk) {
      j = count++;
    } else if (s > val[kk - 1]) {
      // Only strictly greater displaces: c is larger than every index held, so it loses ties.
      j = kk - 1;
    } else {
      continue;
    }
    while (j > 0 && val[j - 1] < s) {
      val[j] = val[j - 1];
      idx[j] = idx[j - 1];
      j--;
    }
    val[j] = s;
    idx[j] = c;
  }
}

/**
 * What `top_k_by_class` hands the AP calculators, kept flat: each video's
 * min(topK, C) highest (class, score, is-true-label) triples, plus the number
 * of true labels of every class over the whole set, including those that fall
 * outside every video's top-k (`out_true_positives = sum(labels[:, i])`).
 */
export interface TopKPool {
  k: number;
  classes: Int32Array;
  scores: Float64Array;
  positive: Uint8Array;
  positivesPerClass: Float64Array;
  totalPositives: number;
}

export function topKPool(predictions: ArrayLike<number>[], labels: Int32Array[], numClasses: number, topK: number): TopKPool {
  const k = Math.min(topK, numClasses);
  const size = predictions.length * k;
  const classes = new Int32Array(size);
  const scores = new Float64Array(size);
  const positive = new Uint8Array(size);
  const positivesPerClass = new Float64Array(numClasses);
  let totalPositives = 0;
  const isLabel = new Uint8Array(numClasses);
  for (let v = 0; v < predictions.length; v++) {
    const row = predictions[v];
    const lab = labels[v];
    for (let i = 0; i < lab.length; i++) {
      isLabel[lab[i]] = 1;
      positivesPerClass[lab[i]] += 1;
    }
    totalPositives += lab.length;
    const top = topKIndices(row, k);
    const base = v * k;
    for (let r = 0; r < k; r++) {
      const c = top[r];
      classes[base + r] = c;
      scores[base + r] = row[c];
      positive[base + r] = isLabel[c];
    }
    for (let i = 0; i < lab.length; i++) isLabel[lab[i]] = 0;
  }
  return { k, classes, scores, positive, positivesPerClass, totalPositives };
}
