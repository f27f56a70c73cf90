/**
 * Writes Python values as a pickle that CPython with numpy writes for the same
 * data: the same opcodes, memo and frames, numpy arrays as numpy reduces them
 * (`_reconstruct` + BUILD, or `_frombuffer` under protocol 5). Paddle loads
 * such files with plain pickle.load, which is how fine-tuned weights leave the app.
 *
 * JS numbers that are safe integers are written as Python ints, all others as
 * floats. Strings are memoized as CPython memoizes fresh ones (never shared);
 * lists, dicts, tuples, sets, bytes and arrays are shared by identity, so
 * shared and self-referencing structures come back shared.
 */
import type { NdArray } from '../../ndarray';
import { latin1ToRawUnicodeEscape, latin1ToUtf8, pythonFloatRepr, stringToRawUnicodeEscape } from './codecs';
import { endianCharOf, ndArrayProblem, rawBytesOf, typestrOf } from './numpy';
import { Op } from './opcodes';
import { PickleOutput } from './output';
import { PyBytes, PyDict, PySet, PyTuple, isNdArray, latin1String, type PyValue } from './values';

export interface PickleWriteOptions {
  /**
   * The pickle protocol, 0 to 5. Paddle 1.x fluid.save writes 2, paddle.save 4;
   * Python 2 reads up to 2.
   */
  protocol: 0 | 1 | 2 | 3 | 4 | 5;
  /**
   * Which numpy names arrays are written with: 1 writes numpy.core (default;
   * every numpy loads it, numpy 2 with a deprecation warning), 2 writes
   * numpy._core (what numpy 2 writes; numpy 1 loads it from 1.26 on).
   */
  numpy?: 1 | 2;
}

/** CPython's _BATCHSIZE: list, dict and set items go out in runs of this many. */
const BATCH = 1000;

const utf8 = new TextEncoder();

export function writePickle(value: PyValue, opts: PickleWriteOptions): Uint8Array {
  const { protocol } = opts;
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > 5) throw new Error(`pickle protocol ${protocol} does not exist`);
  return new Pickler(protocol, opts.numpy ?? 1).dump(value);
}

class Pickler {
  private readonly out = new PickleOutput();
  /** Memo indices by object identity, or by a string for values CPython shares (globals, constants). */
  private readonly memo = new Map<unknown, number>();
  private memoSize = 0;
  private readonly bin: boolean;
  private readonly numpyCore: string;

  constructor(
    private readonly proto: number,
    numpy: 1 | 2,
  ) {
    this.bin = proto >= 1;
    this.numpyCore = numpy === 2 ? 'numpy._core' : 'numpy.core';
  }

  dump(value: PyValue): Uint8Array {
    if (this.proto >= 2) this.out.bytes([Op.PROTO, this.proto]);
    if (this.proto >= 4) this.out.startFraming();
    this.saveTree(value);
    this.out.byte(Op.STOP);
    return this.out.finish();
  }

  /**
   * Saves a value and everything in it depth-first, as Python's recursive
   * save() does, but with an explicit stack of container walkers so no
   * nesting depth can overflow the JS stack.
   */
  private saveTree(root: PyValue): void {
    const walkers: Iterator<PyValue, void>[] = [];
    let value: PyValue = root;
    let pending = true;
    for (;;) {
      if (pending) {
        const walker = this.save(value);
        if (walker) walkers.push(walker);
      }
      const top = walkers[walkers.length - 1];
      if (!top) return;
      const r = top.next();
      pending = !r.done;
      if (r.done) walkers.pop();
      else value = r.value;
    }
  }

