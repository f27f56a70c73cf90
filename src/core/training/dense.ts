import * as tf from '@tensorflow/tfjs-core';

/**
 * x·w for training, with gradients that never multiply by a transposed
 * large matrix: dx = (w·dyᵀ)ᵀ and dw = xᵀ·dy, transposing only the small
 * operands (a batch of rows). tfjs's own gradient, matMul(dy, w, false, true)
 * and matMul(x, dy, true, false), is an order of magnitude slower on wasm for
 * the full-size head's matrices (docs/benchmarks.md).
 */
export const dense = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.matMul(x, w),
    gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
      const [xs, ws] = saved as tf.Tensor2D[];
      const g = dy as tf.Tensor2D;
      return [tf.transpose(tf.matMul(ws, tf.transpose(g))), tf.matMul(tf.transpose(xs), g)];
    },
  };
}) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;
