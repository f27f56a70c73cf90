/**
 * Writers for every Paddle weight format the converter reads, built from the
 * format's definition in the reference (../shared/spec/attention-lstm.md,
 * section 4) and Paddle's framework.proto field numbers, with their own byte
 * and protobuf encoding: they share no code with the readers they test.
 */
import type { DType, NdArray } from '../../src/core/ndarray';
import type { Sizes } from '../../src/core/model/architecture';
import { rng } from './random';

/** A file as a test hands it to the converter. */
export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

/** Python's sorted() of str: code-point order (the names are ASCII). */
export function pySorted(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

// ---------------------------------------------------------------------------
// Bytes and protobuf

class Writer {
  private parts: Uint8Array[] = [];
  private n = 0;
  bytes(b: Uint8Array | number[]): this {
    const u = b instanceof Uint8Array ? b : Uint8Array.from(b);
    this.parts.push(u);
    this.n += u.length;
    return this;
  }
  ascii(s: string): this {
    return this.bytes(Array.from(s, (c) => c.charCodeAt(0)));
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.bytes(b);
  }
  i32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, v, true);
    return this.bytes(b);
  }
  u64(v: number | bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
    return this.bytes(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.n);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** A protobuf varint; negative int32/int64 values as their 64-bit two's complement, as protobuf writes them. */
export function varint(v: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(x & 0x7fn);
    x >>= 7n;
    if (x > 0n) b |= 0x80;
    out.push(b);
  } while (x > 0n);
  return out;
}

/** Protobuf fields: (field << 3 | wire type) then the value. */
const pb = {
  varint: (field: number, v: number | bigint | boolean) => [...varint(field << 3), ...varint(typeof v === 'boolean' ? (v ? 1 : 0) : v)],
  bytes: (field: number, b: ArrayLike<number>) => [...varint((field << 3) | 2), ...varint(b.length), ...Array.from(b)],
  string: (field: number, s: string) => pb.bytes(field, new TextEncoder().encode(s)),
  float: (field: number, f: number) => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, f, true);
    return [...varint((field << 3) | 5), ...b];
  },
};

/** framework.proto VarType.Type numbers. */
export const PADDLE_TYPE: Partial<Record<DType, number>> = {
  bool: 0,
  int16: 1,
  int32: 2,
  int64: 3,
  float16: 4,
  float32: 5,
  float64: 6,
  uint8: 20,
  int8: 21,
};
const LOD_TENSOR = 7;
const FEED_MINIBATCH = 9;
const FETCH_LIST = 10;

/** VarType.TensorDesc: field 1 the data type, field 2 each dim (unpacked, as proto2 writes). */
export function tensorDescBytes(dtype: DType, dims: readonly number[]): number[] {
  const code = PADDLE_TYPE[dtype];
  if (code === undefined) throw new Error(`no Paddle type for ${dtype}`);
  return [...pb.varint(1, code), ...dims.flatMap((d) => pb.varint(2, d))];
}

function rawBytes(a: NdArray): Uint8Array {
  return new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
}

// ---------------------------------------------------------------------------
// The combined layout and what is built from it

/** One record: u32 version 0, u64 lod levels 0, u32 tensor version 0, i32 desc size, TensorDesc, raw data. */
export function combinedRecord(a: NdArray): Uint8Array {
  const desc = tensorDescBytes(a.dtype, a.shape);
  return new Writer().u32(0).u64(0).u32(0).i32(desc.length).bytes(desc).bytes(rawBytes(a)).finish();
}

/** A combined file of named tensors: their records back to back in sorted-name order, names not stored. */
export function writeCombinedFile(tensors: ReadonlyMap<string, NdArray>): Uint8Array {
  const w = new Writer();
  for (const n of pySorted(tensors.keys())) w.bytes(combinedRecord(tensors.get(n)!));
  return w.finish();
}

/**
 * Paddle 1.6 fluid.save: 256 reserved (uninitialised) bytes, "TNUM", u64 count, then in
 * name order "NAME", u64 name length, the name, u32 version 0, i32 desc size, TensorDesc, data.
 */
