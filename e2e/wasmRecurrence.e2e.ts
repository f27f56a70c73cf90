/**
 * The project's wasm engine in Chromium as the playground's worker starts it,
 * on 1 and on 2 threads (cross-origin isolated): on 2 the packed recurrence
 * runs on a helper Web Worker too, each step split by units between the two,
 * and must give the one-thread outputs. The model is small but its LSTM has
 * 64 units, two whole panels, so that the split happens (a smaller one runs
 * on one thread).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES } from '../tools/testing/random';
import type { Sizes } from '../src/core/model/architecture';
import { type HarnessSession, openHarness } from '../tools/kernelHarness/browser';
import { maxDiff } from '../tools/testing/compare';

const SIZES: Sizes = { ...SMALL_SIZES, lstm: 64, embed: 9, head1: 12 };
const LENGTHS = [9, 2, 6, 9, 1, 4];

describe("the project's wasm engine in Chromium, recurrence on helper threads", () => {
  let s: HarnessSession;
  const errors: string[] = [];
  beforeAll(async () => {
    s = await openHarness({
      log: (m) => {
        if (/error/i.test(m) && !/favicon/.test(m)) errors.push(m);
      },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('gives the same outputs on 2 threads (a helper worker) as on 1', async () => {
    const outputs = [];
    for (const threads of [1, 2]) {
      const page = await s.openProjectWasm({ threads });
      try {
        expect(page.info.crossOriginIsolated).toBe(true);
        expect(page.info.threads).toBe(threads);
        expect(page.info.recurrenceThreads).toBe(threads);
        await page.call('buildModel', { variant: 'fluid1', sizes: SIZES, seed: 3 });
        // Twice: the second batch finds the helper's step counts where the first left them.
        await page.call('timeRun', { lengths: LENGTHS, seed: 40 });
        outputs.push((await page.call('timeRun', { lengths: LENGTHS, seed: 40, outputs: true })).outputs!);
      } finally {
        await page.close();
      }
    }
    const [one, two] = outputs;
    let worst = 0;
    one.forEach((v, i) => {
      worst = Math.max(
        worst,
        maxDiff(v.probabilities, two[i].probabilities),
        maxDiff(v.attention.rgb, two[i].attention.rgb),
        maxDiff(v.attention.audio, two[i].attention.audio),
      );
    });
    process.stderr.write(`wasm recurrence on 2 threads against 1: largest difference ${worst.toExponential(2)}\n`);
    expect(worst).toBeLessThanOrEqual(1e-6);
    expect(Math.max(...one[0].probabilities) - Math.min(...one[0].probabilities)).toBeGreaterThan(0.05);
    expect(errors).toEqual([]);
    expect(s.foreignRequests()).toEqual([]);
  });
});
