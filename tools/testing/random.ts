import type { NdArray } from '../../src/core/ndarray';
import type { Sizes, Variant } from '../../src/core/model/architecture';
import { paddleTensorSpecs } from '../../src/core/model/paddleLayout';
import type { VideoFeatures } from '../../src/core/features/featureTypes';
import type { RefParams } from './referenceModel';
import { seededRandom as rng } from '../../src/core/training/seeded';

/** The project's seeded generator (mulberry32), so every test's random data is the same on every run. */
export { seededRandom as rng } from '../../src/core/training/seeded';

export const SMALL_SIZES: Sizes = { rgbDim: 12, audioDim: 5, embed: 6, lstm: 4, head1: 10, head2: 8, classes: 7 };

/** Random Paddle tensors of a variant, named and shaped as Paddle saves them, in Python's sorted() name order. */
export function randomPaddleParams(variant: Variant, sizes: Sizes, seed: number, scale = 0.8): Map<string, NdArray> {
  const r = rng(seed);
  const specs = paddleTensorSpecs(variant, sizes)
    .slice()
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return new Map(
    specs.map((s) => {
      const n = s.shape.reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = (r() * 2 - 1) * scale;
      return [s.name, { dtype: 'float32', shape: s.shape, data } as NdArray];
    }),
  );
}

export function toRefParams(params: ReadonlyMap<string, NdArray>): RefParams {
  return new Map([...params].map(([k, v]) => [k, { shape: v.shape, data: Float64Array.from(v.data as Float32Array) }]));
}

/** A video of already-dequantized features in the range YouTube-8M features take. */
export function randomVideo(sizes: Sizes, frames: number, seed: number, id = `v${seed}`): VideoFeatures {
  const r = rng(seed);
  const fill = (n: number) => Float32Array.from({ length: n }, () => r() * 4 - 2);
  return {
    file: 'random',
    index: 0,
    id,
    frames,
    rgbDim: sizes.rgbDim,
    audioDim: sizes.audioDim,
    rgb: fill(frames * sizes.rgbDim),
    audio: fill(frames * sizes.audioDim),
  };
}
