import * as tf from '@tensorflow/tfjs-core';

/**
 * Paddle's sigmoid_cross_entropy_with_logits, summed over classes and averaged
 * over the batch (AttentionLSTM's loss), in the numerically stable form
 * max(x, 0) - x * z + log(1 + exp(-|x|)).
 */
export function sigmoidCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D, mask?: tf.Tensor2D | null): tf.Scalar {
  return tf.tidy(() => {
    const perElement = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    if (!mask) return tf.mean(tf.sum(perElement, 1));
    // Only the known classes count (a rated segment's rated classes), and only examples that have one:
    // with every class known this is the loss above.
    const rows = tf.maximum(tf.sum(tf.cast(tf.greater(tf.sum(mask, 1), 0), 'float32')), 1);
    return tf.div(tf.sum(tf.mul(perElement, mask)), rows) as tf.Scalar;
  });
}

/**
 * The 0/1 mask [B, C] of the classes each example's loss counts: its `rated`
 * classes when it has such a list, every class when not; null when no
 * example has one (the plain loss).
 */
export function lossMask(rated: readonly (readonly number[] | undefined)[] | undefined, classes: number): tf.Tensor2D | null {
  if (!rated || rated.every((r) => r === undefined)) return null;
  const m = new Float32Array(rated.length * classes);
  rated.forEach((cs, b) => {
    if (!cs) m.fill(1, b * classes, (b + 1) * classes);
    else cs.forEach((c) => (m[b * classes + c] = 1));
  });
  return tf.tensor2d(m, [rated.length, classes]);
}

/** Multi-hot targets [B, C] from label lists. */
export function multiHot(labels: readonly (readonly number[])[], classes: number): tf.Tensor2D {
  const t = new Float32Array(labels.length * classes);
  labels.forEach((ls, b) => ls.forEach((c) => (t[b * classes + c] = 1)));
  return tf.tensor2d(t, [labels.length, classes]);
}
