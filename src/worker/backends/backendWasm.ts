import * as tf from '@tensorflow/tfjs-core';
import { setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The binaries are served by this site (Vite emits them as assets): the page fetches nothing from elsewhere.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { MAX_RECURRENCE_THREADS, registerPackedLstmWasm } from '../../kernels/packedLstmWasm';
import { browserHelper } from '../../kernels/lstmSimd/browserHelper';
import { type LoadedModel, predictVideos } from '../../core/model/model';
import type { BackendHandle, ModelRuntime } from './types';

/**
 * Batches on wasm hold half the default budget: wasm's memory only grows, and the tab's memory is
 * the user's. Shards in the page grew it less with 16 MB batches than with 32 MB ones, in the same
 * time (docs/benchmarks.md).
 */
const WASM_PAGE_BATCH_BUDGET_BYTES = 16 << 20;

/** At most this many wasm threads (the worker's own thread included). */
const MAX_WASM_THREADS = 4;

/**
 * Threads for tfjs's wasm backend. One when the page is not cross-origin
 * isolated (no SharedArrayBuffer); `requested` when asked (up to
 * MAX_WASM_THREADS); else every logical core but one, up to MAX_WASM_THREADS.
 * The core left over is the page's own (rendering, clicks, reading files): on
 * a 2-core machine a second wasm thread made a shard of the demo model slower
 * in the page with XNNPACK's products (the threads wake for every small
 * product), and gained nothing with the project's SIMD kernels. A full-size
 * model gains from it (one video, the recurrence split over both threads:
 * bench/results/RESULTS.md), when the page can spare the core.
 */
function wasmThreads(requested?: number): number {
  if (!self.crossOriginIsolated) return 1;
  const wanted = requested ?? (navigator.hardwareConcurrency || 1) - 1;
  return Math.max(1, Math.min(Math.floor(wanted), MAX_WASM_THREADS));
}

let configured = false;

/**
 * tfjs's WebAssembly backend (SIMD; threaded when the page is cross-origin
 * isolated, else one thread), with the project's packed LSTM kernel: the fast
 * choice without a hardware GPU.
 */
export async function startWasm(requestedThreads?: number): Promise<BackendHandle> {
  const threads = wasmThreads(requestedThreads);
  if (!configured) {
    // tfjs finds out itself whether threads work (SharedArrayBuffer, i.e. isolation); it is told how many.
    setThreadsCount(threads);
    // One thread: the plain SIMD build. The threaded one would start its pool of 8 idle workers (17 MB each) all the same.
    if (threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    });
    configured = true;
  }
  // tfjs's threaded build caps its threads at half the logical cores (it assumes two hardware
  // threads per core), so a 2-core machine would get one. It reads the count once, while the
  // module starts: it is shown the count that lets it run `threads`, then the real one again.
  const restore = threads > 1 ? reportCores(2 * threads) : () => {};
  try {
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend');
    await tf.ready();
  } finally {
    restore();
  }
  // tfjs keeps the count its module started with: a later request does not change it.
  const running = (tf.backend() as unknown as { wasm: { tfjs: { getThreadsCount(): number } } }).wasm.tfjs.getThreadsCount();
  // The recurrence of all four LSTMs as one kernel (inference; training keeps the op path), on as many
  // threads as tfjs has: helpers of its own (tfjs's pool is not reachable), whole LSTMs each.
  const helpers = self.crossOriginIsolated ? Math.min(running, MAX_RECURRENCE_THREADS) - 1 : 0;
  await registerPackedLstmWasm({ helpers: () => Array.from({ length: helpers }, browserHelper) });
  return {
    name: 'wasm',
    layout: 'in-out',
    adapter: null,
    threads: running,
    batchSize: 64,
    batchBudgetBytes: WASM_PAGE_BATCH_BUDGET_BYTES,
    occlusionBatchSize: 32,
    guard: (fn) => fn(),
    prepare: packWeights,
    dispose: () => {},
  };
}

/**
 * Readies a freshly uploaded model by predicting a one-frame video: the SIMD
 * kernels pack the recurrent and projection weights into panels, and
 * XNNPACK packs the head's (268 MB at full size), once per model. Done here,
 * while the page says the model is warming, rather than in the first batch a
 * user drops (seconds for a full-size model).
 */
async function packWeights(model: LoadedModel): Promise<ModelRuntime> {
  const { rgbDim, audioDim } = model.meta.sizes;
  await predictVideos(model, [
    { file: '', index: 0, id: 'warm-up', frames: 1, rgbDim, audioDim, rgb: new Float32Array(rgbDim), audio: new Float32Array(audioDim) },
  ]);
  return { dispose: () => {} };
}

/** navigator.hardwareConcurrency reads `n` until the returned function is called. */
function reportCores(n: number): () => void {
  const nav = navigator as Navigator & { hardwareConcurrency: number };
  if (Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency')) return () => {};
  Object.defineProperty(nav, 'hardwareConcurrency', { configurable: true, get: () => n });
  return () => {
    delete (nav as { hardwareConcurrency?: number }).hardwareConcurrency;
  };
}
