import { describe, expect, it } from 'vitest';
import { FULL_SIZES, parameterCount } from './architecture';
import { BATCH_BUDGET_BYTES, batchBudgetFor, batchSizeFor, packedBatchSize, packedBytesPerFrame } from './batching';

describe('batches within a memory budget', () => {
  it('the padded path counts every video as long as the longest: one full-size video per 32 MB', () => {
    expect(batchSizeFor(FULL_SIZES, 300)).toBe(1);
  });

  it('the packed path counts real frames, within a budget that grows with the model', () => {
    // 107 KB a real frame at full size: the inputs, embeddings, four LSTMs' projections, outputs and the kernel's copy.
    expect(packedBytesPerFrame(FULL_SIZES)).toBe(4 * (1024 + 128 + 1024 + 16 * 1024 + 4 * 1024 + 5 * 1024));
    const budget = batchBudgetFor(16 << 20, 'fluid1', FULL_SIZES);
    // A quarter of the 435 MB of weights.
    expect(budget).toBe(parameterCount('fluid1', FULL_SIZES));
    const lengths = Array.from({ length: 32 }, (_, i) => Math.round(300 - (i * 240) / 31));
    const n = packedBatchSize(lengths, FULL_SIZES, budget);
    expect(n).toBeGreaterThanOrEqual(3);
    const used = lengths.slice(0, n).reduce((a, b) => a + b, 0) * packedBytesPerFrame(FULL_SIZES);
    expect(used).toBeLessThanOrEqual(budget);
    expect(used + lengths[n] * packedBytesPerFrame(FULL_SIZES)).toBeGreaterThan(budget);
    // Short videos fill a batch up to the cap; a video larger than the budget still goes, alone.
    expect(packedBatchSize(Array(100).fill(5), FULL_SIZES, budget, 64)).toBe(64);
    expect(packedBatchSize([300, 300], FULL_SIZES, 1 << 20)).toBe(1);
    // A small model keeps the base budget.
    const small = { rgbDim: 1024, audioDim: 128, embed: 32, lstm: 32, head1: 64, head2: 32, classes: 10 };
    expect(batchBudgetFor(BATCH_BUDGET_BYTES, 'fluid1', small)).toBe(BATCH_BUDGET_BYTES);
  });
});
