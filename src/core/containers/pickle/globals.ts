/**
 * The only Python globals a pickle may name, each imitated in TS. A pickle can
 * name any importable callable (os.system, builtins.eval, ...) and have the
 * unpickler call it; here nothing outside this list exists, and what is on it
 * only builds data.
 */
import { BYTES_PER_ELEMENT } from '../../ndarray';
import { rawUnicodeEscapeToLatin1, utf8ToLatin1 } from './codecs';
import { GlobalRef, LazyText, PendingArray, PendingDtype, describe, isInternal, type Val } from './internal';
import { arrayFromRaw, dtypeFromTypestr, elementCount, scalarFromRaw } from './numpy';
import { PyBytes, PyDict, PySet, PyTuple, type PyValue } from './values';

export type Callable =
  | 'reconstruct'
  | 'ndarray'
  | 'dtype'
  | 'scalar'
  | 'frombuffer'
  | 'encode'
  | 'OrderedDict'
  | 'set'
  | 'frozenset'
  | 'bytearray'
  | 'bytes'
  | 'list'
  | 'dict'
  | 'tuple';

const ALLOWED = new Map<string, Callable>([
  ['numpy.core.multiarray._reconstruct', 'reconstruct'],
  ['numpy._core.multiarray._reconstruct', 'reconstruct'],
  ['numpy.ndarray', 'ndarray'],
  ['numpy.dtype', 'dtype'],
  ['numpy.core.multiarray.scalar', 'scalar'],
  ['numpy._core.multiarray.scalar', 'scalar'],
  // numpy writes arrays this way under protocol 5.
  ['numpy.core.numeric._frombuffer', 'frombuffer'],
  ['numpy._core.numeric._frombuffer', 'frombuffer'],
  // Python 3 writes bytes this way under protocols 0 to 2.
  ['_codecs.encode', 'encode'],
  ['collections.OrderedDict', 'OrderedDict'],
  ...(['builtins', '__builtin__'] as const).flatMap((m) =>
    (['set', 'frozenset', 'bytearray', 'bytes', 'list', 'dict', 'tuple'] as const).map((n) => [`${m}.${n}`, n] as [string, Callable]),
  ),
]);

/** The global's stand-in, or undefined when it is not on the allow-list. */
export function resolveGlobal(module: string, name: string): GlobalRef | undefined {
  const callable = ALLOWED.get(`${module}.${name}`);
  return callable === undefined ? undefined : new GlobalRef(module, name, callable);
}

/** What the handlers need from the reader. */
export interface CallContext {
  /** Throws the reader's InputError for this file and position. */
  fail(what: string): never;
  /** True the first time a bytes object is handed to an array, which may then keep its memory. */
  claim(bytes: PyBytes): boolean;
}

const MUTABLE: ReadonlySet<Callable> = new Set(['list', 'dict', 'set', 'OrderedDict', 'bytearray']);

/**
 * Applies an allow-listed global to its arguments (REDUCE, INST, OBJ) or, with
 * `asNew`, its __new__ (NEWOBJ), which leaves mutable containers empty for
 * the APPENDS or SETITEMS that follow.
 */
