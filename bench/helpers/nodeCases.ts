/**
 * The benchmark's Node half: the full-size AttentionLSTM (random weights) as
 * the command line runs it on wasm (SimdModel: the whole forward pass on the
 * project's SIMD kernels, one batch), or on tfjs's cpu backend with the
 * packed LSTM kernel (src/kernels/packedLstmCpu.ts). Driven by
 * bench/drivers/kernels.ts, in one of two modes:
 *
 * - batch: runs the cases given as JSON, prints one JSON document (NodeResult):
 *     tsx bench/helpers/nodeCases.ts cpu '{"cases":[{"lengths":[300],"runs":3,"warmup":1}],"peakN":1024}'
 * - serve: loads the model once, then answers one JSON line on stdout per JSON
 *   line on stdin ({"cmd":"run","lengths":[..],"seed":5,"outputs":false},
 *   {"cmd":"peak","n":2048,"runs":2}, {"cmd":"quit"}), so that the driver can
 *   interleave its runs with another engine's:
 *     tsx bench/helpers/nodeCases.ts serve wasm '{"threads":2}'
 *
 * Threads: the engine's, from the JSON's `threads` (helper worker threads of
 * the SIMD kernels, src/node/lstmHelper.ts); the peak is tfjs-wasm's matMul on one.
 */
import { createInterface } from 'node:readline';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type NodeBackend } from '../../src/node/backend';
import { FULL_SIZES, multiplyAdds } from '../../src/core/model/architecture';
import { createModel, predictVideos, type VideoPredictor } from '../../src/core/model/model';
import { SimdModel } from '../../src/kernels/lstmSimd/model';
import { MAX_RECURRENCE_THREADS } from '../../src/kernels/lstmSimd/layout';
import { nodeLstmHelper } from '../../src/node/lstmHelper';
import { randomVideo } from '../../tools/testing/random';
import { benchMeta, randomModelArrays } from '../../tools/kernelHarness/benchModel';

export interface NodeCase {
  lengths: number[];
  runs: number;
  warmup: number;
}

interface NodeCaseResult extends NodeCase {
  times: number[];
  macs: number;
}

export interface NodeResult {
  backend: NodeBackend;
  /** Threads of the wasm backend (1 for cpu). */
  threads: number;
  cases: NodeCaseResult[];
  peak: { n: number; times: number[]; macs: number };
}

/** serve mode: one request per line on stdin, one reply per line on stdout. */
export type ServeRequest =
  { cmd: 'run'; lengths: number[]; seed: number; outputs?: boolean } | { cmd: 'peak'; n: number; runs: number } | { cmd: 'quit' };
export type ServeReply =
  | { ok: true; ready: true; threads: number }
  | { ok: true; ms: number; macs: number; outputs?: { probabilities: number[]; attention: { rgb: number[]; audio: number[] } }[] }
  | { ok: true; peak: { n: number; times: number[]; macs: number } }
  | { ok: false; error: string };

const tag = `${process.argv[2] === 'serve' ? process.argv[3] : process.argv[2]}`;
const log = (s: string) => process.stderr.write(`[${tag}] ${s}\n`);

/**
 * wasm: the command line's engine (SimdModel, src/kernels/lstmSimd/model.ts) on `threads` threads; tfjs's
 * wasm backend is started too, on as many, for the peak (its matMul, XNNPACK). cpu: tfjs's cpu backend with the packed kernel.
 */
async function start(backend: NodeBackend, threads: number): Promise<VideoPredictor & { dispose(): void; threads: number }> {
  await useBackend(backend, { threads });
  const arrays = randomModelArrays('fluid1', FULL_SIZES, 1);
  if (backend === 'wasm') {
    const helpers = Array.from({ length: Math.min(threads, MAX_RECURRENCE_THREADS) - 1 }, nodeLstmHelper);
    return SimdModel.fromWeights(benchMeta('fluid1', FULL_SIZES), arrays, { helpers });
  }
  // tfjs's cpu backend is fastest with weights [in, out] (see WeightLayout).
  const m = createModel(benchMeta('fluid1', FULL_SIZES), arrays, 'in-out');
  return {
    meta: m.meta,
    threads: 1,
    dispose: () => m.dispose(),
    predict: (videos) => predictVideos(m, videos, { batchSize: videos.length }),
  };
}

