/**
 * Fine-tuning a loaded model on a user's labeled videos, shared by the page's
 * worker and `npm run finetune` (the modes are described in types.ts; what
 * trains and how classes are named is decided in policy.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors';
import type { VideoFeatures } from '../features/featureTypes';
import type { AttentionLstmMeta } from '../convert/modelFormat';
import { type BiLstmRunner, encode, opsBiLstm } from '../model/attentionLstm';
import { checkVideos, packBatch, readWeights, type LoadedModel } from '../model/model';
import { classAveragePrecisions, evaluate } from '../metrics';
import { HeadTrainer, type HeadWeights } from './headTrainer';
import { defaultPatience, FINETUNE_DEFAULTS } from './policy';
import { seededRandom, shuffled, splitByGroup } from './seeded';
import { Trainer, type Explanation } from './trainer';
import type { ClassReport, EpochReport, FineTuneSettings } from './trainingTypes';

/**
 * What a session trains: the mode and the class names (as policy.ts chooses
 * them: K names for new-head and all; the model's own for same-labels); any
 * other setting left out takes FINETUNE_DEFAULTS'.
 */
export type FineTuneConfig = Pick<FineTuneSettings, 'mode'> & Partial<FineTuneSettings> & { classNames: string[] };

export interface LabeledVideo {
  video: VideoFeatures;
  /** Its positive classes. */
  labels: number[];
  /**
   * The classes whose targets are known, when not all are (a rated segment:
   * its rated classes, positive or negative): the loss counts these alone,
   * `labels` 1 and the rest 0. Absent: every class, the labels 1.
   */
  rated?: number[];
  /** Examples of one group (the windows of one video) stay on one side of the validation split. */
  group?: string;
}

export interface ValidationReport {
  loss: number;
  gap: number;
  hitAt1: number;
  perClass: ClassReport[];
  /** Validation probabilities, one array per validation video, in `validationIds` order. */
  probabilities: Float32Array[];
}

/** A per-input affine map x' = (x - mean) / scale, fitted on the training videos' cached head inputs. */
export interface Standardization {
  mean: Float32Array;
  scale: Float32Array;
}

/**
 * Mean and spread of each column of rows [n, width]. The spread is
 * regularized by a tenth of the mean variance, so that an input that barely
 * varies over a few training videos is not blown up into noise.
 */
function fitStandardization(x: Float32Array, n: number, width: number): Standardization {
  const mean = new Float64Array(width);
  const variance = new Float64Array(width);
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) mean[j] += x[i * width + j] / n;
  for (let i = 0; i < n; i++) for (let j = 0; j < width; j++) variance[j] += (x[i * width + j] - mean[j]) ** 2 / n;
  const floor = (0.1 * variance.reduce((a, b) => a + b, 0)) / width;
  const scale = Float32Array.from(variance, (v) => (floor > 0 ? Math.sqrt(v + floor) : 1));
  return { mean: Float32Array.from(mean), scale };
}

/** Rows [n, width] standardized (a copy). */
function standardized(x: Float32Array, s: Standardization): Float32Array<ArrayBuffer> {
  const width = s.mean.length;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - s.mean[i % width]) / s.scale[i % width];
  return out;
}

/**
 * A dense layer y = x·w + b [in, out] moved to or from standardized inputs:
 * `into` gives w', b' with x'·w' + b' = x·w + b (w' = scale·w, b' = b + mean·w);
 * `out` the inverse (w = w'/scale, b = b' - (mean/scale)·w'), so the saved
 * model reads raw features as any AttentionLSTM does.
 */
function foldStandardization(
  layer: { w: Float32Array; b: Float32Array },
  s: Standardization,
  direction: 'into' | 'out',
): { w: Float32Array; b: Float32Array } {
  const input = s.mean.length;
  const out = layer.b.length;
  const w = new Float32Array(layer.w.length);
  const b = Float64Array.from(layer.b);
  for (let j = 0; j < input; j++) {
    const f = direction === 'into' ? s.scale[j] : 1 / s.scale[j];
    const shift = direction === 'into' ? s.mean[j] : -s.mean[j] / s.scale[j];
    for (let o = 0; o < out; o++) {
      const v = layer.w[j * out + o];
      w[j * out + o] = v * f;
      // into: b + mean·w (raw w); out: b' - (mean/scale)·w' (standardized w').
      b[o] += shift * v;
    }
  }
  return { w, b: Float32Array.from(b) };
}

function xavier(rows: number, cols: number, rand: () => number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => (rand() * 2 - 1) * limit);
}

/** A session's settings, every one decided (patience and standardize as the policy picks them when left out). */
export type SessionSettings = Required<FineTuneConfig>;

