import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import workerThreads from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { CliBackend } from '../core/backends';
import { EnvironmentError } from '../core/errors';
import { registerPackedLstmCpu } from '../kernels/packedLstmCpu';
import { MAX_RECURRENCE_THREADS, registerPackedLstmWasm } from '../kernels/packedLstmWasm';
import { nodeLstmHelper } from './lstmHelper';
import { wasmThreadsWanted } from './threads';

/** The rows of core/backends.ts that the command line runs. */
export type NodeBackend = CliBackend;

export interface NodeBackendOptions {
  /**
   * Threads of the wasm backend (its own thread included). Default: the
   * ALSTM_WASM_THREADS environment variable, else 1. More than one runs
   * tfjs's threaded wasm build on worker threads (see enableWasmThreads).
   */
  threads?: number;
}

const require = createRequire(import.meta.url);

/**
 * tfjs in Node without tfjs-node (which downloads a binary at install): the wasm
 * backend, loading its .wasm files from the installed package; or the cpu backend.
 */
export async function useBackend(name: NodeBackend, opts: NodeBackendOptions = {}): Promise<void> {
  // PROD silences tfjs's console advice to install tfjs-node, which cannot install here.
  tf.env().set('PROD', true);
  let restore = () => {};
  if (name === 'wasm') {
    const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    const threads = wasmThreadsWanted(opts);
    if (threads > 1 && tf.engine().registry.wasm === undefined) restore = enableWasmThreads(dir, threads);
    setWasmPaths(dir + '/dist/');
  }
  try {
    if (!(await tf.setBackend(name))) throw new EnvironmentError(`the tfjs ${name} backend failed to start`);
    await tf.ready();
  } finally {
    restore();
  }
  if (name === 'wasm') releaseThreads();
  // The recurrence of the four LSTMs as one kernel, as the page's worker has it (inference; training keeps the
  // op path); on as many threads as tfjs's, with helper threads of its own. The projections stay XNNPACK's
  // here (faster than the SIMD matmul under Node 20's V8: registerPackedLstmWasm).
  if (name === 'wasm') {
    const helpers = Math.min(wasmThreadCount(), MAX_RECURRENCE_THREADS) - 1;
    await registerPackedLstmWasm({ helpers: () => Array.from({ length: helpers }, nodeLstmHelper), projections: false });
  } else {
    registerPackedLstmCpu();
  }
}

/** Threads the wasm backend computes with (1 before it starts, and for the single-threaded build). */
export function wasmThreadCount(): number {
  return tf.engine().registry.wasm ? Math.max(1, getThreadsCount()) : 1;
}

/**
 * tfjs-backend-wasm's threaded build in Node. The package turns it off there
 * (its WASM_HAS_MULTITHREAD_SUPPORT flag is false under Node, tfjs issue 3830)
 * because its browser glue starts each thread from blob: URLs, which Node's
 * worker_threads cannot load. Everything else works: Emscripten's pthreads run
 * on worker_threads. So, while the backend starts (and only then):
 *
 * - the flag is set, and tfjs is told the thread count;
 * - a worker asked for a blob: URL (the glue's .worker.js) gets that script's
 *   text (shipped in the package), evaluated, plus a loader that reads the
 *   glue's main script (also posted as a blob:) from its file;
 * - os.cpus() reports twice `threads` cores: tfjs caps its threads at half the
 *   logical cores (it assumes two hardware threads per core), and reads that
 *   count once, while the module starts.
 *
 * Returns the function that undoes the last two. Throws before changing
 * anything if the package's glue is not the one this was written for.
 */
function enableWasmThreads(dir: string, threads: number): () => void {
  const workerFile = path.join(dir, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
  const mainFile = path.join(dir, 'wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const contents = (require(workerFile) as { wasmWorkerContents?: unknown }).wasmWorkerContents;
  if (
    typeof contents !== 'string' ||
    !contents.includes('importScripts:function(f)') ||
    !contents.includes('URL.createObjectURL(e.data.urlOrBlob)')
  ) {
    throw new EnvironmentError(`tfjs-backend-wasm's thread glue (${workerFile}) is not the one the project knows: use one thread`);
  }
  // The script is a template literal in the package: its \n escapes became newlines (tfjs escapes them again, as here).
  const loader =
    `;{const fs=require("fs");const main=${JSON.stringify(mainFile)};` +
    'global.importScripts=function(f){f=String(f);(0,eval)(fs.readFileSync(f.startsWith("blob:")?main:f,"utf8")+"//# sourceURL="+(f.startsWith("blob:")?main:f))}}';
  const script = contents.replace(/\n/g, '\\n') + loader;
  const RealWorker = workerThreads.Worker;
  class GlueWorker extends RealWorker {
    constructor(file: string | URL, options?: workerThreads.WorkerOptions) {
      if (typeof file === 'string' && file.startsWith('blob:')) super(script, { ...options, eval: true });
      else super(file, options);
    }
  }
  const realCpus = os.cpus;
  // The glue reads require("worker_threads").Worker and require("os").cpus(): the CommonJS exports, patched here.
  const wt = require('node:worker_threads') as { Worker: typeof RealWorker };
  const osCjs = require('node:os') as { cpus: typeof os.cpus };
  wt.Worker = GlueWorker;
  osCjs.cpus = () => {
    const c = realCpus();
    return Array.from({ length: Math.max(c.length, 2 * threads) }, (_, i) => c[i % c.length]);
  };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  return () => {
    wt.Worker = RealWorker;
    osCjs.cpus = realCpus;
  };
}

/**
 * The threads tfjs started wait for work for as long as the process runs, and
 * a running worker thread keeps Node alive: the CLI would never exit. They only
 * ever work inside a call from this thread, so none of them needs to keep the
 * process alive: unreferenced.
 */
function releaseThreads(): void {
  const wasm = (tf.backend() as unknown as { wasm?: { PThread?: { runningWorkers?: { unref(): void }[] } } }).wasm;
  for (const w of wasm?.PThread?.runningWorkers ?? []) w.unref();
}