export function writeStaticDict(tensors: ReadonlyMap<string, NdArray>, reserved: Uint8Array = new Uint8Array(256)): Uint8Array {
  if (reserved.length !== 256) throw new Error('256 reserved bytes');
  const w = new Writer().bytes(reserved).ascii('TNUM').u64(tensors.size);
  for (const n of pySorted(tensors.keys())) {
    const a = tensors.get(n)!;
    const name = new TextEncoder().encode(n);
    const desc = tensorDescBytes(a.dtype, a.shape);
    w.ascii('NAME').u64(name.length).bytes(name).u32(0).i32(desc.length).bytes(desc).bytes(rawBytes(a));
  }
  return w.finish();
}

/** fluid.io.save_params(dirname): one file per tensor, named as it, holding one combined record. */
export function writeParamFolder(tensors: ReadonlyMap<string, NdArray>): NamedBytes[] {
  return pySorted(tensors.keys()).map((name) => ({ name, bytes: combinedRecord(tensors.get(name)!) }));
}

export type OptimizerName = 'sgd' | 'momentum' | 'rmsprop' | 'adam';
const ACCUMULATORS: Record<OptimizerName, string[]> = {
  sgd: [],
  momentum: ['velocity'],
  rmsprop: ['momentum', 'mean_square', 'mean_grad'],
  adam: ['moment1', 'moment2', 'beta1_pow_acc', 'beta2_pow_acc'],
};

/**
 * What a training program keeps besides the parameters: each accumulator
 * `<param>_<acc>_0` (the parameter's shape; Adam's beta powers [1]),
 * `learning_rate_0` ([1] float32) and, with a schedule, `@LR_DECAY_COUNTER@` ([1] int64).
 */
export function optimizerState(
  params: ReadonlyMap<string, NdArray>,
  optimizer: OptimizerName,
  opts: { learningRate?: boolean; counter?: boolean; seed?: number } = {},
): Map<string, NdArray> {
  const r = rng(opts.seed ?? 77);
  const out = new Map<string, NdArray>();
  for (const [name, p] of params) {
    for (const acc of ACCUMULATORS[optimizer]) {
      const shape = acc.endsWith('_pow_acc') ? [1] : p.shape;
      const n = shape.reduce((a, b) => a * b, 1);
      out.set(`${name}_${acc}_0`, { dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => r() * 2 - 1) });
    }
  }
  if (opts.learningRate ?? true) out.set('learning_rate_0', { dtype: 'float32', shape: [1], data: Float32Array.from([0.00125]) });
  if (opts.counter ?? true) out.set('@LR_DECAY_COUNTER@', { dtype: 'int64', shape: [1], data: BigInt64Array.from([12345n]) });
  return out;
}

/** A .pdckpt: every persistable of the training program in the combined layout, sorted by name. */
export function writeCheckpoint(
  params: ReadonlyMap<string, NdArray>,
  optimizer: OptimizerName,
  opts: { learningRate?: boolean; counter?: boolean } = {},
): Uint8Array {
  return writeCombinedFile(new Map([...params, ...optimizerState(params, optimizer, opts)]));
}

/** The params with every tensor stored as another float type (values widened exactly, or rounded to float16). */
export function withDType(
  params: ReadonlyMap<string, NdArray>,
  dtype: 'float64' | 'float16',
  toHalf: (v: number) => number,
): Map<string, NdArray> {
  return new Map(
    [...params].map(([n, a]) => {
      const src = a.data as Float32Array;
      const data = dtype === 'float64' ? Float64Array.from(src) : Uint16Array.from(src, toHalf);
      return [n, { dtype, shape: a.shape, data } as NdArray];
    }),
  );
}

// ---------------------------------------------------------------------------
// Programs (framework.proto ProgramDesc)

export type AttrValue = number | string | boolean | number[] | { f: number } | { l: number };

export interface TestVar {
  name: string;
  /** VarType.Type; LOD_TENSOR (7) when absent. */
  type?: number;
  persistable?: boolean;
  dtype?: DType;
  shape?: number[];
}

export interface TestOp {
  type: string;
  inputs?: Record<string, string[]>;
  outputs?: Record<string, string[]>;
  attrs?: Record<string, AttrValue>;
}

