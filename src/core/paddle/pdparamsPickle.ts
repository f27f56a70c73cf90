/**
 * Paddle's pickled parameter files (`fluid.save`, `paddle.save`): a dict of
 * parameter name → numpy array, read with the safe pickle reader.
 */
import { InputError } from '../errors';
import { BYTES_PER_ELEMENT, shapeString, sizeOf, type NdArray, type NdData } from '../ndarray';
import { readPickle } from '../containers/pickle/reader';
import { PyDict, PyTuple, aPyType, isNdArray, pyInt, pyItems, pyText, pyTypeName, type PyValue } from '../containers/pickle/values';
import { writePickle } from '../containers/pickle/writer';

/** Paddle 2.x's table from structured names to parameter names: not a parameter. */
const STRUCTURED_NAMES = 'StructuredToParameterName@@';
/** Paddle 2.x's list of arrays it cut into `name@@.0`, `name@@.1`, ... to stay under 2^30 bytes each. */
const BIG_PARAM_INFO = 'UnpackBigParamInfor@@';

interface BigParam {
  name: string;
  shape: number[];
  slices: string[];
}

/**
 * Every parameter of a pickled .pdparams, in file order, with Paddle's cut-up
 * big arrays joined again. Throws InputError naming the file and key for
 * anything that is not a dict of arrays.
 */
export function readPickledParams(bytes: Uint8Array, file: string): Map<string, NdArray> {
  const top = readPickle(bytes, file);
  if (!(top instanceof PyDict)) {
    throw new InputError(
      `${file}: the pickle holds ${aPyType(top)}, not a dict of parameter names to arrays; this is not a Paddle parameter file`,
    );
  }
  const arrays = new Map<string, NdArray>();
  let bigInfo: PyValue | undefined;
  for (const [key, value] of top) {
    const name = pyText(key);
    if (name === undefined)
      throw new InputError(`${file}: the parameter dict has a key of type ${pyTypeName(key)}; parameter names are strings`);
    if (name === STRUCTURED_NAMES) continue;
    if (name === BIG_PARAM_INFO) {
      bigInfo = value;
      continue;
    }
    const array = arrayOf(value);
    if (!array) {
      throw new InputError(`${file}: the entry '${name}' holds ${aPyType(value)}, not a numpy array; this is not a Paddle parameter file`);
    }
    if (arrays.has(name)) throw new InputError(`${file}: the parameter '${name}' appears twice`);
    arrays.set(name, array);
  }
  return bigInfo === undefined ? arrays : joinSlices(arrays, bigParams(bigInfo, file), file);
}

/** A numpy array, or the (name, array) tuple paddle.save writes for a Tensor outside a state dict. */
function arrayOf(v: PyValue): NdArray | undefined {
  if (isNdArray(v)) return v;
  if (v instanceof PyTuple && v.length === 2 && pyText(v.items[0]) !== undefined && isNdArray(v.items[1])) return v.items[1];
  return undefined;
}

function bigParams(info: PyValue, file: string): BigParam[] {
  const bad = (what: string): never => {
    throw new InputError(`${file}: the '${BIG_PARAM_INFO}' table ${what}`);
  };
  if (!(info instanceof PyDict)) return bad(`is ${aPyType(info)}, not a dict`);
  return info.entries.map(([k, v]) => {
    const name = pyText(k) ?? bad(`has a key of type ${pyTypeName(k)}`);
    if (!(v instanceof PyDict)) return bad(`gives '${name}' ${aPyType(v)}, not a dict`);
    const dims = pyItems(v.get('OriginShape')) ?? bad(`gives '${name}' no OriginShape list`);
    const shape = dims.map((d) => {
      const n = pyInt(d);
      return n === undefined || n < 0 ? bad(`gives '${name}' the OriginShape entry ${String(d)}`) : n;
    });
    const slices = (pyItems(v.get('slices')) ?? bad(`gives '${name}' no slices list`)).map(
      (s) => pyText(s) ?? bad(`gives '${name}' a slice name of type ${pyTypeName(s)}`),
    );
    if (slices.length === 0) bad(`gives '${name}' no slices`);
    return { name, shape, slices };
  });
}

