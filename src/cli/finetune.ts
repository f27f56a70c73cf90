import { readFile } from 'node:fs/promises';
import { modelFiles } from '../core/convert/fromWeights';
import { InputError } from '../core/errors';
import { FineTuneSession } from '../core/training/finetune';
import { SegmentFineTune } from '../core/training/segmentFinetune';
import { segmentMapJson } from '../core/segments/segmentMap';
import type { VideoFeatures } from '../core/features/featureTypes';
import type { LoadedModel } from '../core/model/model';
import { refuseSegmentFlagsAlone, SEGMENT_OPTIONS, SEGMENT_USAGE, segmentFlags } from './segmentFlags';
import {
  defaultHeadLayers,
  defaultMode,
  FINETUNE_DEFAULTS,
  recommendedSettings,
  trainingLabels,
  validationNote,
} from '../core/training/policy';
import type { FineTuneMode, HeadLayers, OptimizerName } from '../core/training/trainingTypes';
import { writeModelDir } from '../node/files';
import { args, choice, maxFrames, positiveInt, runCli, stderr, requireModel, checkOutFolder } from './run';
import { readFeatureFiles } from './featureFiles';
import { loadModel } from './loadModel';
import '../node/gradients';

// Left out, the mode, epochs, learning rate and validation share are chosen from the data by the fine-tune policy (core/training/policy.ts).
const USAGE = `npm run finetune -- --model <dir> --out <dir> [--mode new-head|same-labels|all] [--head whole|last] [--labels names.txt] [--epochs N] [--batch-size 16] [--lr R] [--optimizer adam|rmsprop] [--validation F] [--seed 0] [--max-frames 300] ${SEGMENT_USAGE} <labeled feature files...>`;
const HEADS: Record<'whole' | 'last', HeadLayers> = { whole: 'whole-head', last: 'last-layer' };

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' },
    out: { type: 'string' },
    mode: { type: 'string' },
    head: { type: 'string' },
    labels: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    optimizer: { type: 'string' },
    validation: { type: 'string' },
    seed: { type: 'string' },
    'max-frames': { type: 'string' },
    ...SEGMENT_OPTIONS,
  });
  requireModel(values.model);
  if (!values.out) throw new InputError('--out <dir> is required: the folder to write the fine-tuned model into');
  checkOutFolder(values.out);
  const d = FINETUNE_DEFAULTS;
  const modes = ['new-head', 'same-labels', 'all'] as const;
  if (values.mode !== undefined) choice(values.mode, modes, '--mode', d.mode);
  const optimizer: OptimizerName = choice(values.optimizer, ['adam', 'rmsprop'] as const, '--optimizer', d.optimizer);
  if (values.lr !== undefined && !(Number(values.lr) > 0)) throw new InputError(`--lr must be a positive number, not '${values.lr}'`);
  const seed = values.seed === undefined ? d.seed : Number(values.seed);
  const batchSize = positiveInt(values['batch-size'], '--batch-size', d.batchSize);

  refuseSegmentFlagsAlone(values);
  if (values.segments && values.labels)
    throw new InputError("--labels names new classes; --segments trains the model's own classes on their segment ratings");
  if (values.segments && values.mode === 'new-head')
    throw new InputError("--segments trains the model's own classes: --mode same-labels (the default) or all");
  const videos = await readFeatureFiles(positionals, { maxFrames: maxFrames(values['max-frames']) });
  if (!values.segments && videos.every((v) => !v.labels?.length)) {
    const npy = positionals.some((p) => p.toLowerCase().endsWith('.npy'));
    throw new InputError(
      `the labels are missing: none of the ${videos.length} videos read carries labels, and fine-tuning learns from them` +
        (npy
          ? ' (a .npy file holds features only: give the videos, with their labels, in another feature format)'
          : " (each video needs its class ids in \"labels\", or in a pkl record's 'label')"),
    );
  }
  const { model, classNames: modelNames } = await loadModel(values.model, 'wasm');
  if (values.segments) {
    await finetuneOnSegments(model, modelNames, videos, { ...values, out: values.out, optimizer, seed, batchSize });
    return;
  }
  // Line i of names.txt names label id i, as a vocabulary does.
  const names = values.labels
    ? (
        await readFile(values.labels, 'utf8').catch(() => {
          throw new InputError(`${values.labels}: cannot read`);
        })
      )
        .split(/\r?\n/)
        .map((l) => l.trim())
    : null;
  while (names?.length && !names[names.length - 1]) names.pop();
  const modelClassNames = model.meta.classNames ?? [];
  const mode: FineTuneMode =
    values.mode !== undefined
      ? choice(values.mode, modes, '--mode', d.mode)
      : defaultMode(
          videos.flatMap((v) => v.labels ?? []),
          modelClassNames,
          { names },
        );
  if (values.mode === undefined && mode === 'same-labels')
    stderr(
      "note: the files' labels are the model's own classes: training the same labels (--mode new-head, with --labels names.txt, teaches new classes)",
    );
  let headLayers =
    values.head === undefined
      ? defaultHeadLayers(model.meta.sizes)
      : HEADS[choice(values.head, ['whole', 'last'] as const, '--head', 'whole')];
  if (values.head === undefined && mode === 'new-head' && headLayers === 'last-layer') {
    stderr("the model's head is large: training the logit layer alone (--head whole to train fc 1, fc 2 and the logits)");
  }
  if (mode !== 'new-head') headLayers = d.headLayers;
  const chosen = trainingLabels(
    mode,
    videos.map((v) => ({ key: `${v.file}#${v.index}`, labels: v.labels, video: v })),
    { names, modelClassNames },
  );
  chosen.notes.forEach((n) => stderr(`note: ${n}`));
  const data = chosen.data.map((x) => ({ video: x.item.video, labels: x.labels }));
  const classNames = chosen.classNames;
  // The settings left out fit the data: its size and the classes its labels use.
  const size = { videos: data.length, classes: new Set(data.flatMap((x) => x.labels)).size };
  const given = values.validation === undefined ? undefined : Number(values.validation);
  const recommended = recommendedSettings(mode, size, { validationFraction: given, batchSize });
  const validation = given ?? recommended.validationFraction;
  const lr = values.lr === undefined ? recommended.learningRate : Number(values.lr);
  const epochCount = positiveInt(values.epochs, '--epochs', recommended.epochs);
  const small = validationNote(size, validation);
  if (small) stderr(`note: ${small}`);
  const session = await FineTuneSession.create(
    model,
    data,
    {
      mode,
      headLayers,
      classNames,
      optimizer,
      learningRate: lr,
      epochs: epochCount,
      batchSize,
      validationFraction: validation,
      seed,
    },
    (done, total) => {
      if (done === total || done % 64 === 0) stderr(`caching encoder outputs: ${done}/${total} videos`);
    },
  );
  stderr(
    `training ${session.classNames.length} classes on ${session.trainSet.length} videos, validating on ${session.validationSet.length}: ${epochCount} epochs, ${optimizer} lr ${lr}${session.earlyStopping ? `, stopping early after ${session.config.patience} epochs without a better validation loss` : ''}`,
  );
  const before = await session.validate();
  const epochs = [];
  while (!session.finished) {
    const e = await session.runEpoch();
    epochs.push(e);
    stderr(
      `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, validation loss ${e.validationLoss.toFixed(4)}, GAP ${e.validationGap.toFixed(3)}, Hit@1 ${e.validationHitAt1.toFixed(3)} (${e.seconds.toFixed(2)} s)`,
    );
    if (e.stoppedEarly) stderr(`stopped early: no better validation loss for ${session.config.patience} epochs`);
  }
  if (session.earlyStopping && session.bestEpoch !== session.epoch)
    stderr(
      `kept the weights of epoch ${session.bestEpoch}${session.bestEpoch === 0 ? ' (the model as it was)' : ''}, the best validation loss`,
    );
  const after = await session.validate();
  const { meta, weights } = await session.result();
  session.dispose();
  const { json, shards } = await modelFiles(meta, weights);
  await writeModelDir(values.out, json, shards);
  const summary = (v: typeof before) => ({ loss: v.loss, gap: v.gap, hit_at_1: v.hitAt1 });
  process.stdout.write(
    JSON.stringify({
      model: values.out,
      mode,
      classes: session.classNames,
      epochs,
      before: summary(before),
      after: summary(after),
      per_class: after.perClass.map((c) => ({ name: c.name, ap: Number.isNaN(c.ap) ? null : c.ap, count: c.count })),
    }) + '\n',
  );
});

