import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import type { DType, NdArray, NdData } from '../ndarray';
import { readNpy, writeNpy } from './npy';
import { parsePyLiteral } from './npyHeader';

const ascii = (s: string) => new TextEncoder().encode(s);

function sample(dtype: DType, shape: number[]): NdArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const ints = Array.from({ length: n }, (_, i) => ((i * 37) % 101) - (dtype.startsWith('u') || dtype === 'bool' ? 0 : 50));
  const make: Record<DType, () => NdData> = {
    float16: () => Uint16Array.from(ints, (v) => 0x3c00 + (v & 0x3ff)),
    float32: () => Float32Array.from(ints, (v) => v / 8),
    float64: () => Float64Array.from(ints, (v) => v / 3),
    uint8: () => Uint8Array.from(ints),
    int8: () => Int8Array.from(ints),
    uint16: () => Uint16Array.from(ints, (v) => v * 600),
    int16: () => Int16Array.from(ints, (v) => v * 300),
    uint32: () => Uint32Array.from(ints, (v) => v * 40_000_000),
    int32: () => Int32Array.from(ints, (v) => v * 40_000_000),
    int64: () => BigInt64Array.from(ints, (v) => BigInt(v) * 10_000_000_000n),
    uint64: () => BigUint64Array.from(ints, (v) => BigInt(v) * 10_000_000_000n),
    bool: () => Uint8Array.from(ints, (v) => v & 1),
  };
  return { dtype, shape, data: make[dtype]() };
}

