/**
 * The benchmark's Node half: the full-size AttentionLSTM (random weights) on
 * tfjs's wasm or cpu backend, through the op path as the command line runs it
 * (predictVideos, one batch). Driven by bench/drivers/kernels.ts, which passes the cases as
 * JSON and reads one JSON document from stdout.
 *
 *   tsx bench/helpers/nodeCases.ts wasm '{"cases":[{"lengths":[300],"runs":3,"warmup":1}],"peakN":2048}'
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { useBackend, type NodeBackend } from '../../src/node/backend';
import { FULL_SIZES, multiplyAdds } from '../../src/core/model/architecture';
import { createModel, predictVideos } from '../../src/core/model/model';
import { randomVideo } from '../../tools/testing/random';
import { benchMeta, randomModelArrays } from '../../tools/kernelHarness/benchModel';

export interface NodeCase {
  lengths: number[];
  runs: number;
  warmup: number;
}

export interface NodeCaseResult extends NodeCase {
  times: number[];
  macs: number;
}

export interface NodeResult {
  backend: NodeBackend;
  /** Threads of the wasm backend (1: no SharedArrayBuffer threads in Node). */
  threads: number;
  cases: NodeCaseResult[];
  peak: { n: number; times: number[]; macs: number };
}

const log = (s: string) => process.stderr.write(`[${process.argv[2]}] ${s}\n`);

async function main(): Promise<void> {
  const backend = process.argv[2] as NodeBackend;
  const cfg = JSON.parse(process.argv[3]) as { cases: NodeCase[]; peakN: number; peakRuns?: number };
  await useBackend(backend);
  // wasm is fastest with weights [in, out] (see WeightLayout).
  const model = createModel(benchMeta('fluid1', FULL_SIZES), randomModelArrays('fluid1', FULL_SIZES, 1), 'in-out');
  const cases: NodeCaseResult[] = [];
  for (const c of cfg.cases) {
    const videos = c.lengths.map((n, i) => randomVideo(FULL_SIZES, n, 5 + i));
    const times: number[] = [];
    for (let i = 0; i < c.warmup + c.runs; i++) {
      const t0 = performance.now();
      await predictVideos(model, videos, { batchSize: videos.length });
      const ms = performance.now() - t0;
      log(`${c.lengths.length} video(s), max ${Math.max(...c.lengths)} frames: ${ms.toFixed(0)} ms${i < c.warmup ? ' (warm-up)' : ''}`);
      if (i >= c.warmup) times.push(ms);
    }
    cases.push({ ...c, times, macs: c.lengths.reduce((n, f) => n + multiplyAdds(FULL_SIZES, f), 0) });
  }
  model.dispose();

  const n = cfg.peakN;
  const x = tf.randomUniform([n, n]);
  const w = tf.randomUniform([n, n]);
  const times: number[] = [];
  for (let i = 0; i < (cfg.peakRuns ?? 2) + 1; i++) {
    const t0 = performance.now();
    const y = tf.matMul(x, w);
    await y.data();
    if (i > 0) times.push(performance.now() - t0);
    y.dispose();
  }
  log(`peak ${n}^3 matMul: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
  const threads = backend === 'wasm' ? getThreadsCount() : 1;
  const result: NodeResult = { backend, threads, cases, peak: { n, times, macs: n * n * n } };
  process.stdout.write(JSON.stringify(result) + '\n');
}

await main();
