/** Columns per panel of the packed recurrent weights (wat.ts's `matmul` reads them so). */
export const LSTM_SIMD_PANEL = 32;

/**
 * Units per gate inside the kernels: D rounded up to 8, so that a gate is whole
 * SIMD vectors and the four gates (4 Dp columns) whole panels.
 */
export function paddedUnits(D: number): number {
  return Math.ceil(D / 8) * 8;
}

/** The SIMD kernels run on at most this many threads (each step split by units between them, each product by panels). */
export const MAX_RECURRENCE_THREADS = 4;
