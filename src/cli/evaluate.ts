import { InputError } from '../core/errors';
import { MetricsAccumulator } from '../core/metrics';
import { streamFeatureFiles } from './featureFiles';
import { loadModel } from './loadModel';
import { predictEach } from './predictEach';
import type { ProgressState } from './progress';
import { args, choice, maxFrames, positiveInt, runCli, threads, stderr } from './run';

const USAGE = 'npm run evaluate -- --model <dir> [--backend wasm|cpu] [--batch-size N] [--max-frames 300] [--threads 1] <labeled feature files...>';

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' },
    backend: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-frames': { type: 'string' },
    threads: { type: 'string' },
  });
  if (!values.model) throw new InputError('--model <dir> is required: a folder made by npm run convert');
  const backend = choice(values.backend, ['wasm', 'cpu'] as const, '--backend', 'wasm');
  const batchSize = values['batch-size'] === undefined ? undefined : positiveInt(values['batch-size'], '--batch-size', 1);
  const { model } = await loadModel(values.model, backend, threads(values.threads));
  const C = model.meta.sizes.classes;
  const progress: ProgressState = { bytesRead: 0, bytesTotal: 0, videosRead: 0, videosDone: 0, failed: 0 };
  let unlabeled = 0;
  // Only labeled videos go on, and a label outside the model's classes stops the run, naming the video.
  async function* labeled() {
    for await (const item of streamFeatureFiles(positionals, progress, { maxFrames: maxFrames(values['max-frames']) })) {
      const v = item.video;
      if (v.labels === undefined) {
        unlabeled++;
        continue;
      }
      const bad = v.labels.find((l) => !Number.isInteger(l) || l < 0 || l >= C);
      if (bad !== undefined) throw new InputError(`${v.file}: video ${v.index} ('${v.id}') has label ${bad}, outside the model's ${C} classes`);
      yield item;
    }
  }
  // Constant memory: each window's predictions are folded into the metrics and dropped.
  const metrics = new MetricsAccumulator(C);
  await predictEach('evaluate', model, labeled(), progress, batchSize, (item, prediction) => metrics.add(prediction.probabilities, item.video.labels!));
  if (unlabeled) stderr(`warning: ${unlabeled} videos without labels were left out`);
  if (metrics.videos === 0) throw new InputError('none of the videos carry labels; evaluation needs labeled feature files');
  process.stdout.write(JSON.stringify(metrics.result()) + '\n');
});
