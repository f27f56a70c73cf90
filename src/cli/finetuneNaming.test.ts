// The worker's fine-tune trains through tfjs's gradients (worker.ts registers them in the page).
import '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FINETUNE_CLASSES } from '../core/demo/classes';
import { demoRecord, syntheticVideos } from '../core/demo/syntheticVideos';
import { writeTfRecordFeatures } from '../core/features/tfrecordFeatures';
import { TrainingHandler } from '../worker/training/trainingHandler';
import { engineHarness, SITE } from '../../tools/testing/workerHarness';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const tsx = path.join(root, 'node_modules/.bin/tsx');

/** A few YouTube-8M-like files: sparse label ids (a vocabulary's subset) or dense 0..3. */
const FILES = { sparse: [40, 7, 913, 7], dense: [0, 1, 2, 3] };

describe('npm run finetune and the page name the same classes for the same files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-names-'));
    const videos = syntheticVideos(12, 9, { classes: FINETUNE_CLASSES, maxFrames: 20 });
    for (const [name, ids] of Object.entries(FILES)) {
      await writeFile(
        path.join(dir, `${name}.tfrecord`),
        writeTfRecordFeatures(videos.map((v) => demoRecord({ ...v, labels: v.labels.map((l) => ids[l]) }))),
      );
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  /** The class names `npm run finetune` trains (its report's `classes`). */
  async function cliClasses(file: string, names: string[] | null): Promise<string[]> {
    // A new head, as the page's plan below: left to choose, both train the demo's own classes for ids it names (0..3).
    const args = [
      '--model',
      'public/models/demo',
      '--out',
      path.join(dir, 'out'),
      '--mode',
      'new-head',
      '--epochs',
      '1',
      path.join(dir, file),
    ];
    if (names) {
      await writeFile(path.join(dir, 'names.txt'), names.join('\n') + '\n');
      args.push('--labels', path.join(dir, 'names.txt'));
    }
    const { stdout } = await run(tsx, [path.join(root, 'src/cli/finetune.ts'), ...args], { cwd: root, maxBuffer: 64 << 20 });
    return JSON.parse(stdout).classes;
  }

  /** The class names the page's worker plans for the same file and names (the page's names field, split at commas). */
  async function pageClasses(file: string, names: string[] | null): Promise<string[]> {
    const { engine, store } = await engineHarness({ [file]: new Uint8Array(await readFile(path.join(dir, file))) });
    await engine.addFeatures([{ kind: 'url', url: `${SITE}${file}`, name: file }]);
    const training = new TrainingHandler(engine, store, () => {});
    const field = names?.join(', ');
    return training.plan(
      'new-head',
      'whole-head',
      null,
      field?.split(',').map((n) => n.trim()),
    ).classNames;
  }

  for (const [file, names] of [
    ['sparse.tfrecord', null],
    ['sparse.tfrecord', Object.assign(Array<string>(914).fill(''), { 7: 'seven', 913: 'last' })],
    ['dense.tfrecord', null],
    ['dense.tfrecord', ['up', 'down', '', 'left']],
  ] as const) {
    it(`${file}, ${names ? 'with names' : 'without names'}`, async () => {
      const [cli, page] = await Promise.all([cliClasses(file, names ? [...names] : null), pageClasses(file, names ? [...names] : null)]);
      expect(page).toEqual(cli);
      if (file.startsWith('sparse')) expect(cli).toHaveLength(3);
      // Ids 7, 40 and 913; the demo model names none of them (it has 10 classes), the names two.
      if (names && file.startsWith('sparse')) expect(cli).toEqual(['seven', 'class 40', 'last']);
      if (names && file.startsWith('dense')) expect(cli).toEqual(['up', 'down', 'class 2', 'left']);
    }, 60_000);
  }
});
