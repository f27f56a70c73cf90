import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { averagePrecision, classAveragePrecisions, evaluate, gap, hitAt1, meanAveragePrecision, perr, topKIndices } from './index';
import { seededRandom as mulberry32 } from '../training/seeded';

/**
 * Labels of 0..4 classes per video; float32 scores that are all distinct
 * (ranks of random keys, labels pushed up), so no tie rule is involved.
 */
function distinctData(seed: number, videos: number, classes: number) {
  const rand = mulberry32(seed);
  const labels: number[][] = [];
  for (let v = 0; v < videos; v++) {
    const n = Math.floor(rand() * 5);
    const set = new Set<number>();
    while (set.size < n) set.add(Math.floor(rand() * classes));
    labels.push([...set]);
  }
  const keys: number[] = [];
  for (let v = 0; v < videos; v++) {
    for (let c = 0; c < classes; c++) keys.push(rand() + (labels[v].includes(c) ? 0.6 : 0));
  }
  const order = keys.map((_, i) => i).sort((a, b) => keys[a] - keys[b]);
  const flat = new Float32Array(keys.length);
  order.forEach((cell, rank) => {
    flat[cell] = (rank + 1) / (keys.length + 1);
  });
  const predictions: Float32Array[] = [];
  for (let v = 0; v < videos; v++) predictions.push(flat.slice(v * classes, (v + 1) * classes));
  return { predictions, labels };
}

/** AP of a list already in rank order, straight from ap_at_n's loop. */
function apOfRanked(ranked: boolean[], numPositives: number): number {
  if (numPositives === 0) return 0;
  let hits = 0;
  let ap = 0;
  ranked.forEach((isPos, i) => {
    if (isPos) {
      hits++;
      ap += hits / (i + 1) / numPositives;
    }
  });
  return ap;
}

/** Descending stable sort of (score, label) pairs, as `sorted(..., reverse=True)`. */
function rankPairs(pairs: { s: number; pos: boolean }[]): boolean[] {
  return pairs
    .map((p, i) => ({ ...p, i }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .map((p) => p.pos);
}

/** Top-k by a full sort of the row, for the brute-force cross-checks (distinct scores only). */
function bruteTopK(row: ArrayLike<number>, k: number): number[] {
  return Array.from({ length: row.length }, (_, c) => c)
    .sort((a, b) => row[b] - row[a])
    .slice(0, Math.min(k, row.length));
}

function bruteGap(predictions: ArrayLike<number>[], labels: number[][], topK: number): number {
  const pairs: { s: number; pos: boolean }[] = [];
  let total = 0;
  predictions.forEach((row, v) => {
    total += labels[v].length;
    for (const c of bruteTopK(row, topK)) pairs.push({ s: row[c], pos: labels[v].includes(c) });
  });
  return apOfRanked(rankPairs(pairs), total);
}

function bruteMap(predictions: ArrayLike<number>[], labels: number[][], topK: number): number {
  const C = predictions[0].length;
  let sum = 0;
  for (let c = 0; c < C; c++) {
    const pairs: { s: number; pos: boolean }[] = [];
    predictions.forEach((row, v) => {
      if (bruteTopK(row, topK).includes(c)) pairs.push({ s: row[c], pos: labels[v].includes(c) });
    });
    const positives = labels.filter((l) => l.includes(c)).length;
    sum += apOfRanked(rankPairs(pairs), positives);
  }
  return sum / C;
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items.slice()];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) out.push([x, ...rest]);
  });
  return out;
}

/*
 * The hand-worked set: 4 videos, 5 classes.
 *   V0 [0.9, 0.8, 0.1, 0.0, 0.3]  labels {0, 2}
 *   V1 [0.2, 0.7, 0.7, 0.0, 0.1]  labels {2}      (classes 1 and 2 tie at the top)
 *   V2 [0,   0,   0,   0,   0  ]  labels {3}      (every prediction exactly 0)
 *   V3 [0.6, 0.1, 0.5, 0.0, 0.4]  labels {}       (no labels)
 * Classes 1 and 4 have no positive anywhere. Total true labels: 4.
 */
