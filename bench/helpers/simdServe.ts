/**
 * The command line's engine in a process that stays (bench/drivers/cliSpeed.ts):
 * the model loaded once (src/node/simdModel.ts, as `npm run evaluate` loads
 * it), then one JSON line on stdout per line on stdin: a feature file's videos
 * predicted in-process, timed from the videos in memory to the probabilities
 * (what a warm process costs, without starting Node or loading the model).
 *
 *   tsx bench/helpers/simdServe.ts <model dir> <threads>
 *   stdin: {"file": "videos.tfrecord"} ... {"quit": true}
 *   stdout: {"ready": true, "threads": 1, "loadMs": ...} then {"ms": ..., "videos": 32}
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readFeatureFile } from '../../src/core/features/read';
import { loadSimdModel } from '../../src/node/simdModel';

const [dir, threadsArg] = process.argv.slice(2);
const t0 = performance.now();
const { model } = await loadSimdModel(dir, { threads: Number(threadsArg) });
const reply = (x: unknown) => process.stdout.write(JSON.stringify(x) + '\n');
reply({ ready: true, threads: model.threads, loadMs: performance.now() - t0 });
const files = new Map<string, ReturnType<typeof readFeatureFile>['videos']>();
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const req = JSON.parse(line) as { file?: string; quit?: boolean };
  if (req.quit) break;
  const file = req.file!;
  if (!files.has(file)) files.set(file, readFeatureFile(new Uint8Array(readFileSync(file)), file).videos);
  const videos = files.get(file)!;
  const start = performance.now();
  await model.predict(videos);
  reply({ ms: performance.now() - start, videos: videos.length });
}
model.dispose();
