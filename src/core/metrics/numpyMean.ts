/**
 * The mean of float64 values as numpy computes `np.mean` of a 1-D array:
 * numpy's pairwise summation (`pairwise_sum` in loops_utils.h: runs of fewer
 * than 8 added in order, blocks of up to 128 in eight interleaved partial
 * sums, longer runs split in two at a multiple of 8), started from add's
 * identity 0, then one division by the count. YouTube-8M's segment MAP is
 * `np.mean` of the per-class APs; summing them in order instead can differ in
 * the last bits.
 */
const BLOCK = 128;

function numpySum(a: ArrayLike<number>, from = 0, n = a.length - from): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[from + i];
    return res;
  }
  if (n <= BLOCK) {
    const r = [a[from], a[from + 1], a[from + 2], a[from + 3], a[from + 4], a[from + 5], a[from + 6], a[from + 7]];
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[from + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return numpySum(a, from, n2) + numpySum(a, from + n2, n - n2);
}

/** np.mean of the values; NaN for none (numpy warns and gives nan). */
export function numpyMean(a: ArrayLike<number>): number {
  return a.length === 0 ? NaN : (0 + numpySum(a)) / a.length;
}
