/**
 * TensorFlow GraphDefs for the tests: a writer (the project's own schema, as
 * TensorFlow writes it) and a float64 reference interpreter of the same node
 * lists, written apart from src/core/tfgraph so that the interpreter is held
 * to an independent reading of TensorFlow 1.x's semantics.
 */
import { GRAPH_DEF_SCHEMA, TF_DTYPE } from '../../src/core/tfgraph/graphDef';

export type AttrSpec =
  { s: string } | { i: number } | { f: number } | { b: boolean } | { type: number } | { ints: number[] } | { tensor: TensorSpec };

export interface TensorSpec {
  dtype: 'float32' | 'int32' | 'float64';
  shape: number[];
  data: ArrayLike<number>;
  /** How the values are stored: packed bytes (TensorFlow's way for arrays), a value list, or one value repeated (a splat). Default: content. */
  storage?: 'content' | 'values' | 'splat';
}

export interface NodeSpec {
  name: string;
  op: string;
  inputs?: string[];
  attrs?: Record<string, AttrSpec>;
}

const enc = new TextEncoder();

function tensorRaw(t: TensorSpec) {
  const dtype = t.dtype === 'float32' ? TF_DTYPE.float : t.dtype === 'float64' ? TF_DTYPE.double : TF_DTYPE.int32;
  const raw: Record<string, unknown> = { dtype, tensorShape: { dim: t.shape.map((size) => ({ size })) } };
  const storage = t.storage ?? 'content';
  if (storage === 'content') {
    const arr =
      t.dtype === 'float32' ? Float32Array.from(t.data) : t.dtype === 'float64' ? Float64Array.from(t.data) : Int32Array.from(t.data);
    raw.tensorContent = new Uint8Array(arr.buffer);
  } else {
    const values = storage === 'splat' ? [t.data[0]] : Array.from(t.data);
    raw[t.dtype === 'float32' ? 'floatVal' : t.dtype === 'float64' ? 'doubleVal' : 'intVal'] = values;
  }
  return raw;
}

function attrRaw(a: AttrSpec) {
  if ('s' in a) return { s: enc.encode(a.s) };
  if ('ints' in a) return { list: { i: a.ints } };
  if ('tensor' in a) return { tensor: tensorRaw(a.tensor) };
  return a;
}

/** A GraphDef's bytes, as TensorFlow serializes one. */
export function writeGraphDef(nodes: readonly NodeSpec[]): Uint8Array {
  const type = GRAPH_DEF_SCHEMA.lookupType('GraphDef');
  const msg = type.fromObject({
    node: nodes.map((n) => ({
      name: n.name,
      op: n.op,
      input: n.inputs ?? [],
      attr: Object.fromEntries(Object.entries(n.attrs ?? {}).map(([k, v]) => [k, attrRaw(v)])),
    })),
  });
  const out = type.encode(msg).finish();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength).slice();
}

// ---- builders

export function constNode(name: string, t: TensorSpec): NodeSpec {
  return { name, op: 'Const', attrs: { value: { tensor: t }, dtype: { type: t.dtype === 'int32' ? TF_DTYPE.int32 : TF_DTYPE.float } } };
}

export const ints = (name: string, values: number[], shape = [values.length]): NodeSpec =>
  constNode(name, { dtype: 'int32', shape, data: values, storage: 'values' });
export const scalar = (name: string, v: number): NodeSpec => constNode(name, { dtype: 'float32', shape: [], data: [v], storage: 'values' });

// ---- the float64 reference

