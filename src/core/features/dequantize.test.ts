import { describe, expect, it } from 'vitest';
import { dequantize } from './dequantize';

describe('dequantize', () => {
  it('maps q to q * 4/255 + (4/512 - 2), rounded once to float32', () => {
    const x = dequantize(new Uint8Array([0, 128, 255]));
    // by hand: 0 -> -2 + 1/128; 128 -> 512/255 - 2 + 1/128; 255 -> 2 + 1/128
    expect(x[0]).toBe(Math.fround(-1.9921875));
    expect(x[1]).toBe(Math.fround(512 / 255 - 1.9921875));
    expect(x[1]).toBeCloseTo(2.0078431373 - 1.9921875, 8); // 512/255 = 2.0078431373…
    expect(x[2]).toBe(Math.fround(2.0078125));
  });

  it('agrees with the float64 formula for every code', () => {
    const q = Uint8Array.from({ length: 256 }, (_, i) => i);
    const x = dequantize(q);
    for (let i = 0; i < 256; i++) expect(x[i]).toBe(Math.fround(i * (4 / 255) + (4 / 512 - 2)));
  });
});
