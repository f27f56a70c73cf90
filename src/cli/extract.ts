import { open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { access } from 'node:fs/promises';
import { CLI_BACKENDS, CLI_DEFAULT_BACKEND } from '../core/backends';
import { InputError, userMessage } from '../core/errors';
import { FeatureExtractor, readExtractorFiles } from '../core/extractor/extractor';
import { RGB_ONLY_NOTE } from '../core/extractor/record';
import { labelsFor, parseVideoLabels, type VideoLabelRow } from '../core/extractor/videoLabels';
import { formatDuration } from '../core/formatUnits';
import { writeTfRecords } from '../core/containers/tfrecord';
import { useBackend } from '../node/backend';
import { extractVideoFile, readInceptionFile, readPcaPath } from '../node/extractVideo';
import { checkFfmpeg } from '../node/videoDecoder';
import { args, choice, maxFrames, noteSkipped, positiveInt, runCli, stderr, threads } from './run';

const USAGE = `npm run extract -- --inception <inception-2015-12-05.tgz|classify_image_graph_def.pb> --pca <yt8m_pca.tgz|folder> --out <features.tfrecord> [--labels <videos.csv>] [--backend ${CLI_BACKENDS.join('|')}] [--threads N] [--batch-size N] [--max-frames 300] <videos...>`;

runCli(USAGE, async () => {
  const { values, positionals } = args({
    inception: { type: 'string' },
    pca: { type: 'string' },
    out: { type: 'string' },
    labels: { type: 'string' },
    backend: { type: 'string' },
    threads: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-frames': { type: 'string' },
  });
  if (!values.inception)
    throw new InputError('--inception is required: the published inception-2015-12-05.tgz, or the classify_image_graph_def.pb it holds');
  if (!values.pca)
    throw new InputError('--pca is required: the published yt8m_pca.tgz, or a folder of its mean.npy, eigenvals.npy and eigenvecs.npy');
  if (!values.out) throw new InputError('--out <features.tfrecord> is required: the file the features are written to');
  const backend = choice(values.backend, CLI_BACKENDS, '--backend', CLI_DEFAULT_BACKEND);
  const batchSize = values['batch-size'] === undefined ? undefined : positiveInt(values['batch-size'], '--batch-size', 1);
  const cap = maxFrames(values['max-frames']);

  let rows: VideoLabelRow[] = [];
  if (values.labels) {
    const text = await readFile(values.labels, 'utf8').catch(() => {
      throw new InputError(`${values.labels}: cannot read the labels CSV`);
    });
    rows = parseVideoLabels(text, values.labels);
  }
  // Without videos on the command line, the CSV's videos (as upstream's --input_videos_csv), relative to where it is when not found here.
  const videos =
    positionals.length > 0
      ? positionals
      : await Promise.all(
          rows.map(async (r) => {
            const here = await access(r.path).then(
              () => true,
              () => false,
            );
            return here || path.isAbsolute(r.path) ? r.path : path.join(path.dirname(values.labels!), r.path);
          }),
        );
  if (videos.length === 0) throw new InputError('no videos given: name video files, or give --labels <videos.csv> listing them');

  const tools = await checkFfmpeg();
  const model = await readExtractorFiles(await readInceptionFile(values.inception), await readPcaPath(values.pca));
  await useBackend(backend, { threads: threads(values.threads) });
  const extractor = FeatureExtractor.create(model, { batchSize });
  const g = model.graph;
  stderr(
    `extract: ${g.file}: ${g.stats.nodesOnPath} nodes from ${g.input} to ${g.output} (${g.stats.fusedConvolutions} convolutions fused with their batch norms); PCA ${model.pca.components} components; ${tools.ffmpeg}; tfjs ${backend}`,
  );
  stderr(`note: ${RGB_ONLY_NOTE}`);

  const partial = `${values.out}.partial`;
  const out = await open(partial, 'w').catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`${values.out}: cannot write (${e.code ?? e.message})`);
  });
  const done: { file: string; id: string; frames: number; seconds: number; labels?: number[] }[] = [];
  const failed: { file: string; error: string }[] = [];
  const tty = process.stderr.isTTY === true;
  try {
    for (let v = 0; v < videos.length; v++) {
      const file = videos[v];
      const started = performance.now();
      let lastLine = 0;
      try {
        const labels = rows.length ? labelsFor(rows, file, values.labels!) : undefined;
        const result = await extractVideoFile(extractor, file, {
          labels,
          maxFrames: cap,
          onWarning: (m) => stderr(`warning: ${m}`),
          onFrame: (taken, info, at) => {
            const now = performance.now();
            if (now - lastLine < (tty ? 200 : 5000)) return;
            lastLine = now;
            const expected = info.duration ? Math.min(cap, Math.floor(info.duration) + 1) : null;
            const rate = taken / ((now - started) / 1000);
            const left = expected && rate > 0 ? ` ${formatDuration((expected - taken) / rate)} left` : '';
            const line = `extract: video ${v + 1}/${videos.length} ${file}: ${taken}${expected ? `/${expected}` : ''} frames (${at.toFixed(1)} s of the video), ${rate.toFixed(2)} frames/s${left}`;
            process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
          },
        });
        await out.write(writeTfRecords([result.record]));
        const seconds = (performance.now() - started) / 1000;
        if (tty) process.stderr.write('\r\x1b[K');
        stderr(
          `extract: video ${v + 1}/${videos.length} ${file}: ${result.frames} frames in ${seconds.toFixed(1)} s (${(result.frames / seconds).toFixed(2)} frames/s)${result.labels ? `, labels ${result.labels.join(';')}` : ''}`,
        );
        done.push({
          file,
          id: result.id,
          frames: result.frames,
          seconds: Number(seconds.toFixed(3)),
          ...(result.labels ? { labels: result.labels } : {}),
        });
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        if (tty) process.stderr.write('\r\x1b[K');
        stderr(`warning: ${userMessage(err)} (video skipped)`);
        failed.push({ file, error: userMessage(err) });
        noteSkipped();
      }
    }
  } finally {
    await out.close();
    extractor.dispose();
  }
  if (done.length === 0) {
    await rm(partial, { force: true });
    throw new InputError(`no video could be extracted (${failed.length} failed): nothing was written to ${values.out}`);
  }
  await rename(partial, values.out);
  stderr(
    `extract: wrote ${done.length} video${done.length === 1 ? '' : 's'} (${done.reduce((n, d) => n + d.frames, 0)} frames) to ${values.out}${failed.length ? `; ${failed.length} failed` : ''}`,
  );
  process.stdout.write(JSON.stringify({ out: values.out, videos: done, failed, note: RGB_ONLY_NOTE }) + '\n');
});
