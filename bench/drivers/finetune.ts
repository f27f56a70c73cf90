/**
 * Fine-tuning speed on wasm: one epoch of new-head training on 500 cached
 * videos (the demo model, and the full-size architecture with the last layer or
 * the whole head), and how long caching one video's pooled vector takes for the
 * full-size model. Writes bench/results/results-finetune.json.
 *
 *   npm run bench:finetune
 */
import { writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { FULL_SIZES, type Sizes } from '../../src/core/model/architecture';
import { encode } from '../../src/core/model/attentionLstm';
import { createModel, packBatch } from '../../src/core/model/model';
import { initialWeights } from '../../src/core/training/init';
import { HeadTrainer } from '../../src/core/training/headTrainer';
import type { HeadLayers } from '../../src/core/training/trainingTypes';
import { seededRandom } from '../../src/core/training/seeded';
import { DEMO_SIZES } from '../../src/core/demo/config';
import { useBackend } from '../../src/node/backend';
import '../../src/node/gradients';
import { randomVideo } from '../../tools/testing/random';
import { median } from '../helpers/stats';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (s: string) => process.stderr.write(s + '\n');

await useBackend('wasm');

/** Seconds per epoch (median after a warm-up epoch); with maxBatches, the epoch is extrapolated from that many timed batches. */
async function headEpoch(
  sizes: Sizes,
  layers: HeadLayers,
  videos: number,
  classes: number,
  epochs = 5,
  maxBatches = Infinity,
): Promise<number> {
  const rand = seededRandom(1);
  const input = layers === 'whole-head' ? 4 * sizes.lstm : sizes.head2;
  const x = Float32Array.from({ length: videos * input }, () => rand() * 2 - 1);
  const labels = Array.from({ length: videos }, (_, i) => [i % classes]);
  const w = initialWeights('fluid1', { ...sizes, classes }, 2);
  const trainer = new HeadTrainer(
    layers,
    { input, head1: sizes.head1, head2: sizes.head2, classes },
    {
      fc1: { w: w.get('head.fc1.w')!, b: w.get('head.fc1.b')! },
      fc2: { w: w.get('head.fc2.w')!, b: w.get('head.fc2.b')! },
      logit: { w: w.get('head.logit.w')!, b: w.get('head.logit.b')! },
    },
    { optimizer: 'adam', learningRate: 0.001 },
  );
  const times: number[] = [];
  const batches = Math.ceil(videos / 16);
  for (let e = 0; e <= epochs; e++) {
    const t0 = performance.now();
    let done = 0;
    for (let s = 0; s < videos && done < maxBatches; s += 16, done++) {
      const n = Math.min(16, videos - s);
      await trainer.trainBatch(x.subarray(s * input, (s + n) * input), n, labels.slice(s, s + n));
    }
    if (e > 0) times.push(((performance.now() - t0) / 1000) * (batches / done)); // the first epoch warms up
  }
  trainer.dispose();
  return median(times);
}

const cases: { case: string; backend: string; videos: number; classes: number; batch: number; seconds_per_epoch: number; note?: string }[] =
  [];
for (const [label, sizes, layers] of [
  ['demo model, whole head', DEMO_SIZES, 'whole-head'],
  ['full size, last layer', FULL_SIZES, 'last-layer'],
] as const) {
  const s = await headEpoch(sizes, layers, 500, 10);
  log(`new-head epoch on 500 cached videos, ${label}: ${s.toFixed(3)} s`);
  cases.push({ case: label, backend: 'wasm', videos: 500, classes: 10, batch: 16, seconds_per_epoch: s });
}

// Caching: the frozen encoders' pooled vector of one 300-frame video, full size.
const model = createModel(
  { version: 1, variant: 'fluid1', sizes: FULL_SIZES, classNames: null, dtype: 'float32', source: null },
  initialWeights('fluid1', FULL_SIZES, 3),
  'in-out',
);
const video = randomVideo(FULL_SIZES, 300, 4);
const cacheTimes: number[] = [];
for (let r = 0; r < 4; r++) {
  const t0 = performance.now();
  const input = packBatch([video]);
  const { pooled } = tf.tidy(() => {
    const o = encode(model.weights, model.spec, input);
    return { pooled: o.pooled };
  });
  await pooled.data();
  tf.dispose([pooled, input.rgb, input.audio]);
  if (r > 0) cacheTimes.push((performance.now() - t0) / 1000);
}
const cacheSeconds = median(cacheTimes);
model.dispose();

// The whole head at full size: fc 8192 x 4096 and 4096 x 8192 with Adam's two moments,
// about 1.1 GB of state. An epoch is 32 batches of several seconds each, so it is
// timed as 6 batches after 6 of warm-up, extrapolated to the epoch.
const whole = await headEpoch(FULL_SIZES, 'whole-head', 500, 10, 1, 6);
log(`new-head epoch on 500 cached videos, full size, whole head: ${whole.toFixed(1)} s`);
cases.push({
  case: 'full size, whole head',
  backend: 'wasm',
  videos: 500,
  classes: 10,
  batch: 16,
  seconds_per_epoch: whole,
  note: 'extrapolated from 6 timed batches of 16',
});
log(`caching one 300-frame video's pooled vector, full size: ${cacheSeconds.toFixed(2)} s`);
const results = {
  machine: {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    backend: 'wasm',
  },
  new_head_epochs: cases,
  caching_full_size_300_frames_seconds: cacheSeconds,
};
await writeFile(path.join(root, 'bench/results/results-finetune.json'), JSON.stringify(results, null, 2) + '\n');
console.log(JSON.stringify(results, null, 2));
