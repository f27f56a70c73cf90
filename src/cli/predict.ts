import { InputError } from '../core/errors';
import { predictVideos } from '../core/model/model';
import { predictionDocument } from '../core/predictionDocument';
import { args, choice, positiveInt, runCli } from './run';
import { readFeatureFiles } from './featureFiles';
import { loadModel } from './loadModel';

const USAGE = 'npm run predict -- --model <dir> [--top-k 20] [--backend wasm|cpu] [--batch-size 8] <feature files...>';

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' },
    'top-k': { type: 'string' },
    backend: { type: 'string' },
    'batch-size': { type: 'string' },
  });
  if (!values.model) throw new InputError('--model <dir> is required: a folder made by npm run convert');
  const backend = choice(values.backend, ['wasm', 'cpu'] as const, '--backend', 'wasm');
  const topK = positiveInt(values['top-k'], '--top-k', 20);
  const batchSize = positiveInt(values['batch-size'], '--batch-size', 8);
  const videos = await readFeatureFiles(positionals);
  const { model, classNames } = await loadModel(values.model, backend);
  const predictions = await predictVideos(model, videos, { batchSize });
  const doc = predictionDocument({ model: values.model, backend }, videos, predictions, classNames, topK);
  process.stdout.write(JSON.stringify(doc) + '\n');
});
