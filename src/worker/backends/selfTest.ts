import * as tf from '@tensorflow/tfjs-core';

/**
 * A known-answer test run on a freshly started backend: a matMul in both
 * layouts, a sigmoid and a softmax, large enough that WebGPU really computes
 * them on the device (tfjs hands tiny ops to the CPU), compared with plain JS.
 * Returns what went wrong, or null.
 */
export async function selfTest(): Promise<string | null> {
  const M = 8,
    K = 64,
    N = 48;
  const a = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i * 0.37));
  const w = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i * 0.11) * 0.2);
  const expected = new Float64Array(M * N);
  for (let m = 0; m < M; m++)
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[m * K + k] * w[k * N + n];
      expected[m * N + n] = s;
    }
  const wT = new Float32Array(N * K);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) wT[n * K + k] = w[k * N + n];
  const [inOut, outIn, sig, soft] = tf.tidy(() => {
    const x = tf.tensor2d(a, [M, K]);
    const y1 = tf.matMul(x, tf.tensor2d(w, [K, N]));
    const y2 = tf.matMul(x, tf.tensor2d(wT, [N, K]), false, true);
    return [y1, y2, tf.sigmoid(y1), tf.softmax(y2, 1)];
  });
  try {
    const [d1, d2, ds, dm] = await Promise.all([inOut.data(), outIn.data(), sig.data(), soft.data()]);
    for (let i = 0; i < M * N; i++) {
      const e = expected[i];
      if (!(Math.abs(d1[i] - e) < 1e-4) || !(Math.abs(d2[i] - e) < 1e-4))
        return `matMul gave ${d1[i]} / ${d2[i]} where ${e.toFixed(6)} was expected`;
      if (!(Math.abs(ds[i] - 1 / (1 + Math.exp(-e))) < 1e-5)) return 'sigmoid gave a wrong value';
    }
    for (let m = 0; m < M; m++) {
      let sum = 0;
      for (let n = 0; n < N; n++) sum += dm[m * N + n];
      if (!(Math.abs(sum - 1) < 1e-4)) return 'softmax rows do not sum to 1';
    }
    return null;
  } finally {
    tf.dispose([inOut, outIn, sig, soft]);
  }
}
