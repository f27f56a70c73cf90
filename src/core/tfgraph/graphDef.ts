/**
 * TensorFlow's `GraphDef` (graph.proto, node_def.proto, attr_value.proto,
 * tensor.proto, tensor_shape.proto), the part a frozen inference graph uses,
 * declared here and decoded with protobufjs reflection so that the same code
 * runs in Node, a page and a worker. Field numbers are TensorFlow's; fields
 * left out (versions, the function library, `func` attributes) are skipped by
 * the decoder, which also keeps their recursion out of reach of a hostile file.
 */
import protobuf from 'protobufjs/light';
import { InputError } from '../errors';

const packed = { packed: true };
const SCHEMA = {
  nested: {
    GraphDef: { fields: { node: { rule: 'repeated', type: 'NodeDef', id: 1 } } },
    NodeDef: {
      fields: {
        name: { type: 'string', id: 1 },
        op: { type: 'string', id: 2 },
        input: { rule: 'repeated', type: 'string', id: 3 },
        device: { type: 'string', id: 4 },
        attr: { keyType: 'string', type: 'AttrValue', id: 5 },
      },
    },
    AttrValue: {
      oneofs: { value: { oneof: ['list', 's', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'placeholder'] } },
      fields: {
        list: { type: 'ListValue', id: 1 },
        s: { type: 'bytes', id: 2 },
        i: { type: 'int64', id: 3 },
        f: { type: 'float', id: 4 },
        b: { type: 'bool', id: 5 },
        type: { type: 'int32', id: 6 },
        shape: { type: 'TensorShapeProto', id: 7 },
        tensor: { type: 'TensorProto', id: 8 },
        placeholder: { type: 'string', id: 9 },
      },
    },
    ListValue: {
      fields: {
        s: { rule: 'repeated', type: 'bytes', id: 2 },
        i: { rule: 'repeated', type: 'int64', id: 3, options: packed },
        f: { rule: 'repeated', type: 'float', id: 4, options: packed },
        b: { rule: 'repeated', type: 'bool', id: 5, options: packed },
        type: { rule: 'repeated', type: 'int32', id: 6, options: packed },
        shape: { rule: 'repeated', type: 'TensorShapeProto', id: 7 },
        tensor: { rule: 'repeated', type: 'TensorProto', id: 8 },
      },
    },
    TensorShapeProto: {
      fields: {
        dim: { rule: 'repeated', type: 'Dim', id: 2 },
        unknownRank: { type: 'bool', id: 3 },
      },
      nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
    },
    TensorProto: {
      fields: {
        dtype: { type: 'int32', id: 1 },
        tensorShape: { type: 'TensorShapeProto', id: 2 },
        versionNumber: { type: 'int32', id: 3 },
        tensorContent: { type: 'bytes', id: 4 },
        floatVal: { rule: 'repeated', type: 'float', id: 5, options: packed },
        doubleVal: { rule: 'repeated', type: 'double', id: 6, options: packed },
        intVal: { rule: 'repeated', type: 'int32', id: 7, options: packed },
        stringVal: { rule: 'repeated', type: 'bytes', id: 8 },
        int64Val: { rule: 'repeated', type: 'int64', id: 10, options: packed },
        boolVal: { rule: 'repeated', type: 'bool', id: 11, options: packed },
        halfVal: { rule: 'repeated', type: 'int32', id: 13, options: packed },
      },
    },
  },
};

/** The protobufjs root, for the tests' GraphDef writer. */
export const GRAPH_DEF_SCHEMA = protobuf.Root.fromJSON(SCHEMA);
const GraphDefType = GRAPH_DEF_SCHEMA.lookupType('GraphDef');

/** TensorFlow's DataType numbers the extractor's graph can hold (types.proto); `_ref` types add 100. */
export const TF_DTYPE = {
  float: 1,
  double: 2,
  int32: 3,
  uint8: 4,
  int16: 5,
  int8: 6,
  string: 7,
  int64: 9,
  bool: 10,
  uint16: 17,
  half: 19,
  uint32: 22,
  uint64: 23,
} as const;