export class FineTuneSession {
  readonly config: SessionSettings;
  readonly classNames: string[];
  readonly trainSet: LabeledVideo[];
  readonly validationSet: LabeledVideo[];
  private epochsDone = 0;
  private head: HeadTrainer | null = null;
  private full: Trainer | null = null;
  /** Cached inputs of the head (pooled vectors, or h2 for last-layer training). */
  private trainX = new Float32Array(0);
  private valX = new Float32Array(0);
  private readonly rand: () => number;
  private base: Map<string, Float32Array> | null = null;
  /** The head trains on h2 (the frozen fc1 and fc2 applied) rather than on the pooled vector. */
  private readonly lastOnly: boolean;
  /** The head's inputs are standardized by this (fitted on the training videos), when config.standardize. */
  private norm: Standardization | null = null;
  /** Early stopping: the best validation loss so far and its epoch (0: the starting weights). */
  private best = { loss: Infinity, epoch: -1 };
  private stoppedEarly = false;
  /** Head inputs and attention of videos explained so far (the frozen encoder's are fixed). */
  private readonly explained = new WeakMap<VideoFeatures, { x: Float32Array; attention: Explanation['attention'] }>();

  private constructor(
    readonly model: LoadedModel,
    data: readonly LabeledVideo[],
    config: FineTuneConfig,
    /** Runs the frozen encoders' recurrence (caching, explain): the fused WebGPU kernel in the page. */
    private readonly encoder: BiLstmRunner,
  ) {
    const given = { ...FINETUNE_DEFAULTS, ...config };
    const c = given;
    this.lastOnly = c.mode === 'new-head' && c.headLayers === 'last-layer';
    if (!(c.learningRate > 0) || !Number.isInteger(c.epochs) || c.epochs < 1 || !Number.isInteger(c.batchSize) || c.batchSize < 1) {
      throw new InputError(
        `fine-tuning needs a positive learning rate, whole epochs and batch size (got lr ${c.learningRate}, ${c.epochs} epochs, batch ${c.batchSize})`,
      );
    }
    if (c.patience !== undefined && !(Number.isInteger(c.patience) && c.patience >= 0))
      throw new InputError(`the patience of early stopping must be a whole number of epochs (0: off), not ${c.patience}`);
    if (!(c.validationFraction >= 0 && c.validationFraction < 1))
      throw new InputError(`the validation fraction must be in [0, 1), not ${c.validationFraction}`);
    this.classNames =
      c.mode === 'same-labels'
        ? (model.meta.classNames ?? Array.from({ length: model.meta.sizes.classes }, (_, i) => `class ${i}`))
        : c.classNames;
    const K = this.classNames.length;
    if (K < 1) throw new InputError('fine-tuning needs at least one class');
    // An example with only negative ratings (no label, some rated classes) teaches too.
    const labeled = data.filter((d) => d.labels.length > 0 || (d.rated?.length ?? 0) > 0);
    if (labeled.length < 2) throw new InputError(`fine-tuning needs at least 2 labeled videos (got ${labeled.length})`);
    for (const d of labeled) {
      const bad = [...d.labels, ...(d.rated ?? [])].find((l) => !Number.isInteger(l) || l < 0 || l >= K);
      if (bad !== undefined)
        throw new InputError(
          `${d.video.file}: video ${d.video.index} ('${d.video.id}') has label ${bad}, outside the ${K} classes being trained`,
        );
    }
    checkVideos(
      labeled.map((d) => d.video),
      model.meta,
    );
    const s = splitByGroup(labeled, (d) => d.group, c.seed, c.validationFraction);
    this.trainSet = s.train;
    this.validationSet = s.validation;
    this.config = {
      ...given,
      patience: given.patience ?? defaultPatience(given.epochs, s.train.length, given.batchSize),
      // Head modes train on standardized inputs unless told not to; training everything has no cached inputs to standardize.
      standardize: given.standardize ?? true,
    };
    this.rand = seededRandom(c.seed + 1);
  }

  /**
   * Splits the data and, for head training, caches every video's encoder
   * output (progress per video). `encoder` runs the frozen recurrence; training
   * everything always takes the op path, which has gradients.
   */
  static async create(
    model: LoadedModel,
    data: readonly LabeledVideo[],
    config: FineTuneConfig,
    onCaching?: (done: number, total: number) => void,
    encoder: BiLstmRunner = opsBiLstm,
  ): Promise<FineTuneSession> {
    const s = new FineTuneSession(model, data, config, encoder);
    await s.prepare(onCaching);
    return s;
  }

  get epoch(): number {
    return this.epochsDone;
  }