const P = [
  [0.9, 0.8, 0.1, 0.0, 0.3],
  [0.2, 0.7, 0.7, 0.0, 0.1],
  [0, 0, 0, 0, 0],
  [0.6, 0.1, 0.5, 0.0, 0.4],
];
const L = [[0, 2], [2], [3], []];

describe('hand-worked example', () => {
  it('Hit@1', () => {
    // argmax: V0 -> 0 (hit); V1 -> 1, the first of the tied 0.7s (miss);
    // V2 -> 0, the first of five zeros (miss); V3 -> 0, no labels (miss). 1/4.
    expect(hitAt1(P, L)).toBe(0.25);
  });

  it('PERR', () => {
    // V0: k=2, top {0, 1}: class 0 hits -> 1/2.
    // V1: k=1, tie 1 vs 2 at 0.7 -> lower index 1 -> 0/1.
    // V2: k=1, all zero -> nothing counts (needs prediction > 0) -> 0.
    // V3: k=0 -> 0, and it still counts in the mean.  (0.5 + 0 + 0 + 0) / 4.
    expect(perr(P, L)).toBe(0.125);
  });

  it('GAP with top-3', () => {
    // Pooled top-3s, descending: 0.9+ (V0c0), 0.8 (V0c1), {0.7 (V1c1), 0.7+ (V1c2)},
    // 0.6, 0.5, 0.4 (V3), 0.3 (V0c4), 0.2 (V1c0), 0, 0, 0 (V2c0..2; its label 3 is not in its top-3).
    // Rank 1: precision 1. Tie at ranks 3-4 with one positive: (2/3 + 2/4) / 2 = 7/12.
    // Denominator 4: V0's class 2 (0.1) and V2's class 3 fall outside the top-3 but count.
    expect(gap(P, L, 3)).toBeCloseTo((1 + 7 / 12) / 4, 15);
  });

  it('per-class AP and mAP with top-3', () => {
    // c0: entries 0.9+, 0.6, 0.2, 0 with 1 positive -> 1.
    // c1: no positives -> 0.
    // c2: entries 0.7+, 0.5, 0 with 2 positives overall (V0's is outside V0's top-3) -> (1/1)/2 = 0.5.
    // c3: 1 positive but in no video's top-3 (V2 keeps classes 0..2 of its tied zeros) -> 0.
    // c4: no positives -> 0.
    // mAP = (1 + 0 + 0.5 + 0 + 0) / 5: classes without positives count as 0.
    expect(Array.from(classAveragePrecisions(P, L, 3))).toEqual([1, 0, 0.5, 0, 0]);
    expect(meanAveragePrecision(P, L, 3)).toBeCloseTo(0.3, 15);
  });

  it('GAP and mAP with the default top-20 (every class, as C = 5)', () => {
    // All 20 pairs. Positives: 0.9 (V0c0), 0.7 (V1c2), 0.1 (V0c2), 0 (V2c3).
    //   rank 1: 0.9+ -> 1
    //   ranks 3-4: {0.7, 0.7+} after 2 pairs with 1 positive -> 7/12
    //   ranks 10-12: three 0.1s, one positive, after 9 pairs with 2 positives:
    //     each slot equally likely -> (1/3)(3/10 + 3/11 + 3/12)
    //   ranks 13-20: eight zeros, one positive, after 12 pairs with 3 positives:
    //     (1/8)(4/13 + ... + 4/20)
    let zeros = 0;
    for (let r = 13; r <= 20; r++) zeros += 4 / r / 8;
    const expected = (1 + 7 / 12 + (3 / 10 + 3 / 11 + 3 / 12) / 3 + zeros) / 4;
    expect(gap(P, L)).toBeCloseTo(expected, 15);
    // c0 -> 1; c1 -> 0; c2: 0.7+, 0.5, 0.1+, 0 -> (1 + 2/3) / 2 = 5/6;
    // c3: four tied zeros, one positive -> (1/4)(1 + 1/2 + 1/3 + 1/4) = 25/48; c4 -> 0.
    const aps = classAveragePrecisions(P, L);
    expect(aps[0]).toBe(1);
    expect(aps[1]).toBe(0);
    expect(aps[2]).toBeCloseTo(5 / 6, 15);
    expect(aps[3]).toBeCloseTo(25 / 48, 15);
    expect(aps[4]).toBe(0);
    expect(meanAveragePrecision(P, L)).toBeCloseTo(113 / 240, 15);
  });

  it('evaluate gives the four together', () => {
    const r = evaluate(P, L, { topK: 3 });
    expect(r.videos).toBe(4);
    expect(r.hit_at_1).toBe(0.25);
    expect(r.perr).toBe(0.125);
    expect(r.gap).toBeCloseTo(19 / 48, 15);
    expect(r.map).toBeCloseTo(0.3, 15);
  });
});

