/**
 * Names for the records of a file in the combined layout, which stores none:
 * - 30 records: the fluid1 parameters in sorted order (`fluid.io.save_params(filename=)`);
 * - more: a training checkpoint (`.pdckpt`, PaddleVideo 1.6 `save_persistables(filename=)`),
 *   every persistable variable of the training program in sorted order: the parameters,
 *   the optimizer's accumulators `<param>_<acc>_0`, `learning_rate_0` and, with a
 *   learning-rate schedule, `@LR_DECAY_COUNTER@`. The optimizer is the one whose
 *   accumulators give the right count and fit every record's shape.
 */
import { InputError } from '../errors';
import { type DType, shapeString, sizeOf } from '../ndarray';
import { fluid1CombinedOrder } from '../model/paddleLayout';
import { pySorted } from './detect';

interface Optimizer {
  label: string;
  /** Accumulator names, in the order Paddle creates them. */
  accumulators: readonly string[];
  /** Accumulators of shape [1] (the rest have their parameter's shape). */
  scalars: readonly string[];
}

const OPTIMIZERS: readonly Optimizer[] = [
  { label: 'SGD', accumulators: [], scalars: [] },
  { label: 'Momentum', accumulators: ['velocity'], scalars: [] },
  // fluid's RMSProp creates mean_grad whether centered or not; PaddleVideo 1.6 trains AttentionLSTM centered.
  { label: 'RMSProp', accumulators: ['momentum', 'mean_square', 'mean_grad'], scalars: [] },
  { label: 'Adam', accumulators: ['moment1', 'moment2', 'beta1_pow_acc', 'beta2_pow_acc'], scalars: ['beta1_pow_acc', 'beta2_pow_acc'] },
];

const LEARNING_RATE = 'learning_rate_0';
const LR_DECAY_COUNTER = '@LR_DECAY_COUNTER@';
const EXTRAS: readonly string[][] = [[], [LEARNING_RATE], [LR_DECAY_COUNTER], [LEARNING_RATE, LR_DECAY_COUNTER]];

export interface RecordShape {
  dtype: DType;
  shape: number[];
}

export interface CombinedLayout {
  /** The name of every record, in file order. */
  names: string[];
  /** Which of them are the model's parameters (the rest is optimizer state, skipped). */
  isParam: boolean[];
  /** The optimizer whose state the file holds; null for a plain parameter file. */
  optimizer: Optimizer | null;
  /** What was skipped, for the user, when anything was. */
  note?: string;
}

const isFloat = (d: DType) => d === 'float32' || d === 'float16' || d === 'float64';
const isInt = (d: DType) => d === 'int64' || d === 'int32';

interface Candidate {
  optimizer: Optimizer;
  extras: string[];
  names: string[];
}

/** The first record that does not fit the candidate, with what was expected there; null when all fit. */
function misfit(c: Candidate, records: readonly RecordShape[], params: ReadonlySet<string>): { index: number; expected: string } | null {
  const at = new Map(c.names.map((n, i) => [n, i]));
  for (let i = 0; i < records.length; i++) {
    const name = c.names[i];
    const r = records[i];
    if (params.has(name)) {
      if (!isFloat(r.dtype)) return { index: i, expected: `the parameter '${name}' (floating point)` };
      continue;
    }
    if (name === LEARNING_RATE) {
      if (!isFloat(r.dtype) || sizeOf(r.shape) !== 1) return { index: i, expected: `'${name}', one floating-point value` };
      continue;
    }
    if (name === LR_DECAY_COUNTER) {
      if (!isInt(r.dtype) || sizeOf(r.shape) !== 1) return { index: i, expected: `'${name}', one integer` };
      continue;
    }
    const acc = c.optimizer.accumulators.find((a) => name.endsWith(`_${a}_0`) && params.has(name.slice(0, -a.length - 3)))!;
    const param = name.slice(0, -acc.length - 3);
    const want = c.optimizer.scalars.includes(acc) ? [1] : records[at.get(param)!].shape;
    if (!isFloat(r.dtype) || shapeString(r.shape) !== shapeString(want)) {
      return { index: i, expected: `'${name}', floating point of shape ${shapeString(want)}` };
    }
  }
  return null;
}

