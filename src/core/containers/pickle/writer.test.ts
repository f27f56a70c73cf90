import { describe, expect, it } from 'vitest';
import type { NdArray } from '../../ndarray';
import * as F from './cpython.fixtures';
import { readPickle } from './reader';
import { PyBytes, PyDict, PySet, PyTuple, type PyValue } from './values';
import { writePickle } from './writer';

const PROTOCOLS = [0, 1, 2, 3, 4, 5] as const;

function fixture(name: string): Uint8Array {
  return F.fromBase64((F as unknown as Record<string, string>)[name]);
}

/** A readable first difference, since toEqual on byte arrays prints thousands of lines. */
function firstDifference(a: Uint8Array, b: Uint8Array): string | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) {
      const around = (x: Uint8Array) => Array.from(x.subarray(Math.max(0, i - 8), i + 8), (c) => c.toString(16).padStart(2, '0')).join(' ');
      return `byte ${i}: got ${around(a)} want ${around(b)}`;
    }
  }
  return a.length === b.length ? undefined : `lengths ${a.length} and ${b.length}`;
}

describe('writePickle writes what CPython writes', () => {
  for (const p of PROTOCOLS) {
    it(`numpy arrays of every dtype, protocol ${p}`, () => {
      expect(firstDifference(writePickle(F.allDtypes(), { protocol: p, numpy: 2 }), fixture(`ALL_DTYPES_P${p}`))).toBeUndefined();
    });
    it(`plain containers, protocol ${p}`, () => {
      expect(firstDifference(writePickle(F.containers(), { protocol: p }), fixture(`CONTAINERS_P${p}`))).toBeUndefined();
    });
  }

  it('{"a": 1, "b": [1.5, "x"]} under protocols 0, 2 and 4', () => {
    const d = new PyDict([
      ['a', 1],
      ['b', [1.5, 'x']],
    ]);
    const hex = (b: Uint8Array) => Array.from(b, (c) => c.toString(16).padStart(2, '0')).join('');
    // b"(dp0\nVa\np1\nI1\nsVb\np2\n(lp3\nF1.5\naVx\np4\nas."
    expect(hex(writePickle(d, { protocol: 0 }))).toBe('286470300a56610a70310a49310a7356620a70320a286c70330a46312e350a6156780a70340a61732e');
    // b"\x80\x02}q\x00(X\x01\x00\x00\x00aq\x01K\x01X\x01\x00\x00\x00bq\x02]q\x03(G?\xf8\x00\x00\x00\x00\x00\x00X\x01\x00\x00\x00xq\x04eu."
    expect(hex(writePickle(d, { protocol: 2 }))).toBe(
      '80027d71002858010000006171014b0158010000006271025d710328473ff8000000000000580100000078710465752e',
    );
    // b"\x80\x04\x95 \x00\x00\x00\x00\x00\x00\x00}\x94(\x8c\x01a\x94K\x01\x8c\x01b\x94]\x94(G?\xf8\x00\x00\x00\x00\x00\x00\x8c\x01x\x94eu."
    expect(hex(writePickle(d, { protocol: 4 }))).toBe(
      '80049520000000000000007d94288c0161944b018c0162945d9428473ff80000000000008c01789465752e',
    );
  });

  it('frames, large payloads and long lists exactly as CPython (checksums)', () => {
    const cases: [keyof typeof F.CPYTHON_CHECKSUMS, PyValue, 0 | 2 | 3 | 4 | 5][] = [
      ['range4', Array.from({ length: 40000 }, (_, i) => i), 4],
      ['strs4', Array.from({ length: 4000 }, (_, i) => String(i).repeat(30)), 4],
      ['arrays4', F.checksumArrays(), 4],
      ['arrays2', F.checksumArrays(), 2],
      ['arrays5', F.checksumArrays(), 5],
      ['arrays0', F.checksumArrays(), 0],
      ['arrays3', F.checksumArrays(), 3],
    ];
    for (const [name, value, protocol] of cases) {
      const out = writePickle(value, { protocol, numpy: 2 });
      expect({ name, length: out.length, fnv: F.fnv1a(out) }).toEqual({ name, ...F.CPYTHON_CHECKSUMS[name] });
    }
  });

  it('writes numpy 1 names by default and numpy 2 names when asked', () => {
    const a: NdArray = { dtype: 'float32', shape: [1], data: new Float32Array(1) };
    const text = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
    for (const p of [2, 4] as const) {
      expect(text(writePickle(a, { protocol: p }))).toContain('numpy.core.multiarray');
      expect(text(writePickle(a, { protocol: p, numpy: 2 }))).toContain('numpy._core.multiarray');
    }
    expect(text(writePickle(a, { protocol: 5 }))).toContain('numpy.core.numeric');
    expect(text(writePickle(a, { protocol: 5, numpy: 2 }))).toContain('numpy._core.numeric');
  });
});

