/**
 * The one fine-tune policy, used by `npm run finetune`, the page's worker and
 * the page itself: the defaults, which videos train and under which class
 * names, and when a model is too large to train its whole head by default.
 * Pure (no tfjs), so the page can import it.
 */
import { multiplyAdds, type Sizes } from '../model/architecture';
import type { CustomLabels, FineTuneMode, FineTuneSettings, HeadLayers } from './trainingTypes';

/** Teachable Machine's defaults: Adam at 0.001, 50 epochs, batches of 16, 15% held out. */
export const FINETUNE_DEFAULTS: FineTuneSettings = {
  mode: 'new-head',
  headLayers: 'whole-head',
  optimizer: 'adam',
  learningRate: 0.001,
  epochs: 50,
  batchSize: 16,
  validationFraction: 0.15,
  seed: 0,
};

// ------------------------------------------------------------------ data size

/** How much there is to learn from: the labeled videos that train (and validate), and the classes they train. */
export interface DataSize {
  videos: number;
  classes: number;
}

/** Validation videos a class should have on average, at least, for its GAP, Hit@1 and loss to mean something. */
const MIN_VALIDATION_PER_CLASS = 3;

/** Optimizer steps a run takes at least, however few the videos: 40 videos in batches of 16 are 3 steps an epoch. */
export const MIN_STEPS = 600;

/** The validation videos a split of `videos` at `fraction` holds (as split() in seeded.ts makes it: at least one). */
export function validationCount(videos: number, fraction: number): number {
  return videos > 1 ? Math.max(1, Math.round(videos * fraction)) : 0;
}

/**
 * The settings that fit the data when the user does not choose (the page's
 * fields start at these; `npm run finetune` uses them for the flags left out):
 * - the validation share grows from 15% to at most 30% so that each class
 *   has MIN_VALIDATION_PER_CLASS validation videos on average;
 * - a new head learns at 0.01 with standardized inputs (Adam at 0.001 moves a
 *   new layer too little in the few steps a small set gives: 40 videos of 5
 *   classes stayed near chance after 30 epochs); refining a trained head
 *   (same labels) or every layer keeps 0.001;
 * - enough epochs for MIN_STEPS optimizer steps (at least 50), since a small
 *   set gives few steps an epoch;
 * - early stopping on the validation loss, the best epoch's weights kept,
 *   after a patience of about a tenth of the run (at least 10 epochs, and
 *   100 steps).
 */
export function recommendedSettings(
  mode: FineTuneMode,
  data: DataSize,
  given: { validationFraction?: number; batchSize?: number } = {},
): Pick<Required<FineTuneSettings>, 'learningRate' | 'epochs' | 'batchSize' | 'validationFraction' | 'patience' | 'standardize'> {
  const d = FINETUNE_DEFAULTS;
  const fitted = Math.min(0.3, Math.max(d.validationFraction, (MIN_VALIDATION_PER_CLASS * data.classes) / Math.max(1, data.videos)));
  const validationFraction = given.validationFraction ?? Math.round(fitted * 100) / 100;
  const train = Math.max(1, data.videos - validationCount(data.videos, validationFraction));
  const batchSize = given.batchSize ?? d.batchSize;
  const stepsPerEpoch = Math.ceil(train / batchSize);
  // Training everything runs the encoders every step: its epochs cost far more, so it keeps the 50.
  const epochs = mode === 'all' ? d.epochs : Math.min(1000, Math.max(d.epochs, Math.ceil(MIN_STEPS / stepsPerEpoch)));
  const patience = defaultPatience(epochs, train, batchSize);
  return {
    learningRate: mode === 'new-head' ? 0.01 : d.learningRate,
    epochs,
    batchSize,
    validationFraction,
    patience,
    standardize: mode !== 'all',
  };
}

/**
 * What to tell the user when the validation split is too small to judge a
 * fine-tune by (fewer than MIN_VALIDATION_PER_CLASS videos a class on
 * average), or null when it is not: its GAP and Hit@1 move by a whole video
 * at a time, and early stopping watches its loss.
 */
export function validationNote(data: DataSize, fraction: number): string | null {
  const n = validationCount(data.videos, fraction);
  if (data.videos < 2 || data.classes < 1 || n >= MIN_VALIDATION_PER_CLASS * data.classes) return null;
  const more = fraction < 0.3 ? 'hold out more (Validation %) or add labeled videos' : 'add labeled videos';
  return `the validation split holds ${n} video${n === 1 ? '' : 's'} for ${data.classes} class${data.classes === 1 ? '' : 'es'} (fewer than ${MIN_VALIDATION_PER_CLASS} a class): its GAP and Hit@1 move by a whole video at a time, and early stopping may stop on chance; ${more}`;
}