export interface TestProgram {
  vars: TestVar[];
  ops: TestOp[];
}

function attrBytes(name: string, v: AttrValue): number[] {
  // AttrType: INT 0, FLOAT 1, STRING 2, INTS 3, BOOLEAN 6, LONG 9
  const head = (type: number) => [...pb.string(1, name), ...pb.varint(2, type)];
  if (typeof v === 'boolean') return [...head(6), ...pb.varint(10, v)];
  if (typeof v === 'string') return [...head(2), ...pb.string(5, v)];
  if (typeof v === 'number') return [...head(0), ...pb.varint(3, v)];
  if (Array.isArray(v)) return [...head(3), ...v.flatMap((x) => pb.varint(6, x))];
  if ('f' in v) return [...head(1), ...pb.float(4, v.f)];
  return [...head(9), ...pb.varint(13, v.l)];
}

function varBytes(v: TestVar): number[] {
  const type = v.type ?? LOD_TENSOR;
  const tensor =
    type === LOD_TENSOR ? pb.bytes(3, [...pb.bytes(1, tensorDescBytes(v.dtype ?? 'float32', v.shape ?? [])), ...pb.varint(2, 0)]) : [];
  return [...pb.string(1, v.name), ...pb.bytes(2, [...pb.varint(1, type), ...tensor]), ...pb.varint(3, v.persistable ?? false)];
}

function opBytes(o: TestOp): number[] {
  const slots = (field: number, s: Record<string, string[]> | undefined) =>
    Object.entries(s ?? {}).flatMap(([k, args]) => pb.bytes(field, [...pb.string(1, k), ...args.flatMap((a) => pb.string(2, a))]));
  return [
    ...slots(1, o.inputs),
    ...slots(2, o.outputs),
    ...pb.string(3, o.type),
    ...Object.entries(o.attrs ?? {}).flatMap(([k, v]) => pb.bytes(4, attrBytes(k, v))),
  ];
}

/** A ProgramDesc of one block (idx 0, parent -1), its vars then its ops, and a version. */
export function encodeProgram(p: TestProgram): Uint8Array {
  const block = [
    ...pb.varint(1, 0),
    ...pb.varint(2, -1),
    ...p.vars.flatMap((v) => pb.bytes(3, varBytes(v))),
    ...p.ops.flatMap((o) => pb.bytes(4, opBytes(o))),
  ];
  return Uint8Array.from([...pb.bytes(1, block), ...pb.bytes(4, pb.varint(1, 2004000))]);
}

// ---------------------------------------------------------------------------
// PaddleVideo 2.x export_model.py: AttentionLSTM.pdmodel + .pdiparams (+ .pdiparams.info)

export interface InferenceModelOptions {
  /**
   * Parameter names in the program: `paddle` as dygraph names them (linear_0.w_0,
   * lstm_cell_0.w_1, ...), `scrambled` to prove roles come from the ops alone.
   */
  names?: 'paddle' | 'scrambled';
  /** The rnn op's mode, layers and direction (an AttentionLSTM has LSTM, 1, bidirectional). */
  rnnMode?: string;
  rnnLayers?: number;
  bidirectional?: boolean;
  dropoutImplementation?: 'upscale_in_train' | 'downgrade_in_infer';
  /** A persistable variable no op uses as a weight. */
  extraPersistable?: boolean;
  /** The stem of the file names; default AttentionLSTM. */
  stem?: string;
  /** Shapes the program declares for some parameters (by PaddleVideo 2 name), instead of their real ones. */
  declaredShapes?: Record<string, number[]>;
}

export interface InferenceModelFiles {
  pdmodel: NamedBytes;
  pdiparams: NamedBytes;
  info: NamedBytes;
  /** Program variable name -> the PaddleVideo 2 parameter name it holds. */
  roles: Map<string, string>;
}

const RNN_SLOTS = [
  'cell_fw.weight_ih',
  'cell_fw.weight_hh',
  'cell_bw.weight_ih',
  'cell_bw.weight_hh',
  'cell_fw.bias_ih',
  'cell_fw.bias_hh',
  'cell_bw.bias_ih',
  'cell_bw.bias_hh',
];

