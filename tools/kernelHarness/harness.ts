/**
 * The page behind e2e/fusedLstm.e2e.ts and bench/drivers/kernels.ts: tfjs on WebGPU in a
 * plain page, with functions on `window.kernelHarness` that build random
 * models, run the fused and the op path, compare them and time them. Every
 * function returns plain JSON for Playwright's page.evaluate.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { FULL_SIZES, type Sizes, type Variant, canonicalTensors, multiplyAdds } from '../../src/core/model/architecture';
import { type BiLstmRunner, type GateInputs, batchGeometry, paddedOpsBiLstm } from '../../src/core/model/attentionLstm';
import { type PackedGateInputs, type PackedLayout, packedLayout } from '../../src/core/model/packedBatch';
import { type LoadedModel, createModel, predictVideos } from '../../src/core/model/model';
import { writePickledParams } from '../../src/core/paddle/pdparamsPickle';
import { convertAndLoad } from '../testing/memoryModel';
import { randomPaddleParams, randomVideo, rng } from '../testing/random';
import { createFusedBiLstm, type FusedBiLstm } from '../../src/kernels/fusedBiLstmWebgpu';
import { LSTM_ORDER } from '../../src/kernels/packing';
import { benchMeta, randomModelArrays } from './benchModel';
import { matMulWebGpu, webgpuLinear } from '../../src/kernels/matmulWebgpu';
import { releaseFreeBuffers, startTfjsWebGpu } from '../../src/kernels/tfjsWebGpu';
import { maxDiff } from '../testing/compare';

const errors: string[] = [];
let adapterInfo: Record<string, unknown> = {};

/** Starts tfjs's WebGPU backend on a device we hold, so that its errors are heard. */
async function init() {
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter');
  // The device and tfjs's backend as the page's worker starts them, so that both paths run as they do there.
  const device = await startTfjsWebGpu(adapter, (d) => {
    d.addEventListener('uncapturederror', (ev) => errors.push((ev as GPUUncapturedErrorEvent).error.message));
    void d.lost.then((info) => errors.push(`device lost: ${info.reason} ${info.message}`));
  });
  const l = adapter.limits;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  adapterInfo = {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description,
    isFallbackAdapter: info.isFallbackAdapter ?? null,
  };
  return {
    setBackend: true,
    backend: tf.getBackend(),
    adapter: adapterInfo,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    limits: {
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxStorageBuffersPerShaderStage: device.limits.maxStorageBuffersPerShaderStage,
    },
  };
}

/** The packed rows of padded gate inputs [B, T, 4D]. */
function packGates(G: GateInputs, layout: PackedLayout): PackedGateInputs {
  return tf.tidy(() => {
    const rows = tf.tensor1d(layout.sourceRows, 'int32');
    const p = (g: tf.Tensor3D) => tf.gather(tf.reshape(g, [layout.B * layout.T, g.shape[2]]), rows) as tf.Tensor2D;
    return { rgb: { fw: p(G.rgb.fw), bw: p(G.rgb.bw) }, audio: { fw: p(G.audio.fw), bw: p(G.audio.bw) } };
  });
}

interface CompareArgs {
  variant: Variant;
  sizes: Sizes;
  seed: number;
  /** Range of the random Paddle weights. */
  scale: number;
  lengths: number[];
  layout: 'in-out' | 'out-in';
  batchTile?: number;
  units?: number;
}

/**
 * One random model through the fused and the op path: the LSTMs' outputs on
 * random gate inputs, then whole videos (probabilities and attention).
 */
