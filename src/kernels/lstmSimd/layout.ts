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

/** The kernels' buffers start on 64-byte boundaries (a cache line, and whole SIMD vectors). */
export const align = (x: number) => (x + 63) & ~63;

/** Consecutive aligned buffers in the module's memory from `start`: `take` one, `end` past the last. */
export function regions(start: number): { take(bytes: number): number; end(): number } {
  let at = start;
  return {
    take(bytes) {
      const x = at;
      at = align(at + bytes);
      return x;
    },
    end: () => at,
  };
}
