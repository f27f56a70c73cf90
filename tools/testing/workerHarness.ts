/**
 * The worker's engine in Node, for tests: on tfjs-cpu (Node has no WebGPU,
 * as a browser without it), with the demo model and feature files served from
 * a made-up site, and every event it sends recorded.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Engine } from '../../src/worker/engine/engine';
import { MemoryModelStore } from '../../src/worker/models/cache/modelStore';
import type { WorkerEvent } from '../../src/protocol/protocol';

// The engine runs in a worker, where the global scope is `self`; Node 20 has no navigator.
(globalThis as { self?: unknown }).self ??= globalThis;
if (!('navigator' in globalThis)) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true });

export const SITE = 'http://site.test/';
const ROOT = path.resolve(__dirname, '../..');

/** The engine on cpu with the demo model; `files` are served at SITE + name, the rest of public/ as it is. */
export async function engineHarness(files: Record<string, Uint8Array> = {}, opts: { bufferBytes?: number } = {}) {
  const events: WorkerEvent[] = [];
  const store = new MemoryModelStore();
  const fetch = async (url: string) => {
    const rel = url.slice(SITE.length);
    if (files[rel]) return new Response(files[rel].slice().buffer as ArrayBuffer);
    return new Response(await readFile(path.join(ROOT, 'public', new URL(url).pathname)));
  };
  const engine = new Engine((e) => events.push(e), { store, fetch, vocabulary: async () => [], warn: () => {} }, opts);
  await engine.setBackend('cpu');
  await engine.loadModel({ kind: 'url', url: `${SITE}models/demo/model.json` }, 1);
  const of = <T extends WorkerEvent['type']>(type: T) => events.filter((e): e is Extract<WorkerEvent, { type: T }> => e.type === type);
  const until = async (what: () => boolean, ms = 20_000) => {
    for (const t0 = Date.now(); !what() && Date.now() - t0 < ms;) await new Promise((r) => setTimeout(r, 5));
    return what();
  };
  /** Waits until the serial queue has run dry (predictions included). */
  const idle = async () => {
    for (let i = 0; i < 50; i++) await engine.exclusive(async () => {});
  };
  return { engine, store, events, of, until, idle };
}
