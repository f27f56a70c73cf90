import { createHash } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertWeights } from '../core/convert/convert';
import { InputError } from '../core/errors';
import { pathSources } from '../node/files';
import { args, checkOutFolder, choice, runCli, stderr } from './run';
import { yt8mVocabulary } from './vocabulary';

const USAGE =
  'npm run convert -- <weights (.pdparams, .pdckpt) | parameter folder | model.pdmodel model.pdiparams | folder holding both> --out <dir> [--variant auto|fluid1|paddlevideo2] [--dtype float32|float16]';

runCli(USAGE, async () => {
  const { values, positionals } = args({
    out: { type: 'string' },
    variant: { type: 'string' },
    dtype: { type: 'string' },
  });
  if (positionals.length < 1 || positionals.length > 2) {
    throw new InputError(
      `give one weight file, one folder, or an inference model's .pdmodel and .pdiparams (got ${positionals.length} paths)`,
    );
  }
  if (!values.out) throw new InputError('--out <dir> is required: the folder to write model.json and its shards into');
  checkOutFolder(values.out);
  const variant = choice(values.variant, ['auto', 'fluid1', 'paddlevideo2'] as const, '--variant', 'auto');
  const dtype = choice(values.dtype, ['float32', 'float16'] as const, '--dtype', 'float32');
  const given = await Promise.all(positionals.map(pathSources));
  if (given.length > 1 && given.some((g) => g.folder)) {
    throw new InputError(
      `give a folder alone, or two files (an inference model's .pdmodel and .pdiparams), not ${positionals.join(' and ')}`,
    );
  }
  const sources = given.flatMap((g) => g.sources);
  // A folder is named after itself in messages and in the model's source.
  const name = given[0].folder ? path.basename(path.resolve(positionals[0])) : undefined;
  let shown = name ?? sources[0].name;
  const out = values.out;
  await makeOutFolder(out);
  // Shards written before a refusal (a NaN, a value beyond float16) go again: no half model is left behind.
  const written: string[] = [];
  const started = performance.now();
  let lastShown = -1;
  const { modelJson, tensors, warnings } = await convertWeights(
    sources.length === 1 ? sources[0] : sources,
    (p, bytes) => (written.push(p), writeFile(path.join(out, p), bytes)),
    {
      variant,
      dtype,
      name,
      vocabulary: await yt8mVocabulary(),
      sha256: () => {
        const h = createHash('sha256');
        return { update: (b: Uint8Array) => h.update(b), digest: () => new Uint8Array(h.digest()) };
      },
      onProgress: (e) => {
        if (e.kind === 'start') shown = e.file;
        if (e.kind !== 'progress') return;
        const pct = Math.floor((100 * e.bytesDone) / e.bytesTotal);
        if (pct >= lastShown + 5 || e.bytesDone === e.bytesTotal) {
          lastShown = pct;
          stderr(`converting ${shown}: ${pct}% (${mb(e.bytesDone)} of ${mb(e.bytesTotal)} MB, ${e.tensor})`);
        }
      },
    },
  ).catch(async (e: unknown) => {
    await Promise.all(written.map((p) => rm(path.join(out, p), { force: true })));
    throw e;
  });
  await writeFile(path.join(out, 'model.json'), JSON.stringify(modelJson, null, 1) + '\n');
  warnings.forEach((w) => stderr(`warning: ${w}`));
  const meta = modelJson.attentionLstm;
  const s = meta.sizes;
  const w = [28, 18, 16, 12];
  const row = (cells: string[]) => cells.map((c, i) => (i === 3 ? c.padStart(w[i]) : c.padEnd(w[i]))).join(' ');
  const lines = [
    row(['paddle tensor', 'converted as', 'shape', 'bytes']),
    ...tensors.map((t) => row([t.paddle, t.name, `[${t.shape.join(', ')}]`, t.bytes.toLocaleString('en-US')])),
    row(['total', '', '', tensors.reduce((n, t) => n + t.bytes, 0).toLocaleString('en-US')]),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  process.stdout.write(
    `${meta.variant} AttentionLSTM (rgb ${s.rgbDim}, audio ${s.audioDim}, E ${s.embed}, D ${s.lstm}, head ${s.head1}/${s.head2}, ${s.classes} classes${meta.classNames ? ', named' : ''}) ` +
      `written to ${path.join(out, 'model.json')} with ${modelJson.weightsManifest[0].paths.length} shards, ${dtype}, in ${((performance.now() - started) / 1000).toFixed(1)} s; source sha256 ${meta.source?.sha256}\n`,
  );
});

function mb(n: number): string {
  return (n / 1e6).toFixed(1);
}

/** --out as a folder, made if missing; a file in its place, or on its path, is said in a sentence. */
async function makeOutFolder(out: string): Promise<void> {
  const s = await stat(out).catch(() => null);
  if (s && !s.isDirectory()) throw new InputError(`--out ${out}: is a file; give a folder to write model.json and its shards into`);
  await mkdir(out, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
    const why =
      e.code === 'ENOTDIR' || e.code === 'EEXIST'
        ? 'a part of its path is a file, not a folder'
        : e.code === 'EACCES'
          ? 'permission denied'
          : (e.code ?? e.message);
    throw new InputError(`--out ${out}: cannot make the folder (${why})`);
  });
}