/** A hand-made .npy, so the reader is checked against the format rather than against our writer. */
function handMade(header: string, data: Uint8Array, version = 1): Uint8Array {
  const h = ascii(header);
  const prefix = version === 1 ? 10 : 12;
  const out = new Uint8Array(prefix + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const v = new DataView(out.buffer);
  if (version === 1) v.setUint16(8, h.length, true);
  else v.setUint32(8, h.length, true);
  out.set(h, prefix);
  out.set(data, prefix + h.length);
  return out;
}

const DTYPES: DType[] = ['float16', 'float32', 'float64', 'uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'int64', 'uint64', 'bool'];

describe('npy', () => {
  for (const dtype of DTYPES) {
    for (const byteOrder of ['little', 'big'] as const) {
      it(`round-trips ${dtype}, ${byteOrder}-endian, C and Fortran order`, () => {
        const a = sample(dtype, [3, 4, 5]);
        for (const fortranOrder of [false, true]) {
          const file = writeNpy(a, { byteOrder, fortranOrder });
          expect((file.length - a.data.byteLength) % 64).toBe(0);
          expect(readNpy(file, 'a.npy')).toEqual(a);
        }
      });
    }
  }

  it('writes the header numpy writes', () => {
    const file = writeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array(6) });
    // byte for byte what numpy 1.x/2.x np.save writes for np.zeros((2, 3), np.float32)
    expect(file[8]).toBe(118);
    const header = new TextDecoder().decode(file.subarray(10, 128));
    expect(header).toBe(`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.padEnd(117) + '\n');
    expect(new TextDecoder().decode(writeNpy({ dtype: 'uint8', shape: [7], data: new Uint8Array(7) }).subarray(10, 128))).toContain(
      `'descr': '|u1', 'fortran_order': False, 'shape': (7,), }`,
    );
  });

  it('reads Fortran order against a hand-made file', () => {
    // [[1,2,3],[4,5,6]] stored column by column
    const data = new Uint8Array(Int32Array.from([1, 4, 2, 5, 3, 6]).buffer);
    const a = readNpy(handMade(`{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }\n`, data), 'f.npy');
    expect(a.shape).toEqual([2, 3]);
    expect([...a.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads big-endian data against a hand-made file', () => {
    const a = readNpy(handMade(`{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }\n`, new Uint8Array([0x3f, 0xc0, 0, 0])), 'b.npy');
    expect([...a.data]).toEqual([1.5]);
  });

  it('reads version 2.0 and 3.0 headers, Python 2 longs, double quotes and scalars', () => {
    const data = new Uint8Array(Float64Array.from([1, 2]).buffer);
    for (const version of [2, 3]) {
      const a = readNpy(handMade(`{"descr": "<f8", "fortran_order": False, "shape": (2L,)}`, data, version), 'v.npy');
      expect(a).toEqual({ dtype: 'float64', shape: [2], data: Float64Array.from([1, 2]) });
    }
    const written = writeNpy({ dtype: 'float64', shape: [2], data: Float64Array.from([1, 2]) }, { version: 2 });
    expect(written[6]).toBe(2);
    expect(readNpy(written, 'w.npy').shape).toEqual([2]);
    const scalar = readNpy(handMade(`{'descr': '<f8', 'fortran_order': False, 'shape': (), }`, data.subarray(0, 8)), 's.npy');
    expect(scalar).toEqual({ dtype: 'float64', shape: [], data: Float64Array.from([1]) });
  });

  it('handles empty arrays', () => {
    const a: NdArray = { dtype: 'float32', shape: [0, 1152], data: new Float32Array(0) };
    expect(readNpy(writeNpy(a, { fortranOrder: true }), 'e.npy')).toEqual(a);
  });

  const good = writeNpy({ dtype: 'float32', shape: [2, 3], data: new Float32Array(6) });
  const bad: [string, Uint8Array, RegExp][] = [
    ['bad magic', ascii('PK\x03\x04 not numpy at all'), /not a \.npy file/],
    ['too short', good.subarray(0, 4), /not a \.npy file/],
    ['cut in the length field', good.subarray(0, 9), /cut off inside its header/],
    ['cut in the header', good.subarray(0, 40), /header claims 118 bytes but only 30 follow/],
    ['cut in the data', good.subarray(0, good.length - 1), /only 23 bytes of data follow/],
    ['trailing bytes', new Uint8Array([...good, 0]), /1 bytes after/],
    ['version 4', Uint8Array.from(good, (b, i) => (i === 6 ? 4 : b)), /unsupported \.npy version 4\.0/],
    ['not a literal', handMade(`{'descr': __import__('os'), }`, new Uint8Array()), /not a valid dict literal/],
    ['unterminated', handMade(`{'descr': '<f4`, new Uint8Array()), /unterminated string/],
    ['not a dict', handMade(`['<f4']`, new Uint8Array()), /not a dict/],
    ['no descr', handMade(`{'fortran_order': False, 'shape': (1,)}`, new Uint8Array(4)), /no 'descr'/],
    [
      'odd dtype',
      handMade(`{'descr': '<c8', 'fortran_order': False, 'shape': (1,)}`, new Uint8Array(8)),
      /unsupported \.npy element type '<c8'/,
    ],
    ['object dtype', handMade(`{'descr': '|O', 'fortran_order': False, 'shape': (1,)}`, new Uint8Array(8)), /unsupported/],
    ['structured', handMade(`{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,)}`, new Uint8Array(4)), /structured/],
    ['bad order flag', handMade(`{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}`, new Uint8Array(4)), /fortran_order/],
    ['negative shape', handMade(`{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}`, new Uint8Array(4)), /non-negative integers/],
    [
      'absurd shape',
      handMade(`{'descr': '|u1', 'fortran_order': False, 'shape': (${2 ** 40}, 1152)}`, new Uint8Array(1152)),
      /shape \[1099511627776, 1152\] .*only 1152 bytes of data follow/,
    ],
    ['deep nesting', handMade(`{'descr': ${'('.repeat(100)}`, new Uint8Array()), /nested too deeply/],
  ];
  for (const [name, bytes, message] of bad) {
    it(`rejects ${name} with an InputError naming the file`, () => {
      expect(() => readNpy(bytes, 'clip.npy')).toThrow(InputError);
      expect(() => readNpy(bytes, 'clip.npy')).toThrow(/^clip\.npy: /);
      expect(() => readNpy(bytes, 'clip.npy')).toThrow(message);
    });
  }

  it('parses Python literals without evaluating anything', () => {
    expect(parsePyLiteral(`{'a': (1, 2,), "b": [True, False, None], 'c': {'d': -3}, }`)).toEqual({
      a: [1, 2],
      b: [true, false, null],
      c: { d: -3 },
    });
    expect(() => parsePyLiteral(`{'a': 1} extra`)).toThrow(/after the value/);
    expect(() => parsePyLiteral(`{1: 2}`)).toThrow(/keys must be strings/);
  });
});
