/**
 * The benchmark's peer: ONNX Runtime Web running the project's own ONNX export
 * (src/core/export/onnx.ts) of the same random model on the same videos, on
 * its wasm backend (1 or more threads) or on WebGPU. One configuration per page:
 * ONNX Runtime reads its settings (threads, backend) once, at its first session,
 * so bench/drivers/kernels.ts and e2e/ortPeer.e2e.ts open a page per
 * configuration, in the same Chromium as the project's cases. The .wasm and
 * .mjs files come from the harness's own server (node_modules), never a CDN;
 * threads need cross-origin isolation, which that server's headers give.
 */
import type * as Ort from 'onnxruntime-web';
import { FULL_SIZES, type Sizes, type Variant, multiplyAdds } from '../../src/core/model/architecture';
import { toOnnx } from '../../src/core/export/onnx';
import type { VideoFeatures } from '../../src/core/features/featureTypes';
import { randomVideo } from '../testing/random';
import { maxDiff } from '../testing/compare';
import { benchMeta, randomModelArrays } from './benchModel';

export type OrtEngine = 'wasm' | 'webgpu';

let ort: typeof Ort | null = null;
let engine: OrtEngine = 'wasm';
let session: Ort.InferenceSession | null = null;
let sizes: Sizes = FULL_SIZES;
const warnings: string[] = [];

function need<T>(x: T | null, what: string): T {
  if (x === null) throw new Error(`${what} first`);
  return x;
}

/** Loads ONNX Runtime Web for one engine and thread count; once per page. */
async function init(a: { engine: OrtEngine; threads: number }) {
  if (ort) throw new Error('init runs once per page: ONNX Runtime reads its settings at its first session');
  engine = a.engine;
  // The WebGPU build (asyncify, ONNX Runtime's WebGPU execution provider) or the plain wasm build.
  ort = (a.engine === 'webgpu' ? await import('onnxruntime-web/webgpu') : await import('onnxruntime-web/wasm')) as unknown as typeof Ort;
  ort.env.wasm.numThreads = a.threads;
  ort.env.wasm.proxy = false;
  // The runtime's .mjs and .wasm from this server, not a CDN.
  ort.env.wasm.wasmPaths = new URL('/node_modules/onnxruntime-web/dist/', location.href).href;
  ort.env.logLevel = 'warning';
  let adapter: Record<string, unknown> | null = null;
  if (a.engine === 'webgpu') {
    const ad = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (!ad) throw new Error('no WebGPU adapter');
    const info = ad.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    adapter = { vendor: info.vendor, architecture: info.architecture, description: info.description };
  }
  return {
    version: ort.env.versions.web,
    crossOriginIsolated: self.crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    adapter,
  };
}

/**
 * Builds the random model as bench/helpers/nodeCases.ts and tools/kernelHarness/harness.ts do
 * (randomModelArrays), exports it with the project's ONNX exporter and opens a session on it.
 */
