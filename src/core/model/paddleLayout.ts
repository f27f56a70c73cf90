/**
 * How Paddle's two published variants name and lay out the AttentionLSTM's
 * tensors, and how each maps onto the canonical tensors of `architecture.ts`.
 * One table per variant serves conversion (Paddle → canonical), export
 * (canonical → Paddle) and the error messages that name a wrong tensor.
 */
import { InputError } from '../errors';
import { shapeString, transpose2d as transpose } from '../ndarray';
import { DIRECTIONS, MODALITIES, type Sizes, type Variant, featureDim } from './architecture';

export interface PaddleTensorSpec {
  /** Paddle's name for the tensor. */
  name: string;
  shape: number[];
  /** What the tensor is, for messages ("rgb forward LSTM recurrent weights"). */
  role: string;
  /** Names of the canonical tensors computed from this one, in the order toCanonical returns them. */
  canonical: string[];
  /** Canonical tensors computed from this one. */
  toCanonical: (data: Float32Array) => { name: string; data: Float32Array }[];
  /** This tensor rebuilt from canonical ones. */
  fromCanonical: (get: (name: string) => Float32Array) => Float32Array;
}

// fluid1's dynamic_lstm concatenates gates as c~, i, f, o; canonical order is i, f, c~, o.
const FLUID_TO_CANONICAL = [1, 2, 0, 3];
const CANONICAL_TO_FLUID = [2, 0, 1, 3];

/** Reorders the four D-wide gate blocks along the last axis of a [rows, 4D] matrix. */
function permuteGates(x: Float32Array, D: number, perm: readonly number[]): Float32Array {
  const rows = x.length / (4 * D);
  const out = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    const base = r * 4 * D;
    for (let k = 0; k < 4; k++) out.set(x.subarray(base + perm[k] * D, base + (perm[k] + 1) * D), base + k * D);
  }
  return out;
}

const same = (name: string) => (data: Float32Array) => [{ name, data }];
const take = (name: string) => (get: (n: string) => Float32Array) => get(name);

function fluid1Specs(s: Sizes): PaddleTensorSpec[] {
  const D = s.lstm;
  const specs: PaddleTensorSpec[] = [];
  const fc = (k: number, inDim: number, outDim: number, canon: string, role: string, gates = false) => {
    specs.push({
      name: `fc_${k}.w_0`,
      shape: [inDim, outDim],
      role: `${role} weights`,
      canonical: [gates ? `${canon}.wx` : `${canon}.w`],
      toCanonical: gates ? (d) => [{ name: `${canon}.wx`, data: permuteGates(d, D, FLUID_TO_CANONICAL) }] : same(`${canon}.w`),
      fromCanonical: gates ? (get) => permuteGates(get(`${canon}.wx`), D, CANONICAL_TO_FLUID) : take(`${canon}.w`),
    });
    specs.push({
      name: `fc_${k}.b_0`,
      shape: [outDim],
      role: `${role} bias`,
      canonical: [gates ? `${canon}.bx` : `${canon}.b`],
      toCanonical: gates ? (d) => [{ name: `${canon}.bx`, data: permuteGates(d, D, FLUID_TO_CANONICAL) }] : same(`${canon}.b`),
      fromCanonical: gates ? (get) => permuteGates(get(`${canon}.bx`), D, CANONICAL_TO_FLUID) : take(`${canon}.b`),
    });
  };
  const lstm = (k: number, canon: string, role: string) => {
    specs.push({
      name: `lstm_${k}.w_0`,
      shape: [D, 4 * D],
      role: `${role} recurrent weights`,
      canonical: [`${canon}.wh`],
      toCanonical: (d) => [{ name: `${canon}.wh`, data: permuteGates(d, D, FLUID_TO_CANONICAL) }],
      fromCanonical: (get) => permuteGates(get(`${canon}.wh`), D, CANONICAL_TO_FLUID),
    });
    specs.push({
      name: `lstm_${k}.b_0`,
      shape: [1, 7 * D],
      role: `${role} gate bias and peepholes`,
      canonical: [`${canon}.bh`, `${canon}.peep`],
      toCanonical: (d) => [
        { name: `${canon}.bh`, data: permuteGates(d.slice(0, 4 * D), D, FLUID_TO_CANONICAL) },
        { name: `${canon}.peep`, data: d.slice(4 * D, 7 * D) },
      ],
      fromCanonical: (get) => {
        const out = new Float32Array(7 * D);
        out.set(permuteGates(get(`${canon}.bh`), D, CANONICAL_TO_FLUID), 0);
        out.set(get(`${canon}.peep`), 4 * D);
        return out;
      },
    });
  };
  MODALITIES.forEach((m, i) => {
    fc(4 * i, featureDim(s, m), s.embed, `${m}.embed`, `${m} embedding`);
    fc(4 * i + 1, s.embed, 4 * D, `${m}.fw`, `${m} forward LSTM input`, true);
    fc(4 * i + 2, s.embed, 4 * D, `${m}.bw`, `${m} backward LSTM input`, true);
    fc(4 * i + 3, 2 * D, 1, `${m}.att`, `${m} attention`);
    lstm(2 * i, `${m}.fw`, `${m} forward LSTM`);
    lstm(2 * i + 1, `${m}.bw`, `${m} backward LSTM`);
  });
  fc(8, 4 * D, s.head1, 'head.fc1', 'first head layer');
  fc(9, s.head1, s.head2, 'head.fc2', 'second head layer');
  fc(10, s.head2, s.classes, 'head.logit', 'logit layer');
  return specs;
}

