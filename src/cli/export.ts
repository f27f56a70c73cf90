import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/errors';
import { readWeights } from '../core/model/model';
import { exportModel } from '../core/export/exportModel';
import { EXPORT_FORMATS } from '../core/export/formats';
import { args, choice, runCli, stderr, requireModel } from './run';
import { loadModel } from './loadModel';

const USAGE = `npm run export -- --model <dir> --format ${EXPORT_FORMATS.join('|')} --out <file>`;

runCli(USAGE, async () => {
  const { values } = args({ model: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } });
  requireModel(values.model);
  if (!values.out) throw new InputError('--out <file> is required');
  const format = choice(values.format, EXPORT_FORMATS, '--format', 'pdparams-pickle');
  const { model } = await loadModel(values.model, 'cpu');
  const weights = await readWeights(model);
  const { meta } = model;
  // The zip's folder is named as the file is.
  const { bytes } = await exportModel(meta, weights, format, path.basename(values.out).replace(/\.zip$/i, ''));
  await writeFile(values.out, bytes).catch((e: NodeJS.ErrnoException) => {
    const why =
      e.code === 'EISDIR'
        ? 'it is a folder, expected a file name'
        : e.code === 'ENOENT'
          ? 'no such folder on its path'
          : e.code === 'ENOTDIR'
            ? 'a part of its path is a file, not a folder'
            : (e.code ?? e.message);
    throw new InputError(`--out ${values.out}: cannot write (${why})`);
  });
  stderr(
    `${meta.variant} model with ${meta.sizes.classes} classes written to ${values.out} as ${format} (${bytes.length.toLocaleString('en-US')} bytes)` +
      (format.startsWith('pdparams') ? `; Paddle loads it into an AttentionLSTM with num_classes = ${meta.sizes.classes}` : ''),
  );
});
