/**
 * The subset of Paddle's `framework.proto` (package paddle.framework.proto, proto2)
 * that an inference program (`.pdmodel`, `__model__`) needs to be read: blocks,
 * their variables (name, type, persistable, tensor shape) and their ops (type,
 * named input and output slots, attributes). Fields left out are skipped by the
 * decoder. Required fields are declared optional here so that a broken file gets
 * our own message rather than protobufjs's.
 */
import protobuf from 'protobufjs';
import { InputError } from '../errors';
import type { DType } from '../ndarray';
import { PADDLE_DTYPES } from './tensorDesc';

const SCHEMA = {
  nested: {
    paddle: {
      nested: {
        framework: {
          nested: {
            proto: {
              nested: {
                ProgramDesc: {
                  fields: { blocks: { rule: 'repeated', type: 'BlockDesc', id: 1 } },
                },
                BlockDesc: {
                  fields: {
                    idx: { type: 'int32', id: 1 },
                    parentIdx: { type: 'int32', id: 2 },
                    vars: { rule: 'repeated', type: 'VarDesc', id: 3 },
                    ops: { rule: 'repeated', type: 'OpDesc', id: 4 },
                  },
                },
                VarDesc: {
                  fields: {
                    name: { type: 'string', id: 1 },
                    type: { type: 'VarType', id: 2 },
                    persistable: { type: 'bool', id: 3 },
                  },
                },
                VarType: {
                  fields: {
                    type: { type: 'int32', id: 1 },
                    selectedRows: { type: 'TensorDesc', id: 2 },
                    lodTensor: { type: 'LoDTensorDesc', id: 3 },
                  },
                  nested: {
                    TensorDesc: {
                      fields: {
                        dataType: { type: 'int32', id: 1 },
                        dims: { rule: 'repeated', type: 'int64', id: 2 },
                      },
                    },
                    LoDTensorDesc: {
                      fields: {
                        tensor: { type: 'TensorDesc', id: 1 },
                        lodLevel: { type: 'int32', id: 2 },
                      },
                    },
                  },
                },
                OpDesc: {
                  fields: {
                    inputs: { rule: 'repeated', type: 'Var', id: 1 },
                    outputs: { rule: 'repeated', type: 'Var', id: 2 },
                    type: { type: 'string', id: 3 },
                    attrs: { rule: 'repeated', type: 'Attr', id: 4 },
                  },
                  nested: {
                    Var: {
                      fields: {
                        parameter: { type: 'string', id: 1 },
                        arguments: { rule: 'repeated', type: 'string', id: 2 },
                      },
                    },
                    Attr: {
                      fields: {
                        name: { type: 'string', id: 1 },
                        type: { type: 'int32', id: 2 },
                        i: { type: 'int32', id: 3 },
                        f: { type: 'float', id: 4 },
                        s: { type: 'string', id: 5 },
                        ints: { rule: 'repeated', type: 'int32', id: 6 },
                        floats: { rule: 'repeated', type: 'float', id: 7 },
                        strings: { rule: 'repeated', type: 'string', id: 8 },
                        b: { type: 'bool', id: 10 },
                        bools: { rule: 'repeated', type: 'bool', id: 11 },
                        l: { type: 'int64', id: 13 },
                        longs: { rule: 'repeated', type: 'int64', id: 15 },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA as protobuf.INamespace);
const ProgramDescType = root.lookupType('paddle.framework.proto.ProgramDesc');

/** VarType.Type numbers of variables that hold no data to save (save_inference_model skips them). */
export const VAR_TYPE = { LOD_TENSOR: 7, SELECTED_ROWS: 8, FEED_MINIBATCH: 9, FETCH_LIST: 10, READER: 15, RAW: 17 } as const;

export interface ProgramVar {
  name: string;
  /** VarType.Type: 7 LOD_TENSOR, 9 FEED_MINIBATCH, ... */
  type: number;
  persistable: boolean;
  /** The tensor's element type and shape, for tensors (-1 marks a dimension known only at run time). */
  dtype?: DType;
  shape?: number[];
}

type AttrValue = number | string | boolean | number[] | string[] | boolean[];

export interface ProgramOp {
  type: string;
  inputs: Map<string, string[]>;
  outputs: Map<string, string[]>;
  attrs: Map<string, AttrValue>;
}

interface ProgramBlock {
  vars: ProgramVar[];
  ops: ProgramOp[];
}

export interface Program {
  blocks: ProgramBlock[];
}

interface RawTensorDesc {
  dataType?: number;
  dims?: number[];
}
interface RawVar {
  name?: string;
  type?: { type?: number; lodTensor?: { tensor?: RawTensorDesc }; selectedRows?: RawTensorDesc };
  persistable?: boolean;
}
interface RawSlot {
  parameter?: string;
  arguments?: string[];
}
interface RawAttr {
  name?: string;
  type?: number;
  i?: number;
  f?: number;
  s?: string;
  ints?: number[];
  floats?: number[];
  strings?: string[];
  b?: boolean;
  bools?: boolean[];
  l?: number;
  longs?: number[];
}
interface RawOp {
  type?: string;
  inputs?: RawSlot[];
  outputs?: RawSlot[];
  attrs?: RawAttr[];
}
interface RawBlock {
  idx?: number;
  vars?: RawVar[];
  ops?: RawOp[];
}

/** Paddle's AttrType numbers. */
const ATTR = { INT: 0, FLOAT: 1, STRING: 2, INTS: 3, FLOATS: 4, STRINGS: 5, BOOLEAN: 6, BOOLEANS: 7, LONG: 9, LONGS: 11 };

function attrValue(a: RawAttr): AttrValue | undefined {
  switch (a.type) {
    case ATTR.INT:
      return a.i ?? 0;
    case ATTR.FLOAT:
      return a.f ?? 0;
    case ATTR.STRING:
      return a.s ?? '';
    case ATTR.INTS:
      return a.ints ?? [];
    case ATTR.FLOATS:
      return a.floats ?? [];
    case ATTR.STRINGS:
      return a.strings ?? [];
    case ATTR.BOOLEAN:
      return a.b ?? false;
    case ATTR.BOOLEANS:
      return a.bools ?? [];
    case ATTR.LONG:
      return a.l ?? 0;
    case ATTR.LONGS:
      return a.longs ?? [];
    default:
      return undefined;
  }
}

/**
 * Decodes a serialized ProgramDesc. Any malformed input (truncated, flipped,
 * hostile) ends in one InputError naming the file.
 */
export function decodeProgram(bytes: Uint8Array, file: string): Program {
  let raw: { blocks?: RawBlock[] };
  try {
    raw = ProgramDescType.toObject(ProgramDescType.decode(bytes), { longs: Number, arrays: true, defaults: true }) as typeof raw;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new InputError(
      `${file}: not a valid Paddle program (ProgramDesc protobuf): ${why}; the file is truncated, corrupted or not a .pdmodel`,
    );
  }
  const bad = (what: string): never => {
    throw new InputError(`${file}: the Paddle program is malformed: ${what}`);
  };
  const blocks = raw.blocks ?? [];
  if (blocks.length === 0) bad('it has no blocks');
  return {
    blocks: blocks.map((b, bi) => {
      if ((b.idx ?? -1) !== bi) bad(`block ${bi} says it is block ${b.idx ?? '(none)'}`);
      const vars = (b.vars ?? []).map((v, vi): ProgramVar => {
        if (!v.name) bad(`variable ${vi} of block ${bi} has no name`);
        if (v.type?.type === undefined) bad(`the variable '${v.name}' has no type`);
        const out: ProgramVar = { name: v.name!, type: v.type!.type!, persistable: v.persistable === true };
        const t = v.type!.lodTensor?.tensor ?? v.type!.selectedRows;
        if (t) {
          const dims = t.dims ?? [];
          if (dims.some((d) => !Number.isSafeInteger(d) || d < -1))
            bad(`the variable '${v.name}' has an invalid dimension in [${dims.join(', ')}]`);
          out.shape = dims;
          out.dtype = PADDLE_DTYPES[t.dataType ?? -1];
        }
        return out;
      });
      const ops = (b.ops ?? []).map((o, oi): ProgramOp => {
        if (!o.type) bad(`op ${oi} of block ${bi} has no type`);
        const slots = (list: RawSlot[] | undefined) => new Map((list ?? []).map((s) => [s.parameter ?? '', s.arguments ?? []]));
        const attrs = new Map<string, AttrValue>();
        for (const a of o.attrs ?? []) {
          const value = attrValue(a);
          if (a.name && value !== undefined) attrs.set(a.name, value);
        }
        return { type: o.type!, inputs: slots(o.inputs), outputs: slots(o.outputs), attrs };
      });
      return { vars, ops };
    }),
  };
}

/** The op types of every block, with their counts, in order of first appearance: "rnn x2, matmul_v2 x7, ...". */
export function opSummary(program: Program, max = 24): string {
  const counts = new Map<string, number>();
  for (const b of program.blocks) for (const o of b.ops) counts.set(o.type, (counts.get(o.type) ?? 0) + 1);
  if (counts.size === 0) return 'no ops at all';
  const list = [...counts].map(([t, n]) => (n > 1 ? `${t} x${n}` : t));
  return list.length > max ? `${list.slice(0, max).join(', ')} and ${list.length - max} more types` : list.join(', ');
}
