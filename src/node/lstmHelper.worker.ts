/** A helper thread of the SIMD recurrence in Node (src/kernels/lstmSimd/helper.ts), on worker_threads. */
import { parentPort } from 'node:worker_threads';
import { type HelperRequest, serveLstmHelper } from '../kernels/lstmSimd/helper';

const port = parentPort;
if (!port) throw new Error('lstmHelper.worker.ts runs as a worker thread');
serveLstmHelper({
  onMessage: (fn) => port.on('message', (m: HelperRequest) => fn(m)),
  post: (m) => port.postMessage(m),
});
