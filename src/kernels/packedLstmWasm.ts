/**
 * The packed recurrence (PACKED_LSTM_KERNEL, src/core/model/packedBatch.ts) as
 * one kernel of tfjs's wasm backend: its inputs read from the backend's
 * memory, the recurrence run by the project's SIMD kernels (lstmSimd/), the
 * outputs written back into tensors of the backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PACKED_LINEAR_KERNEL, PACKED_LSTM_KERNEL, type PackedLstmAttrs } from '../core/model/packedBatch';
import { kernelInput as input, packedSteps } from './packedLstm';
import { LstmSimd } from './lstmSimd/lstmSimd';
import type { HelperPort } from './lstmSimd/helper';
import { registerGatherRowsWasm } from './gatherRowsWasm';

export { MAX_RECURRENCE_THREADS } from './lstmSimd/layout';

/** What the kernel uses of tfjs-backend-wasm's BackendWasm (its own types need Emscripten's). */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

let simd: LstmSimd | null = null;

/**
 * Float32 views of tensors in the backend's memory, taken after the kernel's
 * last allocation there (which may move it); the SIMD kernels allocate none.
 */
function heapViews(be: WasmBackend, kernel: string): (t: tf.TensorInfo, size: number) => Float32Array {
  const heap = (be.wasm.wasmMemory ?? be.wasm.HEAPU8).buffer;
  return (t, size) => {
    const d = be.dataIdMap.get(t.dataId);
    if (!d) throw new Error(`${kernel}: a tensor is not on the wasm backend`);
    return new Float32Array(heap, d.memoryOffset, size);
  };
}

function packedLstmWasm({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  if (!simd) throw new Error(`${PACKED_LSTM_KERNEL}: registerPackedLstmWasm() has not finished`);
  const be = backend as WasmBackend;
  const a = attrs as unknown as PackedLstmAttrs;
  const { D } = a;
  const { N } = packedSteps(a.sortedLengths);
  const G = [0, 1, 2, 3].map((l) => input(inputs, `G${l}`));
  const W = [0, 1, 2, 3].map((l) => input(inputs, `W${l}`));
  for (let l = 0; l < 4; l++) {
    if (G[l].shape[0] !== N || G[l].shape[1] !== 4 * D)
      throw new Error(`${PACKED_LSTM_KERNEL}: G${l} is [${G[l].shape}], expected [${N}, ${4 * D}]`);
    if (W[l].shape[0] !== D || W[l].shape[1] !== 4 * D)
      throw new Error(`${PACKED_LSTM_KERNEL}: W${l} is [${W[l].shape}], expected [${D}, ${4 * D}] ([in, out])`);
  }
  const out = [be.makeOutput([N, 2 * D], 'float32'), be.makeOutput([N, 2 * D], 'float32')];
  const view = heapViews(be, PACKED_LSTM_KERNEL);
  simd.run({
    attrs: a,
    weights: W.map((t) => view(t, D * 4 * D)),
    weightKeys: W.map((t) => t.dataId),
    G: (l) => view(G[l], N * 4 * D),
    bias: view(input(inputs, 'bias'), 16 * D),
    peep: view(input(inputs, 'peep'), 12 * D),
    out: (m) => view(out[m], N * 2 * D),
  });
  return out;
}

/** A linear layer of the packed path (PACKED_LINEAR_KERNEL) on the SIMD kernels: the embedding and the input projections. */
function packedLinearWasm({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  if (!simd) throw new Error(`${PACKED_LINEAR_KERNEL}: registerPackedLstmWasm() has not finished`);
  const be = backend as WasmBackend;
  const x = inputs.x;
  const w = inputs.w;
  const b = inputs.b;
  if (!x || !w || x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[0]) {
    throw new Error(`${PACKED_LINEAR_KERNEL}: x [${x?.shape}] and w [${w?.shape}] do not multiply`);
  }
  const [n, K] = x.shape;
  const M = w.shape[1];
  if (b && b.shape.reduce((p, q) => p * q, 1) !== M) throw new Error(`${PACKED_LINEAR_KERNEL}: b [${b.shape}] is not [${M}]`);
  const out = be.makeOutput([n, M], 'float32');
  const view = heapViews(be, PACKED_LINEAR_KERNEL);
  simd.linear(view(x, n * K), w.dataId, view(w, K * M), b ? view(b, M) : null, view(out, n * M), n, K, M);
  return out;
}

/**
 * Starts the SIMD kernels and registers the kernels for the wasm backend
 * (once each; later calls do nothing). `helpers`: threads for the recurrence
 * besides the caller's (at most 3), which need a cross-origin isolated page.
 * `projections`: the packed path's embedding and input projections on the
 * SIMD matmul too, where it is faster than XNNPACK's (in Chromium); Node 20's
 * older V8 compiles it slower than Chromium does, and there XNNPACK's stays
 * faster (bench/results/RESULTS.md).
 */
export async function registerPackedLstmWasm(opts: { helpers?: () => HelperPort[]; projections?: boolean } = {}): Promise<void> {
  simd ??= await LstmSimd.create({ helpers: opts.helpers?.() });
  registerGatherRowsWasm();
  if (!tf.getKernel(PACKED_LSTM_KERNEL, 'wasm')) {
    tf.registerKernel({ kernelName: PACKED_LSTM_KERNEL, backendName: 'wasm', kernelFunc: packedLstmWasm as unknown as tf.KernelFunc });
  }
  if ((opts.projections ?? true) && !tf.getKernel(PACKED_LINEAR_KERNEL, 'wasm')) {
    tf.registerKernel({ kernelName: PACKED_LINEAR_KERNEL, backendName: 'wasm', kernelFunc: packedLinearWasm as unknown as tf.KernelFunc });
  }
}

/** Threads the kernel's recurrence runs on (0 before registerPackedLstmWasm has finished). */
export function packedLstmWasmThreads(): number {
  return simd?.threads ?? 0;
}
