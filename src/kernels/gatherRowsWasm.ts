/**
 * A row gather (GATHER_ROWS_KERNEL, src/core/model/packedBatch.ts) as a
 * kernel of tfjs's wasm backend: each row one copyWithin in the backend's
 * memory. tfjs-backend-wasm's own gather computes every element's source
 * index alone (about 30 ns an element, 20 times this), which made gathering
 * the windows' rows of a batch cost as much as their embedding.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GATHER_ROWS_KERNEL } from '../core/model/packedBatch';

/** What the kernel uses of tfjs-backend-wasm's BackendWasm (as packedLstmWasm.ts). */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

function gatherRowsWasm({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: unknown }): tf.TensorInfo {
  const be = backend as WasmBackend;
  const { x, rows } = inputs;
  if (!x || !rows || x.shape.length !== 2 || rows.shape.length !== 1 || x.dtype !== 'float32' || rows.dtype !== 'int32')
    throw new Error(`${GATHER_ROWS_KERNEL}: expected x [N, W] float32 and rows [R] int32, not [${x?.shape}] and [${rows?.shape}]`);
  const [N, W] = x.shape;
  const R = rows.shape[0];
  const out = be.makeOutput([R, W], 'float32');
  // Views after the last allocation (which may grow, and so move, the memory).
  const heap = (be.wasm.wasmMemory ?? be.wasm.HEAPU8).buffer;
  const offset = (t: tf.TensorInfo) => {
    const d = be.dataIdMap.get(t.dataId);
    if (!d) throw new Error(`${GATHER_ROWS_KERNEL}: a tensor is not on the wasm backend`);
    return d.memoryOffset;
  };
  const f32 = new Float32Array(heap);
  const idx = new Int32Array(heap, offset(rows), R);
  const from = offset(x) / 4;
  const to = offset(out) / 4;
  for (let r = 0; r < R; r++) {
    const i = idx[r];
    if (!(i >= 0 && i < N)) throw new Error(`${GATHER_ROWS_KERNEL}: row ${i} outside the ${N} rows`);
    f32.copyWithin(to + r * W, from + i * W, from + (i + 1) * W);
  }
  return out;
}

/** Registers the kernel for the wasm backend (once; later calls do nothing). */
export function registerGatherRowsWasm(): void {
  if (!tf.getKernel(GATHER_ROWS_KERNEL, 'wasm'))
    tf.registerKernel({ kernelName: GATHER_ROWS_KERNEL, backendName: 'wasm', kernelFunc: gatherRowsWasm as unknown as tf.KernelFunc });
}
