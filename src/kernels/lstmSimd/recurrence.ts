import { packedSteps } from '../../core/model/packedLayout';
import { LSTM_SIMD_PANEL } from './layout';

/** The module's exports (wat.ts). */
export interface LstmSimdExports {
  matmul(w: number, h: number, y: number, K: number, cols: number, c0: number, c1: number, n: number): void;
  gates(
    G: number,
    rows: number,
    n: number,
    Dp: number,
    mm: number,
    bias: number,
    peep: number,
    c: number,
    h: number,
    out: number,
    orows: number,
    ostride: number,
    lo: number,
    hi: number,
    u0: number,
    u1: number,
  ): void;
  bias_act(y: number, ldy: number, n: number, M: number, b: number, act: number): void;
  dots(x: number, ldx: number, n: number, K: number, w: number, out: number): void;
  weighted_rows(H: number, ldh: number, rows: number, a: number, count: number, width: number, out: number): void;
  pack(src: number, lds: number, rows: number, ncols: number, dst: number, K: number, k0: number, dcol0: number): void;
}

/** One LSTM's byte offsets in the module's memory (wat.ts's layout). */
interface LstmSlot {
  /** Input projections [rows, 4Dp] (by packed row, or a chunk of steps: RecurrenceJob.gRows). */
  g: number;
  /** Outputs: h of packed row r at o + r * ostride (the LSTM's columns of a wider row, or rows [N, Dp] of its own). */
  o: number;
  ostride: number;
  /** Bias [4Dp] and peepholes [3Dp] (zeros without them). */
  bias: number;
  peep: number;
  /** c [B, Dp]; h [B, Dp] twice (a step reads one and writes the other); the products [B, 4Dp]; by rank. */
  c: number;
  h: readonly [number, number];
  mm: number;
  /** Each step's rows of g and of o by rank, int32 [B] each. */
  rows: number;
  orows: number;
  /** The LSTM's packed weights. */
  w: number;
  /** Runs backwards in time (each video from its own last frame). */
  reverse: boolean;
}

/** One LSTM's recurrence over a packed batch, in plain data (it is posted to helper threads as it is). */
export interface RecurrenceJob {
  Dp: number;
  sortedLengths: number[];
  /** The job's steps [k0, k1): all of the LSTM's (0, T), or a chunk of them whose projections were just computed. */
  k0: number;
  k1: number;
  /**
   * Where step k's projection of rank i is in g: 'packed', at its frame's packed row (the whole LSTM's
   * projections); 'steps', at row offsets[k] - offsets[k0] + i (those of the job's steps, in step order);
   * 'table', at the row that entry offsets[k] + i of the int32 table at `gTable` holds (projections of
   * frames that several sequences share: a video and the windows over it, SimdModel.predictWithWindows).
   */
  gRows: 'packed' | 'steps' | 'table';
  gTable?: number;
  /** fluid1's clamp of the gate pre-activations, or +-Infinity. */
  lo: number;
  hi: number;
  slot: LstmSlot;
  /** [B, 4Dp] zeros: the products of the first step, where h = 0. */
  zeros: number;
  /** Threads that share each step, each a range of units: t computes units [t Dp / threads, (t + 1) Dp / threads). */
  threads: number;
  /** Steps finished by every thread before this job (the control words only ever count up). */
  base: number;
}

/**
 * Each thread's word in the first control words of the memory: the number of
 * steps it has finished, counted over all jobs, or -1 once it has failed. A
 * thread waits at each step's end until every other has finished that step
 * too (all read the whole of h in the next product). Never reset: a thread
 * may still be reading the others' words after the last step of a job.
 */
export const CONTROL_WORDS = 16;

let betweenSteps: (() => void) | null = null;

/**
 * A call the first thread makes between steps of a recurrence and panels of a
 * linear layer (null: none): where the page's worker sleeps while the page
 * asks for its core (src/protocol/yieldSignal.ts).
 */
export function setBetweenSteps(fn: (() => void) | null): void {
  betweenSteps = fn;
}

/** A wait at a step's end has lasted this long: a thread is taken for dead. */
const STEP_TIMEOUT_MS = 60_000;

/** The largest thread count up to `threads` that splits Dp units into whole panels of every gate. */
export function threadsFor(Dp: number, threads: number, panel: number): number {
  let t = Math.max(1, threads);
  while (t > 1 && Dp % (panel * t) !== 0) t--;
  return t;
}

/**
 * Thread `self`'s share of every step of the job's LSTM: per step, its
 * columns of the product (four ranges, one per gate; none at the first step,
 * where h = 0) and its units' gates, then the wait for the other threads. c
 * and h start at zero, and the input projections, biases and peepholes are in
 * place (the caller's). Throws, and tells the other threads so, when one of
 * them has failed.
 */