async function compare(a: CompareArgs) {
  const before = tf.memory().numTensors;
  const params = randomPaddleParams(a.variant, a.sizes, a.seed, a.scale);
  const model = await convertAndLoad('random.pdparams', writePickledParams(params, { protocol: 2 }), a.layout);
  const fused = createFusedBiLstm(model, { batchTile: a.batchTile, units: a.units });

  // The recurrence alone, on gate inputs of a wide range.
  const T = Math.max(...a.lengths);
  const B = a.lengths.length;
  const D = a.sizes.lstm;
  const r = rng(a.seed + 1);
  const g = () =>
    tf.tensor3d(
      Float32Array.from({ length: B * T * 4 * D }, () => (r() * 2 - 1) * 2),
      [B, T, 4 * D],
    );
  const layout = packedLayout(a.lengths, T);
  const [want, got] = tf.tidy(() => {
    const G: GateInputs = { rgb: { fw: g(), bw: g() }, audio: { fw: g(), bw: g() } };
    const geo = batchGeometry(a.lengths, T);
    return [paddedOpsBiLstm(G, model.weights, model.spec, geo), fused.packed.run(packGates(G, layout), model.weights, model.spec, layout)];
  });
  // The fused kernel's packed rows against the op path's padded frames, every real frame.
  let lstmDiff = 0;
  for (const { m, d } of LSTM_ORDER) {
    const fu = await got[m].data();
    const op = await want[m][d].data();
    for (let v = 0; v < B; v++) {
      for (let t = 0; t < a.lengths[v]; t++) {
        const row = layout.paddedRows[v * T + t];
        for (let j = 0; j < D; j++) {
          const diff = Math.abs(fu[row * 2 * D + (d === 'bw' ? D : 0) + j] - op[(v * T + t) * D + j]);
          lstmDiff = Math.max(lstmDiff, Number.isNaN(diff) ? Infinity : diff);
        }
      }
    }
  }
  tf.dispose([want, got] as unknown as tf.Tensor[]);

  // Whole videos, one batch of mixed lengths.
  const videos = a.lengths.map((n, i) => randomVideo(a.sizes, n, a.seed * 100 + i));
  const ops = await predictVideos(model, videos, { batchSize: videos.length, biLstm: paddedOpsBiLstm });
  const fu = await predictVideos(model, videos, { batchSize: videos.length, biLstm: fused });
  let probDiff = 0;
  let attDiff = 0;
  videos.forEach((_, i) => {
    probDiff = Math.max(probDiff, maxDiff(fu[i].probabilities, ops[i].probabilities));
    attDiff = Math.max(attDiff, maxDiff(fu[i].attention.rgb, ops[i].attention.rgb), maxDiff(fu[i].attention.audio, ops[i].attention.audio));
  });
  const p = ops[0].probabilities;
  const spread = Math.max(...p) - Math.min(...p);
  fused.dispose();
  model.dispose();
  return {
    lstmDiff,
    probDiff,
    attDiff,
    spread,
    leakedTensors: tf.memory().numTensors - before,
    errors: [...errors],
    backend: tf.getBackend(),
  };
}

/**
 * The GPU memory tfjs holds (allocated, used or pooled) after each of a run of
 * packed batches, every one of other lengths, with or without
 * releaseFreeBuffers between them as the page's worker calls it.
 */
async function bufferPool(a: { batches: number; release: boolean }) {
  const sizes: Sizes = { rgbDim: 64, audioDim: 16, embed: 16, lstm: 24, head1: 16, head2: 16, classes: 8 };
  const params = randomPaddleParams('paddlevideo2', sizes, 3, 0.5);
  const model = await convertAndLoad('random.pdparams', writePickledParams(params, { protocol: 2 }), 'out-in');
  const fused = createFusedBiLstm(model);
  const allocated: number[] = [];
  for (let i = 0; i < a.batches; i++) {
    const videos = [20 + i, 13 + 2 * i, 5 + 3 * i].map((n, j) => randomVideo(sizes, n, i * 10 + j));
    await predictVideos(model, videos, { batchSize: videos.length, biLstm: fused });
    if (a.release) releaseFreeBuffers();
    allocated.push((tf.backend() as WebGPUBackend).bufferManager.numBytesAllocated);
  }
  fused.dispose();
  model.dispose();
  return { allocated, errors: [...errors] };
}