export interface RefTensor {
  shape: number[];
  data: Float64Array;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function attr(n: NodeSpec, k: string): AttrSpec | undefined {
  return n.attrs?.[k];
}
const attrInts = (n: NodeSpec, k: string) => (attr(n, k) as { ints: number[] }).ints;
const attrS = (n: NodeSpec, k: string, d?: string) => (attr(n, k) as { s: string } | undefined)?.s ?? d!;
const attrB = (n: NodeSpec, k: string, d: boolean) => (attr(n, k) as { b: boolean } | undefined)?.b ?? d;
const attrF = (n: NodeSpec, k: string) => (attr(n, k) as { f: number }).f;

function constTensor(n: NodeSpec): RefTensor {
  const t = (attr(n, 'value') as { tensor: TensorSpec }).tensor;
  const count = size(t.shape);
  const data = new Float64Array(count);
  if (t.storage === 'splat') data.fill(t.dtype === 'float32' ? Math.fround(t.data[0]) : t.data[0]);
  else for (let i = 0; i < count; i++) data[i] = t.dtype === 'float32' ? Math.fround(t.data[i]) : t.data[i];
  return { shape: t.shape.slice(), data };
}

function broadcastBinary(a: RefTensor, b: RefTensor, f: (x: number, y: number) => number): RefTensor {
  const rank = Math.max(a.shape.length, b.shape.length);
  const pa = [...Array(rank - a.shape.length).fill(1), ...a.shape];
  const pb = [...Array(rank - b.shape.length).fill(1), ...b.shape];
  const shape = pa.map((d, i) => Math.max(d, pb[i]));
  const out = new Float64Array(size(shape));
  const strides = (s: number[]) => s.map((_, i) => (s[i] === 1 ? 0 : size(s.slice(i + 1))));
  const sa = strides(pa);
  const sb = strides(pb);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let ia = 0;
    let ib = 0;
    for (let k = 0; k < rank; k++) {
      ia += idx[k] * sa[k];
      ib += idx[k] * sb[k];
    }
    out[o] = f(a.data[ia], b.data[ib]);
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return { shape, data: out };
}

/** TensorFlow's SAME/VALID output size and the padding before. */
function geometry(inSize: number, k: number, s: number, pad: string): { out: number; before: number } {
  if (pad === 'VALID') return { out: Math.ceil((inSize - k + 1) / s), before: 0 };
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + k - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

function conv2d(x: RefTensor, f: RefTensor, strides: number[], pad: string): RefTensor {
  const [N, H, W, C] = x.shape;
  const [kh, kw, , O] = f.shape;
  const gy = geometry(H, kh, strides[1], pad);
  const gx = geometry(W, kw, strides[2], pad);
  const out = new Float64Array(N * gy.out * gx.out * O);
  const acc = new Float64Array(O);
  for (let n = 0; n < N; n++) {
    for (let oy = 0; oy < gy.out; oy++) {
      for (let ox = 0; ox < gx.out; ox++) {
        acc.fill(0);
        for (let ky = 0; ky < kh; ky++) {
          const iy = oy * strides[1] + ky - gy.before;
          if (iy < 0 || iy >= H) continue;
          for (let kx = 0; kx < kw; kx++) {
            const ix = ox * strides[2] + kx - gx.before;
            if (ix < 0 || ix >= W) continue;
            const xb = ((n * H + iy) * W + ix) * C;
            const fb = (ky * kw + kx) * C * O;
            for (let c = 0; c < C; c++) {
              const v = x.data[xb + c];
              if (v === 0) continue;
              const wb = fb + c * O;
              for (let o = 0; o < O; o++) acc[o] += v * f.data[wb + o];
            }
          }
        }
        out.set(acc, ((n * gy.out + oy) * gx.out + ox) * O);
      }
    }
  }
  return { shape: [N, gy.out, gx.out, O], data: out };
}

function pool(x: RefTensor, ksize: number[], strides: number[], pad: string, kind: 'max' | 'avg'): RefTensor {
  const [N, H, W, C] = x.shape;
  const gy = geometry(H, ksize[1], strides[1], pad);
  const gx = geometry(W, ksize[2], strides[2], pad);
  const out = new Float64Array(N * gy.out * gx.out * C);
  for (let n = 0; n < N; n++)
    for (let oy = 0; oy < gy.out; oy++)
      for (let ox = 0; ox < gx.out; ox++)
        for (let c = 0; c < C; c++) {
          let acc = kind === 'max' ? -Infinity : 0;
          let count = 0;
          for (let ky = 0; ky < ksize[1]; ky++) {
            const iy = oy * strides[1] + ky - gy.before;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < ksize[2]; kx++) {
              const ix = ox * strides[2] + kx - gx.before;
              if (ix < 0 || ix >= W) continue;
              const v = x.data[((n * H + iy) * W + ix) * C + c];
              if (kind === 'max') acc = Math.max(acc, v);
              else acc += v;
              count++;
            }
          }
          // TensorFlow's average leaves SAME padding's cells out of the count.
          out[((n * gy.out + oy) * gx.out + ox) * C + c] = kind === 'max' ? acc : acc / count;
        }
  return { shape: [N, gy.out, gx.out, C], data: out };
}

/** TensorFlow 1.x ResizeBilinear: source = dest * in/out (no half-pixel centers), or (in-1)/(out-1) with align_corners. */
function resizeBilinear(x: RefTensor, h: number, w: number, alignCorners: boolean): RefTensor {
  const [N, H, W, C] = x.shape;
  const sy = alignCorners && h > 1 ? (H - 1) / (h - 1) : H / h;
  const sx = alignCorners && w > 1 ? (W - 1) / (w - 1) : W / w;
  const out = new Float64Array(N * h * w * C);
  for (let n = 0; n < N; n++)
    for (let y = 0; y < h; y++) {
      const iy = y * sy;
      const y0 = Math.floor(iy);
      const y1 = Math.min(y0 + 1, H - 1);
      const dy = iy - y0;
      for (let xx = 0; xx < w; xx++) {
        const ix = xx * sx;
        const x0 = Math.floor(ix);
        const x1 = Math.min(x0 + 1, W - 1);
        const dx = ix - x0;
        for (let c = 0; c < C; c++) {
          const at = (yy: number, xq: number) => x.data[((n * H + yy) * W + xq) * C + c];
          const top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * dx;
          const bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * dx;
          out[((n * h + y) * w + xx) * C + c] = top + (bottom - top) * dy;
        }
      }
    }
  return { shape: [N, h, w, C], data: out };
}

function concat(xs: RefTensor[], axis: number): RefTensor {
  const rank = xs[0].shape.length;
  const a = axis < 0 ? axis + rank : axis;
  const outer = size(xs[0].shape.slice(0, a));
  const shape = xs[0].shape.slice();
  shape[a] = xs.reduce((s, x) => s + x.shape[a], 0);
  const out = new Float64Array(size(shape));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const x of xs) {
      const inner = size(x.shape.slice(a));
      out.set(x.data.subarray(i * inner, (i + 1) * inner), o);
      o += inner;
    }
  }
  return { shape, data: out };
}

