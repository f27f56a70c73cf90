/**
 * NumPy .npy files, versions 1.0, 2.0 and 3.0: magic `\x93NUMPY`, version,
 * a header length, a Python dict literal header, then the raw array data.
 */
import { fail } from '../errors';
import { BYTES_PER_ELEMENT, shapeString, type DType, type NdArray, type NdData } from '../ndarray';
import { parsePyLiteral, PyLiteralError, type PyValue } from './npyHeader';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const CODES: Record<string, DType> = {
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
const CODE_OF = Object.fromEntries(Object.entries(CODES).map(([c, d]) => [d, c])) as Record<DType, string>;

type TypedCtor = new (buffer: ArrayBuffer, byteOffset: number, length: number) => NdData;
const VIEW: Record<DType, TypedCtor> = {
  float16: Uint16Array,
  float32: Float32Array,
  float64: Float64Array,
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,
};

export function isNpy(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Reverses each element's bytes in place (this code assumes a little-endian host, as every browser is). */
function swapBytes(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/**
 * Copies between row-major order and Fortran (column-major) order.
 * Walks the row-major index like an odometer, tracking the column-major offset.
 */
function reorder(src: NdData, shape: readonly number[], toRowMajor: boolean): NdData {
  const out = src.slice() as NdData;
  const n = shape.length;
  if (n < 2 || src.length === 0) return out;
  const stride: number[] = [];
  for (let k = 0, s = 1; k < n; k++) {
    stride.push(s);
    s *= shape[k];
  }
  const idx = new Array<number>(n).fill(0);
  const o = out as unknown as ArrayLike<number> & { [i: number]: number };
  const s = src as unknown as ArrayLike<number>;
  let f = 0;
  for (let i = 0; i < src.length; i++) {
    if (toRowMajor) o[i] = s[f];
    else o[f] = s[i];
    for (let k = n - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) {
        f += stride[k];
        break;
      }
      idx[k] = 0;
      f -= stride[k] * (shape[k] - 1);
    }
  }
  return out;
}

interface Header {
  dtype: DType;
  bigEndian: boolean;
  fortran: boolean;
  shape: number[];
}

function parseHeader(text: string, file: string): Header {
  let h: PyValue;
  try {
    h = parsePyLiteral(text);
  } catch (err) {
    if (err instanceof PyLiteralError) fail(file, `the .npy header is not a valid dict literal (${err.message})`);
    throw err;
  }
  if (h === null || typeof h !== 'object' || Array.isArray(h)) fail(file, 'the .npy header is not a dict');
  const { descr, fortran_order: fortran, shape } = h;
  if (Array.isArray(descr)) fail(file, 'structured .npy arrays (records with named fields) are not supported');
  if (typeof descr !== 'string') fail(file, "the .npy header has no 'descr' string");
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(descr);
  const dtype = m ? CODES[m[2]] : undefined;
  if (!m || !dtype) fail(file, `unsupported .npy element type '${descr}' (expected float16/32/64, a bool or a 1 to 8-byte integer)`);
  if (typeof fortran !== 'boolean') fail(file, "the .npy header has no 'fortran_order' True/False");
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    fail(file, "the .npy header's 'shape' is not a tuple of non-negative integers");
  }
  return { dtype, bigEndian: m[1] === '>', fortran, shape: shape as number[] };
}

export function readNpy(bytes: Uint8Array, file: string): NdArray {
  if (!isNpy(bytes)) fail(file, 'not a .npy file: it does not start with "\\x93NUMPY"');
  if (bytes.length < 10) fail(file, 'the .npy file is cut off inside its header');
  const major = bytes[6];
  const minor = bytes[7];
  if (major < 1 || major > 3) fail(file, `unsupported .npy version ${major}.${minor} (expected 1.0, 2.0 or 3.0)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthField = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthField) fail(file, 'the .npy file is cut off inside its header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthField;
  if (start + headerLength > bytes.length) {
    fail(file, `the .npy file is cut off: its header claims ${headerLength} bytes but only ${bytes.length - start} follow`);
  }
  const raw = bytes.subarray(start, start + headerLength);
  const text = major === 3 ? new TextDecoder().decode(raw) : latin1(raw);
  const { dtype, bigEndian, fortran, shape } = parseHeader(text, file);

  const itemSize = BYTES_PER_ELEMENT[dtype];
  const dataStart = start + headerLength;
  const available = bytes.length - dataStart;
  // Computed in float64: an absurd shape gives a huge (inexact) number, which the comparison still rejects.
  const count = shape.reduce((a, b) => a * b, 1);
  const needed = count * itemSize;
  if (needed > available) {
    fail(
      file,
      `the .npy header claims a ${dtype} array of shape ${shapeString(shape)} (${needed} bytes) ` +
        `but only ${available} bytes of data follow: the file is truncated or corrupt`,
    );
  }
  if (needed < available) {
    fail(file, `the .npy file has ${available - needed} bytes after its ${shapeString(shape)} array: it is corrupt`);
  }
  const copy = bytes.slice(dataStart, dataStart + needed);
  if (bigEndian && itemSize > 1) swapBytes(copy, itemSize);
  let data = new VIEW[dtype](copy.buffer, 0, count);
  // Column-major data is the row-major layout of the reversed shape; reorder to the shape as given.
  if (fortran) data = reorder(data, shape, true);
  return { dtype, shape: [...shape], data };
}

export interface NpyWriteOptions {
  /** Default 'little', as numpy writes on every common machine. */
  byteOrder?: 'little' | 'big';
  /** Store column-major with `fortran_order: True`. */
  fortranOrder?: boolean;
  /** Default: 1.0, or 2.0 when the header would not fit 1.0's 16-bit length. */
  version?: 1 | 2 | 3;
}

export function writeNpy(a: NdArray, options: NpyWriteOptions = {}): Uint8Array {
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (a.data.length !== count) {
    throw new Error(`writeNpy: ${a.data.length} elements do not fill shape ${shapeString(a.shape)}`);
  }
  const itemSize = BYTES_PER_ELEMENT[a.dtype];
  const big = options.byteOrder === 'big' && itemSize > 1;
  const order = itemSize === 1 ? '|' : big ? '>' : '<';
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  const dict = `{'descr': '${order}${CODE_OF[a.dtype]}', 'fortran_order': ${options.fortranOrder ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const encoded = new TextEncoder().encode(dict); // ASCII: the same bytes in latin1 and utf-8
  let version = options.version ?? 1;
  if (version === 1 && encoded.length + 1 + 10 > 0xffff) version = 2;
  const prefix = version === 1 ? 10 : 12;
  // numpy pads the header with spaces and a newline so the data starts 64-byte aligned.
  const headerLength = Math.ceil((prefix + encoded.length + 1) / 64) * 64 - prefix;

  const data = options.fortranOrder ? reorder(a.data, a.shape, false) : a.data;
  const dataBytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(prefix + headerLength + dataBytes.length);
  out.set(MAGIC);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, headerLength, true);
  else view.setUint32(8, headerLength, true);
  out.fill(0x20, prefix, prefix + headerLength - 1);
  out.set(encoded, prefix);
  out[prefix + headerLength - 1] = 0x0a;
  const body = out.subarray(prefix + headerLength);
  body.set(dataBytes);
  if (big) swapBytes(body, itemSize);
  return out;
}
