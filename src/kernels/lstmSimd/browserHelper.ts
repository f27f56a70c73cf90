import type { HelperPort, HelperReply } from './helper';

/** A helper thread of the SIMD recurrence as a module Web Worker (the bundler emits helper.worker.ts as its own file). */
export function browserHelper(): HelperPort {
  const w = new Worker(new URL('./helper.worker.ts', import.meta.url), { type: 'module', name: 'lstm-simd-helper' });
  return {
    post: (m) => w.postMessage(m),
    onMessage: (fn) => {
      w.onmessage = (e: MessageEvent<HelperReply>) => fn(e.data);
      w.onerror = (e) => fn({ type: 'error', message: e.message || 'the helper thread failed to start' });
    },
    terminate: () => w.terminate(),
  };
}