/** The register-tiled matmul against tfjs's, for a list of shapes, both layouts, with and without bias. */
async function compareMatMul(a: { shapes: [number, number, number][] }) {
  const r = rng(17);
  const rand = (n: number) => Float32Array.from({ length: n }, () => r() * 2 - 1);
  let worst = 0;
  for (const [M, K, N] of a.shapes) {
    for (const layout of ['out-in', 'in-out'] as const) {
      for (const withBias of [true, false]) {
        const x = tf.tensor2d(rand(M * K), [M, K]);
        const w = layout === 'out-in' ? tf.tensor2d(rand(N * K), [N, K]) : tf.tensor2d(rand(K * N), [K, N]);
        const b = withBias ? tf.tensor1d(rand(N)) : null;
        const got = matMulWebGpu(x, w, b, layout);
        const want = tf.tidy(() => {
          const y = tf.matMul(x, w, false, layout === 'out-in');
          return b ? tf.add(y, b) : y;
        });
        // Relative to the size of the sum, which grows with K.
        worst = Math.max(worst, maxDiff(await got.data(), await want.data()) / Math.sqrt(K));
        tf.dispose([x, w, got, want, ...(b ? [b] : [])]);
      }
    }
  }
  return { worst, errors: [...errors] };
}

// ---------------------------------------------------------------- benchmark

let benchModel: LoadedModel | null = null;
let fusedRunner: FusedBiLstm | null = null;
const lastProbabilities = new Map<string, Float32Array[]>();

/** Waits for the GPU work queued so far (a read waits for everything submitted before it). */
async function flush(): Promise<void> {
  const t = tf.add(tf.zeros([4096]), 1); // large enough to run on the GPU, after all the work queued before it
  await t.data();
  t.dispose();
}

/** A full-size (or given-size) model with random weights, stored as WebGPU likes it ([out, in]). */
async function buildModel(a: { variant: Variant; sizes?: Sizes; seed: number }) {
  fusedRunner?.dispose();
  benchModel?.dispose();
  const sizes = a.sizes ?? FULL_SIZES;
  const arrays = randomModelArrays(a.variant, sizes, a.seed);
  const t0 = performance.now();
  benchModel = createModel(benchMeta(a.variant, sizes), arrays, 'out-in');
  await flush();
  const t1 = performance.now();
  fusedRunner = createFusedBiLstm(benchModel);
  await flush();
  const t2 = performance.now();
  return { parameters: [...arrays.values()].reduce((n, x) => n + x.length, 0), uploadMs: t1 - t0, packMs: t2 - t1, errors: [...errors] };
}

/**
 * Times predictVideos over one batch of videos of these lengths: warm-up runs, then `runs` timed runs.
 * `outputs` returns the last run's probabilities and attention (the ONNX Runtime peer is held to them).
 */
