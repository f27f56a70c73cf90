/**
 * The command line's engines in a process that stays (bench/drivers/cliSpeed.ts):
 * the model loaded once into each (src/node/simdModel.ts, and
 * src/node/ortModel.ts where onnxruntime-node is installed, as `npm run
 * evaluate` loads them), then one JSON line on stdout per line on stdin: a
 * feature file's videos predicted in-process by the engine `npm run evaluate`
 * picks for that file (`--engine auto`, src/cli/loadPredictor.ts), timed from
 * the videos in memory to the probabilities (what a warm process costs,
 * without starting Node or loading the model).
 *
 *   tsx bench/helpers/simdServe.ts <model dir> <threads>
 *   stdin: {"file": "videos.tfrecord"} ... {"quit": true}
 *   stdout: {"ready": true, "threads": 1, "loadMs": ...} then {"ms": ..., "videos": 32}
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { readFeatureFile } from '../../src/core/features/read';
import { loadSimdModel } from '../../src/node/simdModel';
import { OrtModel, onnxRuntime } from '../../src/node/ortModel';
import { autoEngine } from '../../src/cli/loadPredictor';

const [dir, threadsArg] = process.argv.slice(2);
const t0 = performance.now();
const { model } = await loadSimdModel(dir, { threads: Number(threadsArg) });
const ort = await onnxRuntime();
const ortModel = ort ? (await OrtModel.load(ort, dir, { threads: Number(threadsArg) })).model : null;
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
  const engine = ortModel && autoEngine([file]) === 'ort' ? ortModel : model;
  const start = performance.now();
  await engine.predict(videos);
  reply({ ms: performance.now() - start, videos: videos.length, engine: engine === model ? 'own' : 'ort' });
}
model.dispose();
ortModel?.dispose();
