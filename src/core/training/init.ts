import { type Sizes, type Variant, canonicalTensors } from '../model/architecture';
import { gaussian, seededRandom } from './seeded';

/**
 * Fresh weights for training from scratch: Xavier-uniform matrices (as Paddle's
 * fc default), zero biases, the forget gate bias at 1 so the LSTM starts by
 * remembering, small peepholes.
 */
export function initialWeights(variant: Variant, sizes: Sizes, seed: number): Map<string, Float32Array> {
  const rand = seededRandom(seed);
  const normal = gaussian(rand);
  const D = sizes.lstm;
  const out = new Map<string, Float32Array>();
  for (const { name, shape } of canonicalTensors(variant, sizes)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const w = new Float32Array(n);
    if (shape.length === 2 && !name.endsWith('.peep')) {
      const limit = Math.sqrt(6 / (shape[0] + shape[1]));
      for (let i = 0; i < n; i++) w[i] = (rand() * 2 - 1) * limit;
    } else if (name.endsWith('.peep')) {
      for (let i = 0; i < n; i++) w[i] = normal() * 0.01;
    } else if (name.endsWith('.bh')) {
      w.fill(1, D, 2 * D);
    }
    out.set(name, w);
  }
  return out;
}
