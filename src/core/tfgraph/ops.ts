/**
 * The ops of a frozen Inception graph, with TensorFlow 1.x semantics, on
 * tfjs: what each reads from its node at load (attributes, and inputs that
 * must be constants, such as an axis or a size), the shape it gives (checked
 * before anything runs, so that a wrong graph is one clear sentence, not a
 * tfjs assertion), whether it computes B frames at once exactly as it would
 * one at a time, and how it runs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Attrs, Bad } from './attrs';
import type { ConstValue } from './tensorValue';
import { TF_DTYPE } from './graphDef';

type Param = number | string | boolean | number[];
export type Params = { [key: string]: Param };

interface PrepareContext {
  attrs: Attrs;
  /** Each input's constant value when it is a Const node (else null). */
  consts: (ConstValue | null)[];
  bad: Bad;
}

export interface OpDef {
  /** The inputs read at load into the params, by index (the others are the op's tensors at run time). */
  paramInputs?(count: number): number[];
  prepare(ctx: PrepareContext): Params;
  /** The output's shape from the run-time inputs' shapes. */
  shape(shapes: number[][], p: Params, bad: Bad): number[];
  /**
   * Whether B frames stacked on axis 0 of the inputs marked `batched` give
   * each frame's own result (inputs not batched are the same for every frame).
   */
  batches(p: Params, batched: boolean[], shapes: number[][]): boolean;
  run(x: tf.Tensor[], p: Params, batch: number): tf.Tensor;
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

function constInput(ctx: PrepareContext, i: number, what: string): ConstValue {
  const c = ctx.consts[i];
  if (!c) return ctx.bad(`its ${what} (input ${i}) must be a constant`);
  return c;
}

function constInts(ctx: PrepareContext, i: number, what: string): number[] {
  const c = constInput(ctx, i, what);
  if (c.dtype !== 'int32') return ctx.bad(`its ${what} (input ${i}) must hold integers`);
  return Array.from(c.data);
}

function rankIs(shape: number[], rank: number, what: string, bad: Bad): void {
  if (shape.length !== rank) bad(`its ${what} has shape ${fmt(shape)}, expected rank ${rank}`);
}

/** NumPy broadcasting, as TensorFlow's binary ops do it. */
function broadcast(a: number[], b: number[], bad: Bad): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) bad(`its inputs of shapes ${fmt(a)} and ${fmt(b)} do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** A batched operand stacks frames on axis 0; the other must not vary along it. */
function binaryBatches(batched: boolean[], shapes: number[][]): boolean {
  const [a, b] = batched;
  if (a && b) return true;
  const other = shapes[a ? 1 : 0];
  const mine = shapes[a ? 0 : 1];
  return other.length < mine.length || other[0] === 1;
}

const elementwise = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor): OpDef => ({
  prepare: () => ({}),
  shape: (s, _p, bad) => broadcast(s[0], s[1], bad),
  batches: (_p, b, s) => binaryBatches(b, s),
  run: (x) => f(x[0], x[1]),
});

const unary = (f: (a: tf.Tensor) => tf.Tensor): OpDef => ({
  prepare: () => ({}),
  shape: (s) => s[0],
  batches: () => true,
  run: (x) => f(x[0]),
});

type Padding = 'SAME' | 'VALID';

function padding(ctx: PrepareContext): Padding {
  const p = ctx.attrs.string('padding');
  if (p !== 'SAME' && p !== 'VALID') return ctx.bad(`its padding "${p}" is not SAME or VALID`);
  return p;
}

function nhwc(ctx: PrepareContext): void {
  const f = ctx.attrs.string('data_format', 'NHWC');
  if (f !== 'NHWC') ctx.bad(`its data format ${f} is not supported (NHWC only)`);
}

/** [1, h, w, 1] as TensorFlow writes strides and window sizes in NHWC. */
function window(ctx: PrepareContext, key: string): [number, number] {
  const v = ctx.attrs.ints(key);
  if (v.length !== 4 || v[0] !== 1 || v[3] !== 1 || !(v[1] >= 1) || !(v[2] >= 1))
    ctx.bad(`its ${key} ${fmt(v)} are not of the form [1, h, w, 1]`);
  return [v[1], v[2]];
}

function spatial(size: number, k: number, s: number, pad: Padding, what: string, bad: Bad): number {
  if (pad === 'VALID') {
    if (size < k) bad(`its input's ${what} of ${size} is smaller than its window of ${k} (VALID padding)`);
    return Math.ceil((size - k + 1) / s);
  }
  return Math.ceil(size / s);
}

