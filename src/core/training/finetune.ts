import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../errors';
import type { VideoFeatures } from '../features/types';
import type { AttentionLstmMeta } from '../convert/modelFormat';
import { type BiLstmRunner, encode, opsBiLstm } from '../model/attentionLstm';
import { checkVideos, packBatch, readWeights, type LoadedModel } from '../model/model';
import { classAveragePrecisions, evaluate } from '../metrics';
import { HeadTrainer, type HeadWeights } from './headTrainer';
import { FINETUNE_DEFAULTS } from './policy';
import { seededRandom, shuffled, split } from './seeded';
import { Trainer, type Explanation } from './trainer';
import type { ClassReport, EpochReport, FineTuneSettings } from './types';

/**
 * Fine-tuning a loaded model on a user's labeled videos, shared by the page's
 * worker and `npm run finetune` (the modes are described in types.ts; what
 * trains and how classes are named is decided in policy.ts).
 */

/**
 * What a session trains: the mode and the class names (as policy.ts chooses
 * them: K names for new-head and all; the model's own for same-labels); any
 * other setting left out takes FINETUNE_DEFAULTS'.
 */
export type FineTuneConfig = Pick<FineTuneSettings, 'mode'> & Partial<FineTuneSettings> & { classNames: string[] };

export interface LabeledVideo {
  video: VideoFeatures;
  labels: number[];
}

export interface ValidationReport {
  loss: number;
  gap: number;
  hitAt1: number;
  perClass: ClassReport[];
  /** Validation probabilities, one array per validation video, in `validationIds` order. */
  probabilities: Float32Array[];
}

function xavier(rows: number, cols: number, rand: () => number): Float32Array {
  const limit = Math.sqrt(6 / (rows + cols));
  return Float32Array.from({ length: rows * cols }, () => (rand() * 2 - 1) * limit);
}

export class FineTuneSession {
  readonly config: Required<FineTuneConfig>;
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
  /** Head inputs and attention of videos explained so far (the frozen encoder's are fixed). */
  private readonly explained = new WeakMap<VideoFeatures, { x: Float32Array; attention: Explanation['attention'] }>();

  private constructor(
    readonly model: LoadedModel,
    data: readonly LabeledVideo[],
    config: FineTuneConfig,
    /** Runs the frozen encoders' recurrence (caching, explain): the fused WebGPU kernel in the page. */
    private readonly encoder: BiLstmRunner,
  ) {
    this.config = { ...FINETUNE_DEFAULTS, ...config };
    const c = this.config;
    this.lastOnly = c.mode === 'new-head' && c.headLayers === 'last-layer';
    if (!(c.learningRate > 0) || !Number.isInteger(c.epochs) || c.epochs < 1 || !Number.isInteger(c.batchSize) || c.batchSize < 1) {
      throw new InputError(`fine-tuning needs a positive learning rate, whole epochs and batch size (got lr ${c.learningRate}, ${c.epochs} epochs, batch ${c.batchSize})`);
    }
    if (!(c.validationFraction >= 0 && c.validationFraction < 1)) throw new InputError(`the validation fraction must be in [0, 1), not ${c.validationFraction}`);
    this.classNames = c.mode === 'same-labels' ? (model.meta.classNames ?? Array.from({ length: model.meta.sizes.classes }, (_, i) => `class ${i}`)) : c.classNames;
    const K = this.classNames.length;
    if (K < 1) throw new InputError('fine-tuning needs at least one class');
    const labeled = data.filter((d) => d.labels.length > 0);
    if (labeled.length < 2) throw new InputError(`fine-tuning needs at least 2 labeled videos (got ${labeled.length})`);
    for (const d of labeled) {
      const bad = d.labels.find((l) => !Number.isInteger(l) || l < 0 || l >= K);
      if (bad !== undefined) throw new InputError(`${d.video.file}: video ${d.video.index} ('${d.video.id}') has label ${bad}, outside the ${K} classes being trained`);
    }
    checkVideos(labeled.map((d) => d.video), model.meta);
    const s = split(labeled, c.seed, c.validationFraction);
    this.trainSet = s.train;
    this.validationSet = s.validation;
    this.rand = seededRandom(c.seed + 1);
  }

  /**
   * Splits the data and, for head training, caches every video's encoder
   * output (progress per video). `encoder` runs the frozen recurrence; training
   * everything always takes the op path, which has gradients.
   */
  static async create(
    model: LoadedModel, data: readonly LabeledVideo[], config: FineTuneConfig,
    onCaching?: (done: number, total: number) => void, encoder: BiLstmRunner = opsBiLstm,
  ): Promise<FineTuneSession> {
    const s = new FineTuneSession(model, data, config, encoder);
    await s.prepare(onCaching);
    return s;
  }

  get epoch(): number {
    return this.epochsDone;
  }

