import { PACKED_LSTM_ORDER, type PackedLstmAttrs } from '../../core/model/packedBatch';
import { packedSteps } from '../packedLstm';
import { LSTM_SIMD_WASM } from './binary.generated';
import { LSTM_SIMD_PANEL, paddedUnits } from './layout';

/**
 * The packed recurrence (PACKED_LSTM_KERNEL) on the project's own SIMD
 * kernels (wat.ts), in a memory of their own: the recurrent weights packed in
 * panels once per model, then per LSTM its input projections copied in, T
 * steps of `matmul` and `gates` (two calls each, no JavaScript arithmetic),
 * and its outputs copied out.
 *
 * Why not tfjs-wasm's own products: for one video a product is a 1 x D by
 * D x 4D matrix-vector product, memory-bound, that XNNPACK's fully connected
 * operator (made for larger batches) ran at 0.28 ms at full size, where a
 * kernel that keeps eight accumulators for one row runs it at 0.22; and the
 * gate arithmetic in JavaScript (45 ms a video) runs here four units per
 * instruction.
 */

interface Exports {
  matmul(w: number, h: number, y: number, K: number, cols: number, n: number): void;
  gates(G: number, rows: number, n: number, Dp: number, mm: number, bias: number, peep: number, c: number, h: number, out: number, lo: number, hi: number): void;
}

/** One LSTM's inputs and outputs, as views the caller owns (tfjs-wasm's heap). */
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

const align = (x: number) => (x + 63) & ~63;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

export class LstmSimd {
  private f32: Float32Array;
  private i32: Int32Array;
  private weightKeys: readonly object[] = [];
  private weightsD = -1;

  private constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly ex: Exports,
  ) {
    this.f32 = new Float32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }

  /** Compiles and starts the module (asynchronously: a page's main thread may not compile it synchronously). */
  static async create(): Promise<LstmSimd> {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 32768 });
    const { instance } = await WebAssembly.instantiate(decode(LSTM_SIMD_WASM), { env: { memory } });
    return new LstmSimd(memory, instance.exports as unknown as Exports);
  }

  /** Bytes the module's memory holds (it only grows, as tfjs-wasm's does). */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
    if (this.f32.buffer !== this.memory.buffer) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
  }

  run(p: LstmSimdProblem): void {
    const { D, peepholes, clamped } = p.attrs;
    const L = p.attrs.sortedLengths;
    const B = L.length;
    const { T, active, offsets, N } = packedSteps(L);
    const Dp = paddedUnits(D);
    const C = 4 * Dp;
    // Memory: the packed weights of the four LSTMs, then one LSTM's working set.
    const wBytes = C * Dp * 4;
    const wBase = 64;
    const g = align(wBase + 4 * wBytes);
    const o = align(g + N * C * 4);
    const bias = align(o + N * Dp * 4);
    const peep = align(bias + C * 4);
    const c = align(peep + 3 * Dp * 4);
    const h = align(c + B * Dp * 4);
    const mm = align(h + B * Dp * 4);
    const rows = align(mm + B * C * 4);
    this.reserve(rows + B * 4);
    if (this.weightsD !== D || p.weightKeys.some((k, l) => k !== this.weightKeys[l])) {
      for (let l = 0; l < 4; l++) this.packWeights(p.weights[l], D, wBase + l * wBytes);
      this.weightKeys = [...p.weightKeys];
      this.weightsD = D;
    }
    const f = this.f32;
    const lo = clamped ? -40 : -Infinity;
    const hi = clamped ? 13 : Infinity;
    for (let l = 0; l < 4; l++) {
      const reverse = PACKED_LSTM_ORDER[l].d === 'bw';
      this.padRows(p.G(l), N, D, Dp, 4, g);
      this.padRows(p.bias.subarray(l * 4 * D, (l + 1) * 4 * D), 1, D, Dp, 4, bias);
      // Without peepholes they are zeros: c times 0 adds nothing.
      if (peepholes) this.padRows(p.peep.subarray(l * 3 * D, (l + 1) * 3 * D), 1, D, Dp, 3, peep);
      else f.fill(0, peep / 4, peep / 4 + 3 * Dp);
      f.fill(0, c / 4, c / 4 + B * Dp);
      f.fill(0, h / 4, h / 4 + B * Dp);
      const rank = this.i32.subarray(rows / 4, rows / 4 + B);
      for (let k = 0; k < T; k++) {
        const n = active[k];
        for (let i = 0; i < n; i++) rank[i] = offsets[reverse ? L[i] - 1 - k : k] + i;
        // At the first step h = 0: no product.
        if (k > 0) this.ex.matmul(wBase + l * wBytes, h, mm, Dp, C, n);
        else f.fill(0, mm / 4, mm / 4 + n * C);
        this.ex.gates(g, rows, n, Dp, mm, bias, peep, c, h, o, lo, hi);
      }
      const out = p.out(l >> 1);
      const column = reverse ? D : 0;
      for (let r = 0; r < N; r++) out.set(f.subarray(o / 4 + r * Dp, o / 4 + r * Dp + D), r * 2 * D + column);
    }
  }

  /** rows x (gates x D) into rows x (gates x Dp) at byte offset `at`, the padding zero. */
  private padRows(src: Float32Array, rows: number, D: number, Dp: number, gates: number, at: number): void {
    const f = this.f32;
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
    const f = this.f32;
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