/** Replaces each set of slices by the array they were cut from, where its first slice stood. */
function joinSlices(arrays: Map<string, NdArray>, big: BigParam[], file: string): Map<string, NdArray> {
  const firstSlice = new Map<string, BigParam>();
  const sliceNames = new Set<string>();
  for (const b of big) {
    if (arrays.has(b.name)) throw new InputError(`${file}: '${b.name}' is stored whole and also in slices`);
    firstSlice.set(b.slices[0], b);
    for (const s of b.slices) {
      if (!arrays.has(s)) throw new InputError(`${file}: the slice '${s}' of '${b.name}' is missing`);
      sliceNames.add(s);
    }
  }
  const out = new Map<string, NdArray>();
  for (const [name, a] of arrays) {
    const b = firstSlice.get(name);
    if (b)
      out.set(
        b.name,
        join(
          b,
          b.slices.map((s) => arrays.get(s)!),
          file,
        ),
      );
    else if (!sliceNames.has(name)) out.set(name, a);
  }
  return out;
}

function join(b: BigParam, parts: NdArray[], file: string): NdArray {
  const dtype = parts[0].dtype;
  const other = parts.find((p) => p.dtype !== dtype);
  if (other) throw new InputError(`${file}: the slices of '${b.name}' mix dtypes ${dtype} and ${other.dtype}`);
  const total = parts.reduce((n, p) => n + p.data.length, 0);
  if (total !== sizeOf(b.shape)) {
    throw new InputError(
      `${file}: the slices of '${b.name}' hold ${total} values but its OriginShape ${shapeString(b.shape)} needs ${sizeOf(b.shape)}`,
    );
  }
  const whole = new Uint8Array(total * BYTES_PER_ELEMENT[dtype]);
  let at = 0;
  for (const p of parts) {
    whole.set(new Uint8Array(p.data.buffer, p.data.byteOffset, p.data.byteLength), at);
    at += p.data.byteLength;
  }
  const Ctor = parts[0].data.constructor as new (buffer: ArrayBuffer, offset: number, length: number) => NdData;
  return { dtype, shape: b.shape, data: new Ctor(whole.buffer, 0, total) };
}

export interface PickledParamsWriteOptions {
  /** 2 as Paddle 1.x fluid.save writes (and Python 2 reads), 4 as paddle.save writes. */
  protocol: 2 | 4;
  /** numpy module names to write; see PickleWriteOptions. Default 1. */
  numpy?: 1 | 2;
  /**
   * Under protocol 2, arrays of more bytes than this are cut into slices as
   * paddle.save does. Default 2^30 - 1, Paddle's own limit.
   */
  sliceBytes?: number;
}

/**
 * A .pdparams pickle of the arrays, in the given order. Under protocol 2,
 * arrays over 2^30 bytes are cut into slices as paddle.save does, since that
 * protocol's strings end at 4 GiB; Paddle joins them again on load.
 */
export function writePickledParams(params: Map<string, NdArray> | [string, NdArray][], opts: PickledParamsWriteOptions): Uint8Array {
  const entries = params instanceof Map ? [...params] : params;
  const dict = new PyDict();
  const slicedInfo = new PyDict();
  const sliced: [string, NdArray][] = [];
  const seen = new Set<string>();
  for (const [name, a] of entries) {
    if (seen.has(name)) throw new Error(`the parameter '${name}' is given twice`);
    seen.add(name);
    const perSlice = Math.max(1, Math.floor((opts.sliceBytes ?? 2 ** 30 - 1) / BYTES_PER_ELEMENT[a.dtype]));
    if (opts.protocol < 4 && a.data.length > perSlice) {
      const names: string[] = [];
      for (let i = 0; i * perSlice < a.data.length; i++) {
        const part = a.data.subarray(i * perSlice, (i + 1) * perSlice);
        names.push(`${name}@@.${i}`);
        sliced.push([`${name}@@.${i}`, { dtype: a.dtype, shape: [part.length], data: part }]);
      }
      slicedInfo.set(
        name,
        new PyDict([
          ['OriginShape', new PyTuple([...a.shape])],
          ['slices', names],
        ]),
      );
    } else {
      dict.set(name, a);
    }
  }
  // Where paddle.save puts them: slices after the whole arrays, then the table.
  for (const [n, a] of sliced) dict.set(n, a);
  if (slicedInfo.size > 0) dict.set(BIG_PARAM_INFO, slicedInfo);
  return writePickle(dict, { protocol: opts.protocol, numpy: opts.numpy });
}