/**
 * Evaluates `output` of the node list in float64, the input node fed `feed`.
 * Control inputs are skipped; nodes not needed are never looked at.
 */
export function referenceRun(nodes: readonly NodeSpec[], input: string, feed: RefTensor, output: string): RefTensor {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const memo = new Map<string, RefTensor>([[input.replace(/:0$/, ''), feed]]);
  const evalNode = (name: string): RefTensor => {
    const key = name.replace(/:0$/, '');
    const hit = memo.get(key);
    if (hit) return hit;
    const n = byName.get(key);
    if (!n) throw new Error(`reference: no node ${key}`);
    const ins = (n.inputs ?? []).filter((i) => !i.startsWith('^')).map(evalNode);
    const v = evaluate(n, ins);
    memo.set(key, v);
    return v;
  };
  return evalNode(output);
}

function evaluate(n: NodeSpec, x: RefTensor[]): RefTensor {
  switch (n.op) {
    case 'Const':
      return constTensor(n);
    case 'Identity':
    case 'CheckNumerics':
    case 'Cast':
      return x[0];
    case 'ExpandDims': {
      const d = x[1].data[0];
      const at = d < 0 ? d + x[0].shape.length + 1 : d;
      return { shape: [...x[0].shape.slice(0, at), 1, ...x[0].shape.slice(at)], data: x[0].data };
    }
    case 'ResizeBilinear':
      return resizeBilinear(x[0], x[1].data[0], x[1].data[1], attrB(n, 'align_corners', false));
    case 'Sub':
      return broadcastBinary(x[0], x[1], (a, b) => a - b);
    case 'Mul':
      return broadcastBinary(x[0], x[1], (a, b) => a * b);
    case 'Add':
    case 'AddV2':
    case 'BiasAdd':
      return broadcastBinary(x[0], x[1], (a, b) => a + b);
    case 'RealDiv':
      return broadcastBinary(x[0], x[1], (a, b) => a / b);
    case 'Conv2D':
      return conv2d(x[0], x[1], attrInts(n, 'strides'), attrS(n, 'padding'));
    case 'BatchNormWithGlobalNormalization': {
      const [t, m, v, beta, gamma] = x;
      const eps = attrF(n, 'variance_epsilon');
      const scaleAfter = attrB(n, 'scale_after_normalization', false);
      const C = m.data.length;
      const out = new Float64Array(t.data.length);
      for (let i = 0; i < out.length; i++) {
        const c = i % C;
        out[i] = ((t.data[i] - m.data[c]) / Math.sqrt(v.data[c] + eps)) * (scaleAfter ? gamma.data[c] : 1) + beta.data[c];
      }
      return { shape: t.shape, data: out };
    }
    case 'Relu':
      return { shape: x[0].shape, data: x[0].data.map((v) => Math.max(0, v)) };
    case 'MaxPool':
      return pool(x[0], attrInts(n, 'ksize'), attrInts(n, 'strides'), attrS(n, 'padding'), 'max');
    case 'AvgPool':
      return pool(x[0], attrInts(n, 'ksize'), attrInts(n, 'strides'), attrS(n, 'padding'), 'avg');
    case 'Concat':
      return concat(x.slice(1), x[0].data[0]);
    case 'ConcatV2':
      return concat(x.slice(0, -1), x[x.length - 1].data[0]);
    case 'Reshape': {
      const count = x[0].data.length;
      const t = Array.from(x[1].data);
      const known = t.reduce((a, d) => (d === -1 ? a : a * d), 1);
      return { shape: t.map((d) => (d === -1 ? count / known : d)), data: x[0].data };
    }
    case 'MatMul': {
      const ta = attrB(n, 'transpose_a', false);
      const tb = attrB(n, 'transpose_b', false);
      const [m, k] = ta ? [x[0].shape[1], x[0].shape[0]] : x[0].shape;
      const nn = tb ? x[1].shape[0] : x[1].shape[1];
      const out = new Float64Array(m * nn);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < nn; j++) {
          let s = 0;
          for (let q = 0; q < k; q++) s += x[0].data[ta ? q * m + i : i * k + q] * x[1].data[tb ? j * k + q : q * nn + j];
          out[i * nn + j] = s;
        }
      return { shape: [m, nn], data: out };
    }
    case 'Softmax': {
      const last = x[0].shape[x[0].shape.length - 1];
      const out = new Float64Array(x[0].data.length);
      for (let r = 0; r < out.length / last; r++) {
        const row = x[0].data.subarray(r * last, (r + 1) * last);
        const mx = Math.max(...row);
        let s = 0;
        for (let j = 0; j < last; j++) s += Math.exp(row[j] - mx);
        for (let j = 0; j < last; j++) out[r * last + j] = Math.exp(row[j] - mx) / s;
      }
      return { shape: x[0].shape, data: out };
    }
    default:
      throw new Error(`reference: op ${n.op} not implemented`);
  }
}
