import { PACKED_LSTM_ORDER, type PackedLstmAttrs } from '../../core/model/packedBatch';
import { packedSteps } from '../packedLstm';
import type { HelperPort } from './helper';
import { LSTM_SIMD_PANEL, align, paddedUnits, regions } from './layout';
import { CONTROL_WORDS, type LinearJob, type RecurrenceJob, runLinear, runRecurrence, threadsFor } from './recurrence';
import { SimdTeam } from './team';

export { wasmBytes } from './team';

/**
 * The packed recurrence (PACKED_LSTM_KERNEL) on the project's own SIMD
 * kernels (wat.ts), in a memory of their own: the recurrent weights packed in
 * panels once per model, then per LSTM its input projections copied in, T
 * steps of `matmul` and `gates` (two calls each, no JavaScript arithmetic),
 * and its outputs copied out. With helper threads (helper.ts) each step is
 * split between them and this thread by units.
 *
 * Why not tfjs-wasm's own products: for one video a product is a 1 x D by
 * D x 4D matrix-vector product, memory-bound, that XNNPACK's fully connected
 * operator (made for larger batches) runs slower than a kernel that keeps
 * eight accumulators for one row; the gate arithmetic, slow in JavaScript,
 * runs here four units per instruction (bench/results/RESULTS.md); and on several threads each thread's gates follow its own
 * columns of the product with no meeting between them.
 */

/** A packed batch's recurrence: its inputs and outputs, as views the caller owns (tfjs-wasm's heap). */
export interface LstmSimdProblem {
  attrs: PackedLstmAttrs;
  /** The four LSTMs' recurrent weights [D, 4D] ([in, out]) and an identity per matrix (its tfjs dataId): packed again only when one changes. */
  weights: readonly Float32Array[];
  weightKeys: readonly object[];
  /** G[l] [N, 4D] input projections, bias [4, 4D], peep [4, 3, D]. */
  G: (l: number) => Float32Array;
  bias: Float32Array;
  peep: Float32Array;
  /** out[m] [N, 2D], [h_fw | h_bw] of modality m. */
  out: (m: number) => Float32Array;
}

export class LstmSimd {
  private weightKeys: readonly object[] = [];
  private weightsD = -1;
  /** Linear layers' weights, packed in panels after the recurrent ones, by the identity of their tensor; cleared with a new model. */
  private linearWeights = new Map<object, number>();
  private linearTop = align(CONTROL_WORDS * 4);

  private constructor(private readonly team: SimdTeam) {}

  private get memory(): WebAssembly.Memory {
    return this.team.memory;
  }

  /** Starts the kernels (SimdTeam.start): with helpers, on a shared memory. */
  static async create(opts: { helpers?: readonly HelperPort[] } = {}): Promise<LstmSimd> {
    return new LstmSimd(await SimdTeam.start(opts));
  }

  /** Threads the recurrence runs on (this one and its helpers). */
  get threads(): number {
    return this.team.threads;
  }

  dispose(): void {
    this.team.dispose();
  }

  private reserve(bytes: number): void {
    this.team.reserve(bytes);
  }

  run(p: LstmSimdProblem): void {
    const { D, peepholes, clamped } = p.attrs;
    const L = p.attrs.sortedLengths;
    const B = L.length;
    const { T, N } = packedSteps(L);
    const Dp = paddedUnits(D);
    const C = 4 * Dp;
    // Memory: the control words, the packed weights of the four LSTMs, zeros, then each LSTM's working set.
    const wBytes = C * Dp * 4;
    const wBase = align(CONTROL_WORDS * 4);
    const modelChanged = this.weightsD !== D || p.weightKeys.some((k, l) => k !== this.weightKeys[l]);
    if (modelChanged) {
      // A new model: the old one's linear weights go (the page loads models one after another, not side by side).
      this.linearWeights.clear();
      this.linearTop = align(wBase + 4 * wBytes);
    }
    const { take, end } = regions(this.linearTop);
    const zeros = take(B * C * 4);
    // One LSTM at a time, its working set in one place (the four LSTMs' inputs at once would double the batch's memory).
    // The outputs of a modality's two LSTMs side by side, rows [N, 2Dp] (the backward one's columns from Dp):
    // copied out with one set per modality, where a row at a time made a view of each row, the worker's largest
    // garbage on a segment-rated shard.
    const outAt = take(N * 2 * Dp * 4);
    const slot = {
      g: take(N * C * 4),
      o: outAt,
      ostride: 2 * Dp * 4,
      bias: take(C * 4),
      peep: take(3 * Dp * 4),
      c: take(B * Dp * 4),
      h: [take(B * Dp * 4), take(B * Dp * 4)] as const,
      mm: take(B * C * 4),
      rows: take(B * 4),
      orows: take(B * 4),
    };
    this.reserve(end());
    if (modelChanged) {
      for (let l = 0; l < 4; l++) this.packWeights(p.weights[l], D, wBase + l * wBytes);
      this.weightKeys = [...p.weightKeys];
      this.weightsD = D;
    }
    new Float32Array(this.memory.buffer).fill(0, zeros / 4, zeros / 4 + B * C);
    for (let l = 0; l < 4; l++) {
      const f = new Float32Array(this.memory.buffer);
      this.padRows(f, p.G(l), N, D, Dp, 4, slot.g);
      this.padRows(f, p.bias.subarray(l * 4 * D, (l + 1) * 4 * D), 1, D, Dp, 4, slot.bias);
      // Without peepholes they are zeros: c times 0 adds nothing.
      if (peepholes) this.padRows(f, p.peep.subarray(l * 3 * D, (l + 1) * 3 * D), 1, D, Dp, 3, slot.peep);
      else f.fill(0, slot.peep / 4, slot.peep / 4 + 3 * Dp);
      f.fill(0, slot.c / 4, slot.c / 4 + B * Dp);
      const reverse = PACKED_LSTM_ORDER[l].d === 'bw';
      const threads = threadsFor(Dp, this.threads, LSTM_SIMD_PANEL);
      const job: RecurrenceJob = {
        Dp,
        sortedLengths: [...L],
        k0: 0,
        k1: T,
        gRows: 'packed',
        lo: clamped ? -40 : -Infinity,
        hi: clamped ? 13 : Infinity,
        slot: { ...slot, o: outAt + (reverse ? Dp * 4 : 0), w: wBase + l * wBytes, reverse },
        zeros,
        threads,
        base: this.team.base,
      };
      this.team.run(
        threads,
        T,
        (self) => ({ type: 'run', self, job }),
        () => runRecurrence(this.team.ex, this.memory, job, 0),
      );
      const m = PACKED_LSTM_ORDER[l].m;
      if (l + 1 < PACKED_LSTM_ORDER.length && PACKED_LSTM_ORDER[l + 1].m === m) continue;
      // The modality's last LSTM: [h_fw | h_bw] rows out.
      const out = p.out(l >> 1);
      if (Dp === D) {
        out.set(new Float32Array(this.memory.buffer, outAt, N * 2 * D));
        continue;
      }
      const g = new Float32Array(this.memory.buffer);
      for (let r = 0; r < N; r++) {
        const from = outAt / 4 + r * 2 * Dp;
        const to = r * 2 * D;
        for (let j = 0; j < D; j++) {
          out[to + j] = g[from + j];
          out[to + D + j] = g[from + Dp + j];
        }
      }
    }
  }