async function timeCase(a: {
  path: 'webgpu-fused' | 'webgpu-ops' | 'webgpu-no-lstm';
  lengths: number[];
  runs: number;
  warmup: number;
  seed: number;
  outputs?: boolean;
}) {
  if (!benchModel || !fusedRunner) throw new Error('buildModel first');
  const model = benchModel;
  const sizes = model.spec.sizes;
  const videos = a.lengths.map((n, i) => randomVideo(sizes, n, a.seed + i));
  // 'webgpu-no-lstm' (diagnostic): everything but the recurrence, whose outputs are zeros.
  const noLstm: BiLstmRunner = Object.assign(
    (G: GateInputs) => {
      const z = () => tf.zeros([G.rgb.fw.shape[0], G.rgb.fw.shape[1], G.rgb.fw.shape[2] / 4]) as tf.Tensor3D;
      return { rgb: { fw: z(), bw: z() }, audio: { fw: z(), bw: z() } };
    },
    { linear: webgpuLinear },
  );
  const biLstm: BiLstmRunner = a.path === 'webgpu-fused' ? fusedRunner : a.path === 'webgpu-ops' ? paddedOpsBiLstm : noLstm;
  const times: number[] = [];
  let probs: Float32Array[] = [];
  let last: Awaited<ReturnType<typeof predictVideos>> = [];
  for (let i = 0; i < a.warmup + a.runs; i++) {
    const t0 = performance.now();
    const res = await predictVideos(model, videos, { batchSize: videos.length, biLstm });
    const ms = performance.now() - t0;
    if (i >= a.warmup) times.push(ms);
    probs = res.map((v) => v.probabilities);
    last = res;
  }
  const key = `${a.path === 'webgpu-no-lstm' ? 'x' : ''}${a.lengths.join(',')}`;
  const other = lastProbabilities.get(key);
  const diffVsOtherPath = other ? Math.max(...probs.map((p, i) => maxDiff(p, other[i]))) : null;
  lastProbabilities.set(key, probs);
  const macs = a.lengths.reduce((n, f) => n + multiplyAdds(sizes, f), 0);
  const outputs = a.outputs
    ? last.map((v) => ({ probabilities: [...v.probabilities], attention: { rgb: [...v.attention.rgb], audio: [...v.attention.audio] } }))
    : null;
  return { times, macs, diffVsOtherPath, outputs, errors: [...errors], numTensors: tf.memory().numTensors };
}

/** Frees the benchmark model (before other pages of the session need the memory). */
function disposeModel() {
  fusedRunner?.dispose();
  benchModel?.dispose();
  fusedRunner = null;
  benchModel = null;
  lastProbabilities.clear();
  return { numTensors: tf.memory().numTensors };
}

/** The recurrence alone on random gate inputs (kernel tuning): prepareLstm, then timeLstm runs, then disposeLstm. */
let lstmCase: { run: () => Promise<void>; T: number; dispose: () => void } | null = null;

function prepareLstm(a: {
  path: 'webgpu-fused' | 'webgpu-ops';
  variant: Variant;
  D: number;
  lengths: number[];
  batchTile?: number;
  units?: number;
  kUnroll?: number;
  workgroupSize?: number;
}) {
  disposeLstm();
  const sizes = { ...FULL_SIZES, lstm: a.D };
  const r = rng(3);
  const w: Record<string, tf.Tensor> = {};
  for (const { name, shape } of canonicalTensors(a.variant, sizes)) {
    if (!/\.(fw|bw)\.(wh|bh|peep)$/.test(name)) continue;
    const n = shape.reduce((x, y) => x * y, 1);
    const data = Float32Array.from({ length: n }, () => (r() * 2 - 1) / Math.sqrt(a.D));
    w[name] = name.endsWith('.wh') ? tf.tensor2d(data, [4 * a.D, a.D]) : tf.tensor(data, shape);
  }
  const spec = { variant: a.variant, sizes, layout: 'out-in' as const };
  const T = Math.max(...a.lengths);
  const B = a.lengths.length;
  const G: GateInputs = tf.tidy(() => {
    const g = () => tf.randomUniform([B, T, 4 * a.D], -1, 1) as tf.Tensor3D;
    return { rgb: { fw: g(), bw: g() }, audio: { fw: g(), bw: g() } };
  });
  const geo = batchGeometry(a.lengths, T);
  // The fused kernel runs on the packed rows (the real frames), the op path on the padded batch.
  const layout = packedLayout(a.lengths, T);
  const PG = packGates(G, layout);
  const fused =
    a.path === 'webgpu-fused'
      ? createFusedBiLstm(
          { weights: w, spec },
          { batchTile: a.batchTile, units: a.units, kUnroll: a.kUnroll, workgroupSize: a.workgroupSize },
        )
      : null;
  lstmCase = {
    T,
    run: async () => {
      const out = tf.tidy(() =>
        fused
          ? Object.values(fused.packed.run(PG, w, spec, layout))
          : Object.values(paddedOpsBiLstm(G, w, spec, geo)).flatMap((x) => [x.fw, x.bw]),
      );
      await out[out.length - 1].data();
      tf.dispose(out);
    },
    dispose: () => {
      fused?.dispose();
      tf.dispose([G, PG, w, geo.mask] as unknown as tf.Tensor[]);
    },
  };
  return { errors: [...errors] };
}

