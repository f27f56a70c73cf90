import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors';
import type { NdArray } from '../../ndarray';
import * as F from './cpython.fixtures';
import { readPickle } from './reader';
import { PyBytes, PyDict, PySet, PyTuple, type PyValue } from './values';
import { writePickle } from './writer';

/** A JS string of \x escapes as the bytes it spells, so pickles can be written as Python shows them. */
const b = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

function fixture(name: string): Uint8Array {
  return F.fromBase64((F as unknown as Record<string, string>)[name]);
}

/** The InputError a read throws; fails the test when it returns or throws anything else. */
function inputError(bytes: Uint8Array, file = 'model.pdparams'): InputError {
  try {
    readPickle(bytes, file);
  } catch (err) {
    if (err instanceof InputError) return err;
    throw new Error(`expected an InputError, got ${String(err)}`, { cause: err });
  }
  throw new Error('expected an InputError, but the pickle was read');
}

/** Seeded, so a failing case can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe('readPickle on CPython pickles', () => {
  // pickle.dumps({'a': 1, 'b': [1.5, 'x']}, protocol=p) for p = 0, 2, 4:
  const SMALL: [number, Uint8Array][] = [
    [0, b('(dp0\nVa\np1\nI1\nsVb\np2\n(lp3\nF1.5\naVx\np4\nas.')],
    [
      2,
      b(
        '\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01K\x01X\x01\x00\x00\x00bq\x02]q\x03(G?\xf8\x00\x00\x00\x00\x00\x00X\x01\x00\x00\x00xq\x04eu.',
      ),
    ],
    [
      4,
      b(
        '\x80\x04\x95 \x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94K\x01\x8c\x01b\x94]\x94(G?\xf8\x00\x00\x00\x00\x00\x00\x8c\x01x\x94eu.',
      ),
    ],
  ];
  for (const [p, bytes] of SMALL) {
    it(`reads {'a': 1, 'b': [1.5, 'x']} under protocol ${p}`, () => {
      expect(readPickle(bytes, 'small.pkl')).toEqual(
        new PyDict([
          ['a', 1],
          ['b', [1.5, 'x']],
        ]),
      );
    });
  }

  for (const p of [0, 1, 2, 3, 4, 5]) {
    it(`reads numpy arrays of every dtype, 0-d, empty, protocol ${p}`, () => {
      expect(readPickle(fixture(`ALL_DTYPES_P${p}`), 'arrays.pkl')).toEqual(F.allDtypes());
    });
    it(`reads ints, floats, strs, bytes, tuples, sets and shared lists, protocol ${p}`, () => {
      const got = readPickle(fixture(`CONTAINERS_P${p}`), 'c.pkl') as PyDict;
      expect(got).toEqual(F.containers());
      const shared = got.get('shared') as PyValue[];
      expect(shared[0]).toBe(shared[1]);
    });
  }

  for (const p of [2, 4, 5]) {
    it(`reads big-endian and Fortran-order arrays as row-major little-endian, protocol ${p}`, () => {
      const got = readPickle(fixture(`ODD_LAYOUTS_P${p}`), 'odd.pkl') as PyDict;
      for (const [name, want] of F.oddLayouts()) expect([name, got.get(name)]).toEqual([name, want]);
    });
  }

  it('reads numpy 1 names (numpy.core) as well as numpy 2 ones', () => {
    const text = new TextDecoder('latin1').decode(fixture('ALL_DTYPES_P2')).replaceAll('numpy._core.', 'numpy.core.');
    expect(readPickle(b(text), 'numpy1.pkl')).toEqual(F.allDtypes());
  });

  for (const p of [0, 2, 4, 5]) {
    it(`reads numpy scalars, an OrderedDict, sets and bytes, protocol ${p}`, () => {
      const got = readPickle(fixture(`MISC_P${p}`), 'misc.pkl') as PyDict;
      expect(got.ordered).toBe(true);
      expect(got).toEqual(
        new PyDict(
          [
            ['n', 5],
            ['x', 0.5],
            ['b', true],
            ['big', 2n ** 63n],
            ['set', new PySet([1, 2])],
            ['fs', new PySet(['a'], true)],
            ['ba', new PyBytes(Uint8Array.from([0, 255]), 'bytearray')],
            ['by', new PyBytes(Uint8Array.from([1, 2]))],
            ['e', new PyBytes(new Uint8Array(0))],
            ['t', new PyTuple([1, new PyTuple([2.5, null])])],
            ['neg', -(2n ** 70n)],
          ],
          true,
        ),
      );
    });
  }

  it('reads Python 2 pickles, whose strs are bytes (protocols 0 and 2)', () => {
    // What Python 2 writes for {'w': numpy.array([1.0, 2.0], numpy.float32)}.
    const p0 = b(
      "(dp0\nS'w'\np1\ncnumpy.core.multiarray\n_reconstruct\np2\n(cnumpy\nndarray\np3\n(I0\ntp4\nS'b'\np5\ntp6\nRp7\n" +
        "(I1\n(L2L\ntp8\ncnumpy\ndtype\np9\n(S'f4'\np10\nI0\nI1\ntp11\nRp12\n(I3\nS'<'\np13\nNNNI-1\nI-1\nI0\ntp14\nbI00\n" +
        "S'\\x00\\x00\\x80?\\x00\\x00\\x00@'\np15\ntp16\nbs.",
    );
    const p2 = b(
      '\x80\x02}q\x00U\x01wq\x01cnumpy.core.multiarray\n_reconstruct\nq\x02cnumpy\nndarray\nq\x03K\x00\x85q\x04U\x01b\x87Rq\x05' +
        '(K\x01K\x02\x85cnumpy\ndtype\nq\x06U\x02f4K\x00K\x01\x87Rq\x07(K\x03U\x01<NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89' +
        'U\x08\x00\x00\x80?\x00\x00\x00@tbs.',
    );
    for (const bytes of [p0, p2]) {
      const d = readPickle(bytes, 'py2.pkl') as PyDict;
      expect(d.keys()).toEqual([new PyBytes(b('w'))]);
      expect(d.get('w')).toEqual({ dtype: 'float32', shape: [2], data: Float32Array.from([1, 2]) });
    }
  });

  it('gives every array its own memory, even when CPython shared the bytes object', () => {
    const got = readPickle(fixture('ALL_DTYPES_P4'), 'a.pkl') as PyDict;
    const u = got.get('u1one') as NdArray;
    const i = got.get('i1one') as NdArray;
    u.data[0] = 9;
    expect(i.data[0]).toBe(0);
  });

  it('decodes long strs that it first kept as bytes (protocols 0, 2, 4)', () => {
    const long = ['é'.repeat(5000), 'a\\b\n'.repeat(3000), '€'.repeat(3000)];
    for (const protocol of [0, 2, 4] as const) {
      expect(readPickle(writePickle(long, { protocol }), 's.pkl')).toEqual(long);
    }
  });
});

describe('readPickle refuses to run code', () => {
  const refused: [string, Uint8Array][] = [
    ['os.system', b("cos\nsystem\n(S'echo hi'\ntR.")],
    ['os.system', b("(S'echo hi'\nios\nsystem\n.")], // INST
    ['builtins.eval', b('\x80\x04\x8c\x08builtins\x8c\x04eval\x93\x8c\x08print(1)\x85R.')],
    ['posix.system', b('\x80\x04\x8c\x05posix\x8c\x06system\x93\x8c\x07echo hi\x85R.')],
    ['subprocess.Popen', b('\x80\x04\x8c\nsubprocess\x8c\x05Popen\x93\x8c\x02ls\x85R.')],
    ['builtins.getattr', b('\x80\x04\x8c\x08builtins\x8c\x07getattr\x93.')],
    ['__builtin__.__import__', b("c__builtin__\n__import__\n(S'os'\ntR.")],
    ['copyreg._reconstructor', b('\x80\x02ccopyreg\n_reconstructor\n.')],
    ['numpy.load', b('\x80\x02cnumpy\nload\n.')],
  ];
  for (const [name, bytes] of refused) {
    it(`refuses the global ${name}`, () => {
      const err = inputError(bytes);
      expect(err.message).toBe(
        `model.pdparams: the pickle asks for the Python global '${name}', which is not a numpy array or a plain container; refusing to load it (pickles can run code)`,
      );
    });
  }

  it('refuses persistent ids, extension codes and out-of-band buffers', () => {
    expect(inputError(b('P1\n.')).message).toMatch(/persistent object/);
    expect(inputError(b('\x80\x02K\x01Q.')).message).toMatch(/persistent object/);
    expect(inputError(b('\x80\x02\x82\x01.')).message).toMatch(/extension registry/);
    expect(inputError(b('\x80\x05\x97.')).message).toMatch(/out-of-band buffers/);
  });

  it('uses allowed globals only as what they are', () => {
    expect(inputError(b('\x80\x02cnumpy\nndarray\n.')).message).toMatch(/holds the Python global 'numpy.ndarray' itself/);
    expect(inputError(b('\x80\x02cnumpy\nndarray\n)R.')).message).toMatch(/calls numpy.ndarray directly/);
    expect(inputError(b('\x80\x02cnumpy.core.multiarray\n_reconstruct\nccollections\nOrderedDict\n)U\x01b\x87R.')).message).toMatch(
      /reconstructs the Python global collections.OrderedDict, not a numpy.ndarray/,
    );
    expect(inputError(b('\x80\x02]N\x86b.')).message).toMatch(/takes more values/);
    expect(inputError(b('\x80\x02]Nb.')).message).toMatch(/sets the state of a list/);
    expect(inputError(b('\x80\x02K\x01)R.')).message).toMatch(/calls an int, which is not callable/);
  });
});

/** A protocol 3 pickle of one array whose parts the tests below spoil one at a time. */
function arrayPickle(o: { typestr?: string; shape?: string; endian?: string; names?: string; data?: string } = {}): Uint8Array {
  const shape = o.shape ?? 'K\x03\x85';
  const typestr = o.typestr ?? 'f4';
  const data = o.data ?? 'C\x0c' + '\x00'.repeat(12);
  return b(
    '\x80\x03cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\nK\x00\x85C\x01b\x87R' +
      `(K\x01${shape}cnumpy\ndtype\nX${String.fromCharCode(typestr.length)}\x00\x00\x00${typestr}\x89\x88\x87R` +
      `(K\x03X\x01\x00\x00\x00${o.endian ?? '<'}N${o.names ?? 'N'}NJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb\x89${data}tb.`,
  );
}

