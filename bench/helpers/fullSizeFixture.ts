/**
 * The full-size model and videos that the whole-process benchmarks run, as a
 * user has them on disk: a converted model folder (random weights, fluid1,
 * YouTube-8M's 3862 class names; 435 MB), the project's own ONNX export of the
 * same weights (for onnxruntime-node), and YouTube-8M frame-level TFRecords
 * with labels: 32 videos of 300 down to 60 frames, and one 300-frame video.
 * Written once into the system's temporary folder and reused while complete
 * (a version in the folder's name says when the recipe changed).
 */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeModel } from '../../src/core/convert/fromWeights';
import { FULL_SIZES } from '../../src/core/model/architecture';
import { toOnnx } from '../../src/core/export/onnx';
import { writeTfRecordFeatures, type Yt8mVideo } from '../../src/core/features/tfrecordFeatures';
import { seededRandom } from '../../src/core/training/seeded';
import { yt8mVocabulary } from '../../src/cli/vocabulary';
import { benchMeta, mixedLengths, randomModelArrays } from '../../tools/kernelHarness/benchModel';

export interface FullSizeFixture {
  dir: string;
  /** The converted model folder (model.json and its shards). */
  model: string;
  /** The ONNX export of the same weights. */
  onnx: string;
  /** 32 labelled videos of 300 down to 60 frames. */
  videos32: string;
  /** One labelled 300-frame video. */
  video1: string;
  lengths32: number[];
}

const VERSION = 1;

function quantizedVideo(id: string, frames: number, seed: number): Yt8mVideo {
  const r = seededRandom(seed);
  const frame = (dim: number) => {
    const b = new Uint8Array(dim);
    for (let j = 0; j < dim; j++) b[j] = (r() * 256) | 0;
    return b;
  };
  return {
    id,
    labels: [seed % 3862, (seed * 7) % 3862],
    rgb: Array.from({ length: frames }, () => frame(1024)),
    audio: Array.from({ length: frames }, () => frame(128)),
  };
}

export async function fullSizeFixture(log: (s: string) => void = () => {}): Promise<FullSizeFixture> {
  const dir = path.join(tmpdir(), `attention-lstm-fullsize-v${VERSION}`);
  const lengths32 = mixedLengths(32, 300);
  const f: FullSizeFixture = {
    dir,
    model: path.join(dir, 'model'),
    onnx: path.join(dir, 'model.onnx'),
    videos32: path.join(dir, 'videos32.tfrecord'),
    video1: path.join(dir, 'video1.tfrecord'),
    lengths32,
  };
  if (existsSync(path.join(dir, 'complete'))) return f;
  log(`writing the full-size model (random weights), its ONNX export and the videos into ${dir} ...`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(f.model, { recursive: true });
  const weights = randomModelArrays('fluid1', FULL_SIZES, 1);
  const meta = { ...benchMeta('fluid1', FULL_SIZES), classNames: await yt8mVocabulary() };
  const json = await writeModel(meta, weights, (p, bytes) => writeFile(path.join(f.model, p), bytes));
  await writeFile(path.join(f.model, 'model.json'), JSON.stringify(json, null, 1) + '\n');
  await writeFile(f.onnx + '.part', toOnnx(meta, weights));
  await rename(f.onnx + '.part', f.onnx);
  await writeFile(f.videos32, writeTfRecordFeatures(lengths32.map((n, i) => quantizedVideo(`v${i}`, n, 100 + i))));
  await writeFile(f.video1, writeTfRecordFeatures([quantizedVideo('one', 300, 99)]));
  await writeFile(path.join(dir, 'complete'), '');
  return f;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await fullSizeFixture((s) => process.stderr.write(s + '\n')), null, 1));
}
