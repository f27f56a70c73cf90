/**
 * A pickle reader that never runs anything: an interpreter of the opcodes of
 * protocols 0 to 5 whose only globals are the allow-listed stand-ins in
 * globals.ts. It loops over the bytes without recursion, so no nesting depth
 * can overflow the JS stack, and it checks every length against the bytes
 * left before it allocates.
 */
import { InputError } from '../../errors';
import { escapeDecode, decodeRawUnicodeEscape } from './codecs';
import { buildState, callGlobal, hashable, resolveGlobal, type CallContext } from './globals';
import { GlobalRef, LazyText, PendingArray, PendingDtype, describe, isInternal, type Val } from './internal';
import { HIGHEST_PROTOCOL, Op, opName } from './opcodes';
import { PyBytes, PyDict, PySet, PyTuple, type PyValue } from './values';

/** Strings longer than this stay undecoded until used, since they are likely array data. */
const LAZY_TEXT_BYTES = 4096;

const utf8 = new TextDecoder('utf-8');

/**
 * Reads a pickle into Python values. Throws InputError naming `file` for
 * anything that is not a well-formed pickle of data: a global outside the
 * allow-list, a truncated or damaged file, an unsupported numpy dtype.
 * Each array owns its memory, except that it shares it with the bytes object
 * it was built from when the pickle also places that object in the result.
 */
export function readPickle(bytes: Uint8Array, file: string): PyValue {
  return new Unpickler(bytes, file).run();
}

class Unpickler implements CallContext {
  private pos = 0;
  /** Where the opcode being run starts, for messages. */
  private at = 0;
  private op = 'the start';
  private readonly stack: Val[] = [];
  /** Stack heights at each MARK still open. */
  private readonly marks: number[] = [];
  private readonly memo = new Map<number, Val>();
  private readonly claimed = new WeakSet<PyBytes>();
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  fail(what: string): never {
    throw new InputError(`${this.file}: ${what}`);
  }

  /** Fails for bytes that no pickler writes: says where, for whoever looks at the file. */
  private damaged(what: string): never {
    return this.fail(`${what} (${this.op} at byte ${this.at}; the file is damaged)`);
  }

  claim(b: PyBytes): boolean {
    if (this.claimed.has(b)) return false;
    this.claimed.add(b);
    return true;
  }

  run(): PyValue {
    const buf = this.buf;
    if (buf.length === 0) throw new InputError(`${this.file}: the file is empty, not a pickle`);
    while (this.pos < buf.length) {
      this.at = this.pos;
      const code = buf[this.pos++];
      const name = opName(code);
      if (name === undefined) {
        const hex = `0x${code.toString(16).padStart(2, '0')}`;
        if (this.at === 0) this.fail(`the file is not a pickle (it starts with byte ${hex}, which is no pickle opcode)`);
        this.fail(`byte ${this.at} holds ${hex}, which is no pickle opcode (the file is damaged)`);
      }
      this.op = name;
      if (code === Op.STOP) return this.finish(this.pop());
      this.step(code);
    }
    throw new InputError(`${this.file}: the pickle ends at byte ${buf.length} without its STOP opcode (the file is truncated)`);
  }