  /** The planned epochs are done, or early stopping ended the run. */
  get finished(): boolean {
    return this.stoppedEarly || this.epochsDone >= this.config.epochs;
  }

  /** Early stopping watches the validation loss (patience > 0 and validation videos to watch it on). */
  get earlyStopping(): boolean {
    return this.config.patience > 0 && this.validationSet.length > 0;
  }

  /** With early stopping: the epoch whose weights are kept (0: the starting weights; -1 before the first epoch). */
  get bestEpoch(): number {
    return this.best.epoch;
  }

  private async prepare(onCaching?: (done: number, total: number) => void): Promise<void> {
    const c = this.config;
    const { sizes } = this.model.meta;
    const K = this.classNames.length;
    this.base = await readWeights(this.model);
    const base = this.base;
    const newLogit = c.mode !== 'same-labels';
    const rand = seededRandom(c.seed + 7);
    const logit = newLogit
      ? { w: xavier(sizes.head2, K, rand), b: new Float32Array(K) }
      : { w: base.get('head.logit.w')!, b: base.get('head.logit.b')! };
    if (c.mode === 'all') {
      const init = new Map(base);
      init.set('head.logit.w', logit.w);
      init.set('head.logit.b', logit.b);
      this.full = new Trainer({ variant: this.model.meta.variant, sizes: { ...sizes, classes: K }, layout: 'in-out' }, init, {
        optimizer: c.optimizer,
        learningRate: c.learningRate,
      });
      return;
    }
    const lastOnly = this.lastOnly;
    const all = [...this.trainSet, ...this.validationSet];
    const rows: Float32Array[] = [];
    const batch = 8;
    for (let i = 0; i < all.length; i += batch) {
      rows.push(...(await this.headInputs(all.slice(i, i + batch).map((d) => d.video))).map((r) => r.x));
      onCaching?.(Math.min(all.length, i + batch), all.length);
    }
    const width = rows[0].length;
    const pack = (from: number, to: number) => {
      const x = new Float32Array((to - from) * width);
      for (let i = from; i < to; i++) x.set(rows[i], (i - from) * width);
      return x;
    };
    this.trainX = pack(0, this.trainSet.length);
    this.valX = pack(this.trainSet.length, all.length);
    let fc1 = { w: base.get('head.fc1.w')!, b: base.get('head.fc1.b')! };
    if (c.standardize && this.trainSet.length > 1) {
      const norm = fitStandardization(this.trainX, this.trainSet.length, width);
      this.norm = norm;
      this.trainX = standardized(this.trainX, norm);
      this.valX = standardized(this.valX, norm);
      // The pretrained fc1 moves to standardized inputs unchanged in what it computes; a new logit layer starts there (Xavier fits unit inputs).
      if (!lastOnly) fc1 = foldStandardization(fc1, norm, 'into');
    }
    const initial: HeadWeights = lastOnly ? { logit } : { fc1, fc2: { w: base.get('head.fc2.w')!, b: base.get('head.fc2.b')! }, logit };
    this.head = new HeadTrainer(
      lastOnly ? 'last-layer' : 'whole-head',
      { input: width, head1: sizes.head1, head2: sizes.head2, classes: K },
      initial,
      { optimizer: c.optimizer, learningRate: c.learningRate },
    );
  }

  /** The frozen encoder's output for videos, the head's input (pooled vectors, or h2 for last-layer training), with their attention. */
  private async headInputs(videos: readonly VideoFeatures[]): Promise<{ x: Float32Array; attention: Explanation['attention'] }[]> {
    const input = packBatch(videos);
    const w = this.model.weights;
    const L = this.model.spec.layout;
    const out = tf.tidy(() => {
      const { pooled, attention } = encode(w, this.model.spec, input, this.encoder);
      if (!this.lastOnly) return { x: pooled, ...attention };
      const h1 = tf.relu(tf.add(tf.matMul(pooled, w['head.fc1.w'] as tf.Tensor2D, false, L === 'out-in'), w['head.fc1.b']));
      return {
        x: tf.tanh(tf.add(tf.matMul(h1, w['head.fc2.w'] as tf.Tensor2D, false, L === 'out-in'), w['head.fc2.b'])) as tf.Tensor2D,
        ...attention,
      };
    });
    const [x, ar, aa] = (await Promise.all([out.x.data(), out.rgb.data(), out.audio.data()])) as Float32Array[];
    const width = out.x.shape[1];
    const T = out.rgb.shape[1];
    tf.dispose([out.x, out.rgb, out.audio, input.rgb, input.audio]);
    return videos.map((v, b) => ({
      x: x.slice(b * width, (b + 1) * width),
      attention: { rgb: ar.slice(b * T, b * T + v.frames), audio: aa.slice(b * T, b * T + v.frames) },
    }));
  }

