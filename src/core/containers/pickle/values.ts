/**
 * Python values as the pickle reader gives them and the writer takes them.
 *
 * str → string, int → number (bigint beyond 2^53), float → number, bool →
 * boolean, None → null, list → a JS array, numpy arrays → NdArray; the other
 * Python types get small classes so that each can be told apart (a bytes
 * object is not a list of numbers, a tuple is not a list).
 */
import type { NdArray } from '../../ndarray';

export type PyValue = null | boolean | number | bigint | string | PyBytes | PyList | PyTuple | PyDict | PySet | NdArray;

/** A Python list: a plain, mutable JS array. */
type PyList = PyValue[];

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Python bytes (or bytearray, which Python keeps apart only by mutability). */
export class PyBytes {
  constructor(
    readonly bytes: Uint8Array,
    readonly kind: 'bytes' | 'bytearray' = 'bytes',
  ) {}

  static fromText(text: string): PyBytes {
    return new PyBytes(utf8Encoder.encode(text));
  }

  get length(): number {
    return this.bytes.length;
  }

  /** The bytes read as UTF-8 (invalid sequences become U+FFFD), how ids and keys are meant. */
  text(): string {
    return utf8.decode(this.bytes);
  }

  /** One character per byte, as Python's bytes.decode('latin1'). */
  latin1(): string {
    return latin1String(this.bytes);
  }
}

/** A Python tuple: fixed items, distinguishable from a list. */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}

  get length(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<PyValue> {
    return this.items[Symbol.iterator]();
  }
}

/** A Python set or frozenset, in the order its items arrived. */
export class PySet {
  readonly items: PyValue[] = [];
  private readonly ids = new Set<string>();

  constructor(
    items: Iterable<PyValue> = [],
    readonly frozen = false,
  ) {
    for (const item of items) this.add(item);
  }

  add(item: PyValue): void {
    const id = hashKey(item);
    if (id !== undefined) {
      if (this.ids.has(id)) return;
      this.ids.add(id);
    }
    this.items.push(item);
  }

  get size(): number {
    return this.items.length;
  }

  [Symbol.iterator](): Iterator<PyValue> {
    return this.items[Symbol.iterator]();
  }
}

/**
 * A Python dict in insertion order. Keys keep their Python type; `get(name)`
 * finds a str key or a bytes key spelling the same name, because pickles
 * written by Python 2 carry bytes where Python 3 ones carry str.
 */
export class PyDict {
  readonly entries: [PyValue, PyValue][] = [];
  private readonly index = new Map<string, number>();

  /** True for a collections.OrderedDict (kept so the writer can write one back). */
  ordered: boolean;

  constructor(entries: Iterable<[PyValue, PyValue]> = [], ordered = false) {
    this.ordered = ordered;
    for (const [k, v] of entries) this.set(k, v);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Sets a key as Python does: an equal key keeps its place and takes the new value. */
  set(key: PyValue, value: PyValue): void {
    const id = hashKey(key);
    if (id === undefined) {
      this.entries.push([key, value]);
      return;
    }
    const at = this.index.get(id);
    if (at !== undefined) {
      this.entries[at][1] = value;
      return;
    }
    this.index.set(id, this.entries.length);
    this.entries.push([key, value]);
  }

  /** The value under the str key `name`, or else under the bytes key of that name. */
  get(name: string): PyValue | undefined {
    const at = this.index.get('s:' + name) ?? this.index.get('b:' + latin1String(utf8Encoder.encode(name)));
    return at === undefined ? undefined : this.entries[at][1];
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /** The value under a key of any hashable Python type, compared as Python compares keys. */
  lookup(key: PyValue): PyValue | undefined {
    const id = hashKey(key);
    const at = id === undefined ? undefined : this.index.get(id);
    return at === undefined ? undefined : this.entries[at][1];
  }

  keys(): PyValue[] {
    return this.entries.map((e) => e[0]);
  }

  values(): PyValue[] {
    return this.entries.map((e) => e[1]);
  }

  [Symbol.iterator](): Iterator<[PyValue, PyValue]> {
    return this.entries[Symbol.iterator]();
  }
}

export function isNdArray(v: unknown): v is NdArray {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    'dtype' in v &&
    'shape' in v &&
    'data' in v &&
    ArrayBuffer.isView((v as NdArray).data)
  );
}

/** The Python name of a value's type, for messages ("a list, not a dict"). */
export function pyTypeName(v: PyValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'str';
  }
  if (Array.isArray(v)) return 'list';
  if (v instanceof PyBytes) return v.kind;
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PySet) return v.frozen ? 'frozenset' : 'set';
  return `numpy array (${v.dtype})`;
}

/** The type name with its article, for messages: "an int", "a list", "None". */
export function aPyType(v: PyValue | undefined): string {
  const name = pyTypeName(v);
  if (name === 'None' || name === 'nothing') return name;
  return /^[aeiouAEIOU]/.test(name) ? `an ${name}` : `a ${name}`;
}

/** A str, or bytes read as UTF-8; undefined for anything else. */
export function pyText(v: PyValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof PyBytes) return v.text();
  return undefined;
}

/** An int as a JS number when it is one that fits; undefined for anything else. */
export function pyInt(v: PyValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/** The items of a list or tuple; undefined for anything else. */
export function pyItems(v: PyValue | undefined): PyValue[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple) return v.items;
  return undefined;
}

export function latin1String(bytes: Uint8Array): string {
  let s = '';
  const step = 8192;
  for (let i = 0; i < bytes.length; i += step) {
    s += String.fromCharCode(...bytes.subarray(i, i + step));
  }
  return s;
}

/** Tuples nested deeper than this, or bigger, are keyed by identity (no Python program builds such keys). */
const MAX_KEY_PARTS = 256;

/**
 * A string equal for keys Python considers equal (1 == 1.0 == True), or
 * undefined for values that are not hashable or too large to compare.
 */
function hashKey(key: PyValue): string | undefined {
  let budget = MAX_KEY_PARTS;
  const go = (k: PyValue, depth: number): string | undefined => {
    if (--budget < 0 || depth > 32) return undefined;
    if (k === null) return 'N';
    switch (typeof k) {
      case 'string':
        return 's:' + k;
      case 'boolean':
        return k ? 'n:1' : 'n:0';
      case 'number':
        return 'n:' + (Object.is(k, -0) ? '0' : String(k));
      case 'bigint':
        return 'n:' + k.toString();
    }
    if (k instanceof PyBytes) return k.kind === 'bytes' ? 'b:' + k.latin1() : undefined;
    if (k instanceof PyTuple || (k instanceof PySet && k.frozen)) {
      const parts: string[] = [];
      for (const item of k.items) {
        const id = go(item, depth + 1);
        if (id === undefined) return undefined;
        parts.push(`${id.length}:${id}`);
      }
      if (k instanceof PySet) parts.sort();
      return (k instanceof PyTuple ? 't(' : 'f(') + parts.join('') + ')';
    }
    return undefined;
  };
  return go(key, 0);
}
