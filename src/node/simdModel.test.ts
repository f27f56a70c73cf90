import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeModel } from '../core/convert/fromWeights';
import { type Sizes, canonicalTensors } from '../core/model/architecture';
import { writeTfRecordFeatures } from '../core/features/tfrecordFeatures';
import { rng } from '../../tools/testing/random';
import { SimdModel } from '../kernels/lstmSimd/model';
import { readModelJson } from './files';
import { nodeLstmHelper } from './lstmHelper';
import { loadSimdModel } from './simdModel';

// The command line's engine as Node runs it: a model folder read into it, on 1, 2 and 4 threads (outputs
// identical: each column of a product and each unit of a step is computed by one thread, in one order), and
// the command line's bundle (scripts/cli.mjs, what `npm run predict` starts) against the sources run by tsx.

const SIZES: Sizes = { rgbDim: 24, audioDim: 8, embed: 32, lstm: 256, head1: 40, head2: 24, classes: 11 };
const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

describe('the SIMD engine in Node', () => {
  let dir: string;
  const r = rng(9);
  const videos = [17, 3, 9, 1, 12].map((n, i) => ({
    id: `v${i}`,
    labels: [i % SIZES.classes],
    rgb: Array.from({ length: n }, () => Uint8Array.from({ length: SIZES.rgbDim }, () => Math.floor(r() * 256))),
    audio: Array.from({ length: n }, () => Uint8Array.from({ length: SIZES.audioDim }, () => Math.floor(r() * 256))),
  }));

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-simd-'));
    const weights = new Map(
      canonicalTensors('fluid1', SIZES).map(({ name, shape }) => [
        name,
        Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() * 2 - 1) / Math.sqrt(shape[0])),
      ]),
    );
    const json = await writeModel(
      { version: 1, variant: 'fluid1', sizes: SIZES, classNames: null, dtype: 'float32', source: null },
      weights,
      (p, b) => writeFile(path.join(dir, p), b),
    );
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await writeFile(path.join(dir, 'videos.tfrecord'), writeTfRecordFeatures(videos));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('gives the same outputs, bit for bit, on 2, 1 and 4 threads', async () => {
    const { readFeatureFile } = await import('../core/features/read');
    const { readFile } = await import('node:fs/promises');
    const input = readFeatureFile(new Uint8Array(await readFile(path.join(dir, 'videos.tfrecord'))), 'videos.tfrecord').videos;
    const outputs: Awaited<ReturnType<SimdModel['predict']>>[] = [];
    const { model } = await loadSimdModel(dir, { threads: 2 });
    expect(model.threads).toBe(2);
    outputs.push(await model.predict(input));
    // More threads than this machine's cores (loadSimdModel stops at the cores): the engine given its helpers.
    for (const threads of [1, 4]) {
      const other = await SimdModel.create(model.meta, { helpers: Array.from({ length: threads - 1 }, nodeLstmHelper) });
      const sink = other.weightSink((await readModelJson(dir)).json.weightsManifest[0].weights);
      for (const p of (await readModelJson(dir)).json.weightsManifest[0].paths) {
        const bytes = new Uint8Array(await readFile(path.join(dir, p)));
        for (let at = 0; at < bytes.length;) {
          const space = sink.space(bytes.length - at);
          space.set(bytes.subarray(at, at + space.length));
          sink.wrote(space.length);
          at += space.length;
        }
      }
      sink.finish();
      expect(other.threads).toBe(threads);
      outputs.push(await other.predict(input));
      other.dispose();
    }
    model.dispose();
    for (const other of outputs.slice(1)) {
      other.forEach((p, i) => {
        expect(Array.from(p.probabilities)).toEqual(Array.from(outputs[0][i].probabilities));
        expect(Array.from(p.attention.rgb)).toEqual(Array.from(outputs[0][i].attention.rgb));
      });
    }
  });

  it('says which shard is missing, and when the shards do not add up', async () => {
    const broken = await mkdtemp(path.join(tmpdir(), 'alstm-simd-broken-'));
    try {
      const json = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(dir, 'model.json'), 'utf8'));
      await writeFile(path.join(broken, 'model.json'), JSON.stringify(json));
      await expect(loadSimdModel(broken)).rejects.toThrow(/group1-shard1of2\.bin: cannot open a shard of the model \(no such file\)/);
      const { copyFile } = await import('node:fs/promises');
      for (const p of json.weightsManifest[0].paths) await copyFile(path.join(dir, p), path.join(broken, p));
      await writeFile(path.join(broken, json.weightsManifest[0].paths[1]), new Uint8Array(100));
      await expect(loadSimdModel(broken)).rejects.toThrow(
        /model\.json: the shards hold [\d,]+ bytes, the weightsManifest describes [\d,]+; the model folder is incomplete/,
      );
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });

  it('the bundle npm run predict starts gives what the sources give, on 2 threads too, and exits', async () => {
    const args = ['--model', dir, path.join(dir, 'videos.tfrecord')];
    const viaTsx = await run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'src/cli/predict.ts'), ...args], {
      cwd: root,
      maxBuffer: 16 << 20,
    });
    const bundled = await run(process.execPath, [path.join(root, 'scripts/cli.mjs'), 'predict', ...args], {
      cwd: root,
      maxBuffer: 16 << 20,
    });
    const two = await run(process.execPath, [path.join(root, 'scripts/cli.mjs'), 'predict', '--threads', '2', ...args], {
      cwd: root,
      maxBuffer: 16 << 20,
      timeout: 60_000,
    });
    const a = JSON.parse(viaTsx.stdout);
    expect(a.videos).toHaveLength(videos.length);
    expect(JSON.parse(bundled.stdout)).toEqual(a);
    expect(JSON.parse(two.stdout)).toEqual(a);
    expect(bundled.stderr).toMatch(/predict: 5 videos in/);
  }, 120_000);
});
