import * as tf from '@tensorflow/tfjs-core';
import { BATCH_BUDGET_BYTES } from '../../core/model/batching';
import '@tensorflow/tfjs-backend-cpu';
import { registerPackedLstmCpu } from '../../kernels/packedLstmCpu';
import type { BackendHandle } from './types';

/** tfjs's plain JavaScript backend (with the project's packed LSTM kernel): slow, but always there. */
export async function startCpu(): Promise<BackendHandle> {
  if (!(await tf.setBackend('cpu'))) throw new Error('tfjs could not start its cpu backend');
  await tf.ready();
  registerPackedLstmCpu();
  return {
    name: 'cpu',
    layout: 'in-out',
    adapter: null,
    threads: null,
    batchSize: 64,
    batchBudgetBytes: BATCH_BUDGET_BYTES,
    occlusionBatchSize: 32,
    guard: (fn) => fn(),
    dispose: () => {},
  };
}
