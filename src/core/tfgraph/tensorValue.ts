/**
 * The value of a `TensorProto` (a Const node's `value`) as a plain array:
 * float32 for floating types, int32 for integers (the graph's integer
 * constants are sizes, axes and dimensions), with its shape, checked against
 * what the proto declares. Values come packed in `tensor_content` or as a
 * list, where one value fills the whole shape (TensorFlow's splat).
 */
import { dtypeName, int64, type RawShape, type RawTensor, TF_DTYPE } from './graphDef';

/** Larger constants than any Inception graph holds (its largest is 2048 x 1008) are refused before allocating them. */
const MAX_CONST_ELEMENTS = 1 << 26;

export interface ConstValue {
  dtype: 'float32' | 'int32';
  shape: number[];
  data: Float32Array | Int32Array;
}

/** What is wrong with a constant, said as the rest of a sentence that names the file and the node. */
export class BadTensor extends Error {}

/** The dimensions of a shape proto; -1 for an unknown one; null for an unknown rank. */
function shapeDims(s: RawShape | null | undefined): number[] | null {
  if (!s) return [];
  if (s.unknownRank) return null;
  return (s.dim ?? []).map((d) => int64(d.size));
}

function checkedShape(t: RawTensor): { shape: number[]; count: number } {
  const shape = shapeDims(t.tensorShape);
  if (shape === null) throw new BadTensor('its shape is of unknown rank');
  let count = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new BadTensor(`its shape [${shape.join(', ')}] has an invalid dimension`);
    count *= d;
  }
  if (count > MAX_CONST_ELEMENTS)
    throw new BadTensor(`its shape [${shape.join(', ')}] declares ${count} values, more than any layer of this graph holds`);
  return { shape, count };
}

function fill<T extends Float32Array | Int32Array>(out: T, values: ArrayLike<number>, what: string): T {
  if (values.length === out.length) {
    out.set(values);
  } else if (values.length === 1 || (values.length > 0 && values.length < out.length)) {
    // TensorFlow repeats the last value given to fill the shape.
    out.set(values);
    out.fill(values[values.length - 1], values.length);
  } else if (values.length === 0) {
    if (out.length > 0) out.fill(0);
  } else {
    throw new BadTensor(`it holds ${values.length} ${what} values for a shape of ${out.length}`);
  }
  return out;
}

/** The constant's values, or a BadTensor saying what is wrong with them. */
export function constValue(t: RawTensor): ConstValue {
  const dtype = t.dtype ?? 0;
  const { shape, count } = checkedShape(t);
  const content = t.tensorContent && t.tensorContent.length > 0 ? t.tensorContent : null;
  const bytesPer = (n: number) => {
    if (content && content.length !== count * n) {
      throw new BadTensor(
        `its content has ${content.length} bytes, but shape [${shape.join(', ')}] of ${dtypeName(dtype)} needs ${count * n}`,
      );
    }
    // Copied: the content can lie at any offset of the file's bytes, and a typed array needs it aligned.
    return content ? new DataView(content.slice().buffer) : null;
  };
  switch (dtype) {
    case TF_DTYPE.float: {
      const v = bytesPer(4);
      if (v) return { dtype: 'float32', shape, data: new Float32Array(v.buffer) };
      return { dtype: 'float32', shape, data: fill(new Float32Array(count), t.floatVal ?? [], 'float') };
    }
    case TF_DTYPE.double: {
      const v = bytesPer(8);
      if (v) return { dtype: 'float32', shape, data: Float32Array.from(new Float64Array(v.buffer)) };
      return { dtype: 'float32', shape, data: fill(new Float32Array(count), t.doubleVal ?? [], 'double') };
    }
    case TF_DTYPE.int32:
    case TF_DTYPE.int16:
    case TF_DTYPE.int8:
    case TF_DTYPE.uint8:
    case TF_DTYPE.uint16: {
      const size = dtype === TF_DTYPE.int32 ? 4 : dtype === TF_DTYPE.int16 || dtype === TF_DTYPE.uint16 ? 2 : 1;
      const v = bytesPer(size);
      if (v) {
        const out = new Int32Array(count);
        for (let i = 0; i < count; i++) {
          out[i] =
            size === 4
              ? v.getInt32(4 * i, true)
              : dtype === TF_DTYPE.int16
                ? v.getInt16(2 * i, true)
                : dtype === TF_DTYPE.uint16
                  ? v.getUint16(2 * i, true)
                  : dtype === TF_DTYPE.int8
                    ? v.getInt8(i)
                    : v.getUint8(i);
        }
        return { dtype: 'int32', shape, data: out };
      }
      return { dtype: 'int32', shape, data: fill(new Int32Array(count), t.intVal ?? [], 'integer') };
    }
    case TF_DTYPE.int64: {
      const v = bytesPer(8);
      const out = new Int32Array(count);
      const values = v ? Array.from({ length: count }, (_, i) => Number(v.getBigInt64(8 * i, true))) : (t.int64Val ?? []).map(int64);
      if (values.some((x) => x > 2 ** 31 - 1 || x < -(2 ** 31))) throw new BadTensor('it holds int64 values beyond the 32-bit range');
      return { dtype: 'int32', shape, data: v ? Int32Array.from(values) : fill(out, values, 'int64') };
    }
    default:
      throw new BadTensor(`it is of ${dtypeName(dtype)}, which this reader does not compute with`);
  }
}