  private step(code: number): void {
    const s = this.stack;
    switch (code) {
      case Op.PROTO: {
        const p = this.u8('the protocol number');
        if (p > HIGHEST_PROTOCOL) this.fail(`the pickle uses protocol ${p}; protocols 0 to ${HIGHEST_PROTOCOL} are supported`);
        return;
      }
      case Op.FRAME: {
        // Frames only group opcodes for buffered reading; checking the length is all that matters here.
        this.need(this.u64('the frame length'), 'a frame');
        return;
      }
      case Op.MARK:
        this.marks.push(s.length);
        return;
      case Op.POP:
        // Python's POP also discards a MARK when nothing lies above it.
        if (s.length === this.base() && this.marks.length > 0) this.marks.pop();
        else this.pop();
        return;
      case Op.POP_MARK:
        this.popMark();
        return;
      case Op.DUP:
        s.push(this.top());
        return;

      case Op.NONE:
        s.push(null);
        return;
      case Op.NEWTRUE:
        s.push(true);
        return;
      case Op.NEWFALSE:
        s.push(false);
        return;
      case Op.INT:
        s.push(this.textInt());
        return;
      case Op.LONG:
        s.push(this.textLong());
        return;
      case Op.BININT:
        this.need(4, 'a 4-byte int');
        s.push(this.view.getInt32(this.advance(4), true));
        return;
      case Op.BININT1:
        s.push(this.u8('a 1-byte int'));
        return;
      case Op.BININT2:
        this.need(2, 'a 2-byte int');
        s.push(this.view.getUint16(this.advance(2), true));
        return;
      case Op.LONG1:
        s.push(this.binLong(this.u8('the length of a long')));
        return;
      case Op.LONG4: {
        this.need(4, 'the length of a long');
        const n = this.view.getInt32(this.advance(4), true);
        if (n < 0) this.damaged(`a long is given the negative length ${n}`);
        s.push(this.binLong(n));
        return;
      }
      case Op.FLOAT:
        s.push(this.textFloat());
        return;
      case Op.BINFLOAT:
        this.need(8, 'a float');
        s.push(this.view.getFloat64(this.advance(8), false));
        return;

      case Op.STRING:
        s.push(this.textString());
        return;
      case Op.BINSTRING: {
        this.need(4, 'the length of a string');
        const n = this.view.getInt32(this.advance(4), true);
        if (n < 0) this.damaged(`a string is given the negative length ${n}`);
        s.push(this.bytesOf(n, 'a BINSTRING string'));
        return;
      }
      case Op.SHORT_BINSTRING:
        s.push(this.bytesOf(this.u8('the length of a string'), 'a SHORT_BINSTRING string'));
        return;
      case Op.BINBYTES:
        s.push(this.bytesOf(this.u32('the length of a bytes object'), 'a BINBYTES object'));
        return;
      case Op.SHORT_BINBYTES:
        s.push(this.bytesOf(this.u8('the length of a bytes object'), 'a SHORT_BINBYTES object'));
        return;
      case Op.BINBYTES8:
        s.push(this.bytesOf(this.u64('the length of a bytes object'), 'a BINBYTES8 object'));
        return;
      case Op.BYTEARRAY8:
        s.push(this.bytesOf(this.u64('the length of a bytearray'), 'a BYTEARRAY8 object', 'bytearray'));
        return;
      case Op.UNICODE:
        s.push(this.textUnicode());
        return;
      case Op.BINUNICODE:
        s.push(this.utf8Of(this.u32('the length of a string'), 'a BINUNICODE string'));
        return;
      case Op.SHORT_BINUNICODE:
        s.push(this.utf8Of(this.u8('the length of a string'), 'a SHORT_BINUNICODE string'));
        return;
      case Op.BINUNICODE8:
        s.push(this.utf8Of(this.u64('the length of a string'), 'a BINUNICODE8 string'));
        return;

      case Op.EMPTY_TUPLE:
        s.push(new PyTuple([]));
        return;
      case Op.TUPLE:
        s.push(new PyTuple(this.popMark() as PyValue[]));
        return;
      case Op.TUPLE1:
      case Op.TUPLE2:
      case Op.TUPLE3: {
        const n = code - Op.TUPLE1 + 1;
        if (s.length - this.base() < n) this.underflow();
        s.push(new PyTuple(s.splice(s.length - n, n) as PyValue[]));
        return;
      }
      case Op.EMPTY_LIST:
        s.push([]);
        return;
      case Op.LIST:
        s.push(this.popMark() as PyValue[]);
        return;
      case Op.APPEND: {
        const v = this.pop();
        this.list().push(v as PyValue);
        return;
      }
      case Op.APPENDS: {
        const items = this.popMark();
        const list = this.list();
        for (const v of items) list.push(v as PyValue);
        return;
      }
      case Op.EMPTY_DICT:
        s.push(new PyDict());
        return;
      case Op.DICT: {
        const items = this.popMark();
        if (items.length % 2 !== 0) this.damaged('a dict is built from an odd number of keys and values');
        const d = new PyDict();
        for (let i = 0; i < items.length; i += 2) d.set(hashable(items[i], this), items[i + 1] as PyValue);
        s.push(d);
        return;
      }
      case Op.SETITEM: {
        const v = this.pop();
        const k = this.pop();
        this.dict().set(hashable(k, this), v as PyValue);
        return;
      }
      case Op.SETITEMS: {
        const items = this.popMark();
        if (items.length % 2 !== 0) this.damaged('dict items are set from an odd number of keys and values');
        const d = this.dict();
        for (let i = 0; i < items.length; i += 2) d.set(hashable(items[i], this), items[i + 1] as PyValue);
        return;
      }
      case Op.EMPTY_SET:
        s.push(new PySet());
        return;
      case Op.ADDITEMS: {
        const items = this.popMark();
        const set = this.top();
        if (!(set instanceof PySet) || set.frozen) this.damaged(`set items are added to ${describe(set)}`);
        for (const v of items) set.add(hashable(v, this));
        return;
      }
      case Op.FROZENSET:
        s.push(
          new PySet(
            this.popMark().map((v) => hashable(v, this)),
            true,
          ),
        );
        return;

      case Op.PUT:
        this.memoPut(this.textIndex());
        return;
      case Op.BINPUT:
        this.memoPut(this.u8('a memo index'));
        return;
      case Op.LONG_BINPUT:
        this.memoPut(this.u32('a memo index'));
        return;
      case Op.MEMOIZE:
        this.memoPut(this.memo.size);
        return;
      case Op.GET:
        s.push(this.memoGet(this.textIndex()));
        return;
      case Op.BINGET:
        s.push(this.memoGet(this.u8('a memo index')));
        return;
      case Op.LONG_BINGET:
        s.push(this.memoGet(this.u32('a memo index')));
        return;

      case Op.GLOBAL: {
        const module = this.line('a module name');
        const name = this.line('a global name');
        s.push(this.global(module, name));
        return;
      }
      case Op.STACK_GLOBAL: {
        const name = this.pop();
        const module = this.pop();
        const m = module instanceof LazyText ? module.text() : module;
        const n = name instanceof LazyText ? name.text() : name;
        if (typeof m !== 'string' || typeof n !== 'string') this.damaged('a global is named by something other than strings');
        s.push(this.global(m, n));
        return;
      }
      case Op.REDUCE: {
        const args = this.pop();
        const fn = this.pop();
        s.push(callGlobal(this.callable(fn), this.argsOf(args), this));
        return;
      }
      case Op.NEWOBJ: {
        const args = this.pop();
        const cls = this.pop();
        s.push(callGlobal(this.callable(cls), this.argsOf(args), this, true));
        return;
      }
      case Op.NEWOBJ_EX: {
        const kwargs = this.pop();
        const args = this.pop();
        const cls = this.pop();
        if (!(kwargs instanceof PyDict) || kwargs.size > 0)
          this.fail('the pickle creates an object with keyword arguments, which only Python code could use');
        s.push(callGlobal(this.callable(cls), this.argsOf(args), this, true));
        return;
      }
      case Op.INST: {
        const module = this.line('a module name');
        const name = this.line('a class name');
        const args = this.popMark();
        s.push(callGlobal(this.callable(this.global(module, name)), args, this));
        return;
      }
      case Op.OBJ: {
        const items = this.popMark();
        if (items.length === 0) this.underflow();
        s.push(callGlobal(this.callable(items[0]), items.slice(1), this));
        return;
      }
      case Op.BUILD: {
        const state = this.pop();
        buildState(this.top(), state, this);
        return;
      }

      case Op.PERSID:
      case Op.BINPERSID:
        return this.fail(
          'the pickle refers to a persistent object (persistent id), which only the program that wrote it could resolve; refusing to load it',
        );
      case Op.EXT1:
      case Op.EXT2:
      case Op.EXT4:
        return this.fail('the pickle names a global through the copyreg extension registry, which is not supported');
      case Op.NEXT_BUFFER:
      case Op.READONLY_BUFFER:
        return this.fail('the pickle keeps its data in out-of-band buffers that are not in the file; save it without buffer_callback');
      default:
        return this.fail('unknown pickle opcode: the file is damaged');
    }
  }

