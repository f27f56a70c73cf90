/**
 * Non-interpolated average precision as YouTube-8M's
 * `AveragePrecisionCalculator.peek_ap_at_n()` computes it for the calculators
 * eval_util builds (top_n=None, so `ap_at_n(..., n=None, total_num_positives)`):
 *
 *   sort all accumulated (score, label) pairs by score, descending;
 *   ap = sum over ranks i (1-based) holding a positive of (positives so far / i) / numpos
 *
 * with numpos the caller's total (true labels outside the list count too, so a
 * list missing positives cannot reach 1), `if numpos == 0: return 0`, and an
 * empty list giving 0 (`if self.heap_size <= 0: return 0`). Nothing is filtered
 * by score: pairs with score 0 stay in the ranking (`_zero_one_normalize` is
 * only used by the interpolated AP, which eval_util does not call).
 *
 * Ties: the reference shuffles the pairs (`_shuffle`, `random.seed(0)`, "to
 * avoid overestimating the ap") and then sorts stably, so tied pairs end up in
 * an arbitrary order. We return the exact expectation of the AP over a
 * uniformly random order of each group of tied scores instead: deterministic,
 * and equal to the reference whenever no positive shares a score with a negative.
 */

/**
 * AP of the pairs given as their positive and negative scores. Both arrays are
 * sorted in place (ascending). `numPositives` is the denominator, normally at
 * least positiveScores.length.
 */
export function averagePrecision(positiveScores: Float64Array, negativeScores: Float64Array, numPositives: number): number {
  if (numPositives <= 0) return 0;
  if (positiveScores.length === 0) return 0;
  positiveScores.sort();
  negativeScores.sort();
  let i = positiveScores.length - 1;
  let j = negativeScores.length - 1;
  let ranked = 0; // pairs ranked above the current tie group
  let hits = 0; // positives among them
  let sum = 0;
  // Negatives below the last positive cannot change the AP: stop with the positives.
  while (i >= 0) {
    const v = j >= 0 && negativeScores[j] > positiveScores[i] ? negativeScores[j] : positiveScores[i];
    let m = 0;
    while (i >= 0 && positiveScores[i] === v) {
      m++;
      i--;
    }
    let q = 0;
    while (j >= 0 && negativeScores[j] === v) {
      q++;
      j--;
    }
    if (m > 0) sum += tieGroupPrecisionSum(ranked, hits, m, m + q);
    ranked += m + q;
    hits += m;
  }
  return sum / numPositives;
}

/**
 * Expected sum of precision@rank over the positives of a group of n tied pairs,
 * m of them positive, that follows `ranked` pairs holding `hits` positives,
 * when the group is in uniformly random order. Slot t (1..n) is positive with
 * probability m/n; given that, each earlier slot of the group is positive with
 * probability (m-1)/(n-1), so its expected precision is
 * (hits + 1 + (t-1)(m-1)/(n-1)) / (ranked + t).
 */
function tieGroupPrecisionSum(ranked: number, hits: number, m: number, n: number): number {
  if (n === 1) return (hits + 1) / (ranked + 1);
  const share = (m - 1) / (n - 1);
  let s = 0;
  for (let t = 1; t <= n; t++) s += (hits + 1 + (t - 1) * share) / (ranked + t);
  return (s * m) / n;
}
