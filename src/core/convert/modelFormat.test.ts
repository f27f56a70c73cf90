import { describe, expect, it } from 'vitest';
import { firstNonFinite } from './modelFormat';

describe('firstNonFinite', () => {
  const naive = (a: Float32Array, from = 0, to = a.length) => {
    for (let i = from; i < to; i++) if (!Number.isFinite(a[i])) return i;
    return -1;
  };

  it('finds the first NaN or infinity anywhere, chunk edges included, and nothing in finite weights', () => {
    const n = 3 * 4096 + 7;
    const finite = Float32Array.from({ length: n }, (_, i) => (i % 5 === 0 ? -0 : (i % 3) * 3.4e38 - 3.4e38));
    expect(firstNonFinite(finite)).toBe(-1);
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 1, 3, 4095, 4096, 4097, 8191, n - 4, n - 1]) {
        const a = finite.slice();
        a[at] = bad;
        a[n - 1 - ((at + 11) % 13)] = bad;
        expect(firstNonFinite(a)).toBe(naive(a));
        expect(firstNonFinite(a, 2, n - 3)).toBe(naive(a, 2, n - 3));
      }
    }
  });

  it('reads only the range asked for', () => {
    const a = new Float32Array(10_000);
    a[100] = NaN;
    a[9_000] = Infinity;
    expect(firstNonFinite(a, 101)).toBe(9_000);
    expect(firstNonFinite(a, 101, 9_000)).toBe(-1);
    expect(firstNonFinite(a, 0, 100)).toBe(-1);
    expect(firstNonFinite(a, 50, 50)).toBe(-1);
  });
});
