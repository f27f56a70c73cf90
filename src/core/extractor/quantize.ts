/**
 * YouTube-8M's `quantize`: clip to [-2, 2], map to (f + 2) * 255 / 4 and round
 * to the nearest integer, ties to even (Python's round). Computed in float64,
 * where (f + 2) * 63.75 of a float32 f is exact, so ties are ties.
 */
const QUANTIZE_MIN = -2;
const QUANTIZE_MAX = 2;

/** Round half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  // Math.round rounds halves up: a half rounded to an odd number goes back down.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

export function quantizeValue(f: number): number {
  const clipped = Math.min(QUANTIZE_MAX, Math.max(QUANTIZE_MIN, f));
  return roundHalfEven((clipped - QUANTIZE_MIN) * (255 / (QUANTIZE_MAX - QUANTIZE_MIN)));
}

export function quantize(features: ArrayLike<number>, out: Uint8Array = new Uint8Array(features.length), at = 0): Uint8Array {
  for (let i = 0; i < features.length; i++) out[at + i] = quantizeValue(features[i]);
  return out;
}
