/**
 * The page starts here, with the inference worker: it loads tfjs and starts
 * while the page's own code (React, the views: page.tsx) arrives, rather than
 * after it. The worker's events wait for the page's store to listen.
 */
import { startWorker } from '../protocol/client';
import { bufferEvents } from './earlyEvents';
import { pageYieldSignal, raisesOnResults } from '../protocol/yieldSignal';

// ?testhooks=1 lets the end-to-end tests break WebGPU in the worker, to check that the page recovers.
const worker = startWorker({ testHooks: new URLSearchParams(location.search).get('testhooks') === '1' });
// While the page answers a click or a key, or mounts a load's first results, the worker sleeps (yieldSignal.ts).
const signal = pageYieldSignal();
if (signal) {
  void worker.call('shareYieldSignal', { buffer: signal.buffer }).catch(() => {});
  for (const type of ['pointerdown', 'click', 'keydown'] as const)
    window.addEventListener(type, signal.raise, { capture: true, passive: true });
  // On the worker's own client: the buffered one hands the events that came early to its first listener, the store.
  worker.onEvent(raisesOnResults(signal));
}
const client = bufferEvents(worker);
void import('./page').then(({ startPage }) => startPage(client));