  /** Writes one value; for a container, returns the walker that yields its items to save. */
  private save(v: PyValue): Iterator<PyValue, void> | undefined {
    this.out.boundary();
    if (typeof v === 'object' && v !== null && this.getMemo(v)) return undefined;
    if (v === null) this.out.byte(Op.NONE);
    else if (typeof v === 'boolean') this.saveBool(v);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v) && !Object.is(v, -0)) this.saveInt(v);
      else this.saveFloat(v);
    } else if (typeof v === 'bigint') this.saveInt(v);
    else if (typeof v === 'string') this.saveStr(v);
    else if (v instanceof PyBytes) {
      if (v.kind === 'bytearray') this.saveByteArray(v.bytes, v);
      else this.saveBytes(v.bytes, v);
    } else if (Array.isArray(v)) return this.saveList(v);
    else if (v instanceof PyTuple) return this.saveTuple(v);
    else if (v instanceof PyDict) return this.saveDict(v);
    else if (v instanceof PySet) return v.frozen ? this.saveFrozenSet(v) : this.saveSet(v);
    else if (isNdArray(v)) this.saveArray(v);
    else throw new Error(`cannot pickle a ${typeof v}`);
    return undefined;
  }

  // ----- memo

  private memoize(key: unknown = Symbol()): void {
    const i = this.memoSize++;
    this.memo.set(key, i);
    if (this.proto >= 4) this.out.byte(Op.MEMOIZE);
    else if (!this.bin) this.out.ascii(`p${i}\n`);
    else if (i < 256) this.out.bytes([Op.BINPUT, i]);
    else {
      this.out.byte(Op.LONG_BINPUT);
      this.out.u32(i);
    }
  }

  private writeGet(i: number): void {
    if (!this.bin) this.out.ascii(`g${i}\n`);
    else if (i < 256) this.out.bytes([Op.BINGET, i]);
    else {
      this.out.byte(Op.LONG_BINGET);
      this.out.u32(i);
    }
  }

  /** Writes a GET when the key is memoized; says whether it did. */
  private getMemo(key: unknown): boolean {
    const i = this.memo.get(key);
    if (i === undefined) return false;
    this.writeGet(i);
    return true;
  }

  // ----- scalars

  private saveBool(v: boolean): void {
    if (this.proto >= 2) this.out.byte(v ? Op.NEWTRUE : Op.NEWFALSE);
    else this.out.ascii(v ? 'I01\n' : 'I00\n');
  }

  private saveInt(v: number | bigint): void {
    const n = Number(v);
    const fits32 = n >= -0x80000000 && n <= 0x7fffffff;
    if (this.bin) {
      if (n >= 0 && n <= 0xff) return this.out.bytes([Op.BININT1, n]);
      if (n >= 0 && n <= 0xffff) {
        this.out.byte(Op.BININT2);
        return this.out.u16(n);
      }
      if (fits32) {
        this.out.byte(Op.BININT);
        return this.out.i32(n);
      }
    }
    if (this.proto >= 2) {
      const bytes = encodeLong(BigInt(v));
      if (bytes.length < 256) this.out.bytes([Op.LONG1, bytes.length]);
      else {
        this.out.byte(Op.LONG4);
        this.out.i32(bytes.length);
      }
      return this.out.bytes(bytes);
    }
    const text = BigInt(v).toString();
    this.out.ascii(fits32 ? `I${text}\n` : `L${text}L\n`);
  }

  private saveFloat(v: number): void {
    if (this.bin) {
      this.out.byte(Op.BINFLOAT);
      this.out.f64be(v);
    } else {
      this.out.ascii(`F${pythonFloatRepr(v)}\n`);
    }
  }

  // ----- str and bytes

  /** A str object of its own: written and memoized, as every fresh Python str is. */
  private saveStr(s: string): void {
    if (!this.bin) {
      this.out.withPayload([Op.UNICODE], stringToRawUnicodeEscape(s));
      this.out.byte(0x0a);
    } else {
      this.writeUtf8(utf8.encode(s));
    }
    this.memoize();
  }

  /** A str CPython shares (interned names, one-character strs): memoized by value. */
  private saveConstStr(s: string): void {
    this.out.boundary();
    if (this.getMemo('str:' + s)) return;
    if (!this.bin) {
      this.out.byte(Op.UNICODE);
      this.out.bytes(stringToRawUnicodeEscape(s));
      this.out.byte(0x0a);
    } else {
      this.writeUtf8(utf8.encode(s));
    }
    this.memoize('str:' + s);
  }

  private writeUtf8(data: Uint8Array): void {
    const n = data.length;
    if (this.proto >= 4 && n < 256) return this.out.withPayload([Op.SHORT_BINUNICODE, n], data);
    if (n <= 0xffffffff) return this.out.withPayload([Op.BINUNICODE, ...le(n, 4)], data);
    if (this.proto < 4) throw new Error(`a str of ${n} bytes does not fit pickle protocol ${this.proto}; use protocol 4`);
    this.out.withPayload([Op.BINUNICODE8, ...le(n, 8)], data);
  }

  /**
   * A bytes object. CPython shares empty and one-byte bytes objects, so those
   * are memoized by value; others by the identity of `key` (or not at all).
   */
  private saveBytes(data: Uint8Array, key: object = {}): void {
    this.out.boundary();
    const memoKey = data.length <= 1 ? 'bytes:' + latin1String(data) : key;
    if (this.getMemo(memoKey)) return;
    if (this.proto < 3) {
      // Python 2 has no bytes type; Python 3 writes them as a latin-1 str re-encoded on load.
      if (data.length === 0) {
        this.saveGlobal('builtins', 'bytes');
        this.saveEmptyTuple();
      } else {
        this.saveGlobal('_codecs', 'encode');
        this.beginTuple();
        this.out.boundary();
        if (this.bin) this.writeUtf8(latin1ToUtf8(data));
        else {
          this.out.withPayload([Op.UNICODE], latin1ToRawUnicodeEscape(data));
          this.out.byte(0x0a);
        }
        this.memoize();
        this.saveConstStr('latin1');
        this.endTuple(2);
      }
      this.out.byte(Op.REDUCE);
      this.memoize(memoKey);
      return;
    }
    const n = data.length;
    if (n < 256) this.out.withPayload([Op.SHORT_BINBYTES, n], data);
    else if (n <= 0xffffffff) this.out.withPayload([Op.BINBYTES, ...le(n, 4)], data);
    else if (this.proto >= 4) this.out.withPayload([Op.BINBYTES8, ...le(n, 8)], data);
    else throw new Error(`bytes of ${n} bytes do not fit pickle protocol ${this.proto}; use protocol 4`);
    this.memoize(memoKey);
  }

  private saveByteArray(data: Uint8Array, key: object = {}): void {
    this.out.boundary();
    if (this.getMemo(key)) return;
    if (this.proto >= 5) {
      this.out.withPayload([Op.BYTEARRAY8, ...le(data.length, 8)], data);
    } else {
      this.saveGlobal('builtins', 'bytearray');
      if (data.length === 0) this.saveEmptyTuple();
      else {
        this.beginTuple();
        this.saveBytes(data);
        this.endTuple(1);
      }
      this.out.byte(Op.REDUCE);
    }
    this.memoize(key);
  }

  // ----- globals and tuples of known parts

  private saveGlobal(module: string, name: string): void {
    this.out.boundary();
    // Python 3 maps its module names back to Python 2's for protocols that Python 2 reads.
    if (this.proto < 3 && module === 'builtins') module = '__builtin__';
    const key = `global:${module}.${name}`;
    if (this.getMemo(key)) return;
    if (this.proto >= 4) {
      this.saveConstStr(module);
      this.saveConstStr(name);
      this.out.byte(Op.STACK_GLOBAL);
    } else {
      this.out.ascii(`c${module}\n${name}\n`);
    }
    this.memoize(key);
  }

  private saveEmptyTuple(): void {
    this.out.boundary();
    if (this.bin) this.out.byte(Op.EMPTY_TUPLE);
    else this.out.bytes([Op.MARK, Op.TUPLE]);
  }

  /** Opens a tuple of n > 0 items: only protocols without TUPLE1..3, or long tuples, need a MARK. */
  private beginTuple(n = 1): void {
    this.out.boundary();
    if (this.proto < 2 || n > 3) this.out.byte(Op.MARK);
  }

  private endTuple(n: number): void {
    if (this.proto >= 2 && n <= 3) this.out.byte(Op.TUPLE1 + n - 1);
    else this.out.byte(Op.TUPLE);
    this.memoize();
  }

  private saveIntTuple(items: readonly number[]): void {
    if (items.length === 0) return this.saveEmptyTuple();
    this.beginTuple(items.length);
    for (const d of items) {
      this.out.boundary();
      this.saveInt(d);
    }
    this.endTuple(items.length);
  }

  // ----- containers

  private *saveList(list: PyValue[]): Generator<PyValue, void> {
    if (this.bin) this.out.byte(Op.EMPTY_LIST);
    else this.out.bytes([Op.MARK, Op.LIST]);
    this.memoize(list);
    yield* this.batched(list, 1, Op.APPEND, Op.APPENDS);
  }

  private *saveDict(dict: PyDict): Generator<PyValue, void> {
    if (dict.ordered) {
      // What OrderedDict.__reduce__ gives: OrderedDict() and then the items.
      this.saveGlobal('collections', 'OrderedDict');
      this.saveEmptyTuple();
      this.out.byte(Op.REDUCE);
    } else if (this.bin) {
      this.out.byte(Op.EMPTY_DICT);
    } else {
      this.out.bytes([Op.MARK, Op.DICT]);
    }
    this.memoize(dict);
    yield* this.batched(dict.entries.flat(), 2, Op.SETITEM, Op.SETITEMS);
  }

  /** Items in runs of BATCH under MARK ... `many`, a single one with `one`; protocol 0 has no MARK runs. */
  private *batched(flat: PyValue[], width: number, one: number, many: number): Generator<PyValue, void> {
    if (!this.bin) {
      for (let i = 0; i < flat.length; i += width) {
        for (let k = 0; k < width; k++) yield flat[i + k];
        this.out.byte(one);
      }
      return;
    }
    const step = BATCH * width;
    for (let i = 0; i < flat.length; i += step) {
      const end = Math.min(flat.length, i + step);
      if (end - i > width) {
        this.out.byte(Op.MARK);
        for (let k = i; k < end; k++) yield flat[k];
        this.out.byte(many);
      } else {
        for (let k = i; k < end; k++) yield flat[k];
        this.out.byte(one);
      }
    }
  }

  private *saveTuple(t: PyTuple): Generator<PyValue, void> {
    const n = t.length;
    if (n === 0) return this.saveEmptyTuple();
    this.beginTuple(n);
    yield* t.items;
    // Saving the items saved the tuple itself only if it contains itself through a list or dict.
    const again = this.memo.get(t);
    if (again !== undefined) {
      if (this.proto >= 2 && n <= 3) this.out.bytes(new Array<number>(n).fill(Op.POP));
      else if (this.bin) this.out.byte(Op.POP_MARK);
      else this.out.bytes(new Array<number>(n + 1).fill(Op.POP));
      this.writeGet(again);
      return;
    }
    if (this.proto >= 2 && n <= 3) this.out.byte(Op.TUPLE1 + n - 1);
    else this.out.byte(Op.TUPLE);
    this.memoize(t);
  }

  private *saveSet(set: PySet): Generator<PyValue, void> {
    if (this.proto < 4) return yield* this.saveSetReduce(set, 'set');
    this.out.byte(Op.EMPTY_SET);
    this.memoize(set);
    for (let i = 0; i < set.items.length; i += BATCH) {
      this.out.byte(Op.MARK);
      yield* set.items.slice(i, i + BATCH);
      this.out.byte(Op.ADDITEMS);
    }
  }

  private *saveFrozenSet(set: PySet): Generator<PyValue, void> {
    if (this.proto < 4) return yield* this.saveSetReduce(set, 'frozenset');
    this.out.byte(Op.MARK);
    yield* set.items;
    const again = this.memo.get(set);
    if (again !== undefined) {
      this.out.byte(Op.POP_MARK);
      this.writeGet(again);
      return;
    }
    this.out.byte(Op.FROZENSET);
    this.memoize(set);
  }

  /** set(list) / frozenset(list), how protocols before 4 write sets. */
  private *saveSetReduce(set: PySet, name: 'set' | 'frozenset'): Generator<PyValue, void> {
    this.saveGlobal('builtins', name);
    this.beginTuple();
    this.out.boundary();
    yield* this.saveList([...set.items]);
    this.endTuple(1);
    this.out.byte(Op.REDUCE);
    this.memoize(set);
  }

  // ----- numpy

  private saveArray(a: NdArray): void {
    const problem = ndArrayProblem(a);
    if (problem !== undefined) throw new Error(`cannot pickle an array: ${problem}`);
    const raw = rawBytesOf(a);
    if (this.proto >= 5) {
      // numpy's __reduce_ex__(5): _frombuffer(bytearray(data), dtype, shape, 'C').
      this.saveGlobal(`${this.numpyCore}.numeric`, '_frombuffer');
      this.beginTuple(4);
      this.saveByteArray(raw);
      this.saveDtype(a);
      this.saveIntTuple(a.shape);
      this.saveConstStr('C');
      this.endTuple(4);
      this.out.byte(Op.REDUCE);
      this.memoize(a);
      return;
    }
    // numpy's __reduce__: _reconstruct(ndarray, (0,), b'b') and then the state
    // (version, shape, dtype, is_fortran, data) for BUILD.
    this.saveGlobal(`${this.numpyCore}.multiarray`, '_reconstruct');
    this.beginTuple(3);
    this.saveGlobal('numpy', 'ndarray');
    this.saveIntTuple([0]);
    this.saveBytes(new Uint8Array([0x62]));
    this.endTuple(3);
    this.out.byte(Op.REDUCE);
    this.memoize(a);
    this.beginTuple(5);
    this.out.boundary();
    this.saveInt(1);
    this.saveIntTuple(a.shape);
    this.saveDtype(a);
    this.out.boundary();
    this.saveBool(false);
    this.saveBytes(raw);
    this.endTuple(5);
    this.out.byte(Op.BUILD);
  }

  /** numpy.dtype('f4', False, True) with its BUILD state; numpy's dtypes are singletons, so memoized by kind. */
  private saveDtype(a: NdArray): void {
    this.out.boundary();
    const typestr = typestrOf(a.dtype);
    const endian = endianCharOf(a.dtype);
    const key = `dtype:${endian}${typestr}`;
    if (this.getMemo(key)) return;
    this.saveGlobal('numpy', 'dtype');
    this.beginTuple(3);
    this.out.boundary();
    this.saveStr(typestr);
    this.out.boundary();
    this.saveBool(false);
    this.out.boundary();
    this.saveBool(true);
    this.endTuple(3);
    this.out.byte(Op.REDUCE);
    this.memoize(key);
    // (version, byte order, subarray, names, fields, elsize, alignment, flags)
    this.beginTuple(8);
    for (const part of [3, endian, null, null, null, -1, -1, 0] as const) {
      this.out.boundary();
      if (part === null) this.out.byte(Op.NONE);
      else if (typeof part === 'string') this.saveConstStr(part);
      else this.saveInt(part);
    }
    this.endTuple(8);
    this.out.byte(Op.BUILD);
  }
}

function le(n: number, width: 4 | 8): number[] {
  const out: number[] = [];
  let v = n;
  for (let i = 0; i < width; i++) {
    out.push(v % 256);
    v = Math.floor(v / 256);
  }
  return out;
}

/** Python's pickle.encode_long: little-endian two's complement in the fewest bytes that keep the sign. */
function encodeLong(x: bigint): Uint8Array {
  if (x === 0n) return new Uint8Array(0);
  const bitLength = (x < 0n ? -x : x).toString(2).length;
  let n = (bitLength >> 3) + 1;
  let v = x < 0n ? (1n << BigInt(8 * n)) + x : x;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (x < 0n && n > 1 && out[n - 1] === 0xff && (out[n - 2] & 0x80) !== 0) n--;
  return out.subarray(0, n);
}