/** The program variable names of the PaddleVideo 2 parameters, as dygraph creates them (layers in __init__ order). */
function paddleNames(): Map<string, string> {
  const m = new Map<string, string>();
  const linear = (k: number, key: string) => {
    m.set(`head.${key}.weight`, `linear_${k}.w_0`);
    m.set(`head.${key}.bias`, `linear_${k}.b_0`);
  };
  for (const i of [0, 1]) {
    linear(2 * i, `fc_feature${i}`);
    for (const [c, dir] of [
      [2 * i, 'fw'],
      [2 * i + 1, 'bw'],
    ] as const) {
      m.set(`head.bi_lstm${i}.0.cell_${dir}.weight_ih`, `lstm_cell_${c}.w_0`);
      m.set(`head.bi_lstm${i}.0.cell_${dir}.weight_hh`, `lstm_cell_${c}.w_1`);
      m.set(`head.bi_lstm${i}.0.cell_${dir}.bias_ih`, `lstm_cell_${c}.b_0`);
      m.set(`head.bi_lstm${i}.0.cell_${dir}.bias_hh`, `lstm_cell_${c}.b_1`);
    }
    linear(2 * i + 1, `att_fc${i}`);
  }
  linear(4, 'fc_out1');
  linear(5, 'fc_out2');
  linear(6, 'fc_logit');
  return m;
}

/**
 * The program AttentionLstmHead.forward becomes under paddle.jit.save, and its
 * parameters: `params` are PaddleVideo 2 tensors (head.* names, paddle.nn shapes).
 */