/**
 * Names the records of a combined-layout file, or says in one sentence why the
 * file is neither a fluid1 parameter file nor a checkpoint of one.
 */
export function combinedLayout(records: readonly RecordShape[], file: string): CombinedLayout {
  const params = fluid1CombinedOrder();
  const n = records.length;
  if (n < params.length) {
    throw new InputError(
      `${file}: holds ${n} tensor${n === 1 ? '' : 's'}, but a combined fluid1 AttentionLSTM file holds ${params.length} (${params[0]} ... ${params[params.length - 1]} in sorted order); the file is incomplete or not an AttentionLSTM`,
    );
  }
  if (n === params.length) {
    // A PaddleVideo 2 .pdiparams holds 30 tensors too, but its biases are 1-D (15 of them), where fluid1 has 11.
    const flat = records.filter((r) => r.shape.length === 1).length;
    const rowBiases = records.filter((r) => r.shape.length === 2 && r.shape[0] === 1 && r.shape[1] % 7 === 0).length;
    if (flat === 15 && rowBiases === 0) {
      throw new InputError(
        `${file}: holds 30 tensors shaped as the parameters of a PaddleVideo 2 inference model (.pdiparams), which store no names: give its .pdmodel with it`,
      );
    }
    return { names: params, isParam: params.map(() => true), optimizer: null };
  }
  const paramSet = new Set(params);
  const candidates: Candidate[] = [];
  for (const optimizer of OPTIMIZERS) {
    for (const extras of EXTRAS) {
      if (params.length * (1 + optimizer.accumulators.length) + extras.length !== n) continue;
      const names = pySorted([...params, ...params.flatMap((p) => optimizer.accumulators.map((a) => `${p}_${a}_0`)), ...extras]);
      candidates.push({ optimizer, extras, names });
    }
  }
  if (candidates.length === 0) {
    throw new InputError(
      `${file}: holds ${n} tensors, which fits neither a combined fluid1 AttentionLSTM file (30) nor a training checkpoint of one (30 parameters, the optimizer's state of each and learning_rate_0, e.g. 122 with RMSProp and a learning-rate schedule); the file is incomplete or not an AttentionLSTM`,
    );
  }
  let worst: { c: Candidate; index: number; expected: string } | null = null;
  for (const c of candidates) {
    const bad = misfit(c, records, paramSet);
    if (!bad) {
      const skipped = n - params.length;
      const state =
        c.optimizer.accumulators.length > 0
          ? `the ${c.optimizer.label} state (${c.optimizer.accumulators.join(', ')} of every parameter)`
          : 'no optimizer state (SGD keeps none)';
      const extras = c.extras.length > 0 ? ` and ${c.extras.join(', ')}` : '';
      return {
        names: c.names,
        isParam: c.names.map((nm) => paramSet.has(nm)),
        optimizer: c.optimizer,
        note: `${file}: a training checkpoint: skipped ${state}${extras}, ${skipped} tensor${skipped === 1 ? '' : 's'} in all, and converted its ${params.length} parameters`,
      };
    }
    if (!worst || bad.index > worst.index) worst = { c, ...bad };
  }
  const r = records[worst!.index];
  throw new InputError(
    `${file}: holds ${n} tensors, as a training checkpoint of a fluid1 AttentionLSTM with ${worst!.c.optimizer.label} does, but its tensor record ${worst!.index} (${r.dtype} ${shapeString(r.shape)}) does not fit ${worst!.expected}; the file is corrupted or not such a checkpoint`,
  );
}

/**
 * What a tensor that is not a parameter is, when Paddle writes it beside the
 * parameters (optimizer state, learning rate, its schedule's counter): a short
 * description, or undefined for anything else.
 */
export function optimizerStateOf(name: string, isParam: (name: string) => boolean): string | undefined {
  if (/^learning_rate_\d+$/.test(name)) return 'the learning rate';
  if (name === LR_DECAY_COUNTER) return "the learning-rate schedule's counter";
  for (const o of OPTIMIZERS) {
    for (const a of o.accumulators) {
      const m = new RegExp(`^(.+)_${a}_\\d+$`).exec(name);
      if (m && isParam(m[1])) return `${o.label} state`;
    }
  }
  return undefined;
}