  // ----- the stack

  private base(): number {
    return this.marks.length > 0 ? this.marks[this.marks.length - 1] : 0;
  }

  private underflow(): never {
    return this.damaged('it takes more values than the stack holds');
  }

  private pop(): Val {
    if (this.stack.length <= this.base()) this.underflow();
    return this.stack.pop() as Val;
  }

  private top(): Val {
    if (this.stack.length <= this.base()) this.underflow();
    return this.stack[this.stack.length - 1];
  }

  private popMark(): Val[] {
    const m = this.marks.pop();
    if (m === undefined) this.damaged('it closes a MARK that was never opened');
    return this.stack.splice(m);
  }

  private list(): PyValue[] {
    const l = this.top();
    if (!Array.isArray(l)) this.damaged(`it appends to ${describe(l)}, not a list`);
    return l;
  }

  private dict(): PyDict {
    const d = this.top();
    if (!(d instanceof PyDict)) this.damaged(`it sets an item of ${describe(d)}, not a dict`);
    return d;
  }

  private memoPut(i: number): void {
    this.memo.set(i, this.top());
  }

  private memoGet(i: number): Val {
    const v = this.memo.get(i);
    if (v === undefined) this.damaged(`it refers to memo entry ${i}, which was never stored`);
    return v;
  }