describe('readPickle on damaged or unsupported pickles', () => {
  it('reads the well-formed base case', () => {
    expect(readPickle(arrayPickle(), 'a.pkl')).toEqual({ dtype: 'float32', shape: [3], data: new Float32Array(3) });
  });

  it('says what is wrong, with the file name first', () => {
    expect(inputError(b('\x80\x02X\x05\x00\x00\x00ab')).message).toBe(
      'model.pdparams: the pickle ends at byte 9 in the middle of a BINUNICODE string (the file is truncated)',
    );
    expect(inputError(b('\x80\x02N')).message).toBe(
      'model.pdparams: the pickle ends at byte 3 without its STOP opcode (the file is truncated)',
    );
    expect(inputError(b('\x80\x02h\x05.')).message).toBe(
      'model.pdparams: it refers to memo entry 5, which was never stored (BINGET at byte 2; the file is damaged)',
    );
    expect(inputError(b('\x80\x02a.')).message).toBe(
      'model.pdparams: it takes more values than the stack holds (APPEND at byte 2; the file is damaged)',
    );
    expect(inputError(b('\x80\x02.')).message).toMatch(/takes more values than the stack holds \(STOP/);
    expect(inputError(b('\x80\x02(K\x01\x86.')).message).toMatch(/takes more values than the stack holds \(TUPLE2/);
    expect(inputError(b('\x80\x02K\x01t.')).message).toBe(
      'model.pdparams: it closes a MARK that was never opened (TUPLE at byte 4; the file is damaged)',
    );
    expect(inputError(b('\x80\x02\xff.')).message).toBe(
      'model.pdparams: byte 2 holds 0xff, which is no pickle opcode (the file is damaged)',
    );
    expect(inputError(b('\xff\x00')).message).toMatch(/the file is not a pickle/);
    expect(inputError(new Uint8Array(0)).message).toMatch(/the file is empty/);
    expect(inputError(b('\x80\x06N.')).message).toMatch(/protocol 6/);
  });

  it('checks a declared length against the bytes left before allocating anything', () => {
    expect(inputError(b('\x80\x03B\x00\x00\x00\x80.')).message).toBe(
      'model.pdparams: BINBYTES at byte 2 declares a BINBYTES object of 2147483648 bytes but only 1 remain (the file is truncated or damaged)',
    );
    for (const huge of [
      '\x80\x04\x8e\x00\x00\x00\x00\x00\x00\x00\x10.', // BINBYTES8 of 2^60
      '\x80\x04\x8d\xff\xff\xff\xff\xff\xff\xff\xff.', // BINUNICODE8 of 2^64 - 1
      '\x80\x05\x96\x00\x00\x00\x00\x01\x00\x00\x00.', // BYTEARRAY8 of 2^32
      '\x80\x04\x95\x00\x00\x00\x00\x00\x01\x00\x00N.', // FRAME of 2^40
      '\x80\x02\x8b\x00\x00\x00\x40.', // LONG4 of 2^30
      '\x80\x02T\xff\xff\xff\x7f.', // BINSTRING of 2^31 - 1
    ]) {
      expect(inputError(b(huge)).message).toMatch(/declares .* bytes but only \d+ remain/);
    }
    expect(inputError(b('\x80\x02T\xff\xff\xff\xff.')).message).toMatch(/negative length/);
  });

  it('checks array data against shape and dtype', () => {
    expect(inputError(arrayPickle({ data: 'C\x08' + '\x00'.repeat(8) })).message).toBe(
      'model.pdparams: the array of shape [3] and dtype float32 needs 12 bytes of data but has 8',
    );
    expect(inputError(arrayPickle({ typestr: 'O8' })).message).toMatch(/numpy dtype 'O8'; only bool, integer and float arrays/);
    expect(inputError(arrayPickle({ typestr: 'U5' })).message).toMatch(/numpy dtype 'U5'/);
    expect(inputError(arrayPickle({ data: ']K\x01a' })).message).toMatch(/array of Python objects/);
    expect(inputError(arrayPickle({ names: 'K\x01' })).message).toMatch(/structured dtype/);
    expect(inputError(arrayPickle({ endian: '!' })).message).toMatch(/byte order/);
    expect(inputError(arrayPickle({ shape: 'J\xff\xff\xff\xff\x85' })).message).toMatch(/a size of -1/);
    expect(inputError(arrayPickle({ shape: 'X\x01\x00\x00\x00a\x85' })).message).toMatch(/a size of a/);
  });

  it('throws only InputErrors for every truncation of valid pickles', () => {
    for (const name of ['ALL_DTYPES_P0', 'ALL_DTYPES_P2', 'ALL_DTYPES_P4', 'MISC_P5', 'CONTAINERS_P1', 'ODD_LAYOUTS_P4']) {
      const full = fixture(name);
      for (let n = 0; n < full.length; n++) inputError(full.subarray(0, n));
    }
  });

  it('reads or throws InputErrors for a few hundred randomly corrupted pickles', () => {
    const rand = mulberry32(20240601);
    const sources = ['ALL_DTYPES_P0', 'ALL_DTYPES_P2', 'ALL_DTYPES_P5', 'CONTAINERS_P4', 'MISC_P2', 'ODD_LAYOUTS_P2'].map(fixture);
    let read = 0;
    for (let round = 0; round < 600; round++) {
      const bytes = sources[round % sources.length].slice();
      const flips = 1 + Math.floor(rand() * 4);
      for (let k = 0; k < flips; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      try {
        readPickle(bytes, 'x.pkl');
        read++;
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`round ${round}: ${String(err)}`, { cause: err });
      }
    }
    // Some corruptions hit array data and still read; most do not.
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(600);
  });

  it('throws only InputErrors for random bytes after a pickle header', () => {
    const rand = mulberry32(7);
    for (let round = 0; round < 300; round++) {
      const bytes = new Uint8Array(2 + Math.floor(rand() * 64));
      bytes[0] = 0x80;
      bytes[1] = round % 6;
      for (let i = 2; i < bytes.length; i++) bytes[i] = Math.floor(rand() * 256);
      try {
        readPickle(bytes, 'x.pkl');
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`round ${round}: ${String(err)}`, { cause: err });
      }
    }
  });
});
