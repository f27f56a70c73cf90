import { LSTM_SIMD_WASM, LSTM_SIMD_WASM_SHARED } from './binary.generated';
import type { HelperPort, HelperRequest } from './helper';
import type { LstmSimdExports } from './recurrence';

/** The module's bytes from their base64 text (binary.generated.ts). */
export function wasmBytes(base64: string): Uint8Array<ArrayBuffer> {
  const s = atob(base64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}

/**
 * The SIMD kernels started on one memory, with the helper threads that share
 * it (helper.ts): what LstmSimd (a kernel of tfjs-wasm) and SimdModel (a
 * whole forward pass) both run on. A job is split between this thread (0) and
 * the helpers (1, 2, ...), which meet in the memory's control words
 * (recurrence.ts).
 */
export class SimdTeam {
  /** Steps every thread has finished, over all jobs (the control words count them). */
  private steps = 0;
  private failed = false;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly ex: LstmSimdExports,
    private readonly helpers: readonly HelperPort[],
  ) {}

  /**
   * Compiles and starts the module (asynchronously: a page's main thread may
   * not compile it synchronously). With helpers (a shared memory needs
   * SharedArrayBuffer: cross-origin isolated pages, Node), each is started on
   * the same memory; one that fails to start is a failure here.
   */
  static async start(opts: { helpers?: readonly HelperPort[]; initialPages?: number } = {}): Promise<SimdTeam> {
    const helpers = opts.helpers ?? [];
    const shared = helpers.length > 0;
    const memory = new WebAssembly.Memory({ initial: opts.initialPages ?? 1, maximum: 32768, shared });
    const module = await WebAssembly.compile(wasmBytes(shared ? LSTM_SIMD_WASM_SHARED : LSTM_SIMD_WASM));
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    try {
      await Promise.all(
        helpers.map(
          (h, index) =>
            new Promise<void>((resolve, reject) => {
              h.onMessage((m) => {
                if (m.type === 'ready') resolve();
                else reject(new Error(`LSTM helper thread ${index + 1}: ${m.message}`));
              });
              h.post({ type: 'start', module, memory });
            }),
        ),
      );
    } catch (e) {
      for (const h of helpers) h.terminate();
      throw e;
    }
    return new SimdTeam(memory, instance.exports as unknown as LstmSimdExports, helpers);
  }

  /** Threads a job may run on (this one and its helpers); 1 once a helper has failed. */
  get threads(): number {
    return this.failed ? 1 : 1 + this.helpers.length;
  }

  /** Steps finished by every thread so far: a job's `base`. */
  get base(): number {
    return this.steps;
  }

  /**
   * A job of `steps` steps on `threads` threads: the helpers' shares posted,
   * this thread's run. A helper that failed once is not asked again: the next
   * jobs run on this thread alone.
   */
  run(threads: number, steps: number, request: (self: number) => HelperRequest, own: () => void): void {
    for (let t = 1; t < threads; t++) this.helpers[t - 1].post(request(t));
    try {
      own();
    } catch (e) {
      this.failed = true;
      throw e;
    } finally {
      if (threads > 1) this.steps += steps;
    }
  }

  /** The memory holds at least `bytes` (it grows, never shrinks). */
  reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / 65536));
  }

  dispose(): void {
    for (const h of this.helpers) h.terminate();
  }
}