export function callGlobal(ref: GlobalRef, args: Val[], ctx: CallContext, asNew = false): Val {
  if (asNew && MUTABLE.has(ref.callable)) args = [];
  const name = ref.qualifiedName;
  const arity = (min: number, max: number): void => {
    if (args.length < min || args.length > max) {
      ctx.fail(`the pickle calls ${name} with ${args.length} arguments, which it does not take`);
    }
  };
  switch (ref.callable) {
    case 'reconstruct': {
      arity(3, 3);
      if (!(args[0] instanceof GlobalRef) || args[0].callable !== 'ndarray') {
        ctx.fail(`the pickle reconstructs ${describe(args[0])}, not a numpy.ndarray; only plain numpy arrays can be loaded`);
      }
      return new PendingArray();
    }
    case 'ndarray':
      return ctx.fail('the pickle calls numpy.ndarray directly, which numpy itself never writes');
    case 'dtype': {
      arity(1, 3);
      let typestr = textOf(args[0], ctx) ?? ctx.fail(`the pickle makes a numpy dtype from ${describe(args[0])}`);
      let bigEndian = false;
      if (/^[<>|=]/.test(typestr)) {
        bigEndian = typestr[0] === '>';
        typestr = typestr.slice(1);
      }
      const dtype = dtypeFromTypestr(typestr);
      if (dtype === undefined) {
        ctx.fail(`the pickle holds numpy dtype '${typestr}'; only bool, integer and float arrays can be loaded`);
      }
      const d = new PendingDtype(dtype, typestr);
      d.bigEndian = bigEndian;
      return d;
    }
    case 'scalar': {
      arity(2, 2);
      const dt = dtypeArg(args[0], ctx);
      const raw = bytesArg(args[1], ctx, 'a numpy scalar');
      const v = scalarFromRaw(raw.bytes, dt.dtype, dt.bigEndian);
      return typeof v === 'string' ? ctx.fail(v) : v;
    }
    case 'frombuffer': {
      arity(4, 4);
      const raw = bytesArg(args[0], ctx, 'a numpy array');
      const dt = dtypeArg(args[1], ctx);
      const shape = shapeArg(args[2], ctx);
      const order = textOf(args[3], ctx);
      if (order !== 'C' && order !== 'F')
        ctx.fail(`the pickle gives a numpy array the order ${order === undefined ? describe(args[3]) : `'${order}'`}, not 'C' or 'F'`);
      const a = arrayFromRaw({
        raw: raw.bytes,
        owned: ctx.claim(raw),
        dtype: dt.dtype,
        bigEndian: dt.bigEndian,
        shape,
        fortran: order === 'F',
      });
      return typeof a === 'string' ? ctx.fail(a) : a;
    }
    case 'encode': {
      arity(1, 3);
      const encoding = args.length > 1 ? textOf(args[1], ctx)?.toLowerCase() : 'utf-8';
      return encodeText(args[0], encoding, ctx);
    }
    case 'OrderedDict':
    case 'dict': {
      arity(0, 1);
      const d = new PyDict([], ref.callable === 'OrderedDict');
      if (args.length === 1) {
        const src = args[0];
        if (src instanceof PyDict) {
          for (const [k, v] of src) d.set(k, v);
        } else {
          for (const pair of iterate(src, ctx, name)) {
            const kv = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : undefined;
            if (!kv || kv.length !== 2) ctx.fail(`the pickle builds a ${name} from ${describe(pair)} instead of a key-value pair`);
            d.set(hashable(kv[0], ctx), kv[1]);
          }
        }
      }
      return d;
    }
    case 'set':
    case 'frozenset': {
      arity(0, 1);
      const s = new PySet([], ref.callable === 'frozenset');
      if (args.length === 1) for (const v of iterate(args[0], ctx, name)) s.add(hashable(v, ctx));
      return s;
    }
    case 'list':
      arity(0, 1);
      return args.length === 1 ? ([...iterate(args[0], ctx, name)] as PyValue[]) : [];
    case 'tuple':
      arity(0, 1);
      return new PyTuple(args.length === 1 ? ([...iterate(args[0], ctx, name)] as PyValue[]) : []);
    case 'bytes':
    case 'bytearray': {
      arity(0, 3);
      const kind = ref.callable;
      if (args.length === 0) return new PyBytes(new Uint8Array(0), kind);
      const src = args[0];
      if (src instanceof PyBytes) return new PyBytes(src.bytes.slice(), kind);
      if (typeof src === 'string' || src instanceof LazyText) {
        const encoded = encodeText(src, args.length > 1 ? textOf(args[1], ctx)?.toLowerCase() : undefined, ctx);
        return new PyBytes(encoded.bytes, kind);
      }
      const items = [...iterate(src, ctx, name)];
      const out = new Uint8Array(items.length);
      items.forEach((v, i) => {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255) ctx.fail(`the pickle builds ${kind} from ${describe(v)}`);
        out[i] = v;
      });
      return new PyBytes(out, kind);
    }
  }
}

/** Applies a BUILD state to what the allow-listed globals made. */
export function buildState(target: Val, state: Val, ctx: CallContext): void {
  if (target instanceof PendingArray) return buildArray(target, state, ctx);
  if (target instanceof PendingDtype) return buildDtype(target, state, ctx);
  // An OrderedDict's state is its instance __dict__ (usually None or {}); there is nothing in it to keep.
  if (target instanceof PyDict && target.ordered) return;
  ctx.fail(`the pickle sets the state of ${describe(target)}, which only Python code could do`);
}

function buildArray(target: PendingArray, state: Val, ctx: CallContext): void {
  if (target.array) ctx.fail('the pickle sets the state of a numpy array twice');
  const items = state instanceof PyTuple ? state.items : Array.isArray(state) ? state : undefined;
  if (!items || (items.length !== 5 && items.length !== 4)) {
    ctx.fail(`the pickle gives a numpy array the state ${describe(state)}, not (version, shape, dtype, is_fortran, data)`);
  }
  const [shapeV, dtypeV, fortranV, rawV] = items.length === 5 ? items.slice(1) : items;
  const shape = shapeArg(shapeV, ctx);
  const dt = dtypeArg(dtypeV, ctx);
  if (Array.isArray(rawV)) ctx.fail('the pickle holds a numpy array of Python objects, which cannot be loaded');
  const fortran = fortranV === true || fortranV === 1;
  if (!fortran && fortranV !== false && fortranV !== 0) ctx.fail(`the pickle gives a numpy array is_fortran = ${describe(fortranV)}`);
  const raw = bytesArg(rawV, ctx, 'a numpy array');
  const a = arrayFromRaw({ raw: raw.bytes, owned: ctx.claim(raw), dtype: dt.dtype, bigEndian: dt.bigEndian, shape, fortran });
  if (typeof a === 'string') ctx.fail(a);
  target.array = a;
}

