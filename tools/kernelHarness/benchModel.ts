import { type Sizes, type Variant, canonicalTensors } from '../../src/core/model/architecture';
import { rng } from '../testing/random';

/**
 * The benchmark's model and videos, the same in the page and in Node: random
 * canonical weights, uniform in +-1/sqrt(fan-in) (small, as trained weights
 * are, so the LSTM is not saturated), and a batch of mixed lengths.
 */
export function randomModelArrays(variant: Variant, sizes: Sizes, seed: number): Map<string, Float32Array> {
  const r = rng(seed);
  const arrays = new Map<string, Float32Array>();
  for (const { name, shape } of canonicalTensors(variant, sizes)) {
    const n = shape.reduce((x, y) => x * y, 1);
    const scale = 1 / Math.sqrt(shape[0]);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (r() * 2 - 1) * scale;
    arrays.set(name, data);
  }
  return arrays;
}

export function benchMeta(variant: Variant, sizes: Sizes) {
  return {
    version: 1,
    variant,
    sizes,
    classNames: null,
    dtype: 'float32' as const,
    source: null,
    description: 'random weights (benchmark)',
  };
}

/** `count` lengths evenly spread from `longest` down to a fifth of it (300 .. 60 frames for 32 videos). */
export function mixedLengths(count: number, longest: number): number[] {
  if (count === 1) return [longest];
  const shortest = Math.max(1, Math.round(longest / 5));
  return Array.from({ length: count }, (_, i) => Math.round(longest - (i * (longest - shortest)) / (count - 1)));
}