export function writeInferenceModel(
  params: ReadonlyMap<string, NdArray>,
  sizes: Sizes,
  opts: InferenceModelOptions = {},
): InferenceModelFiles {
  const pv = paddleNames();
  const keys = [...pv.keys()];
  const varOf = new Map(
    opts.names === 'scrambled'
      ? // Names whose sorted order has nothing to do with the roles.
        keys.map((k, i) => [k, `p${String((i * 7919) % 1009).padStart(4, '0')}_${(i * 31) % 17}`])
      : [...pv],
  );
  const vars: TestVar[] = [
    { name: 'feed', type: FEED_MINIBATCH, persistable: true },
    { name: 'fetch', type: FETCH_LIST, persistable: true },
  ];
  const ops: TestOp[] = [];
  const dtypeOf = (k: string) => params.get(k)!.dtype;
  for (const k of keys)
    vars.push({ name: varOf.get(k)!, persistable: true, dtype: dtypeOf(k), shape: opts.declaredShapes?.[k] ?? params.get(k)!.shape });
  if (opts.extraPersistable) vars.push({ name: 'global_step_0', persistable: true, dtype: 'int64', shape: [1] });
  let tmp = 0;
  const t = (shape: number[] = [-1]) => {
    const name = `tmp_${tmp++}`;
    vars.push({ name, shape });
    return name;
  };
  const D = sizes.lstm;
  const inputs = ['rgb', 'audio'].flatMap((m, i) => [
    { name: `${m}_data`, shape: [-1, -1, i === 0 ? sizes.rgbDim : sizes.audioDim] },
    { name: `${m}_len`, shape: [-1], dtype: 'int64' as DType },
    { name: `${m}_mask`, shape: [-1, -1, 1] },
  ]);
  inputs.forEach((v, col) => {
    vars.push(v);
    ops.push({ type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: [v.name] }, attrs: { col } });
  });
  const linear = (x: string, key: string): string => {
    const mm = t();
    ops.push({
      type: 'matmul_v2',
      inputs: { X: [x], Y: [varOf.get(`head.${key}.weight`)!] },
      outputs: { Out: [mm] },
      attrs: { trans_x: false, trans_y: false },
    });
    const out = t();
    ops.push({
      type: 'elementwise_add',
      inputs: { X: [mm], Y: [varOf.get(`head.${key}.bias`)!] },
      outputs: { Out: [out] },
      attrs: { axis: -1 },
    });
    return out;
  };
  const unary = (type: string, x: string, attrs?: Record<string, AttrValue>) => {
    const out = t();
    ops.push({ type, inputs: { X: [x] }, outputs: { Out: [out] }, attrs });
    return out;
  };
  const binary = (type: string, x: string, y: string) => {
    const out = t();
    ops.push({ type, inputs: { X: [x], Y: [y] }, outputs: { Out: [out] }, attrs: { axis: 0 } });
    return out;
  };
  const pools: string[] = [];
  for (const [i, m] of ['rgb', 'audio'].entries()) {
    const e = unary('tanh', linear(`${m}_data`, `fc_feature${i}`));
    const h0 = t([2, -1, D]);
    const c0 = t([2, -1, D]);
    ops.push({ type: 'fill_constant', outputs: { Out: [h0] }, attrs: { shape: [2, -1, D], value: { f: 0 }, dtype: 5 } });
    ops.push({ type: 'fill_constant', outputs: { Out: [c0] }, attrs: { shape: [2, -1, D], value: { f: 0 }, dtype: 5 } });
    const tm = t();
    ops.push({ type: 'transpose2', inputs: { X: [e] }, outputs: { Out: [tm], XShape: [t()] }, attrs: { axis: [1, 0, 2] } });
    const [rnnOut, s1, s2, reserve, dropState] = [t(), t(), t(), t(), t()];
    ops.push({
      type: 'rnn',
      inputs: {
        Input: [tm],
        PreState: [h0, c0],
        WeightList: RNN_SLOTS.map((s) => varOf.get(`head.bi_lstm${i}.0.${s}`)!),
        SequenceLength: [`${m}_len`],
      },
      outputs: { Out: [rnnOut], State: [s1, s2], Reserve: [reserve], DropoutState: [dropState] },
      attrs: {
        dropout_prob: { f: 0 },
        is_bidirec: opts.bidirectional ?? true,
        input_size: sizes.embed,
        hidden_size: D,
        num_layers: opts.rnnLayers ?? 1,
        mode: opts.rnnMode ?? 'LSTM',
        seed: 0,
        is_test: true,
      },
    });
    const bm = t();
    ops.push({ type: 'transpose2', inputs: { X: [rnnOut] }, outputs: { Out: [bm], XShape: [t()] }, attrs: { axis: [1, 0, 2] } });
    const dropped = t();
    ops.push({
      type: 'dropout',
      inputs: { X: [bm] },
      outputs: { Out: [dropped], Mask: [t()] },
      attrs: {
        dropout_prob: { f: 0.5 },
        is_test: true,
        dropout_implementation: opts.dropoutImplementation ?? 'upscale_in_train',
        fix_seed: false,
        seed: 0,
      },
    });
    const weight = linear(dropped, `att_fc${i}`);
    const ex = unary('exp', weight);
    const mask = unary('reduce_mean', `${m}_mask`, { dim: [2], keep_dim: false, reduce_all: false });
    const sum = unary('reduce_sum', binary('elementwise_mul', ex, mask), { dim: [1], keep_dim: false, reduce_all: false });
    const denominator = unary('pow', sum, { factor: { f: -1 } });
    const softmax = binary('elementwise_mul', ex, denominator);
    const scaled = binary('elementwise_mul', binary('elementwise_mul', dropped, softmax), mask);
    pools.push(unary('reduce_sum', scaled, { dim: [1], keep_dim: false, reduce_all: false }));
  }
  const cat = t();
  ops.push({ type: 'concat', inputs: { X: pools }, outputs: { Out: [cat] }, attrs: { axis: 1 } });
  const h1 = unary('relu', linear(cat, 'fc_out1'));
  const h2 = unary('tanh', linear(h1, 'fc_out2'));
  const logit = linear(h2, 'fc_logit');
  const prob = unary('sigmoid', logit);
  ops.push({ type: 'fetch', inputs: { X: [logit] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } });
  ops.push({ type: 'fetch', inputs: { X: [prob] }, outputs: { Out: ['fetch'] }, attrs: { col: 1 } });

  const persisted = new Map<string, NdArray>(keys.map((k) => [varOf.get(k)!, params.get(k)!]));
  if (opts.extraPersistable) persisted.set('global_step_0', { dtype: 'int64', shape: [1], data: BigInt64Array.from([7n]) });
  const stem = opts.stem ?? 'AttentionLSTM';
  return {
    pdmodel: { name: `${stem}.pdmodel`, bytes: encodeProgram({ vars, ops }) },
    pdiparams: { name: `${stem}.pdiparams`, bytes: writeCombinedFile(persisted) },
    // paddle.jit.save's structured-name table, a pickle (here a protocol-2 empty dict): not weights.
    info: { name: `${stem}.pdiparams.info`, bytes: Uint8Array.from([0x80, 0x02, 0x7d, 0x71, 0x00, 0x2e]) },
    roles: new Map(keys.map((k) => [varOf.get(k)!, k])),
  };
}

