/**
 * YouTube-8M stores features as uint8; this maps them back to floats exactly as
 * the reference does: `q * 4/255 + (4/512 - 2)` in float64, then rounded to float32.
 */
import type { FrameFeatures } from './featureTypes';

const TABLE = (() => {
  const t = new Float32Array(256);
  for (let q = 0; q < 256; q++) t[q] = q * (4 / 255) + (4 / 512 - 2);
  return t;
})();

export function dequantize(q: Uint8Array): Float32Array {
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = TABLE[q[i]];
  return out;
}

/** Writes `count` values of frame features into `out` from `at`: dequantized when uint8, copied when float32. */
export function featuresInto(x: FrameFeatures, count: number, out: Float32Array, at: number): void {
  if (x instanceof Float32Array) {
    out.set(x.subarray(0, count), at);
    return;
  }
  for (let i = 0; i < count; i++) out[at + i] = TABLE[x[i]];
}

/** Frame features as float32 (a copy only when they are quantized). */
export function floatFeatures(x: FrameFeatures): Float32Array {
  return x instanceof Float32Array ? x : dequantize(x);
}
