/**
 * The extractor in a page, on WebGPU or on wasm (started as the playground's
 * worker starts them): the full-size Inception stand-in read from its
 * GraphDef and run by the project's interpreter (src/core/tfgraph), and the
 * same network written directly with tfjs ops (tools/testing/directInception),
 * timed in turns on the same frames. One backend per page.
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeGraphDef } from '../../src/core/tfgraph/graphDef';
import { prepareGraph } from '../../src/core/tfgraph/prepare';
import { GraphRunner } from '../../src/core/tfgraph/runner';
import { startTfjsWebGpu } from '../../src/kernels/tfjsWebGpu';
import { startWasm } from '../../src/worker/backends/backendWasm';
import { type DirectInception, directInception } from '../testing/directInception';
import { inceptionStandIn } from '../testing/inceptionStandIn';
import { rng } from '../testing/random';

const errors: string[] = [];
let runner: GraphRunner | null = null;
let direct: DirectInception | null = null;
let threads = 1;

async function init(a: { backend: 'webgpu' | 'wasm'; threads?: number }) {
  if (a.backend === 'webgpu') {
    const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new Error('no WebGPU adapter');
    await startTfjsWebGpu(adapter, (d) =>
      d.addEventListener('uncapturederror', (ev) => errors.push((ev as GPUUncapturedErrorEvent).error.message)),
    );
    const info = adapter.info as GPUAdapterInfo;
    return { backend: tf.getBackend(), threads: null, adapter: { vendor: info.vendor, architecture: info.architecture } };
  }
  const handle = await startWasm(a.threads ?? 1);
  threads = handle.threads ?? 1;
  return { backend: tf.getBackend(), threads, adapter: null };
}

async function build(a: { seed: number; size: 'full' | 'small' }) {
  const t0 = performance.now();
  const s = inceptionStandIn({ size: a.size, seed: a.seed });
  const t1 = performance.now();
  const g = prepareGraph(decodeGraphDef(s.bytes, 'classify_image_graph_def.pb'), 'classify_image_graph_def.pb', {
    input: 'DecodeJpeg:0',
    output: 'pool_3/_reshape:0',
    sampleInputShape: [360, 640, 3],
    outputShape: [1, 2048],
  });
  runner = new GraphRunner(g);
  const t2 = performance.now();
  direct = directInception(s.nodes);
  return { graphBytes: s.bytes.length, parameters: s.parameters, buildMs: t1 - t0, readAndUploadMs: t2 - t1, batches: runner.batches };
}

function frames(batch: number, h: number, w: number, seed: number): tf.Tensor3D[] {
  const r = rng(seed);
  return Array.from({ length: batch }, () =>
    tf.tensor3d(
      Int32Array.from({ length: h * w * 3 }, () => Math.floor(r() * 256)),
      [h, w, 3],
      'int32',
    ),
  );
}

/** One interpreter run and one direct run of the same `batch` frames, in the order asked; their times and largest difference. */
async function timeRound(a: { batch: number; height: number; width: number; seed: number; directFirst?: boolean }) {
  if (!runner || !direct) throw new Error('build first');
  const fs = frames(a.batch, a.height, a.width, a.seed);
  const stacked = tf.stack(fs) as tf.Tensor4D;
  const time = async (f: () => tf.Tensor) => {
    const t0 = performance.now();
    const out = f();
    const data = await out.data();
    const ms = performance.now() - t0;
    out.dispose();
    return { ms, data };
  };
  const order = a.directFirst ? ['direct', 'interpreter'] : ['interpreter', 'direct'];
  const res: Record<string, { ms: number; data: Float32Array | Int32Array | Uint8Array }> = {};
  for (const which of order) res[which] = await time(() => (which === 'direct' ? direct!.run(stacked) : runner!.run(fs)));
  let diff = 0;
  for (let i = 0; i < res.direct.data.length; i++) diff = Math.max(diff, Math.abs(res.direct.data[i] - res.interpreter.data[i]));
  tf.dispose([...fs, stacked]);
  return { interpreterMs: res.interpreter.ms, directMs: res.direct.ms, diff, errors: [...errors], tensors: tf.memory().numTensors };
}

/** The interpreter's output for seeded frames (the e2e test holds it to the float64 reference computed in Node). */
async function outputs(a: { batch: number; height: number; width: number; seed: number }) {
  if (!runner) throw new Error('build first');
  const fs = frames(a.batch, a.height, a.width, a.seed);
  const out = runner.run(fs);
  const data = Array.from(await out.data());
  tf.dispose([...fs, out]);
  return { shape: out.shape, data, errors: [...errors], backend: tf.getBackend() };
}

const extractorPage = { init, build, timeRound, outputs };
export type ExtractorPage = typeof extractorPage;
(window as unknown as { extractorPage: ExtractorPage }).extractorPage = extractorPage;
document.title = 'extractor page ready';
