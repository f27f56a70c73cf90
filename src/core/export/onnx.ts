/**
 * The AttentionLSTM as an ONNX graph (opset 17), written with protobufjs from
 * the subset of onnx.proto declared below: no ONNX package, no download, the
 * same code in Node, a page and a worker.
 *
 * Inputs: `rgb` [batch, frames, rgbDim] and `audio` [batch, frames, audioDim]
 * (float32, zero or anything past each video's length), `lengths` [batch]
 * (int32, 1..frames). Outputs: `probabilities` [batch, classes] and
 * `attention_rgb`, `attention_audio` [batch, frames] (zero past each length).
 *
 * Per modality: the embedding (MatMul, Add, Tanh); one bidirectional ONNX `LSTM`
 * whose W and B hold the model's input projections (fc_{4m+1}, fc_{4m+2}) and
 * whose R, B and P hold dynamic_lstm's / paddle.nn.LSTM's recurrent weights,
 * bias and (fluid1) peepholes, with `sequence_lens` = lengths so that the
 * backward direction starts at each video's own last frame; the BiLSTM output
 * (x 0.5 for fluid1's dropout at inference); attention scores masked past
 * each length, Softmax over frames, the weighted sum. Then the head: Gemm,
 * Relu, Gemm, Tanh, Gemm, Sigmoid.
 *
 * Not expressible: fluid1's sigmoid clamps its input to [-40, 13] inside the
 * LSTM; ONNX's LSTM has no clamped sigmoid, so a gate whose pre-activation is
 * above 13 gets sigmoid(x) instead of sigmoid(13) (at most 2.3e-6 apart). See docs/onnx.md.
 */
import protobuf from 'protobufjs/light';
import type { AttentionLstmMeta } from '../convert/modelFormat';
import { BEHAVIOUR, DIRECTIONS, MODALITIES, type Modality, canonicalTensors, featureDim } from '../model/architecture';
import { InputError } from '../errors';

/** The operator set the graph is written against, and the IR version that goes with it. */
export const ONNX_OPSET = 17;
const ONNX_IR_VERSION = 8;

// ---------------------------------------------------------------- onnx.proto, the part we write

const packed = { packed: true };
const ONNX_SCHEMA = {
  nested: {
    onnx: {
      nested: {
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, options: packed },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4, options: packed },
            int32Data: { rule: 'repeated', type: 'int32', id: 5, options: packed },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, options: packed },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            docString: { type: 'string', id: 12 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7, options: packed },
            ints: { rule: 'repeated', type: 'int64', id: 8, options: packed },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
            domain: { type: 'string', id: 7 },
          },
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } },
          nested: {
            Dimension: {
              oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
              fields: { dimValue: { type: 'int64', id: 1 }, dimParam: { type: 'string', id: 2 }, denotation: { type: 'string', id: 3 } },
            },
          },
        },
        TypeProto: {
          oneofs: { value: { oneof: ['tensorType'] } },
          fields: { tensorType: { type: 'Tensor', id: 1 }, denotation: { type: 'string', id: 6 } },
          nested: { Tensor: { fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } } } },
        },
        ValueInfoProto: {
          fields: { name: { type: 'string', id: 1 }, type: { type: 'TypeProto', id: 2 }, docString: { type: 'string', id: 3 } },
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(ONNX_SCHEMA);
/** The ModelProto message type (exported for tests that read a graph back). */
export const ModelProtoType = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used here. */
const ONNX_DTYPE = { float: 1, int32: 6, int64: 7, bool: 9 } as const;
/** AttributeProto.AttributeType values used here. */
const ATTR = { float: 1, int: 2, string: 3, floats: 6, ints: 7, strings: 8 } as const;

// ---------------------------------------------------------------- plain objects protobufjs encodes

interface TensorMsg {
  name: string;
  dims: number[];
  dataType: number;
  rawData?: Uint8Array;
  /** A float tensor whose values are written later, in place (onnxInPlace); never encoded by protobufjs. */
  deferred?: DeferredFloats;
  int64Data?: number[];
  int32Data?: number[];
  docString?: string;
}
interface AttrMsg {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  ints?: number[];
  floats?: number[];
  strings?: Uint8Array[];
}
interface NodeMsg {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttrMsg[];
  docString?: string;
}
type Dim = number | string;
interface ValueInfoMsg {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: ({ dimValue: number } | { dimParam: string })[] } } };
  docString?: string;
}

