/**
 * Trains the classifier head on cached inputs: pooled video vectors z [N, 4D]
 * (whole head: fc1, fc2, logit) or the frozen head's last hidden layer h2
 * [N, H2] (last layer only). The encoders never run during training, which is
 * what makes a new head on hundreds of videos take well under a second an epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { dense } from './dense';
import { makeOptimizer, minimize, type Optimizer } from './optimizers';
import { lossMask, multiHot, sigmoidCrossEntropy } from './loss';
import type { HeadLayers, OptimizerName } from './trainingTypes';
import { WeightSnapshot } from './snapshot';

export interface HeadWeights {
  /** Present when the whole head trains. */
  fc1?: { w: Float32Array; b: Float32Array };
  fc2?: { w: Float32Array; b: Float32Array };
  logit: { w: Float32Array; b: Float32Array };
}

export class HeadTrainer {
  private readonly vars: Record<string, tf.Variable> = {};
  private readonly optimizer: Optimizer;
  private readonly best = new WeightSnapshot();

  constructor(
    readonly layers: HeadLayers,
    readonly dims: { input: number; head1: number; head2: number; classes: number },
    initial: HeadWeights,
    opts: { optimizer: OptimizerName; learningRate: number },
  ) {
    const v = (name: string, data: Float32Array, shape: number[]) => {
      // tf.variable keeps its own reference to the data: the initial tensor is disposed, or it would leak.
      const init = tf.tensor(data, shape);
      this.vars[name] = tf.variable(init, true, `${name}_${Math.random().toString(36).slice(2)}`);
      init.dispose();
    };
    if (layers === 'whole-head') {
      if (!initial.fc1 || !initial.fc2) throw new Error('HeadTrainer: the whole head needs fc1 and fc2');
      v('fc1.w', initial.fc1.w, [dims.input, dims.head1]);
      v('fc1.b', initial.fc1.b, [dims.head1]);
      v('fc2.w', initial.fc2.w, [dims.head1, dims.head2]);
      v('fc2.b', initial.fc2.b, [dims.head2]);
    }
    v('logit.w', initial.logit.w, [dims.head2, dims.classes]);
    v('logit.b', initial.logit.b, [dims.classes]);
    this.optimizer = makeOptimizer(opts.optimizer, opts.learningRate);
  }

  private logits(x: tf.Tensor2D): tf.Tensor2D {
    const V = this.vars;
    let h = x;
    if (this.layers === 'whole-head') {
      h = tf.relu(tf.add(dense(h, V['fc1.w'] as tf.Tensor2D), V['fc1.b'])) as tf.Tensor2D;
      h = tf.tanh(tf.add(dense(h, V['fc2.w'] as tf.Tensor2D), V['fc2.b'])) as tf.Tensor2D;
    }
    return tf.add(dense(h, V['logit.w'] as tf.Tensor2D), V['logit.b']) as tf.Tensor2D;
  }

  /** One optimizer step; x rows are the cached inputs; `rated`, per row, the classes its loss counts (all when absent). Returns the batch loss. */
  async trainBatch(
    x: Float32Array,
    rows: number,
    labels: readonly (readonly number[])[],
    rated?: readonly (readonly number[] | undefined)[],
  ): Promise<number> {
    const input = tf.tensor2d(x, [rows, x.length / rows]);
    const targets = multiHot(labels, this.dims.classes);
    const mask = lossMask(rated, this.dims.classes);
    const loss = minimize(this.optimizer, () => sigmoidCrossEntropy(this.logits(input), targets, mask), Object.values(this.vars));
    const value = (await loss.data())[0];
    tf.dispose([loss, input, targets, ...(mask ? [mask] : [])]);
    return value;
  }

  /** Probabilities and the mean loss (when labels are given) for cached inputs. */
  async predict(
    x: Float32Array,
    rows: number,
    labels?: readonly (readonly number[])[],
    rated?: readonly (readonly number[] | undefined)[],
  ): Promise<{ probabilities: Float32Array[]; loss: number }> {
    if (rows === 0) return { probabilities: [], loss: NaN };
    const input = tf.tensor2d(x, [rows, x.length / rows]);
    const logits = tf.tidy(() => this.logits(input));
    const probs = tf.sigmoid(logits);
    let loss = NaN;
    if (labels) {
      const t = multiHot(labels, this.dims.classes);
      const mask = lossMask(rated, this.dims.classes);
      const l = sigmoidCrossEntropy(logits, t, mask);
      loss = (await l.data())[0];
      tf.dispose([t, l, ...(mask ? [mask] : [])]);
    }
    const p = (await probs.data()) as Float32Array;
    const C = this.dims.classes;
    tf.dispose([input, logits, probs]);
    return { probabilities: Array.from({ length: rows }, (_, i) => p.slice(i * C, (i + 1) * C)), loss };
  }

  async weights(): Promise<HeadWeights> {
    const get = async (n: string) => ((await this.vars[n].data()) as Float32Array).slice();
    const out: HeadWeights = { logit: { w: await get('logit.w'), b: await get('logit.b') } };
    if (this.layers === 'whole-head') {
      out.fc1 = { w: await get('fc1.w'), b: await get('fc1.b') };
      out.fc2 = { w: await get('fc2.w'), b: await get('fc2.b') };
    }
    return out;
  }

  /** Keeps the weights as they are now (early stopping's best epoch so far). */
  snapshot(): void {
    this.best.take(Object.values(this.vars));
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