  /**
   * Any loaded video as the model being trained sees it now: probabilities
   * over the classes being trained, and attention. The page shows the selected
   * video this way while it trains. With a new head the encoders are frozen,
   * so the attention stays the loaded model's; only `all` changes it.
   */
  async explain(video: VideoFeatures): Promise<Explanation> {
    checkVideos([video], this.model.meta);
    if (this.full) return this.full.explain(video);
    let cached = this.explained.get(video);
    if (!cached) {
      cached = (await this.headInputs([video]))[0];
      this.explained.set(video, cached);
    }
    const { probabilities } = await this.head!.predict(this.norm ? standardized(cached.x, this.norm) : cached.x, 1);
    return { probabilities: probabilities[0], attention: cached.attention };
  }

  /**
   * Probabilities of any videos (loaded or not) under the weights as they
   * are now, over the classes being trained, `batchSize` at a time: the
   * segment MAP of a fine-tune runs every window of its validation videos
   * through this.
   */
  async predict(videos: readonly VideoFeatures[], batchSize = 64): Promise<Float32Array[]> {
    checkVideos(videos, this.model.meta);
    if (this.full) return this.full.predict(videos, batchSize);
    const out: Float32Array[] = [];
    for (let s = 0; s < videos.length; s += batchSize) {
      const rows = (await this.headInputs(videos.slice(s, s + batchSize))).map((r) => r.x);
      const width = rows[0].length;
      const x = new Float32Array(rows.length * width);
      rows.forEach((r, i) => x.set(r, i * width));
      out.push(...(await this.head!.predict(this.norm ? standardized(x, this.norm) : x, rows.length)).probabilities);
    }
    return out;
  }

  /** Validation metrics of the current weights (before the first epoch: the starting point). */
  validate(): Promise<ValidationReport> {
    return this.evaluateSet('validation');
  }

  /** The same metrics on the training videos: how well the weights fit what they learn from. */
  evaluateTraining(): Promise<ValidationReport> {
    return this.evaluateSet('train');
  }

  private async evaluateSet(which: 'train' | 'validation'): Promise<ValidationReport> {
    const set = which === 'train' ? this.trainSet : this.validationSet;
    const labels = set.map((d) => d.labels);
    const rated = set.map((d) => d.rated);
    let probabilities: Float32Array[];
    let loss: number;
    if (this.head) {
      ({ probabilities, loss } = await this.head.predict(which === 'train' ? this.trainX : this.valX, set.length, labels, rated));
    } else {
      probabilities = await this.full!.predict(set.map((d) => d.video));
      loss = lossOf(probabilities, labels, rated);
    }
    const K = this.classNames.length;
    const counts = new Array<number>(K).fill(0);
    for (const d of [...this.trainSet, ...this.validationSet]) for (const l of new Set(d.labels)) counts[l]++;
    if (probabilities.length === 0) {
      return {
        loss: NaN,
        gap: NaN,
        hitAt1: NaN,
        perClass: this.classNames.map((name, i) => ({ name, ap: NaN, count: counts[i] })),
        probabilities,
      };
    }
    const m = evaluate(probabilities, labels, { topK: Math.min(20, K) });
    const aps = classAveragePrecisions(probabilities, labels, Math.min(20, K));
    const hasPositive = new Array<boolean>(K).fill(false);
    labels.forEach((ls) => ls.forEach((l) => (hasPositive[l] = true)));
    return {
      loss,
      gap: m.gap,
      hitAt1: m.hit_at_1,
      probabilities,
      perClass: this.classNames.map((name, i) => ({ name, ap: hasPositive[i] ? aps[i] : NaN, count: counts[i] })),
    };
  }