function paddlevideo2Specs(s: Sizes): PaddleTensorSpec[] {
  const D = s.lstm;
  const specs: PaddleTensorSpec[] = [];
  const linear = (key: string, inDim: number, outDim: number, canon: string, role: string) => {
    specs.push({
      name: `head.${key}.weight`,
      shape: [inDim, outDim],
      role: `${role} weights`,
      canonical: [`${canon}.w`],
      toCanonical: same(`${canon}.w`),
      fromCanonical: take(`${canon}.w`),
    });
    specs.push({
      name: `head.${key}.bias`,
      shape: [outDim],
      role: `${role} bias`,
      canonical: [`${canon}.b`],
      toCanonical: same(`${canon}.b`),
      fromCanonical: take(`${canon}.b`),
    });
  };
  MODALITIES.forEach((m, i) => {
    linear(`fc_feature${i}`, featureDim(s, m), s.embed, `${m}.embed`, `${m} embedding`);
    for (const d of DIRECTIONS) {
      const cell = `head.bi_lstm${i}.0.cell_${d}`;
      const canon = `${m}.${d}`;
      const role = `${m} ${d === 'fw' ? 'forward' : 'backward'} LSTM`;
      // paddle.nn.LSTM keeps [4D, in] weights and computes x @ W^T: canonical is [in, 4D].
      specs.push({
        name: `${cell}.weight_ih`,
        shape: [4 * D, s.embed],
        role: `${role} input weights`,
        canonical: [`${canon}.wx`],
        toCanonical: (x) => [{ name: `${canon}.wx`, data: transpose(x, 4 * D, s.embed) }],
        fromCanonical: (get) => transpose(get(`${canon}.wx`), s.embed, 4 * D),
      });
      specs.push({
        name: `${cell}.weight_hh`,
        shape: [4 * D, D],
        role: `${role} recurrent weights`,
        canonical: [`${canon}.wh`],
        toCanonical: (x) => [{ name: `${canon}.wh`, data: transpose(x, 4 * D, D) }],
        fromCanonical: (get) => transpose(get(`${canon}.wh`), D, 4 * D),
      });
      specs.push({
        name: `${cell}.bias_ih`,
        shape: [4 * D],
        role: `${role} input bias`,
        canonical: [`${canon}.bx`],
        toCanonical: same(`${canon}.bx`),
        fromCanonical: take(`${canon}.bx`),
      });
      specs.push({
        name: `${cell}.bias_hh`,
        shape: [4 * D],
        role: `${role} recurrent bias`,
        canonical: [`${canon}.bh`],
        toCanonical: same(`${canon}.bh`),
        fromCanonical: take(`${canon}.bh`),
      });
    }
    linear(`att_fc${i}`, 2 * D, 1, `${m}.att`, `${m} attention`);
  });
  linear('fc_out1', 4 * D, s.head1, 'head.fc1', 'first head layer');
  linear('fc_out2', s.head1, s.head2, 'head.fc2', 'second head layer');
  linear('fc_logit', s.head2, s.classes, 'head.logit', 'logit layer');
  return specs;
}

export function paddleTensorSpecs(variant: Variant, s: Sizes): PaddleTensorSpec[] {
  return variant === 'fluid1' ? fluid1Specs(s) : paddlevideo2Specs(s);
}