async function timeLstm(a: { runs: number }) {
  if (!lstmCase) throw new Error('prepareLstm first');
  const times: number[] = [];
  for (let i = 0; i < a.runs; i++) {
    const t0 = performance.now();
    await lstmCase.run();
    times.push(performance.now() - t0);
  }
  return { times, msPerStep: times.map((t) => t / lstmCase!.T), errors: [...errors] };
}

function disposeLstm() {
  lstmCase?.dispose();
  lstmCase = null;
}

/** Raw WebGPU timing of a WGSL compute shader (kernel design experiments): ms per dispatch. */
async function micro(a: { code: string; dispatch: [number, number, number]; buffers: number[]; runs: number; perRun: number }) {
  const device = (tf.backend() as WebGPUBackend).device;
  const errorsBefore = errors.length;
  const module = device.createShaderModule({ code: a.code });
  const info = await module.getCompilationInfo();
  const msgs = info.messages.filter((m) => m.type === 'error').map((m) => `${m.lineNum}: ${m.message}`);
  if (msgs.length) return { error: msgs.join('\n'), times: [] as number[] };
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const r = rng(1);
  const buffers = a.buffers.map((n) => {
    const b = device.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    device.queue.writeBuffer(
      b,
      0,
      Float32Array.from({ length: n }, () => r() * 0.01),
    );
    return b;
  });
  const bind = device.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: buffers.map((buffer, i) => ({ binding: i, resource: { buffer } })),
  });
  const times: number[] = [];
  for (let i = 0; i < a.runs + 1; i++) {
    const t0 = performance.now();
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    for (let j = 0; j < a.perRun; j++) pass.dispatchWorkgroups(...a.dispatch);
    pass.end();
    device.queue.submit([enc.finish()]);
    await device.queue.onSubmittedWorkDone();
    if (i > 0) times.push((performance.now() - t0) / a.perRun);
  }
  buffers.forEach((b) => b.destroy());
  if (errors.length > errorsBefore) return { error: errors.slice(errorsBefore).join('\n'), times };
  return { error: null, times };
}

/**
 * The backend's measured peak: an n x n x n matMul, by tfjs (B stored [out, in],
 * its fast layout on WebGPU) or by the register-tiled program of this folder.
 */
async function peak(a: { n: number; runs: number; impl: 'tfjs' | 'custom' }) {
  const { n } = a;
  const x = tf.randomUniform([n, n]) as tf.Tensor2D;
  const w = tf.randomUniform([n, n]) as tf.Tensor2D;
  const times: number[] = [];
  for (let i = 0; i < a.runs + 1; i++) {
    const t0 = performance.now();
    const y = a.impl === 'custom' ? matMulWebGpu(x, w, null, 'out-in') : tf.matMul(x, w, false, true);
    await y.data();
    const ms = performance.now() - t0;
    y.dispose();
    if (i > 0) times.push(ms);
  }
  tf.dispose([x, w]);
  return { n, times, macs: n * n * n, errors: [...errors] };
}

const harness = {
  init,
  compare,
  compareMatMul,
  bufferPool,
  buildModel,
  disposeModel,
  timeCase,
  prepareLstm,
  timeLstm,
  disposeLstm,
  micro,
  peak,
  errors: () => [...errors],
};
export type KernelHarness = typeof harness;
(window as unknown as { kernelHarness: KernelHarness }).kernelHarness = harness;
document.title = 'kernel harness ready';
