import { Worker } from 'node:worker_threads';
import type { HelperPort, HelperReply } from '../kernels/lstmSimd/helper';

/** Defined (true) in the command line's bundle (scripts/cli.mjs), undefined under tsx. */
declare const __ALSTM_BUNDLE__: boolean | undefined;

function tsxBoot(): string {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./lstmHelper.worker.ts', import.meta.url).href;
  return (
    `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); })` +
    '.catch((e) => { throw e; });'
  );
}

/**
 * A helper thread of the SIMD kernels as a worker thread: in the command
 * line's bundle, the bundled worker beside it; under tsx (tests, scripts), the
 * TypeScript worker, through a small script that registers tsx's loader in the
 * new thread (a worker's `--import` does not reach its entry module in Node
 * 20), then imports it. Unreferenced once started: it only works inside a call
 * from this thread, so it must not keep the process alive.
 */
export function nodeLstmHelper(): HelperPort {
  const worker =
    typeof __ALSTM_BUNDLE__ !== 'undefined'
      ? // The command line's bundle (scripts/cli.mjs) has the worker built beside it.
        new Worker(new URL('./lstmHelper.worker.mjs', import.meta.url), { name: 'lstm-simd-helper' })
      : new Worker(tsxBoot(), { eval: true, name: 'lstm-simd-helper' });
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
