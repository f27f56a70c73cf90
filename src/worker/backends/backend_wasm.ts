import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// The binaries are served by this site (Vite emits them as assets): the page fetches nothing from elsewhere.
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendHandle } from './types';

let configured = false;

/** tfjs's WebAssembly backend (SIMD, one thread): the fast choice without a hardware GPU. */
export async function startWasm(): Promise<BackendHandle> {
  if (!configured) {
    // The threaded build spawns workers from a blob of its own glue code, which breaks once
    // Vite minifies it; one thread is also what the page needs beside its own worker.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    });
    configured = true;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not start its wasm backend');
  await tf.ready();
  return { name: 'wasm', layout: 'in-out', adapter: null, batchSize: 8, occlusionBatchSize: 32, guard: (fn) => fn(), dispose: () => {} };
}
