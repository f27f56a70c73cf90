/**
 * How many videos go into one forward pass: as many as fit a memory budget.
 * A batch's tensors are held at once by the backend (wasm's heap, a GPU's
 * memory), and they grow with its videos times its longest video's frames.
 */
import { parameterCount, type Sizes, type Variant } from './architecture';

/**
 * Bytes the forward pass holds per padded frame of a batch: the float32
 * inputs, the two embeddings, the four LSTMs' gate pre-activations (4D each)
 * and outputs (D each), float32. Per-step temporaries are freed as the
 * recurrence goes and are left out.
 */
function bytesPerFrame(sizes: Sizes): number {
  return 4 * (sizes.rgbDim + sizes.audioDim + 2 * sizes.embed + 4 * 4 * sizes.lstm + 4 * sizes.lstm);
}

/**
 * Default budget of one batch: a dozen or more small-model videos, one or two
 * full-size ones. Larger batches measured no faster with the demo model on
 * wasm and held more memory (docs/benchmarks.md).
 */
export const BATCH_BUDGET_BYTES = 32 << 20;

/** Videos of up to `frames` frames per batch within `budgetBytes`, at least 1 and at most `max`. */
export function batchSizeFor(sizes: Sizes, frames: number, budgetBytes = BATCH_BUDGET_BYTES, max = 64): number {
  return Math.max(1, Math.min(max, Math.floor(budgetBytes / (bytesPerFrame(sizes) * Math.max(1, frames)))));
}

/**
 * Splits videos sorted longest first into batches within the budget: each
 * batch takes as many as its first (longest) video's length allows.
 */
export function budgetBatches(framesLongestFirst: readonly number[], sizes: Sizes, budgetBytes = BATCH_BUDGET_BYTES, max = 64): number[][] {
  const batches: number[][] = [];
  for (let i = 0; i < framesLongestFirst.length;) {
    const n = batchSizeFor(sizes, framesLongestFirst[i], budgetBytes, max);
    batches.push(Array.from({ length: Math.min(n, framesLongestFirst.length - i) }, (_, j) => i + j));
    i += n;
  }
  return batches;
}

/** Positions 0..n-1 in batches of `size` (the last may be smaller). */
export function fixedBatches(n: number, size: number): number[][] {
  const step = Math.max(1, Math.floor(size));
  return Array.from({ length: Math.ceil(n / step) }, (_, b) =>
    Array.from({ length: Math.min(step, n - b * step) }, (_, j) => b * step + j),
  );
}

/**
 * Bytes the packed path (inference: packedBatch.ts) holds per *real* frame of
 * a batch, padding costing nothing there: the float32 inputs, the two
 * embeddings, the four LSTMs' input projections (4D each), the BiLSTM outputs
 * (2D per modality), and the recurrence kernel's copy of one LSTM's
 * projections and outputs (5D) in its own memory. 107 KB at full size.
 */
export function packedBytesPerFrame(sizes: Sizes): number {
  const D = sizes.lstm;
  return 4 * (sizes.rgbDim + sizes.audioDim + 2 * sizes.embed + 4 * 4 * D + 4 * D + 5 * D);
}

/**
 * A batch's memory budget for a model: at least `base`, and at least a quarter
 * of the model's own weights. A full-size model holds 435 MB of weights (and
 * their packed copies) in the same memory, where a 16 MB budget made every
 * batch one video, the recurrence a matrix-vector product per step and the
 * 268 MB head read once per video; a quarter of the weights (109 MB) takes
 * about 1,000 frames. Small models keep `base`.
 */
export function batchBudgetFor(base: number, variant: Variant, sizes: Sizes): number {
  return Math.max(base, Math.floor(parameterCount(variant, sizes)));
}

/**
 * Of waiting videos sorted longest first, how many go into the next packed
 * batch: as many as their real frames fit `budgetBytes`, at least 1 and at most `max`.
 */
export function packedBatchSize(framesLongestFirst: readonly number[], sizes: Sizes, budgetBytes: number, max = 64): number {
  const perFrame = packedBytesPerFrame(sizes);
  let n = 0;
  let bytes = 0;
  for (const frames of framesLongestFirst) {
    if (n >= max || (n > 0 && bytes + frames * perFrame > budgetBytes)) break;
    bytes += frames * perFrame;
    n++;
  }
  return Math.max(1, n);
}
