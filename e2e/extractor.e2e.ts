/**
 * The extractor's GraphDef interpreter in headless Chromium on WebGPU
 * (SwiftShader here) and on the page's wasm: the Inception stand-in's output
 * for seeded frames, one at a time and in a batch, against the float64
 * reference computed here in Node (tfjs on WebGPU can return wrong data
 * without an error: results are checked, not only that it ran).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HarnessSession, openHarness } from '../tools/kernelHarness/browser';
import { inceptionStandIn } from '../tools/testing/inceptionStandIn';
import { rng } from '../tools/testing/random';
import { referenceRun } from '../tools/testing/tfGraph';

const [H, W] = [36, 52];

describe("the extractor's interpreter in Chromium", () => {
  let s: HarnessSession;
  const standIn = inceptionStandIn({ size: 'small', seed: 3 });
  // The page's frames(): seeded rng(seed), H*W*3 values per frame, frame after frame.
  const r = rng(8);
  const frames = [0, 1].map(() => Float64Array.from({ length: H * W * 3 }, () => Math.floor(r() * 256)));
  const want = frames.map((f) => referenceRun(standIn.nodes, 'DecodeJpeg', { shape: [H, W, 3], data: f }, 'pool_3/_reshape').data);

  beforeAll(async () => {
    s = await openHarness({
      log: (m) => {
        if (/error/i.test(m)) process.stderr.write(m + '\n');
      },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it.each([
    ['webgpu', 1],
    ['wasm', 1],
    ['wasm', 2],
  ] as const)(
    '%s (%i thread(s)): the float64 reference within 2e-5',
    async (backend, threads) => {
      const page = await s.openExtractor({ backend, threads });
      try {
        expect(page.info.backend).toBe(backend);
        await page.call('build', { seed: 3, size: 'small' });
        // On SwiftShader every new shape compiles its shaders (minutes under load): WebGPU runs the batch, whose frames pass the per-frame steps one at a time.
        for (const batch of backend === 'webgpu' ? [2] : [1, 2]) {
          const out = await page.call('outputs', { batch, height: H, width: W, seed: 8 });
          expect(out.errors).toEqual([]);
          expect(out.shape).toEqual([batch, 2048]);
          let worst = 0;
          for (let b = 0; b < batch; b++)
            for (let j = 0; j < 2048; j++) worst = Math.max(worst, Math.abs(out.data[b * 2048 + j] - want[b][j]));
          expect(worst).toBeLessThan(2e-5);
        }
      } finally {
        await page.close();
      }
    },
    600_000,
  );
});
