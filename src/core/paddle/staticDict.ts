/**
 * Paddle 1.6 `fluid.save` (C++ `SaveTensorToDisk`, called by `_save_static_dict`;
 * 1.7 and later write a pickle). Little-endian:
 *   256 reserved bytes (uninitialised) | "TNUM" | u64 count |
 *   count x ( "NAME" | u64 name length | name | u32 version=0 | i32 desc size | TensorDesc | raw data )
 * in name order (a std::map). The `.pdopt` beside it has the same layout.
 * Only headers are read here; data stays in the file until asked for.
 */
import { InputError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import { BYTES_PER_ELEMENT, shapeString, sizeOf } from '../ndarray';
import type { CombinedRecord } from './combined';
import { STATIC_DICT_MARK_AT } from './detect';
import { decodeTensorDesc } from './tensorDesc';

export interface NamedRecord extends CombinedRecord {
  name: string;
}

const MAX_NAME_BYTES = 4096;
const MAX_DESC_BYTES = 1 << 16;
/** The smallest record: NAME, length, a 1-byte name, version, desc size, a 2-byte desc, no data. */
const MIN_RECORD_BYTES = 4 + 8 + 1 + 4 + 4 + 2;
const NAME = [0x4e, 0x41, 0x4d, 0x45];

function u64(view: DataView, at: number): number {
  return view.getUint32(at + 4, true) * 2 ** 32 + view.getUint32(at, true);
}

export async function scanStaticDict(src: ByteSource): Promise<NamedRecord[]> {
  const file = src.name;
  const need = async (at: number, n: number, what: string): Promise<Uint8Array> => {
    if (at + n > src.size) {
      throw new InputError(
        `${file}: the file ends at byte ${src.size} inside ${what} (expected ${n} more bytes at byte ${at}); the file is truncated`,
      );
    }
    return src.read(at, n);
  };
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  let pos = STATIC_DICT_MARK_AT + 4;
  const count = u64(view(await need(pos, 8, 'the tensor count after TNUM')), 0);
  pos += 8;
  if (count === 0) throw new InputError(`${file}: a Paddle 1.6 fluid.save file that holds no tensors`);
  if (count * MIN_RECORD_BYTES > src.size - pos) {
    throw new InputError(
      `${file}: a Paddle 1.6 fluid.save file that claims ${count} tensors, more than its ${src.size} bytes can hold; the file is corrupted`,
    );
  }
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const records: NamedRecord[] = [];
  const seen = new Set<string>();
  for (let index = 0; index < count; index++) {
    const start = pos;
    const what = `the header of tensor ${index}`;
    let v = view(await need(pos, 12, what));
    if (!NAME.every((b, i) => v.getUint8(i) === b)) {
      throw new InputError(`${file}: tensor ${index} at byte ${pos} does not start with the mark 'NAME'; the file is corrupted`);
    }
    const nameLength = u64(v, 4);
    pos += 12;
    if (nameLength === 0 || nameLength > MAX_NAME_BYTES) {
      throw new InputError(`${file}: tensor ${index} at byte ${start} declares a name of ${nameLength} bytes; the file is corrupted`);
    }
    let name: string;
    try {
      name = decoder.decode(await need(pos, nameLength, `the name of tensor ${index}`));
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`${file}: the name of tensor ${index} at byte ${pos} is not valid UTF-8; the file is corrupted`);
    }
    pos += nameLength;
    v = view(await need(pos, 8, `the header of tensor '${name}'`));
    const version = v.getUint32(0, true);
    const descSize = v.getInt32(4, true);
    if (version !== 0) throw new InputError(`${file}: the tensor '${name}' has version ${version}, expected 0; the file is corrupted`);
    if (descSize <= 0 || descSize > MAX_DESC_BYTES) {
      throw new InputError(`${file}: the tensor '${name}' declares a ${descSize}-byte tensor description; the file is corrupted`);
    }
    pos += 8;
    const desc = decodeTensorDesc(await need(pos, descSize, `the tensor description of '${name}'`));
    if (typeof desc === 'string') throw new InputError(`${file}: the tensor '${name}': ${desc}`);
    pos += descSize;
    const byteLength = sizeOf(desc.shape) * BYTES_PER_ELEMENT[desc.dtype];
    if (pos + byteLength > src.size) {
      throw new InputError(
        `${file}: the tensor '${name}' (${desc.dtype} ${shapeString(desc.shape)}) needs ${byteLength} bytes of data but only ${src.size - pos} remain; the file is truncated`,
      );
    }
    if (seen.has(name)) throw new InputError(`${file}: the tensor '${name}' appears twice`);
    seen.add(name);
    records.push({ index, offset: start, name, dtype: desc.dtype, shape: desc.shape, dataOffset: pos, byteLength });
    pos += byteLength;
  }
  if (pos !== src.size) {
    throw new InputError(
      `${file}: ${src.size - pos} bytes follow the last of its ${count} tensors; the file is corrupted or not a Paddle 1.6 fluid.save file`,
    );
  }
  return records;
}
