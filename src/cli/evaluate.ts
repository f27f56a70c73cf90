import { InputError } from '../core/errors';
import { evaluate } from '../core/metrics';
import { predictVideos } from '../core/model/model';
import { args, choice, positiveInt, runCli, stderr } from './run';
import { readFeatureFiles } from './featureFiles';
import { loadModel } from './loadModel';

const USAGE = 'npm run evaluate -- --model <dir> [--backend wasm|cpu] [--batch-size 8] <labeled feature files...>';

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' },
    backend: { type: 'string' },
    'batch-size': { type: 'string' },
  });
  if (!values.model) throw new InputError('--model <dir> is required: a folder made by npm run convert');
  const backend = choice(values.backend, ['wasm', 'cpu'] as const, '--backend', 'wasm');
  const batchSize = positiveInt(values['batch-size'], '--batch-size', 8);
  const all = await readFeatureFiles(positionals);
  const videos = all.filter((v) => v.labels !== undefined);
  if (videos.length < all.length) stderr(`warning: ${all.length - videos.length} videos without labels were left out`);
  if (videos.length === 0) throw new InputError('none of the videos carry labels; evaluation needs labeled feature files');
  const { model } = await loadModel(values.model, backend);
  const C = model.meta.sizes.classes;
  for (const v of videos) {
    const bad = v.labels!.find((l) => !Number.isInteger(l) || l < 0 || l >= C);
    if (bad !== undefined) throw new InputError(`${v.file}: video ${v.index} ('${v.id}') has label ${bad}, outside the model's ${C} classes`);
  }
  const predictions = await predictVideos(model, videos, { batchSize });
  const result = evaluate(predictions.map((p) => p.probabilities), videos.map((v) => v.labels!));
  process.stdout.write(JSON.stringify(result) + '\n');
});