const utf8 = (s: string) => new TextEncoder().encode(s);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Float32 values as ONNX's raw_data: little-endian bytes. */
function rawFloats(x: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const out = new Uint8Array(x.length * 4);
  const view = new DataView(out.buffer);
  x.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return out;
}

function attr(name: string, value: number | string | number[] | string[], kind?: 'float' | 'floats'): AttrMsg {
  if (typeof value === 'string') return { name, type: ATTR.string, s: utf8(value) };
  if (typeof value === 'number') return kind === 'float' ? { name, type: ATTR.float, f: value } : { name, type: ATTR.int, i: value };
  if (value.length && typeof value[0] === 'string') return { name, type: ATTR.strings, strings: (value as string[]).map(utf8) };
  return kind === 'floats' ? { name, type: ATTR.floats, floats: value as number[] } : { name, type: ATTR.ints, ints: value as number[] };
}

function valueInfo(name: string, elemType: number, dims: Dim[], docString?: string): ValueInfoMsg {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } }, ...(docString ? { docString } : {}) };
}

/** A float tensor's values later: `write` fills `out` (its `length` floats). */
interface DeferredFloats {
  length: number;
  write(out: Float32Array): void;
  /** A weight written unchanged by the source's own writeInto (which may finish it in the background). */
  direct?: boolean;
}
/** A weight's values now (toOnnx), or written in place later (onnxInPlace). */
type FloatSource = Float32Array | DeferredFloats;

/** Builds the graph's node list, naming every value, with its initializers. */
class GraphBuilder {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  private readonly names = new Set<string>();

  /** Marks a name as taken (the graph's inputs). */
  reserve(...names: string[]): void {
    names.forEach((n) => this.names.add(n));
  }

  private fresh(name: string): string {
    let n = name;
    for (let k = 1; this.names.has(n); k++) n = `${name}_${k}`;
    this.names.add(n);
    return n;
  }

  floats(name: string, dims: number[], data: FloatSource, docString?: string): string {
    const n = this.fresh(name);
    if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`onnx: ${name} has ${data.length} values for shape [${dims}]`);
    const values = data instanceof Float32Array ? { rawData: rawFloats(data) } : { deferred: data };
    this.initializers.push({ name: n, dims, dataType: ONNX_DTYPE.float, ...values, ...(docString ? { docString } : {}) });
    return n;
  }

  int64s(name: string, dims: number[], data: number[]): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims, dataType: ONNX_DTYPE.int64, int64Data: data });
    return n;
  }

  /** One node; returns the names of its outputs (`outs` of them, or the given names). */
  node(opType: string, inputs: string[], out: string | string[], attrs: AttrMsg[] = [], docString?: string): string[] {
    const outputs = (Array.isArray(out) ? out : [out]).map((o) => (o === '' ? '' : this.fresh(o)));
    this.nodes.push({
      name: this.fresh(`${opType}:${outputs.find((o) => o) ?? opType}`),
      opType,
      input: inputs,
      output: outputs,
      attribute: attrs,
      ...(docString ? { docString } : {}),
    });
    return outputs;
  }

  /** A node with one output. */
  op(opType: string, inputs: string[], out: string, attrs: AttrMsg[] = [], docString?: string): string {
    return this.node(opType, inputs, out, attrs, docString)[0];
  }
}

// ---------------------------------------------------------------- weights into ONNX's LSTM layout

/** ONNX's LSTM concatenates gates as i, o, f, c; canonical (architecture.ts) is i, f, c~, o. */
const ONNX_GATE_FROM_CANONICAL = [0, 3, 1, 2];
/** ONNX's peepholes are i, o, f; canonical `peep` rows are i, f, o. */
const ONNX_PEEP_FROM_CANONICAL = [0, 2, 1];

/**
 * A canonical [rows, 4D] gate matrix (x @ w) as ONNX's [4D, rows] (x @ W^T), gates reordered,
 * written at `out[offset ...]`.
 */
function gateMatrixT(w: Float32Array, rows: number, D: number, out: Float32Array, offset: number): void {
  // In blocks of 16 rows: the rows' cache lines are read for 16 columns each, not once per column (full size: 4x faster).
  const BLOCK = 16;
  for (let k = 0; k < 4; k++) {
    const src = ONNX_GATE_FROM_CANONICAL[k] * D;
    for (let r0 = 0; r0 < rows; r0 += BLOCK) {
      const r1 = Math.min(rows, r0 + BLOCK);
      for (let j = 0; j < D; j++) {
        const o = offset + (k * D + j) * rows;
        const col = src + j;
        for (let r = r0; r < r1; r++) out[o + r] = w[r * 4 * D + col];
      }
    }
  }
}

