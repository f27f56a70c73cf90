/**
 * The packed recurrence (PACKED_LSTM_KERNEL, src/core/model/packedBatch.ts) as
 * one kernel of tfjs's cpu backend (plain JavaScript): the recurrent products
 * as loops over the weights' own arrays (four weight rows per pass, summed in
 * double precision), the gate arithmetic as in packedLstm.ts.
 * Instead of some 60 tfjs ops per time step, each allocating its output.
 */
import * as tf from '@tensorflow/tfjs-core';
import { PACKED_LSTM_KERNEL, type PackedLstmAttrs } from '../core/model/packedBatch';
import { kernelInput as input, packedSteps, runPackedLstm } from './packedLstm';

interface CpuBackend {
  data: { get(dataId: object): { values: tf.backend_util.BackendValues } | undefined };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function packedLstmCpu({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo[] {
  const be = backend as CpuBackend;
  const a = attrs as unknown as PackedLstmAttrs;
  const { D } = a;
  const B = a.sortedLengths.length;
  const { N } = packedSteps(a.sortedLengths);
  const values = (t: tf.TensorInfo) => {
    const v = be.data.get(t.dataId)?.values;
    if (!(v instanceof Float32Array)) throw new Error(`${PACKED_LSTM_KERNEL}: a float32 input is not on the cpu backend`);
    return v;
  };
  const G = [0, 1, 2, 3].map((l) => values(input(inputs, `G${l}`)));
  const W = [0, 1, 2, 3].map((l) => values(input(inputs, `W${l}`)));
  for (let l = 0; l < 4; l++) {
    if (G[l].length !== N * 4 * D) throw new Error(`${PACKED_LSTM_KERNEL}: G${l} has ${G[l].length} values, expected ${N} x ${4 * D}`);
    if (W[l].length !== D * 4 * D) throw new Error(`${PACKED_LSTM_KERNEL}: W${l} has ${W[l].length} values, expected ${D} x ${4 * D}`);
  }
  const out = [new Float32Array(N * 2 * D), new Float32Array(N * 2 * D)];
  const h = [0, 1, 2, 3].map(() => new Float32Array(B * D));
  const mm = [0, 1, 2, 3].map(() => new Float32Array(B * 4 * D));
  const acc = new Float64Array(4 * D);
  const buffers = { G, mm, h, out, S: new Float32Array(5 * B * D) };
  runPackedLstm({
    attrs: a,
    bias: values(input(inputs, 'bias')),
    peep: values(input(inputs, 'peep')),
    product(l, n) {
      const w = W[l];
      const x = h[l];
      const y = mm[l];
      const D4 = 4 * D;
      for (let i = 0; i < n; i++) {
        acc.fill(0);
        const x0 = i * D;
        // Four weight rows per pass over the accumulators: a quarter of their loads and stores.
        let k = 0;
        for (; k + 4 <= D; k += 4) {
          const a = x[x0 + k];
          const b = x[x0 + k + 1];
          const c = x[x0 + k + 2];
          const d = x[x0 + k + 3];
          const r = k * D4;
          for (let j = 0; j < D4; j++) acc[j] += a * w[r + j] + b * w[r + D4 + j] + c * w[r + 2 * D4 + j] + d * w[r + 3 * D4 + j];
        }
        for (; k < D; k++) {
          const a = x[x0 + k];
          const r = k * D4;
          for (let j = 0; j < D4; j++) acc[j] += a * w[r + j];
        }
        for (let j = 0; j < D4; j++) y[i * D4 + j] = acc[j];
      }
    },
    buffers,
  });
  return out.map((v) => be.makeTensorInfo([N, 2 * D], 'float32', v));
}

/** Registers the kernel for the cpu backend (once; later calls do nothing). */
export function registerPackedLstmCpu(): void {
  if (tf.getKernel(PACKED_LSTM_KERNEL, 'cpu')) return;
  tf.registerKernel({ kernelName: PACKED_LSTM_KERNEL, backendName: 'cpu', kernelFunc: packedLstmCpu as unknown as tf.KernelFunc });
}