/**
 * Early stopping's patience when the settings do not give one: about a tenth
 * of the run, at least 10 epochs and 100 optimizer steps (a small validation
 * set is noisy, and a small training set gives few steps an epoch).
 */
export function defaultPatience(epochs: number, trainVideos: number, batchSize: number): number {
  const stepsPerEpoch = Math.max(1, Math.ceil(trainVideos / batchSize));
  return Math.max(10, Math.ceil(epochs / 10), Math.ceil(100 / stepsPerEpoch));
}

// ------------------------------------------------------------------ size

/**
 * A head (fc1 and fc2) with more weights than this trains its logit layer
 * alone unless the user asks for the whole head: the full-size head (67 M
 * weights) takes about a minute an epoch on 500 videos on wasm
 * (bench/results/results-finetune.json), its logit layer well under a second.
 */
const LARGE_HEAD_WEIGHTS = 20e6;

export function isLargeHead(sizes: Sizes): boolean {
  return 4 * sizes.lstm * sizes.head1 + sizes.head1 * sizes.head2 > LARGE_HEAD_WEIGHTS;
}

/** The head layers a new head trains when the user does not say. */
export function defaultHeadLayers(sizes: Sizes): HeadLayers {
  return isLargeHead(sizes) ? 'last-layer' : FINETUNE_DEFAULTS.headLayers;
}

/** Multiply-adds a fine-tune costs: caching the frozen encoders' outputs (once), then each epoch. */
export interface FineTuneCost {
  cachingMacs: number;
  epochMacs: number;
}

/** The cost of a run over videos of these lengths, to show (and warn about) before starting. */
export function fineTuneCost(
  sizes: Sizes,
  framesPerVideo: readonly number[],
  mode: FineTuneMode,
  headLayers: HeadLayers,
  classes: number,
): FineTuneCost {
  const D4 = 4 * sizes.lstm;
  const hidden = D4 * sizes.head1 + sizes.head1 * sizes.head2;
  const headMacs = hidden + sizes.head2 * classes;
  const encoderMacs = framesPerVideo.reduce((n, T) => n + multiplyAdds(sizes, T) - (hidden + sizes.head2 * sizes.classes), 0);
  const n = framesPerVideo.length;
  // A training step is about three forward passes: the forward, and the backward's two products.
  if (mode === 'all') return { cachingMacs: 0, epochMacs: 3 * (encoderMacs + n * headMacs) };
  const trained = headLayers === 'last-layer' && mode === 'new-head' ? sizes.head2 * classes : headMacs;
  return { cachingMacs: encoderMacs + n * hidden, epochMacs: 3 * n * trained };
}

/**
 * A fine-tune this large takes many minutes in a page (at wasm's measured
 * speed, docs/benchmarks.md), so the page warns first.
 */
const SLOW_FINETUNE_MACS = 5e12;

/** Whether to warn before starting: a large model trained as a whole, or a run whose arithmetic alone exceeds SLOW_FINETUNE_MACS. */
export function isSlowFineTune(sizes: Sizes, mode: FineTuneMode, cost: FineTuneCost, epochs: number): boolean {
  if (!isLargeHead(sizes)) return false;
  return mode === 'all' || cost.cachingMacs + epochs * cost.epochMacs > SLOW_FINETUNE_MACS;
}

// ------------------------------------------------------------------ mode

/** A class name that says nothing: the page names a model's unnamed classes so. */
function placeholder(name: string | undefined, id: number): boolean {
  return !name?.trim() || name.trim() === `class ${id}`;
}

/**
 * The mode a fine-tune starts in when the user does not choose: "same labels"
 * when the files' labels are the model's own classes (every label id is one
 * of its classes, and the model names each: the bundled samples on the demo,
 * YouTube-8M records on a YouTube-8M model), so that their names and what the
 * model knows of them are kept; otherwise, or when the user names the ids
 * (names given mean new classes) or makes classes of their own, a new head.
 */
