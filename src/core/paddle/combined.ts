/**
 * Paddle's combined parameter file (`fluid.io.save_params(filename=...)`):
 * tensors back to back with no names, each record
 *   u32 version=0 | u64 lod_levels (+ u64 nbytes + bytes each) | u32 tensor version=0 |
 *   i32 desc size | TensorDesc protobuf | raw little-endian row-major data.
 * The reader only scans headers; tensor data is read on demand so that a 435 MB
 * file is never held whole.
 */
import { InputError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { BYTES_PER_ELEMENT, type NdArray, type DType, sizeOf, shapeString } from '../ndarray';
import { decodeTensorDesc, encodeTensorDesc } from './tensorDesc';
import { MAX_LOD_LEVELS } from './detect';

export interface CombinedRecord {
  /** Position of the record in the file, from 0. */
  index: number;
  /** Byte offset where the record starts. */
  offset: number;
  dtype: DType;
  shape: number[];
  dataOffset: number;
  byteLength: number;
}

const MAX_DESC_BYTES = 1 << 16;

function u64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getUint32(at + 4, true);
  return hi * 2 ** 32 + lo;
}

export async function scanCombined(src: ByteSource): Promise<CombinedRecord[]> {
  const file = src.name;
  const records: CombinedRecord[] = [];
  let pos = 0;
  const need = async (at: number, n: number, what: string, index: number): Promise<DataView> => {
    if (at + n > src.size) {
      throw new InputError(
        `${file}: the file ends at byte ${src.size} inside ${what} of tensor record ${index} (expected ${n} more bytes at byte ${at}); the file is truncated`,
      );
    }
    const b = await src.read(at, n);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  };
  while (pos < src.size) {
    const index = records.length;
    const start = pos;
    let v = await need(pos, 12, 'the header', index);
    const version = v.getUint32(0, true);
    if (version !== 0) {
      throw new InputError(
        `${file}: tensor record ${index} at byte ${pos} starts with version ${version}, expected 0; this is not a Paddle combined parameter file or it is corrupted`,
      );
    }
    const lodLevels = u64(v, 4);
    if (lodLevels > MAX_LOD_LEVELS) {
      throw new InputError(`${file}: tensor record ${index} at byte ${pos} claims ${lodLevels} LoD levels; the file is corrupted`);
    }
    pos += 12;
    for (let l = 0; l < lodLevels; l++) {
      v = await need(pos, 8, 'a LoD level', index);
      const n = u64(v, 0);
      if (pos + 8 + n > src.size) {
        throw new InputError(`${file}: LoD level ${l} of tensor record ${index} runs past the end of the file; the file is truncated`);
      }
      pos += 8 + n;
    }
    v = await need(pos, 8, 'the tensor header', index);
    const tensorVersion = v.getUint32(0, true);
    const descSize = v.getInt32(4, true);
    if (tensorVersion !== 0) {
      throw new InputError(`${file}: tensor record ${index} has tensor version ${tensorVersion}, expected 0; the file is corrupted`);
    }
    if (descSize <= 0 || descSize > MAX_DESC_BYTES) {
      throw new InputError(`${file}: tensor record ${index} declares a ${descSize}-byte tensor description; the file is corrupted`);
    }
    pos += 8;
    await need(pos, descSize, 'the tensor description', index);
    const desc = decodeTensorDesc(await src.read(pos, descSize));
    if (typeof desc === 'string') throw new InputError(`${file}: tensor record ${index}: ${desc}`);
    pos += descSize;
    const byteLength = sizeOf(desc.shape) * BYTES_PER_ELEMENT[desc.dtype];
    if (pos + byteLength > src.size) {
      throw new InputError(
        `${file}: tensor record ${index} (${desc.dtype} ${shapeString(desc.shape)}) needs ${byteLength} bytes of data but only ${src.size - pos} remain; the file is truncated`,
      );
    }
    records.push({ index, offset: start, dtype: desc.dtype, shape: desc.shape, dataOffset: pos, byteLength });
    pos += byteLength;
  }
  if (records.length === 0) throw new InputError(`${file}: the file is empty`);
  return records;
}

/** A record's data as an NdArray (copied into aligned memory). */
export async function readCombinedTensor(src: ByteSource, rec: CombinedRecord): Promise<NdArray> {
  const raw = await src.read(rec.dataOffset, rec.byteLength);
  const copy = raw.slice().buffer;
  return { dtype: rec.dtype, shape: rec.shape, data: typedView(rec.dtype, copy) };
}

function typedView(dtype: DType, buf: ArrayBuffer): NdArray['data'] {
  switch (dtype) {
    case 'float32':
      return new Float32Array(buf);
    case 'float64':
      return new Float64Array(buf);
    case 'float16':
    case 'uint16':
      return new Uint16Array(buf);
    case 'int16':
      return new Int16Array(buf);
    case 'int32':
      return new Int32Array(buf);
    case 'uint32':
      return new Uint32Array(buf);
    case 'int64':
      return new BigInt64Array(buf);
    case 'uint64':
      return new BigUint64Array(buf);
    case 'int8':
      return new Int8Array(buf);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buf);
  }
}

/** One record's bytes, as Paddle writes it (no LoD). */
export function encodeCombinedRecord(t: NdArray): Uint8Array[] {
  const desc = encodeTensorDesc({ dtype: t.dtype, shape: t.shape });
  const head = new Uint8Array(12 + 8);
  const v = new DataView(head.buffer);
  // version 0, lod_levels 0 (u64), tensor version 0, desc size
  v.setInt32(16, desc.length, true);
  const data = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return [head, desc, data];
}

/** A whole combined file from tensors in file order (the caller sorts names as Python's sorted() would). */
export function writeCombined(tensors: readonly NdArray[]): Uint8Array {
  const parts = tensors.flatMap(encodeCombinedRecord);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
