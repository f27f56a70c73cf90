import { InputError } from '../errors';
import { gapOf } from './gap';
import { checkTopK } from './inputs';
import { meanAveragePrecisionOf } from './map';
import { topKIndices, type TopKPool } from './topk';
import type { EvaluationResult } from './index';

/**
 * The four metrics over a stream of videos, at constant memory per video:
 * Hit@1 and PERR are summed as videos arrive, and of each video only its
 * min(topK, C) highest predictions are kept (all that GAP and mAP use, as
 * eval_util's `top_k_by_class`), 13 bytes each. Gives exactly evaluate()'s
 * numbers for the same videos.
 */
export class MetricsAccumulator {
  private readonly k: number;
  private classes: Int32Array;
  private scores: Float64Array;
  private positive: Uint8Array;
  private readonly positivesPerClass: Float64Array;
  private totalPositives = 0;
  private hits = 0;
  private perrSum = 0;
  private n = 0;
  private readonly isLabel: Uint8Array;

  constructor(readonly numClasses: number, topK = 20) {
    checkTopK(topK);
    this.k = Math.min(topK, numClasses);
    this.classes = new Int32Array(64 * this.k);
    this.scores = new Float64Array(64 * this.k);
    this.positive = new Uint8Array(64 * this.k);
    this.positivesPerClass = new Float64Array(numClasses);
    this.isLabel = new Uint8Array(numClasses);
  }

  get videos(): number {
    return this.n;
  }

  /** One video's probabilities and true labels (duplicates count once, as the reference's multi-hot rows). */
  add(probabilities: ArrayLike<number>, labels: readonly number[]): void {
    const C = this.numClasses;
    if (probabilities.length !== C) throw new Error(`metrics: a video has ${probabilities.length} predictions, the set has ${C} classes`);
    const distinct: number[] = [];
    for (const l of labels) {
      if (!Number.isInteger(l) || l < 0 || l >= C) throw new InputError(`Video ${this.n} has label ${l}, which is not a class index in 0..${C - 1}.`);
      if (!this.isLabel[l]) {
        this.isLabel[l] = 1;
        distinct.push(l);
      }
    }
    let best = 0;
    for (let c = 0; c < C; c++) {
      // NaN would make every comparison false and silently skew the ranking.
      if (Number.isNaN(probabilities[c])) throw new Error(`metrics: video ${this.n}, class ${c}: prediction is NaN`);
      if (probabilities[c] > probabilities[best]) best = c;
    }
    if (this.isLabel[best]) this.hits++;
    if (distinct.length > 0) {
      const top = topKIndices(probabilities, distinct.length);
      let hits = 0;
      for (let r = 0; r < top.length; r++) if (probabilities[top[r]] > 0 && this.isLabel[top[r]]) hits++;
      this.perrSum += hits / distinct.length;
    }
    for (const l of distinct) this.positivesPerClass[l] += 1;
    this.totalPositives += distinct.length;
    this.grow();
    const top = topKIndices(probabilities, this.k);
    const base = this.n * this.k;
    for (let r = 0; r < this.k; r++) {
      const c = top[r];
      this.classes[base + r] = c;
      this.scores[base + r] = probabilities[c];
      this.positive[base + r] = this.isLabel[c];
    }
    for (const l of distinct) this.isLabel[l] = 0;
    this.n++;
  }

  result(): EvaluationResult {
    if (this.n === 0) throw new InputError('There are no videos to evaluate.');
    const size = this.n * this.k;
    const pool: TopKPool = {
      k: this.k,
      classes: this.classes.subarray(0, size),
      scores: this.scores.subarray(0, size),
      positive: this.positive.subarray(0, size),
      positivesPerClass: this.positivesPerClass,
      totalPositives: this.totalPositives,
    };
    return { videos: this.n, hit_at_1: this.hits / this.n, perr: this.perrSum / this.n, gap: gapOf(pool), map: meanAveragePrecisionOf(pool) };
  }

  /** Room for one more video's pool entries, doubling as videos arrive. */
  private grow(): void {
    const need = (this.n + 1) * this.k;
    if (need <= this.classes.length) return;
    const size = Math.max(need, this.classes.length * 2);
    const grown = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.classes = grown(this.classes, (n) => new Int32Array(n));
    this.scores = grown(this.scores, (n) => new Float64Array(n));
    this.positive = grown(this.positive, (n) => new Uint8Array(n));
  }
}
