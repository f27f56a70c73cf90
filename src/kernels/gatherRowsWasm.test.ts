import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../node/backend';
import { GATHER_ROWS_KERNEL, gatherRows } from '../core/model/packedBatch';

describe('the row gather on wasm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  it('is registered, and gives tf.gather’s rows exactly (repeated rows, any order, one-wide rows)', () => {
    expect(tf.getKernel(GATHER_ROWS_KERNEL, 'wasm')).toBeDefined();
    for (const [N, W] of [
      [7, 5],
      [300, 128],
      [9, 1],
    ]) {
      const x = tf.tensor2d(
        Float32Array.from({ length: N * W }, (_, i) => Math.sin(i) * 1e3),
        [N, W],
      );
      const rows = Int32Array.from({ length: 3 * N + 1 }, (_, i) => (i * 7 + 3) % N);
      const got = gatherRows(x, rows);
      const want = tf.gather(x, tf.tensor1d(rows, 'int32'));
      expect(got.shape).toEqual([rows.length, W]);
      expect(got.dataSync()).toEqual(want.dataSync());
      tf.dispose([x, got, want]);
    }
  });

  it('refuses a row outside the tensor (a bug, never read as memory beside it)', () => {
    const x = tf.zeros([4, 3]) as tf.Tensor2D;
    expect(() => gatherRows(x, Int32Array.from([0, 4]))).toThrow(/row 4 outside the 4 rows/);
    expect(() => gatherRows(x, Int32Array.from([-1]))).toThrow(/row -1 outside/);
    x.dispose();
  });
});