function convShape(x: number[], f: number[], p: Params, bad: Bad): number[] {
  rankIs(x, 4, 'input', bad);
  rankIs(f, 4, 'filter', bad);
  if (x[3] !== f[2]) bad(`its input has ${x[3]} channels but its filter ${fmt(f)} expects ${f[2]}`);
  const [sh, sw] = p.strides as number[];
  const pad = p.padding as Padding;
  return [x[0], spatial(x[1], f[0], sh, pad, 'height', bad), spatial(x[2], f[1], sw, pad, 'width', bad), f[3]];
}

function convParams(ctx: PrepareContext): Params {
  nhwc(ctx);
  const dil = ctx.attrs.ints('dilations', [1, 1, 1, 1]);
  if (dil.some((d) => d !== 1)) ctx.bad(`its dilations ${fmt(dil)} are not supported`);
  return { strides: window(ctx, 'strides'), padding: padding(ctx) };
}

const lower = (p: Param) => (p as string).toLowerCase() as 'same' | 'valid';

const pool = (f: typeof tf.maxPool): OpDef => ({
  prepare: (ctx) => {
    nhwc(ctx);
    return { ksize: window(ctx, 'ksize'), strides: window(ctx, 'strides'), padding: padding(ctx) };
  },
  shape: (s, p, bad) => {
    rankIs(s[0], 4, 'input', bad);
    const [kh, kw] = p.ksize as number[];
    const [sh, sw] = p.strides as number[];
    const pad = p.padding as Padding;
    return [s[0][0], spatial(s[0][1], kh, sh, pad, 'height', bad), spatial(s[0][2], kw, sw, pad, 'width', bad), s[0][3]];
  },
  batches: () => true,
  // TensorFlow's average pool divides by the window's cells inside the input (SAME padding counts none of its own); tfjs's does too.
  run: (x, p) => f(x[0] as tf.Tensor4D, p.ksize as [number, number], p.strides as [number, number], lower(p.padding)),
});

function normAxis(axis: number, rank: number, bad: Bad): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) bad(`its axis ${axis} is outside a rank-${rank} input`);
  return axis < 0 ? axis + rank : axis;
}

function concatShape(shapes: number[][], axis: number, bad: Bad): number[] {
  if (shapes.length === 0) bad('it has no inputs to join');
  const rank = shapes[0].length;
  const a = normAxis(axis, rank, bad);
  const out = shapes[0].slice();
  for (let i = 1; i < shapes.length; i++) {
    const s = shapes[i];
    if (s.length !== rank || s.some((d, j) => j !== a && d !== shapes[0][j]))
      bad(`its inputs of shapes ${fmt(shapes[0])} and ${fmt(s)} cannot be joined on axis ${axis}`);
    out[a] += s[a];
  }
  return out;
}

const concat = (axisInput: 'first' | 'last'): OpDef => ({
  paramInputs: (n) => [axisInput === 'first' ? 0 : n - 1],
  prepare: (ctx) => {
    const i = axisInput === 'first' ? 0 : ctx.consts.length - 1;
    const axis = constInts(ctx, i, 'axis');
    if (axis.length !== 1) ctx.bad(`its axis holds ${axis.length} values, expected one`);
    return { axis: axis[0] };
  },
  shape: (s, p, bad) => concatShape(s, p.axis as number, bad),
  batches: (p, b, s) =>
    b.every((x) => x) &&
    normAxis(p.axis as number, s[0].length, () => {
      throw new Error('unreachable');
    }) !== 0,
  run: (x, p) => (x.length === 1 ? x[0].clone() : tf.concat(x, p.axis as number)),
});

