import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/errors';
import { modelFiles } from '../core/convert/fromWeights';
import { FINETUNE_DEFAULTS, FineTuneSession, type FineTuneMode } from '../core/training/finetune';
import { fileClassNames, fileLabelSet, relabel } from '../core/training/labelSet';
import { args, choice, positiveInt, runCli, stderr } from './run';
import { readFeatureFiles } from './featureFiles';
import { loadModel } from './loadModel';

const USAGE = 'npm run finetune -- --model <dir> --out <dir> [--mode new-head|same-labels|all] [--head whole|last] [--labels names.txt] [--epochs 50] [--batch-size 16] [--lr 0.001] [--optimizer adam|rmsprop] [--validation 0.15] [--seed 0] <labeled feature files...>';

runCli(USAGE, async () => {
  const { values, positionals } = args({
    model: { type: 'string' }, out: { type: 'string' }, mode: { type: 'string' }, head: { type: 'string' },
    labels: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' }, lr: { type: 'string' },
    optimizer: { type: 'string' }, validation: { type: 'string' }, seed: { type: 'string' },
  });
  if (!values.model) throw new InputError('--model <dir> is required');
  if (!values.out) throw new InputError('--out <dir> is required: the folder to write the fine-tuned model into');
  const mode = choice(values.mode, ['new-head', 'same-labels', 'all'] as const, '--mode', 'new-head') as FineTuneMode;
  let head = choice(values.head, ['whole', 'last'] as const, '--head', 'whole');
  const optimizer = choice(values.optimizer, ['adam', 'rmsprop'] as const, '--optimizer', 'adam');
  const lr = values.lr === undefined ? FINETUNE_DEFAULTS.learningRate : Number(values.lr);
  if (!(lr > 0)) throw new InputError(`--lr must be a positive number, not '${values.lr}'`);
  const validation = values.validation === undefined ? FINETUNE_DEFAULTS.validationFraction : Number(values.validation);
  const seed = values.seed === undefined ? 0 : Number(values.seed);

  const all = await readFeatureFiles(positionals);
  const videos = all.filter((v) => v.labels && v.labels.length > 0);
  if (videos.length < all.length) stderr(`warning: ${all.length - videos.length} videos without labels were left out`);
  const { model } = await loadModel(values.model, 'wasm');
  const s = model.meta.sizes;
  // A full-size head (fc 8192 and 4096, 67 M weights) takes about a minute an epoch on 500 videos
  // here (bench/results/results-finetune.json); its logit layer alone trains in well under a second.
  if (values.head === undefined && mode === 'new-head' && 4 * s.lstm * s.head1 + s.head1 * s.head2 > 20e6) {
    head = 'last';
    stderr('the model\'s head is large: training the logit layer alone (--head whole to train fc 1, fc 2 and the logits)');
  }
  let names: string[] | null = null;
  if (values.labels) {
    names = (await readFile(values.labels, 'utf8').catch(() => { throw new InputError(`${values.labels}: cannot read`); }))
      .split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  }
  let data = videos.map((v) => ({ video: v, labels: v.labels! }));
  let classNames: string[] = [];
  if (mode === 'same-labels') {
    if (names) stderr('--labels is ignored with --mode same-labels: the model keeps its own classes');
  } else {
    // The files' label indices: 0..K-1 as they are, sparse ids (a vocabulary's subset) renumbered to those present.
    const set = fileLabelSet(data);
    data = relabel(data, set);
    classNames = fileClassNames(set, names ? set.ids.map((id) => names[id] ?? '') : undefined, model.meta.classNames);
    if (set.remapped) stderr(`the files use ${set.ids.length} label ids between ${set.ids[0]} and ${set.ids.at(-1)}: training ${set.ids.length} classes, one per id present`);
    else if (names && names.length !== set.ids.length) stderr(`${values.labels} names ${names.length} labels; the files use ${set.ids.length}: training ${set.ids.length} classes`);
    if (!names) stderr(`no --labels file: the classes are named ${classNames.slice(0, 3).join(', ')}${classNames.length > 3 ? ', ...' : ''}`);
  }
  const session = await FineTuneSession.create(model, data, {
    mode, headLayers: head === 'whole' ? 'whole-head' : 'last-layer', classNames, optimizer, learningRate: lr,
    epochs: positiveInt(values.epochs, '--epochs', FINETUNE_DEFAULTS.epochs),
    batchSize: positiveInt(values['batch-size'], '--batch-size', FINETUNE_DEFAULTS.batchSize),
    validationFraction: validation, seed,
  }, (done, total) => { if (done === total || done % 64 === 0) stderr(`caching encoder outputs: ${done}/${total} videos`); });
  stderr(`training ${session.classNames.length} classes on ${session.trainSet.length} videos, validating on ${session.validationSet.length}`);
  const before = await session.validate();
  const epochs = [];
  while (!session.finished) {
    const e = await session.runEpoch();
    epochs.push(e);
    stderr(`epoch ${e.epoch}: train loss ${e.trainLoss.toFixed(4)}, validation loss ${e.validationLoss.toFixed(4)}, GAP ${e.validationGap.toFixed(3)}, Hit@1 ${e.validationHitAt1.toFixed(3)} (${e.seconds.toFixed(2)} s)`);
  }
  const after = await session.validate();
  const { meta, weights } = await session.result();
  session.dispose();
  const { json, shards } = await modelFiles(meta, weights);
  await mkdir(values.out, { recursive: true });
  for (const [p, b] of shards) await writeFile(path.join(values.out, p), b);
  await writeFile(path.join(values.out, 'model.json'), JSON.stringify(json, null, 1) + '\n');
  const summary = (v: typeof before) => ({ loss: v.loss, gap: v.gap, hit_at_1: v.hitAt1 });
  process.stdout.write(JSON.stringify({
    model: values.out, mode, classes: session.classNames, epochs,
    before: summary(before), after: summary(after),
    per_class: after.perClass.map((c) => ({ name: c.name, ap: Number.isNaN(c.ap) ? null : c.ap, count: c.count })),
  }) + '\n');
});
