/**
 * numpy's side of pickles: the dtype strings numpy writes ('f4', 'u1', ...),
 * and raw array bytes to and from NdArrays.
 */
import { BYTES_PER_ELEMENT, halfToFloat, sizeOf, type DType, type NdArray, type NdData } from '../../ndarray';

const BY_TYPESTR: Record<string, DType> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  u1: 'uint8',
  i1: 'int8',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  b1: 'bool',
};

const TYPESTR = Object.fromEntries(Object.entries(BY_TYPESTR).map(([t, d]) => [d, t])) as Record<DType, string>;

/** numpy's typestr without byte order ('f4') to our dtype; undefined for the ones we do not load. */
export function dtypeFromTypestr(typestr: string): DType | undefined {
  return Object.hasOwn(BY_TYPESTR, typestr) ? BY_TYPESTR[typestr] : undefined;
}

export function typestrOf(dtype: DType): string {
  return TYPESTR[dtype];
}

/** The byte-order character numpy pickles for a dtype of ours, stored little-endian. */
export function endianCharOf(dtype: DType): '<' | '|' {
  return BYTES_PER_ELEMENT[dtype] === 1 ? '|' : '<';
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type DataCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): NdData; new (length: number): NdData };

const CTOR: Record<DType, DataCtor> = {
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  uint64: BigUint64Array,
  int64: BigInt64Array,
  bool: Uint8Array,
};

function byteSwap(bytes: Uint8Array, itemsize: number): void {
  for (let i = 0; i + itemsize <= bytes.length; i += itemsize) {
    for (let a = i, b = i + itemsize - 1; a < b; a++, b--) {
      const t = bytes[a];
      bytes[a] = bytes[b];
      bytes[b] = t;
    }
  }
}

/** Column-major data (numpy order='F') rearranged to row-major. */
function fortranToC(src: NdData, shape: readonly number[], ctor: DataCtor): NdData {
  const n = src.length;
  const out = new ctor(n);
  const rank = shape.length;
  const fStride: number[] = [];
  let s = 1;
  for (let d = 0; d < rank; d++) {
    fStride.push(s);
    s *= shape[d];
  }
  const idx = new Array<number>(rank).fill(0);
  let f = 0;
  const o = out as unknown as { [i: number]: number | bigint };
  const x = src as unknown as { [i: number]: number | bigint };
  for (let c = 0; c < n; c++) {
    o[c] = x[f];
    // An odometer over C order, last axis fastest, moving the Fortran offset along.
    for (let d = rank - 1; d >= 0; d--) {
      idx[d]++;
      f += fStride[d];
      if (idx[d] < shape[d]) break;
      f -= fStride[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** An element count that is exact, or Infinity when it could not match any real buffer. */
export function elementCount(shape: readonly number[]): number {
  if (shape.some((d) => d === 0)) return 0;
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}

export interface RawArray {
  raw: Uint8Array;
  /** The bytes belong to no one else, so they may be viewed and byte-swapped in place. */
  owned: boolean;
  dtype: DType;
  bigEndian: boolean;
  shape: number[];
  fortran: boolean;
}

/**
 * Raw numpy bytes to an NdArray. Returns a problem sentence instead when the
 * byte count does not fit the shape. Owned, aligned bytes become the array's
 * memory as they are; anything else is copied once.
 */
export function arrayFromRaw(a: RawArray): NdArray | string {
  const itemsize = BYTES_PER_ELEMENT[a.dtype];
  const count = elementCount(a.shape);
  if (count * itemsize !== a.raw.length) {
    return `the array of shape [${a.shape.join(', ')}] and dtype ${a.dtype} needs ${count * itemsize} bytes of data but has ${a.raw.length}`;
  }
  const swap = itemsize > 1 && a.bigEndian === HOST_LITTLE_ENDIAN;
  let raw = a.raw;
  if (!a.owned || raw.byteOffset % itemsize !== 0) raw = raw.slice();
  if (swap) byteSwap(raw, itemsize);
  const ctor = CTOR[a.dtype];
  let data = new ctor(raw.buffer, raw.byteOffset, count);
  const nonTrivialAxes = a.shape.filter((d) => d > 1).length;
  if (a.fortran && nonTrivialAxes > 1) data = fortranToC(data, a.shape, ctor);
  return { dtype: a.dtype, shape: a.shape, data };
}

/** A numpy scalar's bytes to a JS value; a problem sentence when the size is wrong. */
export function scalarFromRaw(raw: Uint8Array, dtype: DType, bigEndian: boolean): number | bigint | boolean | string {
  const itemsize = BYTES_PER_ELEMENT[dtype];
  if (raw.length !== itemsize) return `a numpy ${dtype} scalar needs ${itemsize} bytes but has ${raw.length}`;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.length);
  const le = !bigEndian;
  switch (dtype) {
    case 'bool':
      return raw[0] !== 0;
    case 'uint8':
      return raw[0];
    case 'int8':
      return view.getInt8(0);
    case 'uint16':
      return view.getUint16(0, le);
    case 'int16':
      return view.getInt16(0, le);
    case 'uint32':
      return view.getUint32(0, le);
    case 'int32':
      return view.getInt32(0, le);
    case 'float16':
      return halfToFloat(view.getUint16(0, le));
    case 'float32':
      return view.getFloat32(0, le);
    case 'float64':
      return view.getFloat64(0, le);
    case 'int64':
      return narrow(view.getBigInt64(0, le));
    case 'uint64':
      return narrow(view.getBigUint64(0, le));
  }
}

function narrow(v: bigint): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : v;
}

/** Checks that an NdArray is whole: its data type matches its dtype and its length its shape. */
export function ndArrayProblem(a: NdArray): string | undefined {
  for (const d of a.shape) {
    if (!Number.isSafeInteger(d) || d < 0) return `its shape [${a.shape.join(', ')}] is not a list of sizes`;
  }
  const ctor = CTOR[a.dtype];
  if (!ctor) return `its dtype '${String(a.dtype)}' is unknown`;
  if (!(a.data instanceof ctor)) return `its dtype is ${a.dtype} but its data is a ${a.data.constructor.name}`;
  if (a.data.length !== sizeOf(a.shape)) {
    return `its shape [${a.shape.join(', ')}] needs ${sizeOf(a.shape)} elements but its data has ${a.data.length}`;
  }
  return undefined;
}

/** An array's data as numpy's little-endian row-major bytes: a view when the host is little-endian. */
export function rawBytesOf(a: NdArray): Uint8Array {
  const bytes = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const itemsize = BYTES_PER_ELEMENT[a.dtype];
  if (HOST_LITTLE_ENDIAN || itemsize === 1) return bytes;
  const copy = bytes.slice();
  byteSwap(copy, itemsize);
  return copy;
}
