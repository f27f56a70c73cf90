import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '../src/node/backend';
await useBackend('wasm');
for (const [T, B] of [[60, 32], [300, 1], [300, 32]]) {
  const x = tf.randomUniform([T, B, 4096]);
  await x.data();
  for (let r = 0; r < 2; r++) {
    const t0 = performance.now();
    const parts = tf.unstack(x);
    await parts[T - 1].data();
    const t1 = performance.now();
    tf.dispose(parts);
    console.log(`unstack [${T},${B},4096]`, (t1 - t0).toFixed(0), 'ms');
  }
  const t0 = performance.now();
  const parts = Array.from({ length: T }, (_, i) => tf.reshape(tf.slice(x, [i, 0, 0], [1, B, 4096]), [B, 4096]));
  await parts[T - 1].data();
  console.log(`slices`, (performance.now() - t0).toFixed(0), 'ms');
  tf.dispose(parts); x.dispose();
}
