import * as tf from '@tensorflow/tfjs-core';
import type { VideoFeatures } from '../features/featureTypes';
import { type BiLstmRunner, type ModelSpec, type WeightTensors, encode, head, opsBiLstm } from '../model/attentionLstm';
import { canonicalTensors } from '../model/architecture';
import { forwardBatch, packBatch, type VideoPrediction } from '../model/model';
import { lossMask, multiHot, sigmoidCrossEntropy } from './loss';
import { makeOptimizer, minimize, type Optimizer } from './optimizers';
import type { OptimizerName } from './trainingTypes';
import { WeightSnapshot } from './snapshot';

/** A video's probabilities and its attention per frame (not padded), per modality. */
export type Explanation = Pick<VideoPrediction, 'probabilities' | 'attention'>;

export interface TrainerOptions {
  optimizer: OptimizerName;
  learningRate: number;
  /** Which canonical tensors learn; the rest stay frozen. All by default. */
  trainable?: (name: string) => boolean;
}

/** Trains canonical weights held as tf.Variables ([in, out] layout, the fast one for wasm and cpu). */
export class Trainer {
  readonly vars: Record<string, tf.Variable> = {};
  private readonly optimizer: Optimizer;
  private readonly trainableVars: tf.Variable[];
  private readonly best = new WeightSnapshot();

  constructor(
    readonly spec: ModelSpec,
    initial: ReadonlyMap<string, Float32Array>,
    opts: TrainerOptions,
    private readonly biLstm: BiLstmRunner = opsBiLstm,
  ) {
    if (spec.layout !== 'in-out') throw new Error('Trainer: train in the in-out layout');
    const trainable = opts.trainable ?? (() => true);
    for (const { name, shape } of canonicalTensors(spec.variant, spec.sizes)) {
      // tf.variable keeps its own reference to the data: the initial tensor is disposed, or it would leak.
      const init = tf.tensor(initial.get(name)!, shape);
      this.vars[name] = tf.variable(init, trainable(name), `${name}_${Math.random().toString(36).slice(2)}`);
      init.dispose();
    }
    this.trainableVars = Object.values(this.vars).filter((v) => v.trainable);
    this.optimizer = makeOptimizer(opts.optimizer, opts.learningRate);
  }

  /** One optimizer step on a batch of videos (`rated`: per video, the classes its loss counts; all when absent); returns the batch's loss. */
  async trainBatch(
    videos: readonly VideoFeatures[],
    labels: readonly (readonly number[])[],
    rated?: readonly (readonly number[] | undefined)[],
  ): Promise<number> {
    const input = packBatch(videos);
    const targets = multiHot(labels, this.spec.sizes.classes);
    const mask = lossMask(rated, this.spec.sizes.classes);
    const loss = minimize(
      this.optimizer,
      () => {
        const { pooled } = encode(this.vars as WeightTensors, this.spec, input, this.biLstm);
        return sigmoidCrossEntropy(head(pooled, this.vars as WeightTensors, this.spec.layout), targets, mask);
      },
      this.trainableVars,
    );
    const value = (await loss.data())[0];
    tf.dispose([loss, input.rgb, input.audio, targets, ...(mask ? [mask] : [])]);
    return value;
  }

  /** Probabilities [B][C] for videos, without changing anything. */
  async predict(videos: readonly VideoFeatures[], batchSize = 32): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let s = 0; s < videos.length; s += batchSize)
      out.push(...(await this.run(videos.slice(s, s + batchSize))).map((r) => r.probabilities));
    return out;
  }

  /** One video as the weights see it now: probabilities and attention (the page's live view while training). */
  async explain(video: VideoFeatures): Promise<Explanation> {
    return (await this.run([video]))[0];
  }

  private run(batch: readonly VideoFeatures[]): Promise<Explanation[]> {
    return forwardBatch(this.vars as WeightTensors, this.spec, batch, this.biLstm);
  }

  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of Object.entries(this.vars)) out.set(name, ((await v.data()) as Float32Array).slice());
    return out;
  }

  /** Keeps the trainable weights as they are now (early stopping's best epoch so far). */
  snapshot(): void {
    this.best.take(this.trainableVars);
  }

  /** Puts the weights kept by snapshot() back; false when there are none. */
  restore(): boolean {
    return this.best.restore();
  }

  dispose(): void {
    tf.dispose(Object.values(this.vars));
    this.best.dispose();
    this.optimizer.dispose();
  }
}
