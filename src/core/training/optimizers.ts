/**
 * Paddle's two optimizers, written out rather than taken from tfjs for two
 * reasons:
 * - tfjs's centered RMSProp divides by sqrt(ms - (mg² + ε)) where Paddle has
 *   sqrt(ms - mg² + ε): with small gradients the root is of a negative number
 *   and the weights become NaN;
 * - tfjs's optimizers update every variable inside one tidy, so a dozen
 *   temporaries of every weight live at once: 3.5 GB for the full-size head,
 *   more than wasm's 4 GB heap holds beside the rest. Here each update is a
 *   few small tidies per variable, with at most four temporaries alive.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from './trainingTypes';

export interface Optimizer {
  /** One update of each variable from its gradient (same order). */
  step(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void;
  dispose(): void;
}

/** Adam with Paddle's defaults (β1 0.9, β2 0.999, ε 1e-8) and Paddle's form of the bias correction. */
export class Adam implements Optimizer {
  private t = 0;
  private readonly moments = new Map<tf.Variable, { m: tf.Variable; v: tf.Variable }>();

  constructor(
    private readonly lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = 1e-8,
  ) {}

  step(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
    this.t++;
    const { beta1: b1, beta2: b2 } = this;
    // Paddle: lr_t = lr·sqrt(1-β2^t)/(1-β1^t); w -= lr_t·m / (sqrt(v) + ε·sqrt(1-β2^t)).
    const c2 = Math.sqrt(1 - b2 ** this.t);
    const lrT = (this.lr * c2) / (1 - b1 ** this.t);
    const epsT = this.epsilon * c2;
    vars.forEach((w, i) => {
      const g = grads[i];
      const s = state(this.moments, w, () => ({ m: zeros(w), v: zeros(w) }));
      replace(
        s.m,
        tf.tidy(() => tf.add(tf.mul(s.m, b1), tf.mul(g, 1 - b1))),
      );
      replace(
        s.v,
        tf.tidy(() => tf.add(tf.mul(s.v, b2), tf.mul(tf.square(g), 1 - b2))),
      );
      const denom = tf.tidy(() => tf.add(tf.sqrt(s.v), epsT));
      replace(
        w,
        tf.tidy(() => tf.sub(w, tf.mul(tf.div(s.m, denom), lrT))),
      );
      denom.dispose();
    });
  }

  dispose(): void {
    for (const s of this.moments.values()) tf.dispose([s.m, s.v]);
    this.moments.clear();
  }
}

/**
 * Paddle's RMSProp (ρ 0.95, ε 1e-6, momentum 0.9, centered as the
 * AttentionLSTM configs train):
 * ms = ρ·ms + (1-ρ)·g²; mg = ρ·mg + (1-ρ)·g;
 * mom = μ·mom + lr·g / sqrt(ms - mg² + ε); w -= mom.
 */
export class CenteredRmsProp implements Optimizer {
  private readonly slots = new Map<tf.Variable, { ms: tf.Variable; mg: tf.Variable; mom: tf.Variable }>();

  constructor(
    private readonly lr: number,
    private readonly rho = 0.95,
    private readonly epsilon = 1e-6,
    private readonly momentum = 0.9,
  ) {}

  step(vars: readonly tf.Variable[], grads: readonly tf.Tensor[]): void {
    const { rho, epsilon, momentum, lr } = this;
    vars.forEach((w, i) => {
      const g = grads[i];
      const s = state(this.slots, w, () => ({ ms: zeros(w), mg: zeros(w), mom: zeros(w) }));
      replace(
        s.ms,
        tf.tidy(() => tf.add(tf.mul(s.ms, rho), tf.mul(tf.square(g), 1 - rho))),
      );
      replace(
        s.mg,
        tf.tidy(() => tf.add(tf.mul(s.mg, rho), tf.mul(g, 1 - rho))),
      );
      const denom = tf.tidy(() => tf.sqrt(tf.add(tf.sub(s.ms, tf.square(s.mg)), epsilon)));
      replace(
        s.mom,
        tf.tidy(() => tf.add(tf.mul(s.mom, momentum), tf.div(tf.mul(g, lr), denom))),
      );
      denom.dispose();
      replace(
        w,
        tf.tidy(() => tf.sub(w, s.mom)),
      );
    });
  }

  dispose(): void {
    for (const s of this.slots.values()) tf.dispose([s.ms, s.mg, s.mom]);
    this.slots.clear();
  }
}

export function makeOptimizer(name: OptimizerName, lr: number): Optimizer {
  return name === 'adam' ? new Adam(lr) : new CenteredRmsProp(lr);
}

/**
 * One optimizer step on `loss` for the trainable variables; returns the loss.
 * The gradients are freed before the next step.
 */
export function minimize(optimizer: Optimizer, loss: () => tf.Scalar, vars: readonly tf.Variable[]): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, vars as tf.Variable[]);
  try {
    optimizer.step(
      vars,
      vars.map((v) => grads[v.name]),
    );
  } finally {
    tf.dispose(Object.values(grads));
  }
  return value;
}

function state<S>(slots: Map<tf.Variable, S>, w: tf.Variable, make: () => S): S {
  let s = slots.get(w);
  if (!s) slots.set(w, (s = make()));
  return s;
}

function zeros(w: tf.Variable): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zerosLike(w), false));
}

/** Variable ← value, without keeping a second copy: the variable takes the value's data. */
function replace(v: tf.Variable, value: tf.Tensor): void {
  v.assign(value);
  value.dispose();
}