/**
 * PaddleVideo 1.x save_inference_model(dirname, params_filename='__params__'):
 * a fluid program (dynamic_lstm ops) whose parameters keep their fluid1 names, and
 * those parameters in the combined layout.
 */
export function writeFluid1InferenceModel(params: ReadonlyMap<string, NdArray>): NamedBytes[] {
  const vars: TestVar[] = [
    { name: 'feed', type: FEED_MINIBATCH, persistable: true },
    { name: 'fetch', type: FETCH_LIST, persistable: true },
    { name: 'rgb', shape: [-1, 1] },
    ...[...params].map(([name, a]) => ({ name, persistable: true, dtype: a.dtype, shape: a.shape })),
  ];
  const ops: TestOp[] = [
    { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['rgb'] }, attrs: { col: 0 } },
    { type: 'mul', inputs: { X: ['rgb'], Y: ['fc_0.w_0'] }, outputs: { Out: ['fc_0.tmp_0'] } },
    {
      type: 'lstm',
      inputs: { Input: ['fc_1.tmp_1'], Weight: ['lstm_0.w_0'], Bias: ['lstm_0.b_0'] },
      outputs: { Hidden: ['lstm_0.tmp_0'] },
      attrs: { use_peepholes: true, is_reverse: false },
    },
    { type: 'fetch', inputs: { X: ['lstm_0.tmp_0'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
  ];
  return [
    { name: '__model__', bytes: encodeProgram({ vars, ops }) },
    { name: '__params__', bytes: writeCombinedFile(params) },
  ];
}

/** A program that is no AttentionLSTM: a small convolutional classifier. */
export function writeConvNetProgram(): Uint8Array {
  const p = (name: string, shape: number[]): TestVar => ({ name, persistable: true, shape });
  return encodeProgram({
    vars: [
      { name: 'feed', type: FEED_MINIBATCH, persistable: true },
      { name: 'fetch', type: FETCH_LIST, persistable: true },
      { name: 'image', shape: [-1, 3, 8, 8] },
      p('conv2d_0.w_0', [4, 3, 3, 3]),
      p('batch_norm_0.w_0', [4]),
      p('linear_0.w_0', [4, 10]),
      p('linear_0.b_0', [10]),
      { name: 'a' },
      { name: 'b' },
      { name: 'c' },
      { name: 'd' },
      { name: 'e' },
      { name: 'f' },
    ],
    ops: [
      { type: 'feed', inputs: { X: ['feed'] }, outputs: { Out: ['image'] }, attrs: { col: 0 } },
      { type: 'conv2d', inputs: { Input: ['image'], Filter: ['conv2d_0.w_0'] }, outputs: { Output: ['a'] } },
      { type: 'batch_norm', inputs: { X: ['a'], Scale: ['batch_norm_0.w_0'] }, outputs: { Y: ['b'] } },
      { type: 'relu', inputs: { X: ['b'] }, outputs: { Out: ['c'] } },
      { type: 'pool2d', inputs: { X: ['c'] }, outputs: { Out: ['d'] } },
      { type: 'matmul_v2', inputs: { X: ['d'], Y: ['linear_0.w_0'] }, outputs: { Out: ['e'] } },
      { type: 'elementwise_add', inputs: { X: ['e'], Y: ['linear_0.b_0'] }, outputs: { Out: ['f'] } },
      { type: 'softmax', inputs: { X: ['f'] }, outputs: { Out: ['g'] } },
      { type: 'fetch', inputs: { X: ['g'] }, outputs: { Out: ['fetch'] }, attrs: { col: 0 } },
    ],
  });
}