async function timeRun(model: Awaited<ReturnType<typeof start>>, lengths: number[], seed: number) {
  const videos = lengths.map((n, i) => randomVideo(FULL_SIZES, n, seed + i));
  const t0 = performance.now();
  // All the videos in one batch (the engine's own memory budget takes the 32 videos as one).
  const out = await model.predict(videos, { batchSize: videos.length });
  return { ms: performance.now() - t0, out, macs: lengths.reduce((n, f) => n + multiplyAdds(FULL_SIZES, f), 0) };
}

async function peak(n: number, runs: number) {
  const x = tf.randomUniform([n, n]);
  const w = tf.randomUniform([n, n]);
  const times: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const t0 = performance.now();
    const y = tf.matMul(x, w);
    await y.data();
    if (i > 0) times.push(performance.now() - t0);
    y.dispose();
  }
  tf.dispose([x, w]);
  log(`peak ${n}^3 matMul: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  return { n, times, macs: n * n * n };
}

async function batch(): Promise<void> {
  const backend = process.argv[2] as NodeBackend;
  const cfg = JSON.parse(process.argv[3]) as { cases: NodeCase[]; peakN: number; peakRuns?: number; threads?: number };
  const model = await start(backend, cfg.threads ?? 1);
  const cases: NodeCaseResult[] = [];
  for (const c of cfg.cases) {
    const times: number[] = [];
    let macs = 0;
    for (let i = 0; i < c.warmup + c.runs; i++) {
      const r = await timeRun(model, c.lengths, 5);
      macs = r.macs;
      log(`${c.lengths.length} video(s), max ${Math.max(...c.lengths)} frames: ${r.ms.toFixed(0)} ms${i < c.warmup ? ' (warm-up)' : ''}`);
      if (i >= c.warmup) times.push(r.ms);
    }
    cases.push({ ...c, times, macs });
  }
  const threads = model.threads;
  model.dispose();
  const p = await peak(cfg.peakN, cfg.peakRuns ?? 2);
  const result: NodeResult = { backend, threads, cases, peak: p };
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function serve(): Promise<void> {
  const backend = process.argv[3] as NodeBackend;
  const cfg = JSON.parse(process.argv[4] ?? '{}') as { threads?: number };
  const reply = (r: ServeReply) => process.stdout.write(JSON.stringify(r) + '\n');
  const model = await start(backend, cfg.threads ?? 1);
  const threads = model.threads;
  log(`ready, ${threads} thread(s)`);
  reply({ ok: true, ready: true, threads });
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const req = JSON.parse(line) as ServeRequest;
    try {
      if (req.cmd === 'quit') break;
      if (req.cmd === 'peak') {
        reply({ ok: true, peak: await peak(req.n, req.runs) });
      } else {
        const r = await timeRun(model, req.lengths, req.seed);
        log(`${req.lengths.length} video(s), max ${Math.max(...req.lengths)} frames: ${r.ms.toFixed(0)} ms`);
        reply({
          ok: true,
          ms: r.ms,
          macs: r.macs,
          ...(req.outputs
            ? {
                outputs: r.out.map((v) => ({
                  probabilities: [...v.probabilities],
                  attention: { rgb: [...v.attention.rgb], audio: [...v.attention.audio] },
                })),
              }
            : {}),
        });
      }
    } catch (e) {
      reply({ ok: false, error: String((e as Error).message ?? e) });
    }
  }
  model.dispose();
}

if (process.argv[2] === 'serve') await serve();
else await batch();
