import { CLI_BACKENDS, CLI_DEFAULT_BACKEND } from '../core/backends';
import { InputError } from '../core/errors';
import { MetricsAccumulator } from '../core/metrics';
import { SegmentRanking } from '../core/segments/segmentRanking';
import { reportEvaluation } from './evaluationReport';
import { streamFeatureFiles } from './featureFiles';
import { PART_OPTIONS, PART_USAGE, startPart } from './partOfRun';
import { SHARD_OPTIONS, SHARD_USAGE, shardedInputs } from './shardFlags';
import { ENGINES, loadPredictor } from './loadPredictor';
import { predictEach } from './predictEach';
import type { ProgressState } from './progressLine';
import { args, choice, maxFrames, positiveInt, runCli, threads, stderr, requireModel } from './run';
import { refuseSegmentFlagsAlone, SEGMENT_OPTIONS, SEGMENT_USAGE, segmentFlags } from './segmentFlags';
import { segmentsEach } from './segmentsEach';

const USAGE = `npm run evaluate -- --model <dir> [--backend ${CLI_BACKENDS.join('|')}] [--batch-size N] [--max-frames 300] [--threads 1] [--engine ${ENGINES.join('|')}] ${SEGMENT_USAGE.slice(0, -1)} [--segments-only]] ${SHARD_USAGE} ${PART_USAGE} <labeled feature files or URLs...>`;

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' },
    backend: { type: 'string' },
    'batch-size': { type: 'string' },
    'max-frames': { type: 'string' },
    threads: { type: 'string' },
    engine: { type: 'string' },
    'segments-only': { type: 'boolean' },
    ...SEGMENT_OPTIONS,
    ...SHARD_OPTIONS,
    ...PART_OPTIONS,
  });
  requireModel(values.model);
  refuseSegmentFlagsAlone(values);
  if (values['segments-only'] && !values.segments) throw new InputError('--segments-only is a setting of --segments: add --segments');
  const backend = choice(values.backend, CLI_BACKENDS, '--backend', CLI_DEFAULT_BACKEND);
  const batchSize = values['batch-size'] === undefined ? undefined : positiveInt(values['batch-size'], '--batch-size', 1);
  const inputs = await shardedInputs(values, positionals);
  const frameCap = maxFrames(values['max-frames']);
  // --partial: the run's mergeable state goes to a file instead of figures to stdout (docs/cluster.md).
  const part = await startPart(values, inputs);
  const { model, classNames, engine } = await loadPredictor(values.model, backend, threads(values.threads), {
    // Segments run the own engine unless asked (its windows are many short videos).
    engine: values.segments ? choice(values.engine, ENGINES, '--engine', 'own') : choice(values.engine, ENGINES, '--engine', 'auto'),
    inputs: inputs.all,
  });
  part?.setEngine(engine);
  const C = model.meta.sizes.classes;
  const progress: ProgressState = { bytesRead: 0, bytesTotal: 0, videosRead: 0, videosDone: 0, failed: 0 };
  const files = streamFeatureFiles(inputs.mine, progress, { maxFrames: frameCap }, part?.streamOptions);
  // A label outside the model's classes stops the run, naming the video.
  const checkLabels = (v: { file: string; index: number; id: string; labels?: number[] }) => {
    const bad = v.labels?.find((l) => !Number.isInteger(l) || l < 0 || l >= C);
    if (bad !== undefined)
      throw new InputError(`${v.file}: video ${v.index} ('${v.id}') has label ${bad}, outside the model's ${C} classes`);
  };
  // Constant memory: each window's predictions are folded into the metrics and dropped.
  const metrics = new MetricsAccumulator(C);
  let unlabeled = 0;

  if (!values.segments) {
    // Only labeled videos go on.
    async function* labeled() {
      for await (const item of files) {
        if (item.video.labels === undefined) {
          unlabeled++;
          continue;
        }
        checkLabels(item.video);
        yield item;
      }
    }
    await predictEach('evaluate', model, labeled(), progress, batchSize, (item, prediction) =>
      metrics.add(prediction.probabilities, item.video.labels!),
    );
    if (part)
      return part.finish({
        dir: values.model,
        classes: C,
        classNames,
        maxFrames: frameCap,
        metrics,
        ranking: null,
        unlabeled,
        failed: progress.failed,
        segmentsOnly: false,
      });
    return reportEvaluation({ metrics, ranking: null, unlabeled, classNames });
  }

  // --segments: every video is cut into windows and ranked; its ratings are counted. Videos with
  // video-level labels are predicted whole as well, for the video figures, unless --segments-only.
  const seg = await segmentFlags(values, C);
  const ranking = new SegmentRanking({ classes: C, k: seg.k, rated: seg.rated, window: seg.window });
  if (seg.rated)
    stderr(
      `note: windows are ranked for the ${seg.rated.length} rated classes only (${values['rated-classes'] ?? 'the YouTube-8M segment classes'})`,
    );
  await segmentsEach(
    'evaluate',
    model,
    files,
    progress,
    {
      window: seg.window,
      batchSize,
      videoLevel: values['segments-only']
        ? undefined
        : {
            wants: (v) => {
              if (v.labels === undefined) {
                unlabeled++;
                return false;
              }
              checkLabels(v);
              return true;
            },
            onVideo: (v, p) => metrics.add(p.probabilities, v.labels!),
          },
    },
    (batch) => {
      for (const w of batch.windows) ranking.addWindow(w.item.video, w.start, w.probabilities);
      for (const item of batch.done) ranking.addVideo(item.video);
    },
  );
  if (part)
    return part.finish({
      dir: values.model,
      classes: C,
      classNames,
      maxFrames: frameCap,
      metrics,
      ranking,
      unlabeled,
      failed: progress.failed,
      segmentsOnly: !!values['segments-only'],
    });
  reportEvaluation({ metrics: values['segments-only'] ? null : metrics, ranking, unlabeled, classNames });
});
