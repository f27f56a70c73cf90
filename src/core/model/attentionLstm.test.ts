import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import { SMALL_SIZES, randomPaddleParams, randomVideo, toRefParams } from '../../../tools/testing/random';
import { convertAndLoad } from '../../../tools/testing/memoryModel';
import { writeCombined } from '../paddle/combined';
import { writePickledParams } from '../paddle/pdparamsPickle';
import { fluid1CombinedOrder } from './paddleLayout';
import { referenceForward } from '../../../tools/testing/referenceModel';
import { predictVideos } from './model';
import type { Variant } from './architecture';
import type { NdArray } from '../ndarray';
import type { WeightLayout } from './attentionLstm';
import { maxDiff } from '../../../tools/testing/compare';

const LENGTHS = [7, 3, 1, 5, 7];

type Writer = (p: Map<string, NdArray>) => Uint8Array;
const formats: { name: string; variants: Variant[]; write: Writer }[] = [
  { name: 'combined', variants: ['fluid1'], write: (p) => writeCombined(fluid1CombinedOrder().map((n) => p.get(n)!)) },
  { name: 'pickle protocol 2', variants: ['fluid1', 'paddlevideo2'], write: (p) => writePickledParams(p, { protocol: 2 }) },
  { name: 'pickle protocol 4', variants: ['fluid1', 'paddlevideo2'], write: (p) => writePickledParams(p, { protocol: 4 }) },
  { name: 'pickle protocol 4, numpy 2', variants: ['paddlevideo2'], write: (p) => writePickledParams(p, { protocol: 4, numpy: 2 }) },
];

describe.each(['wasm', 'cpu'] as const)('AttentionLSTM on tfjs %s against the float64 reference', (backend) => {
  beforeAll(() => useBackend(backend));

  for (const f of formats) {
    for (const variant of f.variants) {
      for (const layout of ['in-out', 'out-in'] as WeightLayout[]) {
        it(`${variant} from a ${f.name} file, ${layout} layout, a batch of mixed lengths`, async () => {
          const params = randomPaddleParams(variant, SMALL_SIZES, 11);
          const model = await convertAndLoad('random.pdparams', f.write(params), layout);
          expect(model.meta.variant).toBe(variant);
          expect(model.meta.sizes).toEqual(SMALL_SIZES);
          const videos = LENGTHS.map((n, i) => randomVideo(SMALL_SIZES, n, 100 + i));
          const got = await predictVideos(model, videos, { batchSize: 4 });
          const ref = toRefParams(params);
          let worst = 0;
          videos.forEach((v, i) => {
            const want = referenceForward(ref, variant, Float64Array.from(v.rgb), Float64Array.from(v.audio), v.frames);
            worst = Math.max(
              worst,
              maxDiff(got[i].probabilities, want.probabilities),
              maxDiff(got[i].attention.rgb, want.attention.rgb),
              maxDiff(got[i].attention.audio, want.attention.audio),
            );
            expect(maxDiff(got[i].logits, want.logits)).toBeLessThan(1e-4);
          });
          expect(worst).toBeLessThanOrEqual(1e-5);
          // The outputs are not trivially saturated: probabilities spread and attention not uniform.
          const p = got[0].probabilities;
          expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
          expect(Math.max(...got[0].attention.rgb) - Math.min(...got[0].attention.rgb)).toBeGreaterThan(1e-3);
          model.dispose();
        });
      }
    }
  }

  it('gives each video the same result alone as in a batch', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 5);
    const model = await convertAndLoad('random.pdparams', writePickledParams(params, { protocol: 2 }));
    const videos = LENGTHS.map((n, i) => randomVideo(SMALL_SIZES, n, 200 + i));
    const batched = await predictVideos(model, videos, { batchSize: 8 });
    for (let i = 0; i < videos.length; i++) {
      const [alone] = await predictVideos(model, [videos[i]]);
      expect(maxDiff(alone.probabilities, batched[i].probabilities)).toBeLessThan(1e-6);
      expect(alone.attention.rgb.length).toBe(videos[i].frames);
    }
    model.dispose();
  });
});