export function defaultMode(
  labelIds: Iterable<number>,
  modelClassNames: readonly string[],
  opts: { names?: readonly (string | undefined)[] | null; custom?: boolean } = {},
): FineTuneMode {
  if (opts.custom || opts.names?.some((n) => n?.trim())) return 'new-head';
  const ids = [...new Set(labelIds)];
  if (ids.length === 0) return 'new-head';
  return ids.every((id) => Number.isInteger(id) && id >= 0 && id < modelClassNames.length && !placeholder(modelClassNames[id], id))
    ? 'same-labels'
    : 'new-head';
}

// ------------------------------------------------------------------ labels

/** Anything with a key and the labels its file gave it (a video, or a row of the page). */
export interface LabeledItem {
  key: string;
  labels?: readonly number[] | null;
}

export interface TrainingLabels<T> {
  /** The items that train, each with its labels as class indices of `classNames`. */
  data: { item: T; labels: number[] }[];
  classNames: string[];
  /** The file label id of each class trained (null for same-labels and the user's own classes). */
  labelIds: number[] | null;
  /** What a user should be told about the choice (printed by the CLI, shown by the page). */
  notes: string[];
}

export interface LabelOptions {
  /** The user's own classes and assignments (the page's label editor): used instead of the files' labels. */
  custom?: CustomLabels | null;
  /**
   * Names for the files' label ids, indexed by id (the files' label indices
   * point into it, as into a vocabulary): `--labels names.txt`, or the page's
   * names field. Empty entries fall back to the rule below.
   */
  names?: readonly string[] | null;
  /** The model's own class names: same-labels trains them, and sparse ids are named by them. */
  modelClassNames: readonly string[];
}

/**
 * Which items train and the names of the classes they train:
 * - the user's own classes, when given: each item with its assignments;
 * - same-labels: the files' labels are the model's own classes, named as the model names them;
 * - otherwise a new label set from the files' label ids: ids 0..K-1 without a
 *   gap are the K classes as they are; sparse ids (a vocabulary's subset, such
 *   as a few YouTube-8M classes) become one class per id present, in id order,
 *   since a head of thousands of classes without an example would be trained
 *   otherwise. Class k is named `names[id]`, else (for sparse ids) as the
 *   model names that id, else `class <id>`.
 */
export function trainingLabels<T extends LabeledItem>(mode: FineTuneMode, items: readonly T[], opts: LabelOptions): TrainingLabels<T> {
  const notes: string[] = [];
  if (opts.custom) {
    const K = opts.custom.classNames.length;
    const data = items
      .map((item) => ({
        item,
        labels: [...new Set(opts.custom!.assignments[item.key] ?? [])].filter((l) => l >= 0 && l < K).sort((a, b) => a - b),
      }))
      .filter((d) => d.labels.length > 0);
    return { data, classNames: [...opts.custom.classNames], labelIds: null, notes };
  }
  const labeled = items.filter((item) => item.labels && item.labels.length > 0);
  if (labeled.length < items.length)
    notes.push(`${items.length - labeled.length} of the ${items.length} videos have no labels and are left out`);
  if (mode === 'same-labels') {
    if (opts.names?.some((n) => n.trim())) notes.push('the names given are not used with same labels: the model keeps its own classes');
    return {
      data: labeled.map((item) => ({ item, labels: [...item.labels!] })),
      classNames: [...opts.modelClassNames],
      labelIds: null,
      notes,
    };
  }
  const ids = [...new Set(labeled.flatMap((item) => item.labels!))].sort((a, b) => a - b);
  const sparse = ids.length > 0 && ids.length !== ids[ids.length - 1] + 1;
  const index = new Map(ids.map((id, k) => [id, k]));
  const data = labeled.map((item) => ({ item, labels: item.labels!.map((l) => index.get(l)!) }));
  const names = opts.names ?? [];
  const classNames = ids.map((id) => names[id]?.trim() || (sparse && opts.modelClassNames[id]) || `class ${id}`);
  if (sparse)
    notes.push(
      `the files use ${ids.length} label ids between ${ids[0]} and ${ids[ids.length - 1]}: training ${ids.length} classes, one per id present`,
    );
  const named = names.filter((n) => n.trim()).length;
  if (named === 0 && !sparse)
    notes.push(
      `no class names were given: the classes are named ${classNames.slice(0, 3).join(', ')}${classNames.length > 3 ? ', ...' : ''}`,
    );
  else if (named > 0 && names.length > (ids[ids.length - 1] ?? -1) + 1)
    notes.push(`${names.length} names were given but the files' highest label id is ${ids[ids.length - 1]}: the extra names are not used`);
  return { data, classNames, labelIds: ids, notes };
}
