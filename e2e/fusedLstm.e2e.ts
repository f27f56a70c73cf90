/**
 * The fused WebGPU LSTM kernel (src/kernels/) in headless Chromium: on
 * WebGPU for real (SwiftShader when the machine has no GPU), against the op
 * path on the same backend, for both variants, with a batch of mixed lengths
 * and an LSTM width that is not a multiple of the workgroup size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMALL_SIZES } from '../tools/testing/random';
import type { Sizes, Variant } from '../src/core/model/architecture';
import { type HarnessSession, openHarness } from '../tools/kernelHarness/browser';

const D37: Sizes = { ...SMALL_SIZES, lstm: 37, embed: 9, head1: 12 };

describe('the fused WebGPU BiLSTM kernel in Chromium', () => {
  let s: HarnessSession;
  beforeAll(async () => {
    s = await openHarness({
      log: (m) => {
        if (/error/i.test(m)) process.stderr.write(m + '\n');
      },
    });
    const info = await s.call('init');
    expect(info.setBackend).toBe(true);
    expect(info.backend).toBe('webgpu');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('the register-tiled matmul equals tfjs matMul (edges, both layouts, bias or not)', async () => {
    const r = await s.call('compareMatMul', {
      shapes: [
        [1, 5, 3],
        [3, 17, 21],
        [35, 9, 148],
        [17, 33, 130],
        [300, 64, 40],
      ],
    });
    expect(r.errors).toEqual([]);
    expect(r.worst).toBeLessThan(1e-6);
  });

  it("tfjs's pool of freed GPU buffers, which grows with every new batch size, is released between runs", async () => {
    const kept = await s.call('bufferPool', { batches: 8, release: false });
    const released = await s.call('bufferPool', { batches: 8, release: true });
    expect([...kept.errors, ...released.errors]).toEqual([]);
    // Without release, every batch of new lengths adds its buffers for good.
    expect(kept.allocated[7]).toBeGreaterThan(kept.allocated[1] * 1.5);
    // With it, what stays allocated between batches is the model's own (weights, packing): constant.
    expect(released.allocated[7]).toBe(released.allocated[1]);
  });

  const cases: {
    variant: Variant;
    sizes: Sizes;
    lengths: number[];
    scale: number;
    batchTile?: number;
    units?: number;
    layout: 'in-out' | 'out-in';
  }[] = [
    { variant: 'fluid1', sizes: SMALL_SIZES, lengths: [7, 3, 1, 5, 7], scale: 0.8, layout: 'out-in' },
    { variant: 'paddlevideo2', sizes: SMALL_SIZES, lengths: [7, 3, 1, 5, 7], scale: 0.8, layout: 'out-in' },
    { variant: 'fluid1', sizes: D37, lengths: [9, 2, 6, 9, 1, 4], scale: 0.4, layout: 'out-in', batchTile: 4, units: 4 },
    { variant: 'paddlevideo2', sizes: D37, lengths: [9, 2, 6, 9, 1, 4], scale: 0.4, layout: 'in-out', batchTile: 4 },
    { variant: 'fluid1', sizes: D37, lengths: [11], scale: 0.4, layout: 'in-out', units: 1 },
  ];
  for (const c of cases) {
    it(`${c.variant}, D=${c.sizes.lstm}, ${c.layout}, lengths ${c.lengths.join(' ')}: fused = op path within 1e-5`, async () => {
      const r = await s.call('compare', { ...c, seed: 7 });
      process.stderr.write(
        `fused vs ops: h ${r.lstmDiff.toExponential(2)}, probabilities ${r.probDiff.toExponential(2)}, attention ${r.attDiff.toExponential(2)}\n`,
      );
      expect(r.errors).toEqual([]);
      expect(r.backend).toBe('webgpu');
      expect(r.lstmDiff).toBeLessThan(1e-5);
      expect(r.probDiff).toBeLessThanOrEqual(1e-5);
      expect(r.attDiff).toBeLessThanOrEqual(1e-5);
      // The model's outputs are not trivially flat, so the comparison means something.
      expect(r.spread).toBeGreaterThan(0.05);
      expect(r.leakedTensors).toBe(0);
    });
  }
});
