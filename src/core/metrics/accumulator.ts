import { InputError } from '../errors';
import { gapOf } from './gap';
import { checkTopK } from './inputs';
import { meanAveragePrecisionOf } from './map';
import { perrFromHits } from './perr';
import { topKIndices, type TopKPool } from './topk';
import { fromBase64, toBase64 } from '../io/base64';
import type { EvaluationResult } from './index';

/**
 * The four metrics over a stream of videos, at constant memory per video:
 * Hit@1 and PERR are summed as videos arrive, and of each video only its
 * min(topK, C) highest predictions are kept (all that GAP and mAP use, as
 * eval_util's `top_k_by_class`), 13 bytes each. Gives exactly evaluate()'s
 * numbers for the same videos. Everything it holds is whole-number counts
 * and the pool, so accumulators of parts of a set merge (merge(), toState())
 * into exactly the figures of one run over the whole set, in any order.
 */
export class MetricsAccumulator {
  private readonly k: number;
  private classes: Int32Array;
  private scores: Float64Array;
  private positive: Uint8Array;
  private readonly positivesPerClass: Float64Array;
  private totalPositives = 0;
  private hits = 0;
  /** PERR's hits summed per label count (whole numbers: exact in any order; perr.ts). */
  private readonly perrHits = new Map<number, number>();
  private n = 0;
  private readonly isLabel: Uint8Array;

  constructor(
    readonly numClasses: number,
    readonly topK = 20,
  ) {
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
      if (!Number.isInteger(l) || l < 0 || l >= C)
        throw new InputError(`Video ${this.n} has label ${l}, which is not a class index in 0..${C - 1}.`);
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
      this.perrHits.set(distinct.length, (this.perrHits.get(distinct.length) ?? 0) + hits);
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
    return {
      videos: this.n,
      hit_at_1: this.hits / this.n,
      perr: perrFromHits(this.perrHits, this.n),
      gap: gapOf(pool),
      map: meanAveragePrecisionOf(pool),
    };
  }

  /** Another accumulator's videos added to this one's: the same as one accumulator fed both sets. */
  merge(other: MetricsAccumulator): void {
    if (other.numClasses !== this.numClasses || other.topK !== this.topK) {
      throw new InputError(
        `cannot merge metrics of ${other.numClasses} classes (top ${other.topK}) into metrics of ${this.numClasses} classes (top ${this.topK})`,
      );
    }
    this.grow(other.n);
    const at = this.n * this.k;
    const size = other.n * other.k;
    this.classes.set(other.classes.subarray(0, size), at);
    this.scores.set(other.scores.subarray(0, size), at);
    this.positive.set(other.positive.subarray(0, size), at);
    for (let c = 0; c < this.numClasses; c++) this.positivesPerClass[c] += other.positivesPerClass[c];
    this.totalPositives += other.totalPositives;
    this.hits += other.hits;
    for (const [k, h] of other.perrHits) this.perrHits.set(k, (this.perrHits.get(k) ?? 0) + h);
    this.n += other.n;
  }

  /** Everything the accumulator holds, as plain JSON (the pool's arrays as little-endian base64). */
  toState(): MetricsState {
    const size = this.n * this.k;
    const positives: [number, number][] = [];
    for (let c = 0; c < this.numClasses; c++) if (this.positivesPerClass[c]) positives.push([c, this.positivesPerClass[c]]);
    return {
      kind: METRICS_STATE_KIND,
      version: 1,
      classes: this.numClasses,
      topK: this.topK,
      videos: this.n,
      hitAt1Hits: this.hits,
      perrHits: [...this.perrHits].sort((a, b) => a[0] - b[0]),
      positives,
      totalPositives: this.totalPositives,
      pool: {
        classes: toBase64(leBytes(this.classes.subarray(0, size))),
        scores: toBase64(leBytes(this.scores.subarray(0, size))),
        positive: toBase64(this.positive.slice(0, size)),
      },
    };
  }

  /** An accumulator back from toState()'s JSON; anything else is an InputError naming `source`. */
  static fromState(state: unknown, source = 'the metrics state'): MetricsAccumulator {
    const s = checkMetricsState(state, source);
    const acc = new MetricsAccumulator(s.classes, s.topK);
    acc.grow(s.videos);
    const size = s.videos * acc.k;
    acc.classes.set(s.pool.classes.subarray(0, size));
    acc.scores.set(s.pool.scores.subarray(0, size));
    acc.positive.set(s.pool.positive.subarray(0, size));
    for (const [c, n] of s.positives) acc.positivesPerClass[c] = n;
    acc.totalPositives = s.totalPositives;
    acc.hits = s.hitAt1Hits;
    for (const [k, h] of s.perrHits) acc.perrHits.set(k, h);
    acc.n = s.videos;
    return acc;
  }

