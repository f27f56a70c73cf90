import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import '../../node/gradients';
import { Adam, CenteredRmsProp, minimize } from './optimizers';
import { seededRandom } from './seeded';

/** Paddle's update rules, in float64 on plain arrays: the reference. */
function paddleAdam(w: number[], grads: number[][], lr: number, b1 = 0.9, b2 = 0.999, eps = 1e-8): number[] {
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  w = w.slice();
  grads.forEach((g, k) => {
    const t = k + 1;
    const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    for (let i = 0; i < w.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      w[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + eps * Math.sqrt(1 - b2 ** t));
    }
  });
  return w;
}

function paddleRmsProp(w: number[], grads: number[][], lr: number, rho = 0.95, eps = 1e-6, mu = 0.9): number[] {
  const ms = w.map(() => 0);
  const mg = w.map(() => 0);
  const mom = w.map(() => 0);
  w = w.slice();
  for (const g of grads) {
    for (let i = 0; i < w.length; i++) {
      ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
      mg[i] = rho * mg[i] + (1 - rho) * g[i];
      mom[i] = mu * mom[i] + (lr * g[i]) / Math.sqrt(ms[i] - mg[i] * mg[i] + eps);
      w[i] -= mom[i];
    }
  }
  return w;
}

describe('Paddle’s optimizers', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  const rand = seededRandom(5);
  const w0 = Array.from({ length: 24 }, () => rand() * 2 - 1);
  // Gradients over six orders of magnitude: tiny ones are where tfjs's centered RMSProp takes the root of a negative number.
  const grads = Array.from({ length: 5 }, (_, k) => w0.map((_, i) => (rand() * 2 - 1) * 10 ** -(i % 6) * (k + 1)));

  for (const [name, make, reference] of [
    ['Adam', () => new Adam(0.01), paddleAdam],
    ['centered RMSProp', () => new CenteredRmsProp(0.01), paddleRmsProp],
  ] as const) {
    it(`${name} follows Paddle's update rule step by step, stays finite on tiny gradients and frees its temporaries`, () => {
      const opt = make();
      const w = tf.variable(tf.tensor2d(w0, [4, 6]));
      const before = tf.memory().numTensors;
      grads.forEach((g, k) => {
        const gt = tf.tensor2d(g, [4, 6]);
        opt.step([w], [gt]);
        gt.dispose();
        // The first step makes the optimizer's state; after that, nothing is left behind.
        if (k === 0) expect(tf.memory().numTensors).toBeGreaterThan(before);
      });
      const after = tf.memory().numTensors;
      const got = w.dataSync();
      const want = reference(w0, grads, 0.01);
      for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(want[i])));
      expect(Array.from(got).every(Number.isFinite)).toBe(true);
      const again = tf.tensor2d(grads[0], [4, 6]);
      opt.step([w], [again]);
      again.dispose();
      expect(tf.memory().numTensors).toBe(after);
      opt.dispose();
      w.dispose();
    });
  }

  it('minimize steps the given variables on a loss and frees the gradients', async () => {
    const w = tf.variable(tf.tensor1d([3, -2]));
    const frozen = tf.variable(tf.tensor1d([1, 1]), false);
    const opt = new Adam(0.1);
    const loss = () => tf.sum(tf.square(tf.mul(w, frozen))) as tf.Scalar;
    let last = minimize(opt, loss, [w]);
    const first = (await last.data())[0];
    const count = tf.memory().numTensors;
    for (let i = 0; i < 50; i++) {
      last.dispose();
      last = minimize(opt, loss, [w]);
    }
    expect(tf.memory().numTensors).toBe(count);
    expect((await last.data())[0]).toBeLessThan(first / 2);
    expect(Array.from(await frozen.data())).toEqual([1, 1]);
    tf.dispose([last, w, frozen]);
    opt.dispose();
  });
});