function gateVector(b: Float32Array, D: number, out: Float32Array, offset: number): void {
  for (let k = 0; k < 4; k++) out.set(b.subarray(ONNX_GATE_FROM_CANONICAL[k] * D, (ONNX_GATE_FROM_CANONICAL[k] + 1) * D), offset + k * D);
}

/** The W, R, B (and P) inputs of one modality's bidirectional LSTM: direction 0 forward, 1 backward; written when asked. */
function onnxLstmWeights(meta: AttentionLstmMeta, get: (name: string) => Float32Array, m: Modality) {
  const { embed: E, lstm: D } = meta.sizes;
  const deferred = (length: number, write: (out: Float32Array, k: number, d: (typeof DIRECTIONS)[number]) => void): DeferredFloats => ({
    length,
    write: (out) => DIRECTIONS.forEach((d, k) => write(out, k, d)),
  });
  const W = deferred(2 * 4 * D * E, (out, k, d) => gateMatrixT(get(`${m}.${d}.wx`), E, D, out, k * 4 * D * E));
  const R = deferred(2 * 4 * D * D, (out, k, d) => gateMatrixT(get(`${m}.${d}.wh`), D, D, out, k * 4 * D * D));
  const B = deferred(2 * 8 * D, (out, k, d) => {
    gateVector(get(`${m}.${d}.bx`), D, out, k * 8 * D);
    gateVector(get(`${m}.${d}.bh`), D, out, k * 8 * D + 4 * D);
  });
  const P = BEHAVIOUR[meta.variant].peepholes
    ? deferred(2 * 3 * D, (out, k, d) => {
        const peep = get(`${m}.${d}.peep`);
        ONNX_PEEP_FROM_CANONICAL.forEach((src, j) => out.set(peep.subarray(src * D, (src + 1) * D), k * 3 * D + j * D));
      })
    : null;
  return { W, R, B, P };
}

/** A deferred tensor's values now. */
function now(x: DeferredFloats): Float32Array {
  const out = new Float32Array(x.length);
  x.write(out);
  return out;
}

// ---------------------------------------------------------------- the graph

export interface OnnxExportOptions {
  /** The graph's name and the model's doc string start; default "AttentionLSTM". */
  name?: string;
  producerVersion?: string;
  /** Adds the output `logits` [batch, classes] (the sigmoid's input): for an engine that reports them. */
  logits?: boolean;
  /**
   * Lists the head's three weight matrices among the graph's inputs as well (their initializers the defaults), so
   * that ONNX Runtime does not pack them at session start: for the command line's short-lived sessions, where
   * packing 330 MB (full size) costs about 0.2 s of a 0.75 s start and gains nothing measurable over a run of a few
   * batches of at most 64 videos (their Gemm has that many rows). Not for files: it says the weights may be replaced.
   */
  unpackedHead?: boolean;
}

/**
 * The model as one ONNX file (ModelProto bytes). Weights are stored as float32
 * raw data whatever the model's storage dtype. Throws InputError when a
 * weight is missing or has the wrong size.
 */
