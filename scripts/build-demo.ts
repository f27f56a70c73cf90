/**
 * Builds the playground's demo: trains a small fluid1 AttentionLSTM on synthetic
 * YouTube-8M-shaped videos with the project's own model code (wasm backend),
 * writes its weights as a combined .pdparams exactly as Paddle would, converts
 * that file with the project's own converter into public/models/demo/, and
 * writes sample TFRecords into public/samples/ (the demo's samples, the
 * fine-tune set of scripts/finetuneSamples.ts and the segment-rated set of
 * scripts/segmentSamples.ts). Deterministic from --seed.
 *
 *   npm run demo:build [-- --seed 7 --epochs 12 --videos 1500]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { convertWeights } from '../src/core/convert/convert';
import { DEMO_CLASSES } from '../src/core/demo/classes';
import { demoFeatures, demoRecord, syntheticVideos } from '../src/core/demo/syntheticVideos';
import { DEMO_SIZES, DEMO_SEEDS } from '../src/core/demo/config';
import { toCombinedPdparams } from '../src/core/export/toPaddle';
import { writeTfRecordFeatures } from '../src/core/features/tfrecordFeatures';
import { evaluate } from '../src/core/metrics';
import { initialWeights } from '../src/core/training/init';
import { seededRandom, shuffled } from '../src/core/training/seeded';
import { Trainer } from '../src/core/training/trainer';
import { useBackend } from '../src/node/backend';
import '../src/node/gradients';
import { fileSource } from '../src/node/files';
import { writeFinetuneSamples } from './finetuneSamples';
import { writeSegmentSamples } from './segmentSamples';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(DEMO_SEEDS.training) },
    epochs: { type: 'string', default: '8' },
    videos: { type: 'string', default: '1000' },
    'batch-size': { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.01' },
  },
});
const seed = Number(values.seed);
const epochs = Number(values.epochs);
const batchSize = Number(values['batch-size']);
const log = (s: string) => process.stderr.write(s + '\n');

await useBackend('wasm');
const started = performance.now();
const train = syntheticVideos(Number(values.videos), DEMO_SEEDS.trainData);
const val = syntheticVideos(200, DEMO_SEEDS.validationData);
const trainF = train.map((v) => demoFeatures(v));
const valF = val.map((v) => demoFeatures(v));
log(`generated ${train.length} training and ${val.length} validation videos in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const spec = { variant: 'fluid1' as const, sizes: DEMO_SIZES, layout: 'in-out' as const };
const trainer = new Trainer(spec, initialWeights('fluid1', DEMO_SIZES, seed), { optimizer: 'adam', learningRate: Number(values.lr) });
const rand = seededRandom(seed + 1);
for (let epoch = 1; epoch <= epochs; epoch++) {
  const t0 = performance.now();
  // Batches of similar length waste little on padding; their order is shuffled.
  const order = shuffled(
    train.map((_, i) => i),
    rand,
  ).sort((a, b) => train[a].frames - train[b].frames);
  const batches: number[][] = [];
  for (let s = 0; s < order.length; s += batchSize) batches.push(order.slice(s, s + batchSize));
  let loss = 0;
  for (const b of shuffled(batches, rand))
    loss += await trainer.trainBatch(
      b.map((i) => trainF[i]),
      b.map((i) => train[i].labels),
    );
  const m = evaluate(
    await trainer.predict(valF),
    val.map((v) => v.labels),
  );
  log(
    `epoch ${epoch}/${epochs}: loss ${(loss / batches.length).toFixed(4)}, validation Hit@1 ${m.hit_at_1.toFixed(3)} GAP ${m.gap.toFixed(3)} (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}

// The weights leave as Paddle would write them, and come back through the converter.
const weights = await trainer.weights();
trainer.dispose();
const pdparams = path.join(root, 'models/demo/AttentionLSTM_demo.pdparams');
await mkdir(path.dirname(pdparams), { recursive: true });
await writeFile(pdparams, toCombinedPdparams(DEMO_SIZES, weights));
const outDir = path.join(root, 'public/models/demo');
await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });
const { modelJson } = await convertWeights(await fileSource(pdparams), (p, bytes) => writeFile(path.join(outDir, p), bytes), {
  classNames: DEMO_CLASSES.map((c) => c.name),
  description: `Demo: a small fluid1 AttentionLSTM trained by scripts/build-demo.ts (seed ${seed}, ${epochs} epochs, ${train.length} synthetic videos) to spot ${DEMO_CLASSES.length} made-up events`,
});
await writeFile(path.join(outDir, 'model.json'), JSON.stringify(modelJson, null, 1) + '\n');

// Samples: a few single files the page offers in one click, with their known events.
const samplesDir = path.join(root, 'public/samples');
await rm(samplesDir, { recursive: true, force: true });
await mkdir(samplesDir, { recursive: true });
const samples = syntheticVideos(12, DEMO_SEEDS.samples, { twoClassFraction: 0.35 });
const files = [
  { file: 'demo-samples-a.tfrecord', videos: samples.slice(0, 6) },
  { file: 'demo-samples-b.tfrecord', videos: samples.slice(6) },
];
for (const f of files) await writeFile(path.join(samplesDir, f.file), writeTfRecordFeatures(f.videos.map(demoRecord)));
const index = {
  description:
    'Synthetic YouTube-8M-shaped frame features made by scripts/build-demo.ts; each labelled class is a short event at the frames listed.',
  classes: DEMO_CLASSES.map((c) => c.name),
  files: files.map((f) => ({
    file: f.file,
    videos: f.videos.map((v) => ({
      id: v.id,
      frames: v.frames,
      labels: v.labels,
      events: v.events.map((e) => ({ class: e.classIndex, name: DEMO_CLASSES[e.classIndex].name, start: e.start, frames: e.frames })),
    })),
  })),
};
await writeFile(path.join(samplesDir, 'index.json'), JSON.stringify(index, null, 1) + '\n');
// The "Try fine-tuning" set, listed under `sets` in the same index.
await writeFinetuneSamples(samplesDir);
// The segment-rated set, listed under `sets` too.
await writeSegmentSamples(samplesDir);
log(
  `demo model written to ${path.relative(root, outDir)}, samples to ${path.relative(root, samplesDir)} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
