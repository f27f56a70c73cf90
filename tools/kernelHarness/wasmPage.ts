/**
 * The project's wasm engine in a page: tfjs's wasm backend started as the
 * playground's worker starts it (src/worker/backends/backendWasm.ts: the
 * threaded SIMD build when the page is cross-origin isolated, the packed LSTM
 * kernel), running the benchmark's random full-size model. One thread count
 * per page (tfjs-wasm reads it once), so that bench/drivers/kernels.ts times
 * the project and ONNX Runtime Web in the same browser, on the same JavaScript
 * engine, interleaved run for run.
 */
import * as tf from '@tensorflow/tfjs-core';
import { FULL_SIZES, type Sizes, type Variant } from '../../src/core/model/architecture';
import { type LoadedModel, createModel, predictVideos } from '../../src/core/model/model';
import { startWasm } from '../../src/worker/backends/backendWasm';
import { packedLstmWasmThreads } from '../../src/kernels/packedLstmWasm';
import { randomVideo } from '../testing/random';
import { benchMeta, randomModelArrays } from './benchModel';

let model: LoadedModel | null = null;
let sizes: Sizes = FULL_SIZES;
let started = false;

async function init(a: { threads: number }) {
  if (started) throw new Error('init runs once per page: tfjs-wasm reads its thread count once');
  started = true;
  const handle = await startWasm(a.threads);
  return {
    backend: tf.getBackend(),
    threads: handle.threads,
    recurrenceThreads: packedLstmWasmThreads(),
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
  };
}

/** The random model of bench/helpers/nodeCases.ts (the same seed gives the same weights), weights [in, out] as wasm prefers. */
async function buildModel(a: { variant: Variant; sizes?: Sizes; seed: number }) {
  model?.dispose();
  sizes = a.sizes ?? FULL_SIZES;
  model = createModel(benchMeta(a.variant, sizes), randomModelArrays(a.variant, sizes, a.seed), 'in-out');
  return { tensors: tf.memory().numTensors };
}

/** One timed predictVideos call of a batch (videos made before the clock starts), as nodeCases.ts's serve mode does. */
async function timeRun(a: { lengths: number[]; seed: number; outputs?: boolean }) {
  if (!model) throw new Error('buildModel first');
  const videos = a.lengths.map((n, i) => randomVideo(sizes, n, a.seed + i));
  const t0 = performance.now();
  const out = await predictVideos(model, videos, { batchSize: videos.length });
  const ms = performance.now() - t0;
  return {
    ms,
    outputs: a.outputs
      ? out.map((v) => ({ probabilities: [...v.probabilities], attention: { rgb: [...v.attention.rgb], audio: [...v.attention.audio] } }))
      : undefined,
  };
}

const wasmPage = { init, buildModel, timeRun };
export type WasmPage = typeof wasmPage;
(window as unknown as { wasmPage: WasmPage }).wasmPage = wasmPage;
document.title = 'wasm page ready';