describe('edge cases', () => {
  it('PERR ignores a true label whose prediction is exactly 0', () => {
    // k=2: top {0 (0.5), 1 (0)}; class 1 is true but scores 0, so only class 0 counts.
    expect(perr([[0.5, 0, 0]], [[0, 1]])).toBe(0.5);
    // k=2: top {0, then 1 wins the tie at 0 by lower index}; class 2 (true) is out.
    expect(perr([[0.5, 0, 0]], [[0, 2]])).toBe(0.5);
  });

  it('a video without labels scores 0 on Hit@1 and PERR and counts in the mean', () => {
    expect(
      hitAt1(
        [
          [0.9, 0.1],
          [0.9, 0.1],
        ],
        [[0], []],
      ),
    ).toBe(0.5);
    expect(
      perr(
        [
          [0.9, 0.1],
          [0.9, 0.1],
        ],
        [[0], []],
      ),
    ).toBe(0.5);
  });

  it('no positives at all gives GAP and mAP 0', () => {
    const r = evaluate(
      [
        [0.9, 0.1],
        [0.3, 0.2],
      ],
      [[], []],
    );
    expect(r.gap).toBe(0);
    expect(r.map).toBe(0);
  });

  it('duplicate labels count once (multi-hot rows)', () => {
    expect(perr([[0.9, 0.1, 0.2]], [[0, 0, 1]])).toBe(0.5);
    expect(gap([[0.9, 0.1, 0.2]], [[0, 0]])).toBe(1);
  });

  it('rejects bad input', () => {
    expect(() => evaluate([], [])).toThrow(InputError);
    expect(() => evaluate([[0.1, 0.2]], [[2]])).toThrow(/label 2.*0\.\.1/);
    expect(() => evaluate([[0.1, 0.2]], [[2]])).toThrow(InputError);
    expect(() => evaluate([[0.1, 0.2]], [[0.5]])).toThrow(InputError);
    expect(() => evaluate([[0.1, 0.2]], [[0], [1]])).toThrow(/label lists/);
    expect(() => evaluate([[0.1, 0.2], [0.1]], [[0], [0]])).toThrow(/video 1/);
    expect(() => evaluate([[0.1, NaN]], [[0]])).toThrow(/NaN/);
    expect(() => evaluate([[0.1, 0.2]], [[0]], { topK: 0 })).toThrow(RangeError);
  });
});

describe('topKIndices', () => {
  it('orders by score, ties by lower index, clamps k', () => {
    expect(Array.from(topKIndices([0.1, 0.5, 0.5, 0.9, 0.5], 3))).toEqual([3, 1, 2]);
    expect(Array.from(topKIndices([0, 0, 0, 0], 2))).toEqual([0, 1]);
    expect(Array.from(topKIndices([0.2, 0.1], 20))).toEqual([0, 1]);
  });

  it('the sorting path for large k agrees with the buffer path', () => {
    const rand = mulberry32(3);
    const row = Array.from({ length: 500 }, () => Math.floor(rand() * 40) / 40);
    const big = topKIndices(row, 200);
    const small = topKIndices(row, 50);
    expect(Array.from(big.subarray(0, 50))).toEqual(Array.from(small));
    for (let i = 1; i < big.length; i++) {
      const a = big[i - 1];
      const b = big[i];
      expect(row[a] > row[b] || (row[a] === row[b] && a < b)).toBe(true);
    }
  });
});

