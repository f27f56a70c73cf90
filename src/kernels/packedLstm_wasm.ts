import * as tf from '@tensorflow/tfjs-core';
import { PACKED_LSTM_KERNEL, type PackedLstmAttrs } from '../core/model/packedBatch';
import { type PackedLstmBuffers, kernelInput as input, packedSteps, runPackedLstm } from './packedLstm';

/**
 * The packed recurrence (PACKED_LSTM_KERNEL, src/core/model/packedBatch.ts) as
 * one kernel of tfjs's wasm backend, over the backend's own memory.
 *
 * Each step's recurrent products are XNNPACK's fully connected operator, the
 * one tfjs's own matMul uses, called straight through the backend's
 * `BatchMatMul` export: four calls per step (one per LSTM), with no tfjs op, no
 * tensor and no allocation around them. XNNPACK runs them on the backend's
 * thread pool, and caches its packed copy of each weight matrix (keyed by the
 * tensor, as for tfjs's matMul). tfjs-wasm's matMul takes the XNNPACK path only
 * for a single matrix (batch dimension 1); a batched [4, n, D] x [4, D, 4D]
 * product falls back to a plain scalar loop there, so four calls are the fast
 * way to do the four LSTMs' products. The gate arithmetic is three JavaScript
 * loops over views of the wasm memory and two calls of XNNPACK's vectorised
 * sigmoid (packedLstm.ts).
 */

/** What the kernel uses of tfjs-backend-wasm's BackendWasm (its own types need Emscripten's). */
interface WasmModule {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _BatchMatMul(aId: number, aShape: number, aRank: number, bId: number, bShape: number, bRank: number, transposeA: number, transposeB: number, outId: number): void;
  _Sigmoid(xId: number, outId: number): void;
  tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void; getThreadsCount(): number };
  HEAPU8: Uint8Array;
  /** The threaded build's shared memory (its HEAP views are refreshed lazily). */
  wasmMemory?: WebAssembly.Memory;
}
interface WasmBackend {
  wasm: WasmModule;
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * A tensor id of the wasm backend's registry that its own counter (which starts
 * at 1 and counts up) never reaches: registered for a span of memory for one
 * call, then disposed again.
 */
const SPAN_ID = 0x7fffff00;

/**
 * Below this many values, with more than one thread, the sigmoid runs here in
 * JavaScript: XNNPACK's would wake the pool's threads for a few microseconds of
 * work, twice a step, and on a loaded machine each wake-up can wait for a
 * descheduled thread (one video: 2,400 of them).
 */
const THREADED_SIGMOID_MIN = 16384;

function packedLstmWasm({ inputs, backend, attrs }: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const be = backend as WasmBackend;
  const a = attrs as unknown as PackedLstmAttrs;
  const { D } = a;
  const B = a.sortedLengths.length;
  const { N } = packedSteps(a.sortedLengths);
  const G = [0, 1, 2, 3].map((l) => input(inputs, `G${l}`));
  const W = [0, 1, 2, 3].map((l) => input(inputs, `W${l}`));
  for (let l = 0; l < 4; l++) {
    if (G[l].shape[0] !== N || G[l].shape[1] !== 4 * D) throw new Error(`${PACKED_LSTM_KERNEL}: G${l} is [${G[l].shape}], expected [${N}, ${4 * D}]`);
    if (W[l].shape[0] !== D || W[l].shape[1] !== 4 * D) throw new Error(`${PACKED_LSTM_KERNEL}: W${l} is [${W[l].shape}], expected [${D}, ${4 * D}] ([in, out])`);
  }
  const out = [be.makeOutput([N, 2 * D], 'float32'), be.makeOutput([N, 2 * D], 'float32')];
  // Scratch tensors (registered, so that BatchMatMul finds them by id): h and the products, per LSTM.
  const h = [0, 1, 2, 3].map(() => be.makeOutput([B, D], 'float32'));
  const mm = [0, 1, 2, 3].map(() => be.makeOutput([B, 4 * D], 'float32'));
  const S = be.makeOutput([5 * B * D], 'float32');
  const shapes = be.wasm._malloc(24);
  const threaded = be.wasm.tfjs.getThreadsCount() > 1;
  const info = (t: tf.TensorInfo) => {
    const d = be.dataIdMap.get(t.dataId);
    if (!d) throw new Error(`${PACKED_LSTM_KERNEL}: a tensor is not on the wasm backend`);
    return d;
  };
  const hId = h.map((t) => info(t).id);
  const mmId = mm.map((t) => info(t).id);
  const wId = W.map((t) => info(t).id);
  const heap = () => (be.wasm.wasmMemory ?? be.wasm.HEAPU8).buffer;
  const view = (t: tf.TensorInfo, size: number) => new Float32Array(heap(), info(t).memoryOffset, size);
  // The bias and the peepholes are small: copied out once.
  const bias = view(input(inputs, 'bias'), 16 * D).slice();
  const peep = view(input(inputs, 'peep'), 12 * D).slice();
  let cached: { buffer: ArrayBufferLike; views: PackedLstmBuffers } | null = null;
  try {
    runPackedLstm({
      attrs: a,
      bias,
      peep,
      product(l, n) {
        const s = new Int32Array(heap(), shapes, 6);
        s.set([1, n, D, 1, D, 4 * D]);
        be.wasm._BatchMatMul(hId[l], shapes, 3, wId[l], shapes + 12, 3, 0, 0, mmId[l]);
      },
      sigmoid(from, count) {
        if (threaded && count < THREADED_SIGMOID_MIN) {
          const v = new Float32Array(heap(), info(S).memoryOffset + 4 * from, count);
          for (let i = 0; i < count; i++) v[i] = 1 / (1 + Math.exp(-v[i]));
          return;
        }
        // XNNPACK's vectorised sigmoid (tfjs's own Sigmoid), on a tensor id registered for just this span of S.
        be.wasm.tfjs.registerTensor(SPAN_ID, count, info(S).memoryOffset + 4 * from);
        try {
          be.wasm._Sigmoid(SPAN_ID, SPAN_ID);
        } finally {
          be.wasm.tfjs.disposeData(SPAN_ID);
        }
      },
      buffers() {
        const buffer = heap();
        if (!cached || cached.buffer !== buffer || cached.views.S.byteLength === 0) {
          cached = {
            buffer,
            views: {
              G: G.map((t) => view(t, N * 4 * D)),
              mm: mm.map((t) => view(t, B * 4 * D)),
              h: h.map((t) => view(t, B * D)),
              out: out.map((t) => view(t, N * 2 * D)),
              S: view(S, 5 * B * D),
            },
          };
        }
        return cached.views;
      },
    });
  } finally {
    be.wasm._free(shapes);
    for (const t of [...h, ...mm, S]) be.disposeData(t.dataId, true);
  }
  return out;
}

/** Registers the kernel for the wasm backend (once; later calls do nothing). */
export function registerPackedLstmWasm(): void {
  if (tf.getKernel(PACKED_LSTM_KERNEL, 'wasm')) return;
  tf.registerKernel({ kernelName: PACKED_LSTM_KERNEL, backendName: 'wasm', kernelFunc: packedLstmWasm as unknown as tf.KernelFunc });
}