  get finished(): boolean {
    return this.epochsDone >= this.config.epochs;
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
      this.full = new Trainer({ variant: this.model.meta.variant, sizes: { ...sizes, classes: K }, layout: 'in-out' }, init, { optimizer: c.optimizer, learningRate: c.learningRate });
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
    const initial: HeadWeights = lastOnly
      ? { logit }
      : { fc1: { w: base.get('head.fc1.w')!, b: base.get('head.fc1.b')! }, fc2: { w: base.get('head.fc2.w')!, b: base.get('head.fc2.b')! }, logit };
    this.head = new HeadTrainer(lastOnly ? 'last-layer' : 'whole-head', { input: width, head1: sizes.head1, head2: sizes.head2, classes: K }, initial, { optimizer: c.optimizer, learningRate: c.learningRate });
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
      return { x: tf.tanh(tf.add(tf.matMul(h1, w['head.fc2.w'] as tf.Tensor2D, false, L === 'out-in'), w['head.fc2.b'])) as tf.Tensor2D, ...attention };
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
    const { probabilities } = await this.head!.predict(cached.x, 1);
    return { probabilities: probabilities[0], attention: cached.attention };
  }

  /** Validation metrics of the current weights (before the first epoch: the starting point). */
  async validate(): Promise<ValidationReport> {
    const labels = this.validationSet.map((d) => d.labels);
    let probabilities: Float32Array[];
    let loss: number;
    if (this.head) {
      ({ probabilities, loss } = await this.head.predict(this.valX, this.validationSet.length, labels));
    } else {
      probabilities = await this.full!.predict(this.validationSet.map((d) => d.video));
      loss = lossOf(probabilities, labels);
    }
    const K = this.classNames.length;
    const counts = new Array<number>(K).fill(0);
    for (const d of [...this.trainSet, ...this.validationSet]) for (const l of new Set(d.labels)) counts[l]++;
    if (probabilities.length === 0) {
      return { loss: NaN, gap: NaN, hitAt1: NaN, perClass: this.classNames.map((name, i) => ({ name, ap: NaN, count: counts[i] })), probabilities };
    }
    const m = evaluate(probabilities, labels, { topK: Math.min(20, K) });
    const aps = classAveragePrecisions(probabilities, labels, Math.min(20, K));
    const hasPositive = new Array<boolean>(K).fill(false);
    labels.forEach((ls) => ls.forEach((l) => (hasPositive[l] = true)));
    return {
      loss, gap: m.gap, hitAt1: m.hit_at_1, probabilities,
      perClass: this.classNames.map((name, i) => ({ name, ap: hasPositive[i] ? aps[i] : NaN, count: counts[i] })),
    };
  }

  /** One pass over the training videos in a seeded shuffle; `between` runs between batches (pause, stop). */
  async runEpoch(between?: () => Promise<void>): Promise<EpochReport> {
    const t0 = performance.now();
    const c = this.config;
    const order = shuffled(this.trainSet.map((_, i) => i), this.rand);
    let lossSum = 0;
    let seen = 0;
    for (let s = 0; s < order.length; s += c.batchSize) {
      const idx = order.slice(s, s + c.batchSize);
      const labels = idx.map((i) => this.trainSet[i].labels);
      let loss: number;
      if (this.head) {
        const width = this.trainX.length / this.trainSet.length;
        const x = new Float32Array(idx.length * width);
        idx.forEach((i, r) => x.set(this.trainX.subarray(i * width, (i + 1) * width), r * width));
        loss = await this.head.trainBatch(x, idx.length, labels);
      } else {
        loss = await this.full!.trainBatch(idx.map((i) => this.trainSet[i].video), labels);
      }
      lossSum += loss * idx.length;
      seen += idx.length;
      await between?.();
    }
    this.epochsDone++;
    const v = await this.validate();
    return { epoch: this.epochsDone, trainLoss: lossSum / seen, validationLoss: v.loss, validationGap: v.gap, validationHitAt1: v.hitAt1, seconds: (performance.now() - t0) / 1000 };
  }

  /** The fine-tuned model: its metadata and every canonical weight ([in, out]). */
  async result(description?: string): Promise<{ meta: AttentionLstmMeta; weights: Map<string, Float32Array> }> {
    const weights = new Map(this.base!);
    if (this.full) {
      for (const [k, v] of await this.full.weights()) weights.set(k, v);
    } else {
      const h = await this.head!.weights();
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
      description: description ?? `Fine-tuned (${c.mode}${c.mode === 'new-head' ? `, ${c.headLayers}` : ''}, ${this.epochsDone} epochs, ${c.optimizer} lr ${c.learningRate}) on ${this.trainSet.length} videos from: ${this.model.meta.description ?? 'a model'}`,
    };
    return { meta, weights };
  }

  dispose(): void {
    this.head?.dispose();
    this.full?.dispose();
  }
}

function lossOf(probabilities: Float32Array[], labels: readonly (readonly number[])[]): number {
  let sum = 0;
  probabilities.forEach((p, i) => {
    const pos = new Set(labels[i]);
    for (let c = 0; c < p.length; c++) {
      const q = Math.min(1 - 1e-7, Math.max(1e-7, p[c]));
      sum -= pos.has(c) ? Math.log(q) : Math.log(1 - q);
    }
  });
  return sum / Math.max(1, probabilities.length);
}

