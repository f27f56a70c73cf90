/**
 * Paddle's framework.proto `VarType.TensorDesc`: field 1 the data type, field 2
 * the dims (proto2, so Paddle writes them unpacked; the decoder accepts both).
 */
import protobuf from 'protobufjs';
import type { DType } from '../ndarray';

const TensorDescType = new protobuf.Type('TensorDesc')
  .add(new protobuf.Field('dataType', 1, 'int32', 'required'))
  .add(new protobuf.Field('dims', 2, 'int64', 'repeated', undefined, { packed: false }));
new protobuf.Root().define('paddle.framework.proto.VarType').add(TensorDescType);

/** Paddle's VarType.Type numbers for the element types a parameter file may hold. */
export const PADDLE_DTYPES: Readonly<Record<number, DType>> = {
  0: 'bool',
  1: 'int16',
  2: 'int32',
  3: 'int64',
  4: 'float16',
  5: 'float32',
  6: 'float64',
  20: 'uint8',
  21: 'int8',
};
const PADDLE_CODES = new Map<DType, number>(Object.entries(PADDLE_DTYPES).map(([k, v]) => [v, Number(k)]));

export interface TensorDesc {
  dtype: DType;
  shape: number[];
}

/** Decodes a TensorDesc; returns a reason string instead of throwing, so the caller can name the file and record. */
export function decodeTensorDesc(bytes: Uint8Array): TensorDesc | string {
  let obj: { dataType?: number; dims?: number[] };
  try {
    obj = TensorDescType.toObject(TensorDescType.decode(bytes), { longs: Number, defaults: true }) as typeof obj;
  } catch (e) {
    return `its tensor description is not a valid TensorDesc protobuf (${(e as Error).message})`;
  }
  const dtype = PADDLE_DTYPES[obj.dataType ?? -1];
  if (!dtype) return `its tensor description names data type ${obj.dataType}, which is not a numeric type Paddle stores parameters in`;
  const dims = obj.dims ?? [];
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) return `its tensor description has an invalid dimension ${d}`;
  }
  return { dtype, shape: dims };
}

export function encodeTensorDesc(desc: TensorDesc): Uint8Array {
  const code = PADDLE_CODES.get(desc.dtype);
  if (code === undefined) throw new Error(`no Paddle data type for ${desc.dtype}`);
  return TensorDescType.encode(TensorDescType.fromObject({ dataType: code, dims: desc.shape })).finish();
}