export function runRecurrence(ex: LstmSimdExports, memory: WebAssembly.Memory, job: RecurrenceJob, self: number): void {
  const { Dp, lo, hi, threads, slot: s } = job;
  asThread(memory, self, threads, (control) => {
    const u0 = (self * Dp) / threads;
    const u1 = ((self + 1) * Dp) / threads;
    const L = job.sortedLengths;
    const { active, offsets } = packedSteps(L);
    const C = 4 * Dp;
    const gRow = new Int32Array(memory.buffer, s.rows, L.length);
    const oRow = new Int32Array(memory.buffer, s.orows, L.length);
    const packed = job.gRows === 'packed';
    const table = job.gRows === 'table' ? new Int32Array(memory.buffer, job.gTable!, offsets[offsets.length - 1]) : null;
    for (let k = job.k0; k < job.k1; k++) {
      if (self === 0) betweenSteps?.();
      const n = active[k];
      const chunkRow = offsets[k] - offsets[job.k0];
      // Every thread writes the same rows: each reads them before the step's end.
      for (let i = 0; i < n; i++) {
        const r = offsets[s.reverse ? L[i] - 1 - k : k] + i;
        oRow[i] = r;
        gRow[i] = packed ? r : table ? table[offsets[k] + i] : chunkRow + i;
      }
      const hIn = s.h[k & 1];
      const hOut = s.h[(k + 1) & 1];
      // Alone, all the columns (a gate need not start a panel); shared, whole panels (threadsFor). For a few
      // rows, all the panels in one call; for more, a panel at a time for all the rows, so that the panel
      // (Dp x 32 floats) stays in the core's cache while the rows pass, where all the panels for each pair of
      // rows would read the LSTM's whole weights from the last-level cache n / 2 times a step (measurably slower at 32 rows).
      const product = (c0: number, c1: number) => {
        if (n < 4) ex.matmul(s.w, hIn, s.mm, Dp, C, c0, c1, n);
        else for (let p = c0; p < c1; p += LSTM_SIMD_PANEL) ex.matmul(s.w, hIn, s.mm, Dp, C, p, p + LSTM_SIMD_PANEL, n);
      };
      if (k > 0 && threads === 1) product(0, C);
      else if (k > 0) for (let g = 0; g < 4; g++) product(g * Dp + u0, g * Dp + u1);
      ex.gates(s.g, s.rows, n, Dp, k > 0 ? s.mm : job.zeros, s.bias, s.peep, s.c, hOut, s.o, s.orows, s.ostride, lo, hi, u0, u1);
      if (threads > 1) meet(control, self, threads, job.base + k - job.k0 + 1);
    }
  });
}

/** Runs `work` as thread `self` of `threads`; if it throws, the others learn so from its control word. */
function asThread(memory: WebAssembly.Memory, self: number, threads: number, work: (control: Int32Array) => void): void {
  const control = new Int32Array(memory.buffer, 0, CONTROL_WORDS);
  try {
    work(control);
  } catch (e) {
    if (threads > 1) Atomics.store(control, self, -1);
    throw e;
  }
}

/** A linear layer's product, y [n, cols] = x [n, K] W (panels), in plain data (posted to helper threads). */
export interface LinearJob {
  w: number;
  x: number;
  y: number;
  K: number;
  cols: number;
  n: number;
  threads: number;
  base: number;
}

/**
 * Thread `self`'s share of a linear layer's product: its range of panels, one
 * panel at a time for all the rows (the panel, K x 32 weights, stays in the
 * core's cache while the rows stream past: faster than XNNPACK's in Chromium,
 * bench/results/RESULTS.md), then the meeting at the end.
 */
export function runLinear(ex: LstmSimdExports, memory: WebAssembly.Memory, job: LinearJob, self: number, panel: number): void {
  asThread(memory, self, job.threads, (control) => {
    const panels = job.cols / panel;
    const p0 = Math.floor((self * panels) / job.threads);
    const p1 = Math.floor(((self + 1) * panels) / job.threads);
    for (let p = p0; p < p1; p++) {
      if (self === 0) betweenSteps?.();
      ex.matmul(job.w, job.x, job.y, job.K, job.cols, p * panel, (p + 1) * panel, job.n);
    }
    if (job.threads > 1) meet(control, self, job.threads, job.base + 1);
  });
}

/** Tells the others that this thread has finished `done` steps, and waits until they all have. */
function meet(control: Int32Array, self: number, threads: number, done: number): void {
  Atomics.store(control, self, done);
  Atomics.notify(control, self);
  for (let t = 0; t < threads; t++) if (t !== self) waitFor(control, t, done);
}

/**
 * Spins this many times for another thread before sleeping: a step is a
 * fraction of a millisecond, so the others are usually there by then; on a
 * machine with more busy threads than cores, a thread that only spun would
 * take the core the one it waits for needs.
 */
const SPINS_BEFORE_SLEEP = 1 << 14;

/** Whether this thread may block in Atomics.wait (a worker, Node; not a page's main thread). */
const CAN_SLEEP = (() => {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/** Until thread t has finished `step` steps: a spin, then sleeps of at most a millisecond (woken by its notify). */
function waitFor(control: Int32Array, t: number, step: number): void {
  let since = 0;
  for (let spins = 1; ; spins++) {
    const v = Atomics.load(control, t);
    if (v >= step) return;
    if (v < 0) throw new Error(`LSTM thread ${t} failed`);
    if (spins > SPINS_BEFORE_SLEEP && CAN_SLEEP) Atomics.wait(control, t, v, 1);
    if ((spins & 0x3fff) === 0) {
      const now = performance.now();
      if (since === 0) since = now;
      else if (now - since > STEP_TIMEOUT_MS) throw new Error(`LSTM thread ${t} did not finish a step in ${STEP_TIMEOUT_MS / 1000} s`);
    }
  }
}
