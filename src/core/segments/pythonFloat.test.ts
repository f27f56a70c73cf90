import { describe, expect, it } from 'vitest';
import { percentG, percentGByText } from './pythonFloat';

/** xorshift32: the same values every run. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('percentG', () => {
  it('gives what the text gives for float32 probabilities of every size', () => {
    const next = random(7);
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let i = 0; i < 400_000; i++) {
      // Any positive float32 up to 1 (exponent bits chosen evenly, so tiny ones are as common as near-1 ones).
      u[0] = next() % 0x3f800001;
      const x = f[0];
      const want = percentGByText(x);
      if (percentG(x) !== want) expect(percentG(x), String(x)).toBe(want);
    }
  });

  it('gives what the text gives for doubles, and for values next to every halfway point it meets', () => {
    const next = random(11);
    const xs: number[] = [];
    for (let i = 0; i < 200_000; i++) xs.push((next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53);
    // Sigmoid outputs of a narrow range: many values a hair from a 6-digit halfway point.
    for (let i = 0; i < 100_000; i++) {
      const mid = (Math.floor((0.1 + (next() / 2 ** 32) * 0.05) * 1e6) + 0.5) / 1e6;
      xs.push(mid, mid + 1e-17, mid - 1e-17, mid * (1 + 2 ** -52), mid * (1 - 2 ** -52));
    }
    xs.push(0.001953125, 0.0078125, 1, 1e-17, 1.0000001e-17, 0.9999995, 0.99999949, 0.00012345650000000001, 0, -0, 5e-324);
    for (const x of xs) {
      const want = percentGByText(x);
      if (!Object.is(percentG(x), want)) expect(percentG(x), String(x)).toBe(want);
    }
  });
});
