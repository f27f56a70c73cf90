import { Worker } from 'node:worker_threads';
import type { HelperPort, HelperReply } from '../kernels/lstmSimd/helper';

/**
 * A helper thread of the SIMD recurrence as a worker thread. The worker is
 * TypeScript, as the command line is: a small script registers tsx's loader
 * in the new thread (a worker's `--import` does not reach its entry module in
 * Node 20), then imports it. Unreferenced once started: it only works inside
 * a call from this thread, so it must not keep the process alive.
 */
export function nodeLstmHelper(): HelperPort {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./lstmHelper.worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })` +
    '.catch((e) => { throw e; });';
  const worker = new Worker(boot, { eval: true, name: 'lstm-simd-helper' });
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (fn) => {
      worker.on('message', (m: HelperReply) => {
        // Held until it has started (the caller awaits that); after that it must not keep the process alive.
        if (m.type === 'ready') worker.unref();
        fn(m);
      });
      worker.on('error', (e) => fn({ type: 'error', message: e.message }));
    },
    terminate: () => void worker.terminate(),
  };
}
