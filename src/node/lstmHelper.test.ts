import { afterAll, describe, expect, it } from 'vitest';
import { LstmSimd, type LstmSimdProblem } from '../kernels/lstmSimd/lstmSimd';
import type { HelperPort } from '../kernels/lstmSimd/helper';
import { rng } from '../../tools/testing/random';
import { nodeLstmHelper } from './lstmHelper';

// The recurrence split over threads (each a range of units, meeting at every step's end) against the same
// kernels on one thread: the same products and gates, unit for unit, so the outputs must be identical.
// (One thread is held to the op path and the float64 reference in src/kernels/packedLstm.test.ts.)

function problem(D: number, sortedLengths: number[], clamped: boolean, seed: number) {
  const r = rng(seed);
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => (r() * 2 - 1) * scale);
  const N = sortedLengths.reduce((a, b) => a + b, 0);
  const G = [0, 1, 2, 3].map(() => fill(N * 4 * D, 3));
  const weights = [0, 1, 2, 3].map(() => fill(D * 4 * D, 1 / Math.sqrt(D)));
  const out = [new Float32Array(N * 2 * D), new Float32Array(N * 2 * D)];
  const p: LstmSimdProblem = {
    attrs: { sortedLengths, D, peepholes: true, clamped },
    weights,
    weightKeys: weights.map(() => ({})),
    G: (l) => G[l],
    bias: fill(16 * D, 0.5),
    peep: fill(12 * D, 0.5),
    out: (m) => out[m],
  };
  return { p, out };
}

const made: LstmSimd[] = [];
afterAll(() => made.forEach((s) => s.dispose()));

async function simd(helpers: HelperPort[]) {
  const s = await LstmSimd.create({ helpers });
  made.push(s);
  return s;
}

describe('the SIMD recurrence on helper threads (Node worker threads)', () => {
  it.each([
    { D: 64, threads: 2, lengths: [9, 7, 7, 3, 1], clamped: true },
    { D: 256, threads: 4, lengths: [12, 5], clamped: false },
    // 96 units are not two whole panels of 32 per thread: this one runs on one thread, as it should.
    { D: 96, threads: 2, lengths: [6], clamped: true },
  ])('D=$D with $threads threads gives the one-thread outputs exactly (lengths $lengths)', async ({ D, threads, lengths, clamped }) => {
    const one = await simd([]);
    const many = await simd(Array.from({ length: threads - 1 }, nodeLstmHelper));
    expect(many.threads).toBe(threads);
    const a = problem(D, lengths, clamped, 7);
    const b = problem(D, lengths, clamped, 7);
    one.run(a.p);
    many.run(b.p);
    // Twice on the threads: the control words count on from the first job.
    const c = problem(D, lengths, clamped, 7);
    many.run(c.p);
    for (const m of [0, 1]) {
      expect(a.out[m].some((x) => x !== 0)).toBe(true);
      expect(b.out[m]).toEqual(a.out[m]);
      expect(c.out[m]).toEqual(a.out[m]);
    }
  });

  it('splits a linear layer by panels over 2 threads with the one-thread product exactly (and the bias added)', async () => {
    const one = await simd([]);
    const two = await simd([nodeLstmHelper()]);
    const r = rng(11);
    const [n, K, M] = [7, 50, 200]; // 200 columns: 7 panels, the last one padded
    const x = Float32Array.from({ length: n * K }, () => r() * 2 - 1);
    const W = Float32Array.from({ length: K * M }, () => r() * 2 - 1);
    const b = Float32Array.from({ length: M }, () => r() * 2 - 1);
    const key = {};
    const a = new Float32Array(n * M);
    const c = new Float32Array(n * M);
    one.linear(x, key, W, b, a, n, K, M);
    two.linear(x, key, W, b, c, n, K, M);
    expect(c).toEqual(a);
    for (const [i, j] of [
      [0, 0],
      [6, 199],
      [3, 97],
    ]) {
      let want = b[j];
      for (let k = 0; k < K; k++) want += x[i * K + k] * W[k * M + j];
      expect(Math.abs(a[i * M + j] - want)).toBeLessThan(1e-5);
    }
  });

  it('says which helper failed to start, and stops the others', async () => {
    let terminated = 0;
    const broken: HelperPort = {
      post: () => {},
      onMessage: (fn) => setTimeout(() => fn({ type: 'error', message: 'no such file' }), 1),
      terminate: () => void terminated++,
    };
    await expect(LstmSimd.create({ helpers: [broken] })).rejects.toThrow('LSTM helper thread 1: no such file');
    expect(terminated).toBe(1);
  });
});