function buildDtype(target: PendingDtype, state: Val, ctx: CallContext): void {
  const items = state instanceof PyTuple ? state.items : undefined;
  if (!items || items.length < 2) ctx.fail(`the pickle gives a numpy dtype the state ${describe(state)}`);
  // Versions 1 to 4 start with the version number; the oldest start with the byte order.
  const at = typeof items[0] === 'string' || items[0] instanceof PyBytes ? 0 : 1;
  const endian = textOf(items[at], ctx);
  if (endian !== '<' && endian !== '>' && endian !== '|' && endian !== '=') {
    ctx.fail(`the pickle gives a numpy dtype the byte order ${describe(items[at])}`);
  }
  for (const [i, what] of [
    [at + 1, 'a sub-array'],
    [at + 2, 'field names'],
    [at + 3, 'fields'],
  ] as const) {
    if (i < items.length && items[i] !== null) {
      ctx.fail(`the pickle holds a numpy dtype with ${what} (a structured dtype); only bool, integer and float arrays can be loaded`);
    }
  }
  // '=' is the writer's native order; every machine numpy runs on in practice is little-endian.
  target.bigEndian = endian === '>' && BYTES_PER_ELEMENT[target.dtype] > 1;
}

function textOf(v: Val | undefined, ctx: CallContext): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof PyBytes) return v.latin1();
  if (v instanceof LazyText) return v.text() ?? ctx.fail('the pickle holds a str with a broken \\u escape');
  return undefined;
}

function dtypeArg(v: Val | undefined, ctx: CallContext): PendingDtype {
  if (v instanceof PendingDtype) return v;
  return ctx.fail(`the pickle gives ${describe(v)} where a numpy dtype belongs`);
}

function shapeArg(v: Val | undefined, ctx: CallContext): number[] {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : undefined;
  if (!items) ctx.fail(`the pickle gives a numpy array the shape ${describe(v)}, not a tuple of sizes`);
  const shape = items.map((d) => {
    const n = typeof d === 'bigint' ? Number(d) : d;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) ctx.fail(`the pickle gives a numpy array a size of ${String(d)}`);
    return n;
  });
  if (elementCount(shape) === Infinity) ctx.fail(`the pickle gives a numpy array the impossible shape [${shape.join(', ')}]`);
  return shape;
}

function bytesArg(v: Val | undefined, ctx: CallContext, what: string): PyBytes {
  if (v instanceof PyBytes) return v;
  // Python 2 data unpickled as str, or protocol 0 text: the characters are the bytes.
  if (typeof v === 'string' || v instanceof LazyText) return encodeText(v, 'latin1', ctx);
  return ctx.fail(`the pickle gives ${what} its data as ${describe(v)}, not bytes`);
}

const LATIN1 = new Set(['latin1', 'latin-1', 'latin_1', 'iso-8859-1', 'iso8859-1', 'iso_8859_1', 'l1']);
const UTF8 = new Set(['utf-8', 'utf8', 'utf_8']);

function encodeText(v: Val | undefined, encoding: string | undefined, ctx: CallContext): PyBytes {
  if (typeof v !== 'string' && !(v instanceof LazyText)) ctx.fail(`the pickle encodes ${describe(v)} as if it were a str`);
  if (encoding !== undefined && UTF8.has(encoding)) {
    const s = typeof v === 'string' ? v : (v.text() ?? ctx.fail('the pickle holds a str with a broken \\u escape'));
    return new PyBytes(new TextEncoder().encode(s));
  }
  if (encoding === undefined || !LATIN1.has(encoding)) {
    ctx.fail(
      `the pickle encodes text ${encoding === undefined ? 'without naming an encoding' : `as '${encoding.slice(0, 40)}'`}; only latin-1 and UTF-8 are supported`,
    );
  }
  let out: Uint8Array | undefined;
  if (v instanceof LazyText) {
    out = v.encoding === 'utf-8' ? utf8ToLatin1(v.source, v.start, v.end) : rawUnicodeEscapeToLatin1(v.source, v.start, v.end);
  } else {
    out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 0xff) {
        out = undefined;
        break;
      }
      out[i] = c;
    }
  }
  return new PyBytes(out ?? ctx.fail('the pickle encodes a str with characters beyond latin-1 as latin-1'));
}

function* iterate(v: Val | undefined, ctx: CallContext, callee: string): Generator<Val> {
  if (Array.isArray(v)) yield* v;
  else if (v instanceof PyTuple || v instanceof PySet) yield* v.items;
  else if (v instanceof PyDict) yield* v.keys();
  else ctx.fail(`the pickle calls ${callee} on ${describe(v)}, which is not a list, tuple or set`);
}

/** A value fit to be a dict key or set item: long strs decoded, pickling machinery refused. */
export function hashable(v: Val, ctx: CallContext): PyValue {
  if (v instanceof LazyText) return v.text() ?? ctx.fail('the pickle holds a str with a broken \\u escape');
  if (isInternal(v)) ctx.fail(`the pickle uses ${describe(v)} as a dict key or set item`);
  return v;
}