describe('writePickle then readPickle', () => {
  for (const p of PROTOCOLS) {
    for (const numpy of [1, 2] as const) {
      it(`gives back arrays of every dtype and shape, protocol ${p}, numpy ${numpy}`, () => {
        const back = readPickle(writePickle(F.allDtypes(), { protocol: p, numpy }), 'x.pkl');
        expect(back).toEqual(F.allDtypes());
      });
    }

    it(`gives back nested containers, protocol ${p}`, () => {
      const back = readPickle(writePickle(F.containers(), { protocol: p }), 'x.pkl') as PyDict;
      expect(back).toEqual(F.containers());
      // The list stored twice is one list again.
      const shared = back.get('shared') as PyValue[][];
      expect(shared[0]).toBe(shared[1]);
    });

    it(`keeps shared and self-referencing structures, protocol ${p}`, () => {
      const list: PyValue[] = [];
      const t = new PyTuple([list, 'x']);
      list.push(t, list);
      const arr: NdArray = { dtype: 'int32', shape: [2], data: Int32Array.from([1, 2]) };
      const back = readPickle(writePickle([t, arr, arr, new PyBytes(new Uint8Array(300))], { protocol: p }), 'x.pkl') as PyValue[];
      const bt = back[0] as PyTuple;
      const bl = bt.items[0] as PyValue[];
      expect(bl[0]).toBe(bt);
      expect(bl[1]).toBe(bl);
      expect(back[1]).toBe(back[2]);
      expect(back[1]).toEqual(arr);
    });
  }

  it('writes and reads nesting far deeper than the JS stack', () => {
    let deep: PyValue = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const bytes = writePickle(deep, { protocol: 4 });
    let back = readPickle(bytes, 'deep.pkl');
    let depth = 0;
    while (Array.isArray(back) && back.length === 1) {
      back = back[0];
      depth++;
    }
    expect(depth).toBe(200_000);
  });

  it('round-trips an array of 2^22 floats under protocols 0, 2 and 4 without changing a bit', () => {
    const n = 1 << 22;
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 1e3;
    const a: NdArray = { dtype: 'float32', shape: [1024, n / 1024], data };
    for (const protocol of [0, 2, 4] as const) {
      const back = readPickle(writePickle(new PyDict([['w', a]]), { protocol }), 'big.pkl') as PyDict;
      const w = back.get('w') as NdArray;
      expect(w.shape).toEqual(a.shape);
      // A loop, not toEqual: vitest compares typed arrays key by key, which takes gigabytes at this size.
      const got = new Uint32Array(w.data.buffer, w.data.byteOffset, n);
      const want = new Uint32Array(data.buffer);
      let same = got.length === want.length;
      for (let i = 0; same && i < n; i++) same = got[i] === want[i];
      expect(same).toBe(true);
    }
  });

  it('writes integers as ints and other numbers as floats', () => {
    const back = readPickle(writePickle([3, -0, 0.5, 2 ** 60, 2n ** 60n, NaN], { protocol: 2 }), 'n.pkl') as PyValue[];
    expect(back.slice(0, 5)).toEqual([3, -0, 0.5, 2 ** 60, 2n ** 60n]);
    expect(Object.is(back[1], -0)).toBe(true);
    expect(back[5]).toBeNaN();
  });

  it('writes sets and frozensets under every protocol', () => {
    for (const p of PROTOCOLS) {
      const v = [new PySet(['a', 1]), new PySet([new PyTuple([1, 2])], true), new PySet()];
      expect(readPickle(writePickle(v, { protocol: p }), 's.pkl')).toEqual(v);
    }
  });

  it('refuses arrays whose data does not fit their shape', () => {
    const bad: NdArray = { dtype: 'float32', shape: [3], data: new Float32Array(2) };
    expect(() => writePickle(bad, { protocol: 2 })).toThrow(/needs 3 elements but its data has 2/);
    const wrongType: NdArray = { dtype: 'float64', shape: [2], data: new Float32Array(2) };
    expect(() => writePickle(wrongType, { protocol: 2 })).toThrow(/dtype is float64 but its data is a Float32Array/);
  });
});
