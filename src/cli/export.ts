import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/errors';
import { readWeights } from '../core/model/model';
import { toCombinedPdparams, toPickledPdparams } from '../core/export/toPaddle';
import { modelFiles } from '../core/convert/fromWeights';
import { zipModel } from '../core/export/zipModel';
import { args, choice, runCli, stderr } from './run';
import { loadModel } from './loadModel';

const USAGE = 'npm run export -- --model <dir> --format pdparams-combined|pdparams-pickle|tfjs-zip --out <file>';

runCli(USAGE, async () => {
  const { values } = args({ model: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } });
  if (!values.model) throw new InputError('--model <dir> is required');
  if (!values.out) throw new InputError('--out <file> is required');
  const format = choice(values.format, ['pdparams-combined', 'pdparams-pickle', 'tfjs-zip'] as const, '--format', 'pdparams-pickle');
  const { model } = await loadModel(values.model, 'cpu');
  const weights = await readWeights(model);
  const { meta } = model;
  let bytes: Uint8Array;
  if (format === 'pdparams-combined') bytes = toCombinedPdparams(meta.sizes, weights, meta.variant);
  else if (format === 'pdparams-pickle') bytes = toPickledPdparams(meta.variant, meta.sizes, weights);
  else {
    const { json, shards } = await modelFiles(meta, weights, meta.dtype);
    bytes = zipModel(path.basename(values.out).replace(/\.zip$/i, ''), json, shards);
  }
  await writeFile(values.out, bytes);
  stderr(`${meta.variant} model with ${meta.sizes.classes} classes written to ${values.out} as ${format} (${bytes.length.toLocaleString('en-US')} bytes)` +
    (format.startsWith('pdparams') ? `; Paddle loads it into an AttentionLSTM with num_classes = ${meta.sizes.classes}` : ''));
});