async function buildModel(a: { variant: Variant; sizes?: Sizes; seed: number; verbose?: boolean }) {
  const o = need(ort, 'init');
  await session?.release();
  session = null;
  sizes = a.sizes ?? FULL_SIZES;
  const t0 = performance.now();
  const arrays = randomModelArrays(a.variant, sizes, a.seed);
  const bytes = toOnnx(benchMeta(a.variant, sizes), arrays);
  arrays.clear();
  const t1 = performance.now();
  // Where ONNX Runtime places the nodes (a node the engine lacks runs on the wasm CPU provider): its log says so.
  const before = warnings.length;
  session = await o.InferenceSession.create(bytes, {
    executionProviders: [engine],
    graphOptimizationLevel: 'all',
    // Info level: the WebGPU provider names each node it has no kernel for (those run on the CPU provider).
    logSeverityLevel: a.verbose ? 0 : 1,
    logVerbosityLevel: a.verbose ? 1 : 0,
  });
  const t2 = performance.now();
  const log = warnings.slice(before);
  const offEngine = new Set<string>();
  for (const line of log) {
    const m = /kernel not found in registries for Op type: (\S+) node name: (\S+)/.exec(line);
    if (m) offEngine.add(`${m[1]} (${m[2]})`);
  }
  return {
    onnxBytes: bytes.length,
    exportMs: t1 - t0,
    sessionMs: t2 - t1,
    threads: o.env.wasm.numThreads ?? null,
    /** Nodes the WebGPU provider has no kernel for, run on the CPU (wasm) provider instead. */
    nodesOnCpu: [...offEngine],
    warnings: a.verbose ? log : log.filter((l) => /\[[WE]:onnxruntime/.test(l)),
  };
}

/** The same videos as the project's cases (randomVideo(sizes, n, seed + i)), made before any timing. */
function videosOf(lengths: readonly number[], seed: number): VideoFeatures[] {
  return lengths.map((n, b) => randomVideo(sizes, n, seed + b));
}

/** One padded batch, as predictVideos packs it (inside the timed call). */
function feeds(o: typeof Ort, videos: readonly VideoFeatures[]) {
  const B = videos.length;
  const T = Math.max(...videos.map((v) => v.frames));
  const rgb = new Float32Array(B * T * sizes.rgbDim);
  const audio = new Float32Array(B * T * sizes.audioDim);
  videos.forEach((v, b) => {
    rgb.set(v.rgb.subarray(0, v.frames * sizes.rgbDim), b * T * sizes.rgbDim);
    audio.set(v.audio.subarray(0, v.frames * sizes.audioDim), b * T * sizes.audioDim);
  });
  return {
    rgb: new o.Tensor('float32', rgb, [B, T, sizes.rgbDim]),
    audio: new o.Tensor('float32', audio, [B, T, sizes.audioDim]),
    lengths: new o.Tensor('int32', Int32Array.from(videos.map((v) => v.frames)), [B]),
  };
}

/** One inference of a batch: pack, run, read back per video (what a predictVideos call does). */
async function runOnce(videos: readonly VideoFeatures[]) {
  const o = need(ort, 'init');
  const s = need(session, 'buildModel');
  const out = await s.run(feeds(o, videos));
  const C = sizes.classes;
  const T = Math.max(...videos.map((v) => v.frames));
  const p = out.probabilities.data as Float32Array;
  const ar = out.attention_rgb.data as Float32Array;
  const aa = out.attention_audio.data as Float32Array;
  const result = videos.map((v, b) => ({
    probabilities: p.slice(b * C, (b + 1) * C),
    attention: { rgb: ar.slice(b * T, b * T + v.frames), audio: aa.slice(b * T, b * T + v.frames) },
  }));
  for (const t of Object.values(out)) t.dispose();
  return result;
}

/**
 * Checks the peer against the project's probabilities (and attention, when
 * given) for the same videos with one run, which also warms it up; then times
 * `runs` runs after `warmup` more. Equivalence comes first: with a difference
 * above `tolerance` nothing is timed.
 */
async function timeCase(a: {
  lengths: number[];
  seed: number;
  runs: number;
  warmup: number;
  reference: number[][];
  tolerance: number;
  referenceAttention?: { rgb: number[]; audio: number[] }[];
}) {
  const videos = videosOf(a.lengths, a.seed);
  const t0 = performance.now();
  const first = await runOnce(videos);
  const firstMs = performance.now() - t0;
  if (a.reference.length !== first.length) throw new Error(`reference has ${a.reference.length} videos, the case ${first.length}`);
  const probDiff = Math.max(...first.map((v, i) => maxDiff(v.probabilities, a.reference[i])));
  const attDiff = a.referenceAttention
    ? Math.max(
        ...first.map((v, i) =>
          Math.max(maxDiff(v.attention.rgb, a.referenceAttention![i].rgb), maxDiff(v.attention.audio, a.referenceAttention![i].audio)),
        ),
      )
    : null;
  const equivalent = probDiff <= a.tolerance && (attDiff === null || attDiff <= a.tolerance);
  const times: number[] = [];
  if (equivalent) {
    for (let i = 0; i < a.warmup + a.runs; i++) {
      const t = performance.now();
      await runOnce(videos);
      const ms = performance.now() - t;
      if (i >= a.warmup) times.push(ms);
    }
  }
  const macs = a.lengths.reduce((n, f) => n + multiplyAdds(sizes, f), 0);
  return { equivalent, probDiff, attDiff, firstMs, times, macs };
}

/** One timed inference of a batch (pack, run, read back), for a driver that interleaves it with another engine's. */
async function timeRun(a: { lengths: number[]; seed: number }) {
  const videos = videosOf(a.lengths, a.seed);
  const t0 = performance.now();
  await runOnce(videos);
  return { ms: performance.now() - t0 };
}

/** Probabilities and attention of one batch, for tests. */
async function predict(a: { lengths: number[]; seed: number }) {
  const r = await runOnce(videosOf(a.lengths, a.seed));
  return r.map((v) => ({ probabilities: [...v.probabilities], attention: { rgb: [...v.attention.rgb], audio: [...v.attention.audio] } }));
}

async function release() {
  await session?.release();
  session = null;
}

// ONNX Runtime writes its log (node placement, fallbacks) to the console: keep its lines.
for (const level of ['log', 'warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    const line = args.map(String).join(' ');
    if (/onnxruntime/i.test(line)) {
      // eslint-disable-next-line no-control-regex
      warnings.push(line.replace(/\x1b\[[0-9;]*m/g, ''));
      // Its info and verbose lines are kept here, not printed.
      if (/\[[IV]:onnxruntime/.test(line)) return;
    }
    original(...args);
  };
}

const ortPeer = { init, buildModel, timeCase, timeRun, predict, release, warnings: () => [...warnings] };
export type OrtPeer = typeof ortPeer;
(window as unknown as { ortPeer: OrtPeer }).ortPeer = ortPeer;
document.title = 'ort peer ready';
