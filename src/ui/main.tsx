/**
 * The page starts here, with the inference worker: it loads tfjs and starts
 * while the page's own code (React, the views: page.tsx) arrives, rather than
 * after it. The worker's events wait for the page's store to listen.
 */
import { startWorker } from '../protocol/client';
import { bufferEvents } from './earlyEvents';

// ?testhooks=1 lets the end-to-end tests break WebGPU in the worker, to check that the page recovers.
const client = bufferEvents(startWorker({ testHooks: new URLSearchParams(location.search).get('testhooks') === '1' }));
void import('./page').then(({ startPage }) => startPage(client));