  private global(module: string, name: string): GlobalRef {
    const ref = resolveGlobal(module, name);
    if (ref === undefined) {
      this.fail(
        `the pickle asks for the Python global '${module}.${name}', which is not a numpy array or a plain container; refusing to load it (pickles can run code)`,
      );
    }
    return ref;
  }

  private callable(v: Val): GlobalRef {
    if (v instanceof GlobalRef) return v;
    return this.damaged(`it calls ${describe(v)}, which is not callable`);
  }

  private argsOf(v: Val): Val[] {
    if (v instanceof PyTuple) return v.items;
    return this.damaged(`it passes ${describe(v)} as arguments instead of a tuple`);
  }

  // ----- reading arguments

  private truncated(what: string): never {
    return this.fail(`the pickle ends at byte ${this.buf.length} in the middle of ${what} (the file is truncated)`);
  }

  /** Checks that n more bytes exist; returns true so it can guard an expression. */
  private need(n: number, what: string): true {
    if (n > this.buf.length - this.pos) {
      if (n > 1 << 20) {
        this.fail(
          `${this.op} at byte ${this.at} declares ${what} of ${n} bytes but only ${this.buf.length - this.pos} remain (the file is truncated or damaged)`,
        );
      }
      this.truncated(what);
    }
    return true;
  }

  private advance(n: number): number {
    const p = this.pos;
    this.pos += n;
    return p;
  }

  private u8(what: string): number {
    this.need(1, what);
    return this.buf[this.pos++];
  }

  private u32(what: string): number {
    this.need(4, what);
    return this.view.getUint32(this.advance(4), true);
  }

  private u64(what: string): number {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    const n = hi * 2 ** 32 + lo;
    // Anything past 2^53 cannot be in memory anyway; need() reports it against the bytes left.
    return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
  }

  private bytesOf(n: number, what: string, kind: 'bytes' | 'bytearray' = 'bytes'): PyBytes {
    this.need(n, what);
    const start = this.advance(n);
    // A copy, so that arrays built from it own aligned memory and do not pin the whole file.
    return new PyBytes(this.buf.slice(start, start + n), kind);
  }

  private utf8Of(n: number, what: string): string | LazyText {
    this.need(n, what);
    const start = this.advance(n);
    if (n > LAZY_TEXT_BYTES) return new LazyText(this.buf, start, start + n, 'utf-8');
    return utf8.decode(this.buf.subarray(start, start + n));
  }

  /** The text up to the next newline, which protocol 0 ends its arguments with. */
  private lineEnd(what: string): number {
    const end = this.buf.indexOf(0x0a, this.pos);
    if (end < 0) this.truncated(what);
    return end;
  }

