import { InputError } from '../core/errors';
import { videoPredictionJson, type VideoPredictionJson } from '../core/predictionDocument';
import { streamFeatureFiles } from './featureFiles';
import { loadModel } from './loadModel';
import { predictEach } from './predictEach';
import type { ProgressState } from './progress';
import { args, choice, maxFrames, positiveInt, runCli, threads } from './run';

const USAGE = 'npm run predict -- --model <dir> [--top-k 20] [--backend wasm|cpu] [--batch-size N] [--max-frames 300] [--threads 1] [--jsonl] <feature files...>';

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' },
    'top-k': { type: 'string' },
    backend: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-frames': { type: 'string' },
    threads: { type: 'string' },
    jsonl: { type: 'boolean' },
  });
  if (!values.model) throw new InputError('--model <dir> is required: a folder made by npm run convert');
  const backend = choice(values.backend, ['wasm', 'cpu'] as const, '--backend', 'wasm');
  const topK = positiveInt(values['top-k'], '--top-k', 20);
  // Unset: as many videos as fit the batch memory budget.
  const batchSize = values['batch-size'] === undefined ? undefined : positiveInt(values['batch-size'], '--batch-size', 1);
  const { model, classNames } = await loadModel(values.model, backend, threads(values.threads));
  const progress: ProgressState = { bytesRead: 0, bytesTotal: 0, videosRead: 0, videosDone: 0, failed: 0 };
  const videos: VideoPredictionJson[] = [];
  const out = (text: string) => new Promise<void>((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', () => resolve())));
  // --jsonl: one JSON object per video as it is predicted, so any number of videos fits; else one document at the end.
  if (values.jsonl) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  let text = '';
  const items = streamFeatureFiles(positionals, progress, { maxFrames: maxFrames(values['max-frames']) });
  await predictEach('predict', model, items, progress, batchSize, (item, prediction) => {
    const json = videoPredictionJson(item.video, prediction, classNames, topK);
    if (values.jsonl) text += JSON.stringify(json) + '\n';
    else videos.push(json);
  }, async () => {
    if (text) await out(text);
    text = '';
  });
  if (!values.jsonl) process.stdout.write(JSON.stringify({ model: values.model, backend, videos }) + '\n');
});