function reshapeTarget(target: number[], count: number, from: number[], bad: Bad): number[] {
  const unknown = target.filter((d) => d === -1).length;
  if (unknown > 1 || target.some((d) => d < -1 || !Number.isInteger(d))) bad(`its target shape ${fmt(target)} is invalid`);
  const known = target.reduce((a, d) => (d === -1 ? a : a * d), 1);
  if (unknown === 1) {
    if (known === 0 || count % known !== 0) bad(`it cannot reshape ${fmt(from)} (${count} values) to ${fmt(target)}`);
    return target.map((d) => (d === -1 ? count / known : d));
  }
  if (known !== count) bad(`it cannot reshape ${fmt(from)} (${count} values) to ${fmt(target)}`);
  return target;
}

const count = (s: number[]) => s.reduce((a, b) => a * b, 1);

export const OPS: Record<string, OpDef> = {
  Cast: {
    prepare: (ctx) => {
      const to = ctx.attrs.type('DstT');
      if (to !== TF_DTYPE.float && to !== TF_DTYPE.int32) ctx.bad('it casts to a type other than float or int32');
      return { to: to === TF_DTYPE.float ? 'float32' : 'int32' };
    },
    shape: (s) => s[0],
    batches: () => true,
    run: (x, p) => tf.cast(x[0], p.to as 'float32' | 'int32'),
  },
  ExpandDims: {
    paramInputs: () => [1],
    prepare: (ctx) => {
      const d = constInts(ctx, 1, 'dimension');
      if (d.length !== 1) ctx.bad(`its dimension holds ${d.length} values, expected one`);
      return { dim: d[0] };
    },
    shape: (s, p, bad) => {
      const r = s[0].length;
      const dim = p.dim as number;
      if (dim < -r - 1 || dim > r) bad(`its dimension ${dim} is outside a rank-${r} input`);
      const at = dim < 0 ? dim + r + 1 : dim;
      return [...s[0].slice(0, at), 1, ...s[0].slice(at)];
    },
    // The op that starts a batch (axis 0 on a frame) is handled by the runner; any other would change it.
    batches: (p, _b, s) => (p.dim as number) !== 0 && (p.dim as number) !== -s[0].length - 1,
    run: (x, p) => tf.expandDims(x[0], p.dim as number),
  },
  ResizeBilinear: {
    paramInputs: () => [1],
    prepare: (ctx) => {
      const size = constInts(ctx, 1, 'size');
      if (size.length !== 2 || size.some((d) => d < 1)) ctx.bad(`its size ${fmt(size)} is not two positive sizes`);
      // TensorFlow 1.x: no half-pixel centers (the attribute did not exist before 1.14); align_corners false by default.
      return { size, alignCorners: ctx.attrs.bool('align_corners', false), halfPixelCenters: ctx.attrs.bool('half_pixel_centers', false) };
    },
    shape: (s, p, bad) => {
      rankIs(s[0], 4, 'input', bad);
      const [h, w] = p.size as number[];
      return [s[0][0], h, w, s[0][3]];
    },
    batches: () => true,
    run: (x, p) =>
      tf.image.resizeBilinear(
        tf.cast(x[0], 'float32') as tf.Tensor4D,
        p.size as [number, number],
        p.alignCorners as boolean,
        p.halfPixelCenters as boolean,
      ),
  },
  Sub: elementwise(tf.sub),
  Mul: elementwise(tf.mul),
  Add: elementwise(tf.add),
  AddV2: elementwise(tf.add),
  RealDiv: elementwise(tf.div),
  BiasAdd: {
    prepare: (ctx) => {
      nhwc(ctx);
      return {};
    },
    shape: (s, _p, bad) => {
      rankIs(s[1], 1, 'bias', bad);
      if (s[0][s[0].length - 1] !== s[1][0]) bad(`its bias of ${s[1][0]} values does not fit an input of shape ${fmt(s[0])}`);
      return s[0];
    },
    batches: (_p, b) => !b[1],
    run: (x) => tf.add(x[0], x[1]),
  },
  Conv2D: {
    prepare: convParams,
    shape: (s, p, bad) => convShape(s[0], s[1], p, bad),
    batches: (_p, b) => !b[1],
    run: (x, p) => tf.conv2d(x[0] as tf.Tensor4D, x[1] as tf.Tensor4D, p.strides as [number, number], lower(p.padding)),
  },
  BatchNormWithGlobalNormalization: {
    prepare: (ctx) => ({ epsilon: ctx.attrs.float('variance_epsilon'), scaleAfter: ctx.attrs.bool('scale_after_normalization') }),
    shape: (s, _p, bad) => {
      const c = s[0][s[0].length - 1];
      ['mean', 'variance', 'beta', 'gamma'].forEach((what, i) => {
        if (s[i + 1].length !== 1 || s[i + 1][0] !== c)
          bad(`its ${what} has shape ${fmt(s[i + 1])}, expected [${c}] for an input of shape ${fmt(s[0])}`);
      });
      return s[0];
    },
    batches: (_p, b) => b.slice(1).every((x) => !x),
    run: (x, p) => {
      const [t, m, v, beta, gamma] = x;
      let scale = tf.rsqrt(tf.add(v, p.epsilon as number));
      if (p.scaleAfter) scale = tf.mul(scale, gamma);
      return tf.add(tf.mul(tf.sub(t, m), scale), beta);
    },
  },
  /** Made by the loader from Conv2D, a batch norm of constants and a Relu (or none): never read from a file. */
  FusedConv2D: {
    prepare: () => ({}),
    shape: (s, p, bad) => convShape(s[0], s[1], p, bad),
    batches: (_p, b) => !b[1] && !b[2],
    run: (x, p) =>
      tf.fused.conv2d({
        x: x[0] as tf.Tensor4D,
        filter: x[1] as tf.Tensor4D,
        strides: p.strides as [number, number],
        pad: lower(p.padding),
        bias: x[2],
        activation: p.relu ? 'relu' : 'linear',
      }),
  },
  Relu: unary(tf.relu),
  Relu6: unary(tf.relu6),
  MaxPool: pool(tf.maxPool),
  AvgPool: pool(tf.avgPool),
  Concat: concat('first'),
  ConcatV2: concat('last'),
  Reshape: {
    paramInputs: () => [1],
    prepare: (ctx) => ({ shape: constInts(ctx, 1, 'shape') }),
    shape: (s, p, bad) => reshapeTarget(p.shape as number[], count(s[0]), s[0], bad),
    batches: (p, _b, s) => {
      const t = p.shape as number[];
      return s[0].length > 0 && t.length > 0 && t[0] === 1 && s[0][0] === 1;
    },
    run: (x, p, batch) => {
      const t = (p.shape as number[]).slice();
      if (batch > 1) t[0] = batch;
      return tf.reshape(x[0], t);
    },
  },
  MatMul: {
    prepare: (ctx) => ({ transposeA: ctx.attrs.bool('transpose_a', false), transposeB: ctx.attrs.bool('transpose_b', false) }),
    shape: (s, p, bad) => {
      rankIs(s[0], 2, 'first input', bad);
      rankIs(s[1], 2, 'second input', bad);
      const [m, k] = p.transposeA ? [s[0][1], s[0][0]] : s[0];
      const [k2, n] = p.transposeB ? [s[1][1], s[1][0]] : s[1];
      if (k !== k2) bad(`it multiplies ${fmt(s[0])} by ${fmt(s[1])}, whose inner sizes differ`);
      return [m, n];
    },
    batches: (p, b) => b[0] && !b[1] && !p.transposeA,
    run: (x, p) => tf.matMul(x[0] as tf.Tensor2D, x[1] as tf.Tensor2D, p.transposeA as boolean, p.transposeB as boolean),
  },
  Softmax: {
    prepare: () => ({}),
    shape: (s, _p, bad) => {
      if (s[0].length < 1) bad('its input is a scalar');
      return s[0];
    },
    batches: (_p, _b, s) => s[0].length >= 2,
    run: (x) => tf.softmax(x[0]),
  },
};

/** Ops that pass their input on unchanged: the loader links their consumers to their input. */
export const PASS_THROUGH = new Set(['Identity', 'CheckNumerics', 'StopGradient', 'Snapshot']);

export function supportedOps(): string[] {
  return [...Object.keys(OPS).filter((o) => o !== 'FusedConv2D'), ...PASS_THROUGH, 'Const', 'Placeholder'].sort();
}