  private line(what: string): string {
    const end = this.lineEnd(what);
    const text = utf8.decode(this.buf.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  private textIndex(): number {
    const t = this.line('a memo index');
    if (!/^\d+$/.test(t)) this.damaged(`'${t.slice(0, 40)}' is given as a memo index`);
    return Number(t);
  }

  private textInt(): number | bigint | boolean {
    const t = this.line('an int');
    if (t === '01') return true;
    if (t === '00') return false;
    return this.parseInt(t.trim(), 'INT');
  }

  private textLong(): number | bigint {
    const t = this.line('a long').trim();
    return this.parseInt(t.endsWith('L') ? t.slice(0, -1) : t, 'LONG');
  }

  private parseInt(t: string, what: string): number | bigint {
    if (!/^[+-]?\d+$/.test(t)) this.damaged(`${what} is given the text '${t.slice(0, 40)}', which is not a number`);
    // Python refuses longer decimal ints too (sys.int_info.default_max_str_digits); it bounds the work.
    if (t.length > 4300) this.fail(`the pickle holds an int of ${t.length} decimal digits`);
    return narrow(BigInt(t));
  }

  private textFloat(): number {
    const t = this.line('a float').trim();
    const lower = t.toLowerCase().replace(/^\+/, '');
    if (/^-?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
    if (/^-?nan$/.test(lower)) return NaN;
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t))
      this.damaged(`FLOAT is given the text '${t.slice(0, 40)}', which is not a number`);
    return Number(t);
  }

  private binLong(n: number): number | bigint {
    this.need(n, 'a long');
    const start = this.advance(n);
    if (n === 0) return 0;
    // Through hex, which is linear in the length where shifting byte by byte is quadratic.
    const hex: string[] = [];
    for (let i = start + n - 1; i >= start; i--) hex.push(HEX_BYTE[this.buf[i]]);
    let v = BigInt('0x' + hex.join(''));
    if (this.buf[start + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
    return narrow(v);
  }

  /** Python 2 str (protocol 0): quoted, with backslash escapes; kept as bytes, as Python 2 meant it. */
  private textString(): PyBytes {
    const end = this.lineEnd('a STRING string');
    let a = this.pos;
    let b = end;
    // A trailing CR, as Windows line endings leave it, is not part of the quotes.
    if (b > a && this.buf[b - 1] === 0x0d) b--;
    const q = this.buf[a];
    if (b - a < 2 || (q !== 0x27 && q !== 0x22) || this.buf[b - 1] !== q) this.damaged('its argument is not quoted');
    a++;
    b--;
    const out = escapeDecode(this.buf, a, b) ?? this.damaged('its argument has a broken backslash escape');
    this.pos = end + 1;
    return new PyBytes(out);
  }

  private textUnicode(): string | LazyText {
    const end = this.lineEnd('a UNICODE string');
    const start = this.pos;
    this.pos = end + 1;
    if (end - start > LAZY_TEXT_BYTES) return new LazyText(this.buf, start, end, 'raw-unicode-escape');
    return decodeRawUnicodeEscape(this.buf, start, end) ?? this.damaged('its argument has a broken \\u escape');
  }

  // ----- the result

  /**
   * Replaces the reader's own objects in the result by Python values: built
   * arrays by their NdArray, long strings by their text. Walks with an explicit
   * stack, visiting each container once however often it is shared.
   */
  private finish(root: Val): PyValue {
    this.op = 'STOP';
    const seen = new Set<object>();
    const todo: object[] = [];
    const fix = (v: Val): PyValue => {
      if (isInternal(v)) v = this.resolve(v);
      if (typeof v === 'object' && v !== null && !seen.has(v)) {
        seen.add(v);
        todo.push(v);
      }
      return v;
    };
    const result = fix(root);
    while (todo.length > 0) {
      const c = todo.pop();
      if (Array.isArray(c)) {
        for (let i = 0; i < c.length; i++) c[i] = fix(c[i]);
      } else if (c instanceof PyTuple) {
        const items = c.items;
        for (let i = 0; i < items.length; i++) items[i] = fix(items[i]);
      } else if (c instanceof PyDict) {
        for (const e of c.entries) {
          e[0] = fix(e[0]);
          e[1] = fix(e[1]);
        }
      } else if (c instanceof PySet) {
        const items = c.items;
        for (let i = 0; i < items.length; i++) items[i] = fix(items[i]);
      }
    }
    return result;
  }

  private resolve(v: GlobalRef | PendingDtype | PendingArray | LazyText): PyValue {
    if (v instanceof LazyText) return v.text() ?? this.fail('the pickle holds a str with a broken \\u escape');
    if (v instanceof PendingArray) return v.array ?? this.fail('the pickle holds a numpy array whose contents it never gives (no BUILD)');
    if (v instanceof PendingDtype)
      return this.fail('the pickle holds a numpy dtype by itself, not in an array; only arrays and plain containers can be loaded');
    return this.fail(
      `the pickle holds the Python global '${v.qualifiedName}' itself as a value; only arrays and plain containers can be loaded`,
    );
  }
}

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function narrow(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}