/** fluid1 names in Python's sorted() order: the order of the combined file's records. */
export function fluid1CombinedOrder(): string[] {
  const names = fluid1Specs({ rgbDim: 1, audioDim: 1, embed: 1, lstm: 1, head1: 1, head2: 1, classes: 1 }).map((t) => t.name);
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Keys some paddlevideo2 files carry besides the parameters: aliases of the LSTM tensors and a name table. */
export function isIgnorableKey(name: string): boolean {
  return name === 'StructuredToParameterName@@' || /^head\.bi_lstm\d+\.(weight|bias)_(ih|hh)_l0(_reverse)?$/.test(name);
}

export function detectVariant(names: readonly string[], file: string): Variant {
  if (names.some((n) => n.startsWith('head.bi_lstm') || n.startsWith('head.fc_'))) return 'paddlevideo2';
  if (names.includes('fc_0.w_0') || names.includes('lstm_0.w_0')) return 'fluid1';
  const shown = names
    .slice(0, 5)
    .map((n) => `'${n}'`)
    .join(', ');
  throw new InputError(
    `${file}: none of its tensor names (${shown}${names.length > 5 ? ', ...' : ''}) belong to an AttentionLSTM: expected fluid1 names such as 'fc_0.w_0' or PaddleVideo 2 names such as 'head.fc_feature0.weight'`,
  );
}

/** Reads every size from the tensors' shapes; the full check against these sizes follows in `checkShapes`. */
export function inferSizes(
  variant: Variant,
  shapes: ReadonlyMap<string, number[]>,
  file: string,
  shownAs?: ReadonlyMap<string, string>,
): Sizes {
  const get = (name: string, rank: number): number[] => {
    const shape = shapes.get(name);
    if (!shape) throw new InputError(`${file}: the tensor '${name}' is missing; a ${variant} AttentionLSTM needs it`);
    if (shape.length !== rank) {
      throw new InputError(
        `${file}: the tensor '${shownAs?.get(name) ?? name}' has shape ${shapeString(shape)}, expected ${rank} dimensions`,
      );
    }
    return shape;
  };
  if (variant === 'fluid1') {
    const [rgbDim, embed] = get('fc_0.w_0', 2);
    const [audioDim] = get('fc_4.w_0', 2);
    const [lstm] = get('lstm_0.w_0', 2);
    const [, head1] = get('fc_8.w_0', 2);
    const [, head2] = get('fc_9.w_0', 2);
    const [, classes] = get('fc_10.w_0', 2);
    return { rgbDim, audioDim, embed, lstm, head1, head2, classes };
  }
  const [rgbDim, embed] = get('head.fc_feature0.weight', 2);
  const [audioDim] = get('head.fc_feature1.weight', 2);
  const [, lstm] = get('head.bi_lstm0.0.cell_fw.weight_hh', 2);
  const [, head1] = get('head.fc_out1.weight', 2);
  const [, head2] = get('head.fc_out2.weight', 2);
  const [, classes] = get('head.fc_logit.weight', 2);
  return { rgbDim, audioDim, embed, lstm, head1, head2, classes };
}

function sizesText(s: Sizes): string {
  return `rgb ${s.rgbDim}, audio ${s.audioDim}, E=${s.embed}, D=${s.lstm}, head ${s.head1}/${s.head2}, ${s.classes} classes`;
}

/**
 * Checks that the file holds exactly the tensors of the architecture, each with the
 * right shape. Returns the names it ignored (aliases, unknown extras) as warnings.
 * `shownAs` gives the name a tensor has in the file, where that is not the variant's
 * own (an inference model's program variables), for the messages.
 */
export function checkShapes(
  variant: Variant,
  s: Sizes,
  shapes: ReadonlyMap<string, number[]>,
  file: string,
  shownAs?: ReadonlyMap<string, string>,
): string[] {
  const specs = paddleTensorSpecs(variant, s);
  for (const spec of specs) {
    const shape = shapes.get(spec.name);
    if (!shape) {
      throw new InputError(`${file}: the tensor '${spec.name}' (${spec.role}) is missing; a ${variant} AttentionLSTM needs it`);
    }
    // Paddle stores 1-D biases; some exporters keep them [1, n]: accept any shape with the same elements in order.
    const ok =
      shapeString(shape) === shapeString(spec.shape) ||
      (spec.shape.length === 1 && shape.length === 2 && shape[0] === 1 && shape[1] === spec.shape[0]) ||
      (spec.shape.length === 2 && spec.shape[0] === 1 && shape.length === 1 && shape[0] === spec.shape[1]);
    if (!ok) {
      throw new InputError(
        `${file}: the tensor '${shownAs?.get(spec.name) ?? spec.name}' (${spec.role}) has shape ${shapeString(shape)}, expected ${shapeString(spec.shape)} for a ${variant} AttentionLSTM with ${sizesText(s)}`,
      );
    }
  }
  const known = new Set(specs.map((t) => t.name));
  const warnings: string[] = [];
  for (const name of shapes.keys()) {
    if (known.has(name) || isIgnorableKey(name)) continue;
    warnings.push(`${file}: ignored the tensor '${shownAs?.get(name) ?? name}', which is not part of a ${variant} AttentionLSTM`);
  }
  return warnings;
}