  /**
   * One pass over the training videos in a seeded shuffle; `between` runs
   * between batches (pause, stop). With early stopping, the weights are kept
   * whenever the validation loss improves, and the run ends (the best weights
   * back) once it has not for `patience` epochs, or at the last epoch.
   */
  async runEpoch(between?: () => Promise<void>): Promise<EpochReport> {
    const t0 = performance.now();
    const c = this.config;
    if (this.finished) throw new Error('FineTuneSession: the run is over');
    if (this.earlyStopping && this.best.epoch < 0) {
      // The starting weights are a candidate too: refining a model that already knows its classes must not make it worse.
      this.best = { loss: (await this.validate()).loss, epoch: 0 };
      this.trainer().snapshot();
    }
    const order = shuffled(
      this.trainSet.map((_, i) => i),
      this.rand,
    );
    let lossSum = 0;
    let seen = 0;
    for (let s = 0; s < order.length; s += c.batchSize) {
      const idx = order.slice(s, s + c.batchSize);
      const labels = idx.map((i) => this.trainSet[i].labels);
      const rated = idx.map((i) => this.trainSet[i].rated);
      let loss: number;
      if (this.head) {
        const width = this.trainX.length / this.trainSet.length;
        const x = new Float32Array(idx.length * width);
        idx.forEach((i, r) => x.set(this.trainX.subarray(i * width, (i + 1) * width), r * width));
        loss = await this.head.trainBatch(x, idx.length, labels, rated);
      } else {
        loss = await this.full!.trainBatch(
          idx.map((i) => this.trainSet[i].video),
          labels,
          rated,
        );
      }
      lossSum += loss * idx.length;
      seen += idx.length;
      await between?.();
    }
    this.epochsDone++;
    const v = await this.validate();
    const report: EpochReport = {
      epoch: this.epochsDone,
      trainLoss: lossSum / seen,
      validationLoss: v.loss,
      validationGap: v.gap,
      validationHitAt1: v.hitAt1,
      seconds: 0,
    };
    if (this.earlyStopping) {
      if (v.loss < this.best.loss - 1e-4 * Math.abs(this.best.loss)) {
        this.best = { loss: v.loss, epoch: this.epochsDone };
        this.trainer().snapshot();
      } else if (this.epochsDone - this.best.epoch >= c.patience && this.epochsDone < c.epochs) {
        this.stoppedEarly = true;
        report.stoppedEarly = true;
      }
      if (this.finished && this.best.epoch !== this.epochsDone) this.trainer().restore();
      report.bestEpoch = this.best.epoch;
    }
    report.seconds = (performance.now() - t0) / 1000;
    return report;
  }

  private trainer(): { snapshot(): void; restore(): boolean } {
    return (this.head ?? this.full)!;
  }

  /** The fine-tuned model: its metadata and every canonical weight ([in, out]). */
  async result(description?: string): Promise<{ meta: AttentionLstmMeta; weights: Map<string, Float32Array> }> {
    const weights = new Map(this.base!);
    if (this.full) {
      for (const [k, v] of await this.full.weights()) weights.set(k, v);
    } else {
      const h = await this.head!.weights();
      // Standardized inputs fold back into the first trained layer: the saved model reads raw features.
      if (this.norm) {
        if (h.fc1) h.fc1 = foldStandardization(h.fc1, this.norm, 'out');
        else h.logit = foldStandardization(h.logit, this.norm, 'out');
      }
      if (h.fc1) {
        weights.set('head.fc1.w', h.fc1.w);
        weights.set('head.fc1.b', h.fc1.b);
      }
      if (h.fc2) {
        weights.set('head.fc2.w', h.fc2.w);
        weights.set('head.fc2.b', h.fc2.b);
      }
      weights.set('head.logit.w', h.logit.w);
      weights.set('head.logit.b', h.logit.b);
    }
    const c = this.config;
    const meta: AttentionLstmMeta = {
      ...this.model.meta,
      sizes: { ...this.model.meta.sizes, classes: this.classNames.length },
      classNames: this.classNames,
      dtype: 'float32',
      source: null,
      description:
        description ??
        `Fine-tuned (${c.mode}${c.mode === 'new-head' ? `, ${c.headLayers}` : ''}, ${this.epochsDone} epochs${this.earlyStopping && this.best.epoch >= 0 && this.best.epoch !== this.epochsDone ? `, the weights of epoch ${this.best.epoch} kept` : ''}, ${c.optimizer} lr ${c.learningRate}) on ${this.trainSet.length} videos from: ${this.model.meta.description ?? 'a model'}`,
    };
    return { meta, weights };
  }

  dispose(): void {
    this.head?.dispose();
    this.full?.dispose();
  }
}

/** The loss of sigmoidCrossEntropy from probabilities (training everything), with the same mask and mean. */
function lossOf(
  probabilities: Float32Array[],
  labels: readonly (readonly number[])[],
  rated: readonly (readonly number[] | undefined)[] = [],
): number {
  let sum = 0;
  let rows = 0;
  probabilities.forEach((p, i) => {
    const pos = new Set(labels[i]);
    const known = rated[i] ?? null;
    if (known && known.length === 0) return;
    rows++;
    for (const c of known ?? p.keys()) {
      const q = Math.min(1 - 1e-7, Math.max(1e-7, p[c]));
      sum -= pos.has(c) ? Math.log(q) : Math.log(1 - q);
    }
  });
  return sum / Math.max(1, rows);
}
