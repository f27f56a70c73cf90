import { describe, expect, it } from 'vitest';
import { seededRandom } from '../training/seeded';
import { evaluate, MetricsAccumulator } from './index';

/** Random sets, some with ties, zeros, videos without labels and duplicate labels: the cases the metrics settle. */
function randomSet(n: number, C: number, seed: number) {
  const rand = seededRandom(seed);
  const predictions = Array.from({ length: n }, () =>
    Float32Array.from({ length: C }, () => (rand() < 0.2 ? 0.5 : rand() < 0.1 ? 0 : rand())),
  );
  const labels = Array.from({ length: n }, () => Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * C)));
  return { predictions, labels };
}

describe('the metrics accumulator', () => {
  it.each([
    [1, 5, 1],
    [40, 10, 2],
    [300, 60, 3],
    [64, 3862, 4],
  ])('gives evaluate()’s numbers, video by video (%i videos, %i classes)', (n, C, seed) => {
    const { predictions, labels } = randomSet(n, C, seed);
    const acc = new MetricsAccumulator(C);
    predictions.forEach((p, i) => acc.add(p, labels[i]));
    expect(acc.videos).toBe(n);
    expect(acc.result()).toEqual(evaluate(predictions, labels));
  });

  it('refuses what evaluate() refuses', () => {
    const acc = new MetricsAccumulator(3);
    expect(() => acc.result()).toThrow(/There are no videos to evaluate/);
    expect(() => acc.add([0.1, 0.2, 0.3], [3])).toThrow(/label 3, which is not a class index in 0\.\.2/);
    expect(() => acc.add([0.1, 0.2], [0])).toThrow(/2 predictions, the set has 3 classes/);
    expect(() => acc.add([0.1, NaN, 0.3], [0])).toThrow(/NaN/);
  });
});