export function dtypeName(t: number): string {
  const base = t > 100 ? t - 100 : t;
  const name = Object.entries(TF_DTYPE).find(([, v]) => v === base)?.[0];
  return name ?? `type ${t}`;
}

// protobufjs yields Long objects when long.js is loadable and plain numbers when not.
interface RawLong {
  low: number;
  high: number;
}
export type Int64 = number | RawLong;
export function int64(v: Int64 | undefined | null): number {
  if (v === undefined || v === null) return 0;
  return typeof v === 'number' ? v : v.high * 2 ** 32 + (v.low >>> 0);
}

export interface RawShape {
  dim?: { size?: Int64 }[];
  unknownRank?: boolean;
}
export interface RawTensor {
  dtype?: number;
  tensorShape?: RawShape | null;
  tensorContent?: Uint8Array;
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  stringVal?: Uint8Array[];
  int64Val?: Int64[];
  boolVal?: boolean[];
  halfVal?: number[];
}
interface RawList {
  s?: Uint8Array[];
  i?: Int64[];
  f?: number[];
  b?: boolean[];
  type?: number[];
  shape?: RawShape[];
  tensor?: RawTensor[];
}
export interface RawAttr {
  list?: RawList | null;
  s?: Uint8Array;
  i?: Int64;
  f?: number;
  b?: boolean;
  type?: number;
  shape?: RawShape | null;
  tensor?: RawTensor | null;
  placeholder?: string;
  /** Which member of the oneof is set (protobufjs's virtual oneof property). */
  value?: string;
}
interface RawNode {
  name?: string;
  op?: string;
  input?: string[];
  attr?: Record<string, RawAttr>;
}

/** A name from the file, quoted as JSON so that control characters a damaged file holds cannot break a message. */
export function q(name: string): string {
  return JSON.stringify(name);
}

/** The same without the quotes (an op's name). */
export function safe(name: string): string {
  return JSON.stringify(name).slice(1, -1);
}

/** One node as the file has it: its inputs as written (`name`, `name:1`, `^name`), its attributes raw. */
export interface GraphNode {
  name: string;
  op: string;
  inputs: string[];
  attrs: Record<string, RawAttr>;
}

/**
 * Decodes a serialized GraphDef. Anything that is not one (truncated,
 * corrupted, another protobuf, hostile lengths) is one InputError naming the file.
 */
export function decodeGraphDef(bytes: Uint8Array, file: string): GraphNode[] {
  if (bytes.length === 0) throw new InputError(`${file}: the file is empty`);
  let raw: { node?: RawNode[] };
  try {
    raw = GraphDefType.decode(bytes) as unknown as { node?: RawNode[] };
  } catch (e) {
    // protobufjs reports malformed input with Errors and RangeErrors (a hostile nesting overflows the stack).
    const why = e instanceof Error ? e.message : String(e);
    throw new InputError(`${file}: not a TensorFlow GraphDef (${why}): the file is truncated, damaged or of another kind`);
  }
  const nodes = raw.node ?? [];
  if (nodes.length === 0) throw new InputError(`${file}: not a TensorFlow GraphDef: it holds no nodes`);
  const seen = new Set<string>();
  return nodes.map((n, i) => {
    if (!n.name) throw new InputError(`${file}: not a usable TensorFlow GraphDef: node ${i} has no name`);
    if (!n.op) throw new InputError(`${file}: not a usable TensorFlow GraphDef: the node ${q(n.name)} has no op`);
    if (seen.has(n.name)) throw new InputError(`${file}: not a usable TensorFlow GraphDef: two nodes are named ${q(n.name)}`);
    seen.add(n.name);
    return { name: n.name, op: n.op, inputs: n.input ?? [], attrs: n.attr ?? {} };
  });
}
