import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import { FINETUNE_CLASSES } from '../core/demo/classes';
import { demoRecord, syntheticVideos } from '../core/demo/syntheticVideos';
import { writeTfRecordFeatures } from '../core/features/tfrecordFeatures';
import type { PredictionDocument } from '../core/predictionDocument';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');
const cli = async (script: string, args: string[]) =>
  run(tsx, [path.join(root, 'src/cli', script), ...args], { cwd: root, maxBuffer: 64 << 20 });

describe('npm run finetune and npm run export', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-ft-'));
    const videos = syntheticVideos(40, 51, { classes: FINETUNE_CLASSES, maxFrames: 50 }).map(demoRecord);
    await writeFile(path.join(dir, 'mine.tfrecord'), writeTfRecordFeatures(videos));
    await writeFile(path.join(dir, 'labels.txt'), FINETUNE_CLASSES.map((c) => c.name).join('\n') + '\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fine-tunes a new head, then exports it to both Paddle formats and a zip that convert back to the same predictions', async () => {
    const ft = await cli('finetune.ts', [
      '--model',
      'public/models/demo',
      '--out',
      path.join(dir, 'tuned'),
      '--labels',
      path.join(dir, 'labels.txt'),
      '--epochs',
      '3',
      '--max-frames',
      '40',
      path.join(dir, 'mine.tfrecord'),
    ]);
    const report = JSON.parse(ft.stdout);
    expect(report.classes).toEqual(FINETUNE_CLASSES.map((c) => c.name));
    expect(report.epochs).toHaveLength(3);
    expect(report.per_class).toHaveLength(4);
    expect(ft.stderr).toMatch(/epoch 3: train loss/);
    expect(ft.stderr).toMatch(/warning: \S*mine\.tfrecord: \d+ videos? (was|were) longer than the frame cap and cut to 40 frames/);

    const predict = async (model: string) =>
      JSON.parse((await cli('predict.ts', ['--model', model, path.join(dir, 'mine.tfrecord')])).stdout) as PredictionDocument;
    const want = await predict(path.join(dir, 'tuned'));
    expect(want.videos[0].probabilities).toHaveLength(4);
    expect(want.videos[0].top[0].name).toMatch(/celebration|storm|break-in|traffic/);
    for (const format of ['pdparams-combined', 'pdparams-pickle']) {
      const file = path.join(dir, `tuned-${format}.pdparams`);
      await cli('export.ts', ['--model', path.join(dir, 'tuned'), '--format', format, '--out', file]);
      await cli('convert.ts', [file, '--out', path.join(dir, `back-${format}`)]);
      const got = await predict(path.join(dir, `back-${format}`));
      got.videos.forEach((v, i) =>
        v.probabilities.forEach((p, c) => expect(Math.abs(p - want.videos[i].probabilities[c])).toBeLessThanOrEqual(1e-6)),
      );
    }
    await cli('export.ts', ['--model', path.join(dir, 'tuned'), '--format', 'tfjs-zip', '--out', path.join(dir, 'tuned.zip')]);
    const files = unzipSync(new Uint8Array(await readFile(path.join(dir, 'tuned.zip'))));
    expect(Object.keys(files).sort()).toEqual(['tuned/group1-shard1of1.bin', 'tuned/model.json']);
  }, 180_000);
});
