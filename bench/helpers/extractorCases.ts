/**
 * The extractor's Node half of `npm run bench` (run in its own process per
 * wasm thread count, which tfjs-wasm reads once): the full-size Inception
 * stand-in through the project's GraphDef interpreter and written directly
 * with tfjs ops, in turns on the same frames, at batch sizes 1, 2 and 4.
 * Prints one JSON line.
 *
 *   tsx bench/helpers/extractorCases.ts '{"threads":1,"rounds":5,"batches":[1,2,4]}'
 */
import * as tf from '@tensorflow/tfjs-core';
import { decodeGraphDef } from '../../src/core/tfgraph/graphDef';
import { prepareGraph } from '../../src/core/tfgraph/prepare';
import { GraphRunner } from '../../src/core/tfgraph/runner';
import { useBackend, wasmThreadCount } from '../../src/node/backend';
import { directInception } from '../../tools/testing/directInception';
import { inceptionStandIn } from '../../tools/testing/inceptionStandIn';
import { rng } from '../../tools/testing/random';

const arg = JSON.parse(process.argv[2] ?? '{}') as {
  threads?: number;
  rounds?: number;
  batches?: number[];
  size?: 'full' | 'small';
  height?: number;
  width?: number;
};
const log = (s: string) => process.stderr.write(s + '\n');
await useBackend('wasm', { threads: arg.threads ?? 1 });
const t0 = performance.now();
const s = inceptionStandIn({ size: arg.size ?? 'full', seed: 1 });
const t1 = performance.now();
const g = prepareGraph(decodeGraphDef(s.bytes, 'classify_image_graph_def.pb'), 'classify_image_graph_def.pb', {
  input: 'DecodeJpeg:0',
  output: 'pool_3/_reshape:0',
  sampleInputShape: [360, 640, 3],
  outputShape: [1, 2048],
});
const runner = new GraphRunner(g);
const t2 = performance.now();
const direct = directInception(s.nodes);
const [H, W] = [arg.height ?? 360, arg.width ?? 640];
const r = rng(5);
const cases: { batch: number; interpreter: number[]; direct: number[]; diff: number }[] = [];
for (const batch of arg.batches ?? [1, 2, 4]) {
  const fs = Array.from({ length: batch }, () =>
    tf.tensor3d(
      Int32Array.from({ length: H * W * 3 }, () => Math.floor(r() * 256)),
      [H, W, 3],
      'int32',
    ),
  );
  const stacked = tf.stack(fs) as tf.Tensor4D;
  const c = { batch, interpreter: [] as number[], direct: [] as number[], diff: 0 };
  for (let i = 0; i <= (arg.rounds ?? 5); i++) {
    // Turns alternate which goes first; round 0 is the warm-up.
    const order = i % 2 === 0 ? ['interpreter', 'direct'] : ['direct', 'interpreter'];
    const outs: Record<string, Float32Array> = {};
    for (const which of order) {
      const start = performance.now();
      const out = which === 'direct' ? direct.run(stacked) : runner.run(fs);
      outs[which] = (await out.data()) as Float32Array;
      const ms = performance.now() - start;
      out.dispose();
      if (i > 0) (which === 'direct' ? c.direct : c.interpreter).push(ms);
    }
    for (let k = 0; k < outs.direct.length; k++) c.diff = Math.max(c.diff, Math.abs(outs.direct[k] - outs.interpreter[k]));
    if (i > 0)
      log(
        `  wasm ${wasmThreadCount()} thread(s), batch ${batch}: interpreter ${c.interpreter[i - 1].toFixed(0)} ms, direct ${c.direct[i - 1].toFixed(0)} ms`,
      );
  }
  tf.dispose([...fs, stacked]);
  cases.push(c);
}
process.stdout.write(
  JSON.stringify({
    threads: wasmThreadCount(),
    graphBytes: s.bytes.length,
    parameters: s.parameters,
    buildMs: t1 - t0,
    readAndUploadMs: t2 - t1,
    frame: [H, W],
    batches: runner.batches,
    cases,
  }) + '\n',
);
runner.dispose();
direct.dispose();