describe('averagePrecision with ties', () => {
  it('equals the mean over every order of the pairs (the reference shuffles, then sorts stably)', () => {
    const rand = mulberry32(11);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rand() * 6);
      const pairs = Array.from({ length: n }, () => ({ s: Math.floor(rand() * 4) / 4, pos: rand() < 0.4 }));
      const nPos = pairs.filter((p) => p.pos).length;
      const numPositives = nPos + Math.floor(rand() * 3);
      const perms = permutations(pairs);
      let mean = 0;
      for (const perm of perms) mean += apOfRanked(rankPairs(perm), numPositives) / perms.length;
      const got = averagePrecision(
        Float64Array.from(pairs.filter((p) => p.pos).map((p) => p.s)),
        Float64Array.from(pairs.filter((p) => !p.pos).map((p) => p.s)),
        numPositives,
      );
      expect(got).toBeCloseTo(mean, 12);
    }
  });

  it('is 0 for an empty list or no positives', () => {
    expect(averagePrecision(new Float64Array(0), new Float64Array(0), 3)).toBe(0);
    expect(averagePrecision(new Float64Array(0), new Float64Array([0.5]), 0)).toBe(0);
  });
});

describe('cross-checks', () => {
  it('GAP and mAP match a direct implementation on random data', () => {
    const rand = mulberry32(99);
    for (const [videos, classes, topK] of [
      [30, 50, 20],
      [40, 12, 5],
      [25, 8, 20],
      [10, 30, 1],
    ]) {
      const predictions: Float64Array[] = [];
      const labels: number[][] = [];
      for (let v = 0; v < videos; v++) {
        const row = new Float64Array(classes);
        for (let c = 0; c < classes; c++) row[c] = rand();
        const l: number[] = [];
        for (let c = 0; c < classes; c++) if (rand() < 0.1) l.push(c);
        for (const c of l) row[c] = Math.min(1, row[c] + 0.3 * rand());
        predictions.push(row);
        labels.push(l);
      }
      const r = evaluate(predictions, labels, { topK });
      expect(r.gap).toBeCloseTo(bruteGap(predictions, labels, topK), 12);
      expect(r.map).toBeCloseTo(bruteMap(predictions, labels, topK), 12);
    }
  });

  it('matches PaddleVideo eval_util.py run on the same data', () => {
    // Reference values from a verbatim copy of PaddleVideo's metrics/youtube8m
    // (EvaluationMetrics.accumulate in batches of 16, get(), numpy.mean(aps)) on
    // distinctData(12345, 60, 40) in float32. The reference divides by a float32
    // positive count, hence agreement to about 1e-7 only.
    const { predictions, labels } = distinctData(12345, 60, 40);
    const reference: Record<number, { hit_at_1: number; perr: number; gap: number; map: number }> = {
      3: { hit_at_1: 0.7333333492279053, perr: 0.5680555701255798, gap: 0.654284656047821, map: 0.6524470955133438 },
      5: { hit_at_1: 0.7333333492279053, perr: 0.5680555701255798, gap: 0.684013843536377, map: 0.6741170704364776 },
      20: { hit_at_1: 0.7333333492279053, perr: 0.5680555701255798, gap: 0.7371765971183777, map: 0.7286637965589762 },
    };
    for (const [k, want] of Object.entries(reference)) {
      const got = evaluate(predictions, labels, { topK: Number(k) });
      expect(got.hit_at_1).toBeCloseTo(want.hit_at_1, 6);
      expect(got.perr).toBeCloseTo(want.perr, 6);
      expect(got.gap).toBeCloseTo(want.gap, 6);
      expect(got.map).toBeCloseTo(want.map, 6);
    }
  });

  it('handles the full 3862 classes over thousands of videos', () => {
    const rand = mulberry32(5);
    const C = 3862;
    const predictions: Float32Array[] = [];
    const labels: number[][] = [];
    for (let v = 0; v < 2000; v++) {
      const row = new Float32Array(C);
      for (let c = 0; c < C; c++) row[c] = rand() ** 8;
      const l = [Math.floor(rand() * C), Math.floor(rand() * 100)];
      for (const c of l) row[c] = Math.min(1, row[c] + 0.5);
      predictions.push(row);
      labels.push(l);
    }
    const t0 = performance.now();
    const r = evaluate(predictions, labels);
    const ms = performance.now() - t0;
    expect(r.videos).toBe(2000);
    for (const x of [r.hit_at_1, r.perr, r.gap, r.map]) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1);
    }
    // Well under a second here; the loose bound only catches quadratic blow-ups, not slow machines.
    expect(ms).toBeLessThan(20_000);
  });
});
