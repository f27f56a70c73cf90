import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import '../../node/gradients';
import { dense } from './dense';

describe('dense', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('has matMul’s value and gradients', async () => {
    const x = tf.randomNormal([5, 7], 0, 1, 'float32', 1) as tf.Tensor2D;
    const w = tf.randomNormal([7, 3], 0, 1, 'float32', 2) as tf.Tensor2D;
    const loss = (f: (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D) => (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.tanh(f(a as tf.Tensor2D, b as tf.Tensor2D)));
    const want = tf.grads(loss((a, b) => tf.matMul(a, b)))([x, w]);
    const got = tf.grads(loss(dense))([x, w]);
    expect(tf.max(tf.abs(tf.sub(dense(x, w), tf.matMul(x, w)))).dataSync()[0]).toBeLessThan(1e-6);
    for (let i = 0; i < 2; i++) {
      expect(got[i].shape).toEqual(want[i].shape);
      expect(tf.max(tf.abs(tf.sub(got[i], want[i]))).dataSync()[0]).toBeLessThan(1e-5);
    }
  });
});