export function toOnnx(meta: AttentionLstmMeta, weights: ReadonlyMap<string, Float32Array>, opts: OnnxExportOptions = {}): Uint8Array {
  const model = onnxModel(meta, { size: (name) => weights.get(name)?.length, get: (name) => weights.get(name)! }, opts, 'now');
  const bytes = ModelProtoType.encode(model).finish();
  // In Node protobufjs hands back a Buffer; callers expect a plain Uint8Array.
  return bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * The same model for a runtime in this process (the command line's onnxruntime
 * engine, src/node/ortModel.ts), built with one copy of the weights: every
 * weight is written (transposed where ONNX's LSTM wants it) straight into the
 * one buffer handed to the runtime, not first into arrays of its own and then
 * copied by the encoder. The weights come from `weights` (canonical layout,
 * as toOnnx's map; its `writeInto` may read the large ones from their files
 * straight into the buffer); the bytes are toOnnx's graph with its large initializers
 * written after the rest, as further occurrences of ModelProto.graph (which a
 * protobuf reader merges into one: its initializers are appended). Each
 * tensor's raw data starts 4-byte aligned (a doc string of spaces before it
 * pads it) so that it is written through a Float32Array.
 */
export function onnxInPlace(meta: AttentionLstmMeta, weights: OnnxWeightSource, opts: OnnxExportOptions = {}): Uint8Array {
  const model = onnxModel(meta, weights, opts, 'deferred');
  const large = model.graph.initializer.filter((t) => t.deferred);
  const head = ModelProtoType.encode({
    ...model,
    graph: { ...model.graph, initializer: model.graph.initializer.filter((t) => !t.deferred) },
  }).finish();
  const TensorType = root.lookupType('onnx.TensorProto');
  // Each large tensor as graph { initializer { dims, dataType, name, [docString: padding], raw_data } }, laid out first.
  let at = head.length;
  const parts = large.map((t) => {
    const rawBytes = t.deferred!.length * 4;
    for (let pad = -1; pad < 8; pad++) {
      const header = TensorType.encode({
        name: t.name,
        dims: t.dims,
        dataType: t.dataType,
        ...(pad >= 0 ? { docString: ' '.repeat(pad) } : {}),
      }).finish();
      const tensorBytes = header.length + tagBytes(rawBytes) + rawBytes;
      const initBytes = tagBytes(tensorBytes) + tensorBytes;
      const rawAt = at + tagBytes(initBytes) + tagBytes(tensorBytes) + header.length + tagBytes(rawBytes);
      if (rawAt % 4 === 0) {
        const part = { deferred: t.deferred!, header, rawBytes, tensorBytes, initBytes, rawAt };
        at = rawAt + rawBytes;
        return part;
      }
    }
    throw new Error(`onnx: cannot align ${t.name}`);
  });
  const out = new Uint8Array(at);
  out.set(head);
  at = head.length;
  for (const p of parts) {
    at = writeTag(out, at, 7, p.initBytes);
    at = writeTag(out, at, 5, p.tensorBytes);
    out.set(p.header, at);
    at = writeTag(out, at + p.header.length, 9, p.rawBytes);
    if (at !== p.rawAt) throw new Error('onnx: a tensor is not where it was laid out');
    at += p.rawBytes;
  }
  // The weights the source writes unchanged go first: a source that reads them in the background
  // (src/node/ortModel.ts) then reads while the LSTMs' matrices are transposed here.
  const write = (p: (typeof parts)[number]) => p.deferred.write(new Float32Array(out.buffer, out.byteOffset + p.rawAt, p.rawBytes / 4));
  parts.filter((p) => p.deferred.direct).forEach(write);
  parts.filter((p) => !p.deferred.direct).forEach(write);
  return out;
}

/** Bytes of a length-delimited field's tag (fields below 16) and its length's varint. */
function tagBytes(length: number): number {
  let k = 2;
  for (let n = length; n >= 128; n = Math.floor(n / 128)) k++;
  return k;
}

/** A length-delimited field's tag (fields below 16) and length at `at`; returns the position after them. */
function writeTag(out: Uint8Array, at: number, field: number, length: number): number {
  out[at++] = (field << 3) | 2;
  let n = length;
  for (; n >= 128; n = Math.floor(n / 128)) out[at++] = (n % 128) | 128;
  out[at++] = n;
  return at;
}

/** Where onnxInPlace finds the weights (canonical names and layout). */
export interface OnnxWeightSource {
  /** The weight's number of values; undefined when the model has none of that name. */
  size(name: string): number | undefined;
  /** Its values. */
  get(name: string): Float32Array;
  /**
   * Writes its values into `out` (its size): a reader may read them there directly. Default: out.set(get(name)).
   * Called for every such weight before any other is written; a source may finish the writes later (the
   * bytes are then not complete until it says so).
   */
  writeInto?(name: string, out: Float32Array): void;
}

/** The ModelProto of toOnnx's graph, its floats now or deferred ('deferred': every large weight, written by onnxInPlace). */
function onnxModel(meta: AttentionLstmMeta, weights: OnnxWeightSource, opts: OnnxExportOptions, mode: 'now' | 'deferred') {
  const s = meta.sizes;
  const D = s.lstm;
  const beh = BEHAVIOUR[meta.variant];
  const expected = new Map(canonicalTensors(meta.variant, s).map((t) => [t.name, t.shape]));
  const size = (name: string): number => {
    const have = weights.size(name);
    const shape = expected.get(name);
    if (have === undefined || !shape)
      throw new InputError(`the model has no weight '${name}', which a ${meta.variant} AttentionLSTM needs for ONNX export`);
    const n = shape.reduce((a, b) => a * b, 1);
    if (have !== n) throw new InputError(`the model's weight '${name}' has ${have} values, expected ${n} (shape [${shape.join(', ')}])`);
    return n;
  };
  // Every weight's presence and size checked before anything is read or written.
  for (const name of expected.keys()) size(name);
  const get = (name: string) => weights.get(name);
  const copied = (name: string): FloatSource =>
    mode === 'now'
      ? get(name)
      : { length: size(name), write: (out) => (weights.writeInto ? weights.writeInto(name, out) : out.set(get(name))), direct: true };
  const lstmSource = (x: DeferredFloats): FloatSource => (mode === 'now' ? now(x) : x);
  const g = new GraphBuilder();
  const inputs = [
    valueInfo(
      'rgb',
      ONNX_DTYPE.float,
      ['batch', 'frames', s.rgbDim],
      "rgb features per frame (dequantized), [batch, frames, rgbDim]; frames past a video's length are ignored",
    ),
    valueInfo(
      'audio',
      ONNX_DTYPE.float,
      ['batch', 'frames', s.audioDim],
      'audio features per frame (dequantized), [batch, frames, audioDim]',
    ),
    valueInfo('lengths', ONNX_DTYPE.int32, ['batch'], 'frames of each video, 1..frames'),
  ];
  g.reserve('rgb', 'audio', 'lengths');

  // Shared constants and the frame mask [batch, frames]: frame t of video b is real when t < lengths[b].
  const perm102 = attr('perm', [1, 0, 2]);
  const lengths64 = g.op('Cast', ['lengths'], 'lengths_int64', [attr('to', ONNX_DTYPE.int64)]);
  const shapeRgb = g.op('Shape', ['rgb'], 'rgb_shape');
  const one = g.int64s('one', [], [1]);
  const frames = g.op('Gather', [shapeRgb, one], 'frames', [attr('axis', 0)]);
  const range = g.op('Range', [g.int64s('zero', [], [0]), frames, one], 'frame_index');
  const axis1 = g.int64s('axis_1', [1], [1]);
  const axis2 = g.int64s('axis_2', [1], [2]);
  const lengthsCol = g.op('Unsqueeze', [lengths64, axis1], 'lengths_column');
  const mask = g.op('Less', [range, lengthsCol], 'frame_mask');
  const minusBig = g.floats('masked_score', [], Float32Array.of(-1e30), 'score of a padded frame: its softmax weight is exactly 0');
  const concatShape = g.int64s('bilstm_shape', [3], [0, 0, -1]);
  const half =
    beh.outputScale !== 1
      ? g.floats(
          'dropout_scale',
          [],
          Float32Array.of(beh.outputScale),
          'fluid1: dropout (downgrade_in_infer) scales the BiLSTM output at inference',
        )
      : null;

  const pooled: string[] = [];
  for (const m of MODALITIES) {
    const din = featureDim(s, m);
    // [batch, frames, din] -> [frames, batch, din], ONNX LSTM's layout 0.
    const xt = g.op('Transpose', [m], `${m}_time_major`, [perm102]);
    const ew = g.floats(`${m}.embed.w`, [din, s.embed], copied(`${m}.embed.w`));
    const eb = g.floats(`${m}.embed.b`, [s.embed], get(`${m}.embed.b`));
    const e = g.op('Tanh', [g.op('Add', [g.op('MatMul', [xt, ew], `${m}_embed_mm`), eb], `${m}_embed_pre`)], `${m}_embed`);
    const lw = onnxLstmWeights(meta, get, m);
    const W = g.floats(`${m}.lstm.W`, [2, 4 * D, s.embed], lstmSource(lw.W), 'input projections fw, bw; gates i, o, f, c');
    const R = g.floats(`${m}.lstm.R`, [2, 4 * D, D], lstmSource(lw.R), 'recurrent weights fw, bw; gates i, o, f, c');
    const B = g.floats(`${m}.lstm.B`, [2, 8 * D], lstmSource(lw.B), 'input-projection bias then recurrent bias, fw, bw; gates i, o, f, c');
    const lstmInputs = [e, W, R, B, 'lengths'];
    if (lw.P) lstmInputs.push('', '', g.floats(`${m}.lstm.P`, [2, 3 * D], lstmSource(lw.P), 'peepholes fw, bw; i, o, f'));
    // Y [frames, 2, batch, D]; zero past each length; the backward direction starts at each video's last frame.
    const [y] = g.node(
      'LSTM',
      lstmInputs,
      [`${m}_lstm_y`],
      [attr('direction', 'bidirectional'), attr('hidden_size', D)],
      meta.variant === 'fluid1'
        ? 'Paddle dynamic_lstm with peepholes; Paddle clamps the gate sigmoid input to [-40, 13], ONNX does not (differs only where a pre-activation exceeds 13)'
        : 'paddle.nn.LSTM, bidirectional',
    );
    // -> [batch, frames, 2, D] -> [batch, frames, 2D]: concat(h_fw, h_bw) per frame.
    let hd = g.op('Reshape', [g.op('Transpose', [y], `${m}_lstm_batch_major`, [attr('perm', [2, 0, 1, 3])]), concatShape], `${m}_bilstm`);
    if (half) hd = g.op('Mul', [hd, half], `${m}_bilstm_scaled`);
    const aw = g.floats(`${m}.att.w`, [2 * D, 1], get(`${m}.att.w`));
    const ab = g.floats(`${m}.att.b`, [1], get(`${m}.att.b`));
    const scores = g.op('Squeeze', [g.op('Add', [g.op('MatMul', [hd, aw], `${m}_score_mm`), ab], `${m}_score_col`), axis2], `${m}_score`);
    const masked = g.op('Where', [mask, scores, minusBig], `${m}_score_masked`);
    const att = g.op('Softmax', [masked], `attention_${m}`, [attr('axis', 1)]);
    // [batch, 1, frames] @ [batch, frames, 2D] -> [batch, 2D]
    const p = g.op('MatMul', [g.op('Unsqueeze', [att, axis1], `${m}_attention_row`), hd], `${m}_pooled_row`);
    pooled.push(g.op('Squeeze', [p, axis1], `${m}_pooled`));
  }
  const z = g.op('Concat', pooled, 'pooled', [attr('axis', 1)]);
  const gemm = (x: string, layer: string, inDim: number, outDim: number) =>
    g.op(
      'Gemm',
      [
        x,
        g.floats(`head.${layer}.w`, [inDim, outDim], copied(`head.${layer}.w`)),
        g.floats(`head.${layer}.b`, [outDim], get(`head.${layer}.b`)),
      ],
      `${layer}_out`,
    );
  const h1 = g.op('Relu', [gemm(z, 'fc1', 4 * D, s.head1)], 'fc1_relu');
  const headWeights = () => g.initializers.filter((t) => /^head\.\w+\.w$/.test(t.name));
  const h2 = g.op('Tanh', [gemm(h1, 'fc2', s.head1, s.head2)], 'fc2_tanh');
  const logits = gemm(h2, 'logit', s.head2, s.classes);
  g.op('Sigmoid', [logits], 'probabilities');
  if (opts.logits) g.op('Identity', [logits], 'logits');

  const outputs = [
    valueInfo('probabilities', ONNX_DTYPE.float, ['batch', s.classes], 'per-class probability (sigmoid: multi-label)'),
    valueInfo(
      'attention_rgb',
      ONNX_DTYPE.float,
      ['batch', 'frames'],
      "attention weight of each rgb frame; sums to 1 over the video's frames, 0 past its length",
    ),
    valueInfo('attention_audio', ONNX_DTYPE.float, ['batch', 'frames'], 'attention weight of each audio frame'),
    ...(opts.logits ? [valueInfo('logits', ONNX_DTYPE.float, ['batch', s.classes], "the sigmoid's input")] : []),
  ];
  const name = opts.name ?? 'AttentionLSTM';
  const metadata: { key: string; value: string }[] = [
    { key: 'variant', value: meta.variant },
    { key: 'sizes', value: JSON.stringify(s) },
  ];
  if (meta.classNames) metadata.push({ key: 'class_names', value: JSON.stringify(meta.classNames) });
  if (meta.source) metadata.push({ key: 'source', value: JSON.stringify(meta.source) });
  return {
    irVersion: ONNX_IR_VERSION,
    producerName: 'attention-lstm-playground',
    producerVersion: opts.producerVersion ?? '0.1.0',
    modelVersion: 1,
    docString:
      `${name}: PaddleVideo's AttentionLSTM (${meta.variant}), ${s.classes} classes.` +
      (meta.variant === 'fluid1'
        ? " Paddle clamps the LSTM gates' sigmoid input to [-40, 13]; this graph does not (see the LSTM nodes)."
        : ''),
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    metadataProps: metadata,
    graph: {
      name,
      node: g.nodes,
      initializer: g.initializers,
      input: opts.unpackedHead ? [...inputs, ...headWeights().map((t) => valueInfo(t.name, ONNX_DTYPE.float, t.dims))] : inputs,
      output: outputs,
    },
  };
}
