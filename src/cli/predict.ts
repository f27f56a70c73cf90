import { createWriteStream } from 'node:fs';
import { CLI_BACKENDS, CLI_DEFAULT_BACKEND } from '../core/backends';
import { InputError } from '../core/errors';
import { topKIndices } from '../core/metrics';
import { videoPredictionJson, type VideoPredictionJson } from '../core/predictionDocument';
import { SegmentRanking } from '../core/segments/segmentRanking';
import { submissionLines } from '../core/segments/submission';
import { segmentId } from '../core/segments/windows';
import { streamFeatureFiles } from './featureFiles';
import { ENGINES, loadPredictor } from './loadPredictor';
import { predictEach } from './predictEach';
import type { ProgressState } from './progressLine';
import { args, choice, maxFrames, positiveInt, runCli, stderr, threads, requireModel } from './run';
import { refuseSegmentFlagsAlone, SEGMENT_OPTIONS, SEGMENT_USAGE, segmentFlags } from './segmentFlags';
import { segmentsEach } from './segmentsEach';
import { SHARD_OPTIONS, SHARD_USAGE, shardedInputs } from './shardFlags';
import { PART_OPTIONS, startPart } from './partOfRun';
import { MetricsAccumulator } from '../core/metrics';

const USAGE = `npm run predict -- --model <dir> [--top-k 20] [--backend ${CLI_BACKENDS.join('|')}] [--batch-size N] [--max-frames 300] [--threads 1] [--engine ${ENGINES.join('|')}] [--jsonl] ${SEGMENT_USAGE.slice(0, -1)} [--submission out.csv | --partial part.json]] ${SHARD_USAGE} <feature files or URLs...>`;

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' },
    'top-k': { type: 'string' },
    backend: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-frames': { type: 'string' },
    threads: { type: 'string' },
    engine: { type: 'string' },
    jsonl: { type: 'boolean' },
    submission: { type: 'string' },
    ...SEGMENT_OPTIONS,
    ...SHARD_OPTIONS,
    ...PART_OPTIONS,
  });
  requireModel(values.model);
  refuseSegmentFlagsAlone(values);
  if (values.submission !== undefined && !values.segments)
    throw new InputError("--submission writes the segment challenge's file: add --segments");
  if (values.partial !== undefined && !values.segments)
    throw new InputError(
      "predict --partial writes the window rankings behind a segment submission: add --segments (evaluate --partial writes the figures' state)",
    );
  if (values.partial !== undefined && values.submission !== undefined)
    throw new InputError(
      "--partial writes this worker's rankings for npm run merge -- --submission out.csv to turn into the submission: give --partial or --submission, not both",
    );
  if (values.segments && !values.jsonl && values.submission === undefined && values.partial === undefined) {
    throw new InputError('--segments writes windows as --jsonl lines (one per window) or as a --submission file: give one or both');
  }
  const backend = choice(values.backend, CLI_BACKENDS, '--backend', CLI_DEFAULT_BACKEND);
  const inputs = await shardedInputs(values, positionals);
  // A worker's share is its own output: JSON lines concatenate (the whole run's lines, in shard order); one document each would not.
  if (inputs.sharded && !values.jsonl && values.submission === undefined && values.partial === undefined)
    throw new InputError("--shard writes each worker's predictions as --jsonl lines (concatenate the workers' outputs): add --jsonl");
  if (inputs.sharded && values.submission !== undefined)
    throw new InputError(
      '--submission ranks the windows of every video at once, which a shard cannot: give each worker --partial part.json, then npm run merge -- --submission out.csv parts/*',
    );
  const part = values.partial !== undefined ? await startPart(values, inputs) : null;
  const topK = positiveInt(values['top-k'], '--top-k', 20);
  // Unset: as many videos as fit the batch memory budget.
  const batchSize = values['batch-size'] === undefined ? undefined : positiveInt(values['batch-size'], '--batch-size', 1);
  const { model, classNames, engine } = await loadPredictor(values.model, backend, threads(values.threads), {
    // Segments run the own engine unless asked (its windows are many short videos).
    engine: values.segments ? choice(values.engine, ENGINES, '--engine', 'own') : choice(values.engine, ENGINES, '--engine', 'auto'),
    inputs: inputs.all,
  });
  part?.setEngine(engine);
  const progress: ProgressState = { bytesRead: 0, bytesTotal: 0, videosRead: 0, videosDone: 0, failed: 0 };
  const videos: VideoPredictionJson[] = [];
  const out = (text: string) =>
    new Promise<void>((resolve) => (process.stdout.write(text) ? resolve() : process.stdout.once('drain', () => resolve())));
  // --jsonl: one JSON object per video (or window) as it is predicted, so any number fits; else one document at the end.
  if (values.jsonl) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  let text = '';
  // A worker with more workers than inputs has no share: it writes nothing and succeeds.
  if (inputs.sharded && inputs.mine.length === 0)
    stderr(`note: shard ${inputs.shard.index}/${inputs.shard.count} has no inputs (${inputs.total} inputs, ${inputs.shard.count} workers)`);
  const items = streamFeatureFiles(
    inputs.mine,
    progress,
    { maxFrames: maxFrames(values['max-frames']) },
    { allowNone: inputs.sharded && inputs.mine.length === 0, ...part?.streamOptions },
  );

  if (values.segments) {
    const seg = await segmentFlags(values, model.meta.sizes.classes);
    // Without a submission nothing is ranked: --jsonl alone holds nothing past a batch.
    const ranking =
      values.submission !== undefined || part
        ? new SegmentRanking({ classes: model.meta.sizes.classes, k: seg.k, rated: seg.rated, window: seg.window })
        : null;
    if (ranking && seg.rated)
      stderr(
        `note: the submission ranks windows for the ${seg.rated.length} rated classes only (${values['rated-classes'] ?? 'the YouTube-8M segment classes'})`,
      );
    // Opened before the run, so that a path that cannot be written fails at once, not after a shard.
    const file = values.submission !== undefined ? await openForWriting(values.submission) : null;
    await segmentsEach('predict', model, items, progress, { window: seg.window }, async (batch) => {
      for (const w of batch.windows) {
        ranking?.addWindow(w.item.video, w.start, w.probabilities);
        if (!values.jsonl) continue;
        const v = w.item.video;
        const top = Array.from(topKIndices(w.probabilities, topK), (c) => ({
          class: c,
          name: classNames[c],
          probability: w.probabilities[c],
        }));
        text +=
          JSON.stringify({
            id: segmentId(v.id, w.start),
            video: v.id,
            file: v.file,
            start: w.start,
            frames: w.frames,
            probabilities: Array.from(w.probabilities),
            top,
          }) + '\n';
      }
      for (const item of batch.done) ranking?.addVideo(item.video);
      if (text) await out(text);
      text = '';
    });
    if (part && ranking) {
      const C = model.meta.sizes.classes;
      await part.finish({
        command: 'predict',
        dir: values.model,
        classes: C,
        classNames,
        maxFrames: maxFrames(values['max-frames']),
        metrics: new MetricsAccumulator(C),
        ranking,
        unlabeled: 0,
        failed: progress.failed,
        segmentsOnly: true,
      });
    }
    if (ranking && file) {
      for (const line of submissionLines(ranking)) await file.write(line);
      await file.close();
      stderr(`submission: ${ranking.rankedClasses().length} classes, at most ${seg.k} windows each, written to ${values.submission}`);
    }
    return;
  }

  await predictEach(
    'predict',
    model,
    items,
    progress,
    batchSize,
    (item, prediction) => {
      const json = videoPredictionJson(item.video, prediction, classNames, topK);
      if (values.jsonl) text += JSON.stringify(json) + '\n';
      else videos.push(json);
    },
    async () => {
      if (text) await out(text);
      text = '';
    },
  );
  if (!values.jsonl) process.stdout.write(JSON.stringify({ model: values.model, backend, videos }) + '\n');
});

/** A file written a line at a time, waiting when the disk is behind; a write error is an InputError naming it. */
async function openForWriting(path: string): Promise<{ write(text: string): Promise<void>; close(): Promise<void> }> {
  const stream = createWriteStream(path);
  let failed: InputError | null = null;
  const failure = (e: NodeJS.ErrnoException) => new InputError(`${path}: cannot write (${e.code ?? e.message})`);
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', (e: NodeJS.ErrnoException) => reject(failure(e)));
  });
  stream.on('error', (e: NodeJS.ErrnoException) => (failed = failure(e)));
  return {
    write: async (t) => {
      if (failed) throw failed;
      if (!stream.write(t)) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
    },
    close: () => new Promise<void>((resolve, reject) => stream.end(() => (failed ? reject(failed) : resolve()))),
  };
}
