import * as tf from '@tensorflow/tfjs-core';

/**
 * Paddle's sigmoid_cross_entropy_with_logits, summed over classes and averaged
 * over the batch (AttentionLSTM's loss), in the numerically stable form
 * max(x, 0) - x * z + log(1 + exp(-|x|)).
 */
export function sigmoidCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const perElement = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    return tf.mean(tf.sum(perElement, 1));
  });
}

/** Multi-hot targets [B, C] from label lists. */
export function multiHot(labels: readonly (readonly number[])[], classes: number): tf.Tensor2D {
  const t = new Float32Array(labels.length * classes);
  labels.forEach((ls, b) => ls.forEach((c) => (t[b * classes + c] = 1)));
  return tf.tensor2d(t, [labels.length, classes]);
}