  /** Room for `more` videos' pool entries, doubling as videos arrive. */
  private grow(more = 1): void {
    const need = (this.n + more) * this.k;
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

const METRICS_STATE_KIND = 'attention-lstm video metrics';

export interface MetricsState {
  kind: typeof METRICS_STATE_KIND;
  version: 1;
  classes: number;
  topK: number;
  videos: number;
  /** Videos whose highest prediction is a true label. */
  hitAt1Hits: number;
  /** [label count k, PERR hits of the videos with k labels], ascending k. */
  perrHits: [number, number][];
  /** [class, true labels of it], ascending class, classes with none left out. */
  positives: [number, number][];
  totalPositives: number;
  /** Each video's min(topK, classes) highest predictions: class (int32), score (float64), is a true label (uint8). */
  pool: { classes: string; scores: string; positive: string };
}

/** A typed array's bytes, little-endian whatever the machine. */
function leBytes(a: Int32Array | Float64Array): Uint8Array {
  const out = new Uint8Array(a.length * a.BYTES_PER_ELEMENT);
  const view = new DataView(out.buffer);
  if (a instanceof Int32Array) for (let i = 0; i < a.length; i++) view.setInt32(i * 4, a[i], true);
  else for (let i = 0; i < a.length; i++) view.setFloat64(i * 8, a[i], true);
  return out;
}

function checkMetricsState(state: unknown, source: string) {
  const bad = (what: string): never => {
    throw new InputError(`${source}: not a video metrics state: ${what}`);
  };
  const whole = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return bad('it is not a JSON object');
  const s = state as Record<string, unknown>;
  if (s.kind !== METRICS_STATE_KIND) bad(`its kind is ${JSON.stringify(s.kind)}, expected ${JSON.stringify(METRICS_STATE_KIND)}`);
  if (s.version !== 1) bad(`version ${JSON.stringify(s.version)} is not one this version reads (1)`);
  if (!whole(s.classes, 1) || !whole(s.topK, 1) || !whole(s.videos) || !whole(s.hitAt1Hits) || !whole(s.totalPositives)) {
    bad('classes, topK, videos, hitAt1Hits and totalPositives must be whole numbers');
  }
  const classes = s.classes as number;
  const videos = s.videos as number;
  if ((s.hitAt1Hits as number) > videos) bad('more Hit@1 hits than videos');
  const pairs = (x: unknown, name: string, keyOk: (k: number) => boolean): [number, number][] => {
    if (!Array.isArray(x)) return bad(`${name} must be a list`);
    let last = -1;
    for (const p of x) {
      if (!Array.isArray(p) || p.length !== 2 || !whole(p[0]) || !whole(p[1]) || p[0] <= last || !keyOk(p[0]))
        bad(`${name} must be [number, count] pairs in ascending order`);
      last = p[0];
    }
    return x as [number, number][];
  };
  const perrHits = pairs(s.perrHits, 'perrHits', (k) => k >= 1 && k <= classes);
  const positives = pairs(s.positives, 'positives', (c) => c < classes);
  const k = Math.min(s.topK as number, classes);
  const size = videos * k;
  const p = s.pool as Record<string, unknown> | null;
  if (typeof p !== 'object' || p === null) return bad('the pool is missing');
  const bytes = (name: string, per: number): Uint8Array => {
    const b = typeof p[name] === 'string' ? fromBase64(p[name] as string) : null;
    if (!b || b.length !== size * per) return bad(`pool.${name} must be base64 of ${size} values (${videos} videos x ${k})`);
    return b;
  };
  const cb = new DataView(bytes('classes', 4).buffer);
  const sb = new DataView(bytes('scores', 8).buffer);
  const positive = bytes('positive', 1);
  const poolClasses = new Int32Array(size);
  const scores = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    poolClasses[i] = cb.getInt32(i * 4, true);
    scores[i] = sb.getFloat64(i * 8, true);
    if (poolClasses[i] < 0 || poolClasses[i] >= classes || Number.isNaN(scores[i]) || positive[i] > 1)
      bad(`pool entry ${i} is not a class, a score and a 0/1 flag`);
  }
  return {
    classes,
    topK: s.topK as number,
    videos,
    hitAt1Hits: s.hitAt1Hits as number,
    totalPositives: s.totalPositives as number,
    perrHits,
    positives,
    pool: { classes: poolClasses, scores, positive },
  };
}