  /**
   * out [n, M] = x [n, K] W [K, M] (+ b): a linear layer of the model (the
   * embedding, the input projections), W packed once by its identity `key`,
   * the product split by panels over the threads.
   */
  linear(x: Float32Array, key: object, W: Float32Array, b: Float32Array | null, out: Float32Array, n: number, K: number, M: number): void {
    const cols = Math.ceil(M / LSTM_SIMD_PANEL) * LSTM_SIMD_PANEL;
    let w = this.linearWeights.get(key);
    if (w === undefined) {
      w = this.linearTop;
      this.reserve(w + K * cols * 4);
      this.packPanels(W, K, M, cols, w);
      this.linearWeights.set(key, w);
      this.linearTop = align(w + K * cols * 4);
    }
    const xAt = this.linearTop;
    const yAt = align(xAt + n * K * 4);
    this.reserve(yAt + n * cols * 4);
    new Float32Array(this.memory.buffer).set(x.subarray(0, n * K), xAt / 4);
    const threads = Math.min(this.threads, cols / LSTM_SIMD_PANEL);
    const job: LinearJob = { w, x: xAt, y: yAt, K, cols, n, threads, base: this.team.base };
    this.team.run(
      threads,
      1,
      (self) => ({ type: 'linear', self, job }),
      () => runLinear(this.team.ex, this.memory, job, 0, LSTM_SIMD_PANEL),
    );
    const y = new Float32Array(this.memory.buffer, yAt, n * cols);
    if (cols === M) out.set(y);
    else for (let r = 0; r < n; r++) out.set(y.subarray(r * cols, r * cols + M), r * M);
    if (b) {
      for (let r = 0; r < n; r++) {
        const o = r * M;
        for (let j = 0; j < M; j++) out[o + j] += b[j];
      }
    }
  }

  /** W [K, M] into panels [cols / PANEL][K][PANEL] at byte offset `at`, the columns past M zero. */
  private packPanels(W: Float32Array, K: number, M: number, cols: number, at: number): void {
    const f = new Float32Array(this.memory.buffer);
    let q = at / 4;
    for (let p = 0; p < cols; p += LSTM_SIMD_PANEL) {
      for (let k = 0; k < K; k++) {
        const row = k * M;
        for (let j = p; j < p + LSTM_SIMD_PANEL; j++) f[q++] = j < M ? W[row + j] : 0;
      }
    }
  }

  /** rows x (gates x D) into rows x (gates x Dp) at byte offset `at`, the padding zero. */
  private padRows(f: Float32Array, src: Float32Array, rows: number, D: number, Dp: number, gates: number, at: number): void {
    const base = at / 4;
    if (Dp === D) {
      f.set(src.subarray(0, rows * gates * D), base);
      return;
    }
    f.fill(0, base, base + rows * gates * Dp);
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < gates; q++) f.set(src.subarray((r * gates + q) * D, (r * gates + q + 1) * D), base + (r * gates + q) * Dp);
    }
  }

  /** W [D, 4D] into panels [4Dp / PANEL][Dp][PANEL] at byte offset `at` (wat.ts's layout). */
  private packWeights(W: Float32Array, D: number, at: number): void {
    const Dp = paddedUnits(D);
    const C = 4 * Dp;
    const f = new Float32Array(this.memory.buffer);
    let q = at / 4;
    for (let p = 0; p < C; p += LSTM_SIMD_PANEL) {
      for (let k = 0; k < Dp; k++) {
        for (let j = 0; j < LSTM_SIMD_PANEL; j++) {
          const col = p + j;
          const gate = Math.floor(col / Dp);
          const unit = col - gate * Dp;
          f[q++] = k < D && unit < D ? W[k * 4 * D + gate * D + unit] : 0;
        }
      }
    }
  }
}
