/**
 * The native peer as a user would run it: a Node program that opens the
 * project's ONNX export with onnxruntime-node (its CPU provider), reads
 * YouTube-8M TFRecords (the project's reader, as any program must read them),
 * dequantizes, pads the videos of a batch to its longest, runs the session and
 * writes each video's probabilities as JSON lines. Timed as a whole process by
 * bench/drivers/cliSpeed.ts, built into one file beforehand (as the command
 * line is) so that neither side pays for transpiling TypeScript.
 *
 *   node ortNodePeer.mjs --model model.onnx --threads 1 [--batch-size 32] <files...>
 *
 * Batches: the videos sorted longest first, `--batch-size` at a time (default:
 * all of them in one run, the fastest here for 32 videos).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { readFeatureFile } from '../../src/core/features/read';
import { paddedFrames, longestOf } from '../../src/core/features/padded';
import type { VideoFeatures } from '../../src/core/features/featureTypes';

const { values, positionals } = parseArgs({
  options: { model: { type: 'string' }, threads: { type: 'string', default: '1' }, 'batch-size': { type: 'string' } },
  allowPositionals: true,
});
const t0 = performance.now();
const threads = Number(values.threads);
const session = await ort.InferenceSession.create(values.model!, {
  executionProviders: ['cpu'],
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
});
const t1 = performance.now();
const videos: VideoFeatures[] = [];
for (const f of positionals) videos.push(...readFeatureFile(new Uint8Array(await readFile(f)), f).videos);
videos.sort((a, b) => b.frames - a.frames);
const size = values['batch-size'] ? Number(values['batch-size']) : videos.length;
let out = '';
for (let i = 0; i < videos.length; i += size) {
  const batch = videos.slice(i, i + size);
  const B = batch.length;
  const T = longestOf(batch);
  const r = await session.run({
    rgb: new ort.Tensor('float32', paddedFrames(batch, 'rgb', T), [B, T, batch[0].rgbDim]),
    audio: new ort.Tensor('float32', paddedFrames(batch, 'audio', T), [B, T, batch[0].audioDim]),
    lengths: new ort.Tensor('int32', Int32Array.from(batch.map((v) => v.frames)), [B]),
  });
  const p = r.probabilities.data as Float32Array;
  const C = p.length / B;
  batch.forEach((v, b) => (out += JSON.stringify({ id: v.id, probabilities: Array.from(p.subarray(b * C, (b + 1) * C)) }) + '\n'));
}
process.stdout.write(out);
process.stderr.write(
  `ort-node: session ${((t1 - t0) / 1000).toFixed(2)} s, ${videos.length} videos in ${((performance.now() - t1) / 1000).toFixed(2)} s, ${threads} thread(s)\n`,
);