/**
 * `--segments`: the model's own classes refined on the files' segment ratings
 * (core/training/segmentFinetune.ts), judged by the validation videos'
 * segment MAP before and after.
 */
async function finetuneOnSegments(
  model: LoadedModel,
  classNames: string[],
  videos: VideoFeatures[],
  values: {
    out: string;
    mode?: string;
    epochs?: string;
    lr?: string;
    validation?: string;
    optimizer: OptimizerName;
    seed: number;
    batchSize: number;
    'window-length'?: string;
    hop?: string;
    k?: string;
    'rated-classes'?: string;
    segments?: boolean;
  },
): Promise<void> {
  const mode = choice(values.mode, ['same-labels', 'all'] as const, '--mode', 'same-labels');
  const seg = await segmentFlags(values, model.meta.sizes.classes);
  const rated = videos.filter((v) => v.segments?.length);
  if (rated.length === 0)
    throw new InputError(
      'none of the videos carry segment ratings (segment_labels, segment_start_times, segment_scores); --segments fine-tuning needs segment-rated files',
    );
  // The settings left out fit the data: its rated windows and the classes they rate.
  const size = { videos: rated.length, classes: new Set(rated.flatMap((v) => v.segments!.map((s) => s.class))).size };
  const given = values.validation === undefined ? undefined : Number(values.validation);
  const recommended = recommendedSettings(mode, size, { validationFraction: given, batchSize: values.batchSize });
  const validation = given ?? recommended.validationFraction;
  const lr = values.lr === undefined ? recommended.learningRate : Number(values.lr);
  const epochCount = positiveInt(values.epochs, '--epochs', recommended.epochs);
  const ft = await SegmentFineTune.create(
    model,
    videos,
    {
      mode,
      optimizer: values.optimizer,
      learningRate: lr,
      epochs: epochCount,
      batchSize: values.batchSize,
      validationFraction: validation,
      seed: values.seed,
      window: seg.window,
    },
    (done, total) => {
      if (done === total || done % 256 === 0) stderr(`caching encoder outputs: ${done}/${total} windows`);
    },
  );
  ft.notes.forEach((n) => stderr(`note: ${n}`));
  const session = ft.session;
  stderr(
    `training the model's ${session.classNames.length} classes on ${session.trainSet.length} rated windows of ${ft.trainVideos.length} videos, validating on ${session.validationSet.length} of ${ft.validationVideos.length} videos: ${epochCount} epochs, ${values.optimizer} lr ${lr}${session.earlyStopping ? `, stopping early after ${session.config.patience} epochs without a better validation loss` : ''}`,
  );
  const mapOpts = { k: seg.k, rated: seg.rated };
  const beforeLoss = await session.validate();
  const before = await ft.segmentMap('validation', mapOpts);
  stderr(
    `validation segment MAP before: ${before.map === null ? 'none (no validation class has a positive rating)' : before.map.toFixed(4)}`,
  );
  const epochs = [];
  while (!session.finished) {
    const e = await session.runEpoch();
    epochs.push(e);
    stderr(
      `epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, validation loss ${e.validationLoss.toFixed(4)} (${e.seconds.toFixed(2)} s)`,
    );
    if (e.stoppedEarly) stderr(`stopped early: no better validation loss for ${session.config.patience} epochs`);
  }
  if (session.earlyStopping && session.bestEpoch !== session.epoch)
    stderr(
      `kept the weights of epoch ${session.bestEpoch}${session.bestEpoch === 0 ? ' (the model as it was)' : ''}, the best validation loss`,
    );
  const afterLoss = await session.validate();
  const after = await ft.segmentMap('validation', mapOpts);
  stderr(`validation segment MAP after: ${after.map === null ? 'none' : after.map.toFixed(4)}`);
  const { meta, weights } = await session.result(
    `Fine-tuned on rated segments (${mode}, ${session.epoch} epochs, ${values.optimizer} lr ${lr}) on ${session.trainSet.length} windows of ${ft.trainVideos.length} videos from: ${model.meta.description ?? 'a model'}`,
  );
  session.dispose();
  const { json, shards } = await modelFiles(meta, weights);
  await writeModelDir(values.out, json, shards);
  const summary = (loss: number, m: typeof before) => ({ loss, segments: segmentMapJson(m, classNames, seg.window) });
  process.stdout.write(
    JSON.stringify({
      model: values.out,
      mode,
      segments: true,
      classes: session.classNames,
      epochs,
      train: { videos: ft.trainVideos.length, windows: session.trainSet.length },
      validation: { videos: ft.validationVideos.length, windows: session.validationSet.length },
      before: summary(beforeLoss.loss, before),
      after: summary(afterLoss.loss, after),
    }) + '\n',
  );
}
