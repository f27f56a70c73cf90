/**
 * Each op on its own, and small graphs of them, through the file format and
 * the interpreter, against the float64 reference: odd sizes, strides and
 * paddings, control inputs, both batch-norm flags, fused and not.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import { rng } from '../../../tools/testing/random';
import { constNode, ints, type NodeSpec, referenceRun, scalar, writeGraphDef } from '../../../tools/testing/tfGraph';
import { decodeGraphDef, TF_DTYPE } from './graphDef';
import { prepareGraph } from './prepare';
import { GraphRunner } from './runner';

const floats = (name: string, shape: number[], seed: number, lo = -1, hi = 1): NodeSpec => {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return constNode(name, { dtype: 'float32', shape, data: Float32Array.from({ length: n }, () => lo + (hi - lo) * r()) });
};

interface Case {
  name: string;
  /** The graph's nodes; the input is "x" (a float feed), the output "y". */
  nodes: NodeSpec[];
  input: number[];
  /** Integers 0..255 as a frame, or floats in [-2, 2]. */
  pixels?: boolean;
  fuse?: boolean;
}

const conv = (name: string, input: string, filter: string, stride: [number, number], padding: string): NodeSpec => ({
  name,
  op: 'Conv2D',
  inputs: [input, filter],
  attrs: { strides: { ints: [1, ...stride, 1] }, padding: { s: padding } },
});
const bn = (name: string, input: string, c: number, scaleAfter: boolean, seed: number): NodeSpec[] => [
  floats(`${name}/mean`, [c], seed, -0.5, 0.5),
  floats(`${name}/var`, [c], seed + 1, 0.2, 2),
  floats(`${name}/beta`, [c], seed + 2),
  floats(`${name}/gamma`, [c], seed + 3, 0.5, 1.5),
  {
    name,
    op: 'BatchNormWithGlobalNormalization',
    inputs: [input, `${name}/mean`, `${name}/var`, `${name}/beta`, `${name}/gamma`],
    attrs: { variance_epsilon: { f: 0.001 }, scale_after_normalization: { b: scaleAfter } },
  },
];
const pool = (name: string, op: string, input: string, k: [number, number], s: [number, number], padding: string): NodeSpec => ({
  name,
  op,
  inputs: [input],
  attrs: { ksize: { ints: [1, ...k, 1] }, strides: { ints: [1, ...s, 1] }, padding: { s: padding } },
});

const cases: Case[] = [];
for (const padding of ['SAME', 'VALID']) {
  for (const [kh, kw, sh, sw, h, w] of [
    [3, 3, 1, 1, 7, 9],
    [3, 3, 2, 2, 9, 8],
    [1, 7, 1, 1, 6, 11],
    [7, 1, 1, 1, 11, 5],
    [5, 5, 2, 3, 13, 10],
    [1, 1, 2, 2, 5, 5],
    [2, 2, 2, 2, 6, 7],
  ]) {
    cases.push({
      name: `Conv2D ${kh}x${kw} stride ${sh},${sw} ${padding} on ${h}x${w}`,
      nodes: [floats('f', [kh, kw, 3, 5], kh * 10 + kw), conv('y', 'x', 'f', [sh, sw], padding)],
      input: [1, h, w, 3],
    });
  }
  for (const op of ['MaxPool', 'AvgPool']) {
    for (const [k, s, h, w] of [
      [3, 1, 7, 6],
      [3, 2, 9, 8],
      [2, 2, 5, 7],
      [8, 1, 8, 8],
      [3, 3, 10, 11],
    ]) {
      if (padding === 'VALID' && (h < k || w < k)) continue;
      cases.push({
        name: `${op} ${k}x${k} stride ${s} ${padding} on ${h}x${w}`,
        nodes: [pool('y', op, 'x', [k, k], [s, s], padding)],
        input: [1, h, w, 4],
      });
    }
  }
}
for (const scaleAfter of [true, false]) {
  cases.push({
    name: `BatchNormWithGlobalNormalization, scale_after_normalization ${scaleAfter}`,
    nodes: bn('y', 'x', 6, scaleAfter, 7),
    input: [1, 3, 5, 6],
  });
  for (const fuse of [true, false]) {
    cases.push({
      name: `Conv2D, batch norm (scale_after_normalization ${scaleAfter}), CheckNumerics, Identity with a control input, Relu${fuse ? ', fused' : ''}`,
      nodes: [
        floats('f', [3, 3, 4, 6], 3),
        conv('c', 'x', 'f', [2, 2], 'SAME'),
        ...bn('b', 'c', 6, scaleAfter, 11),
        { name: 'check', op: 'CheckNumerics', inputs: ['b'], attrs: { message: { s: 'bn' } } },
        { name: 'dep', op: 'Identity', inputs: ['b', '^check'] },
        { name: 'y', op: 'Relu', inputs: ['dep'] },
      ],
      input: [1, 9, 7, 4],
      fuse,
    });
  }
}
for (const [h, w, oh, ow] of [
  [7, 5, 13, 17],
  [20, 30, 9, 7],
  [1, 1, 3, 3],
  [6, 6, 6, 6],
  [5, 9, 299, 299],
]) {
  cases.push({
    name: `ResizeBilinear ${h}x${w} to ${oh}x${ow} (TensorFlow 1.x: no half-pixel centers)`,
    nodes: [ints('size', [oh, ow]), { name: 'y', op: 'ResizeBilinear', inputs: ['x', 'size'], attrs: { align_corners: { b: false } } }],
    input: [1, h, w, 3],
    pixels: true,
  });
}
cases.push({
  name: 'ResizeBilinear with align_corners',
  input: [1, 5, 4, 2],
  nodes: [ints('size', [9, 7]), { name: 'y', op: 'ResizeBilinear', inputs: ['x', 'size'], attrs: { align_corners: { b: true } } }],
});
cases.push({
  name: 'the input stage: Cast, ExpandDims, ResizeBilinear, Sub, Mul',
  input: [11, 13, 3],
  pixels: true,
  nodes: [
    { name: 'cast', op: 'Cast', inputs: ['x'], attrs: { DstT: { type: TF_DTYPE.float } } },
    ints('dim', [0], []),
    { name: 'e', op: 'ExpandDims', inputs: ['cast', 'dim'] },
    ints('size', [8, 8]),
    { name: 'r', op: 'ResizeBilinear', inputs: ['e', 'size'] },
    scalar('s', 128),
    { name: 'sub', op: 'Sub', inputs: ['r', 's'] },
    scalar('m', 1 / 128),
    { name: 'y', op: 'Mul', inputs: ['sub', 'm'] },
  ],
});
cases.push({
  name: 'Concat with the axis first, of branches of different widths',
  input: [1, 5, 6, 3],
  nodes: [
    floats('f1', [1, 1, 3, 2], 1),
    conv('a', 'x', 'f1', [1, 1], 'SAME'),
    floats('f2', [3, 3, 3, 5], 2),
    conv('b', 'x', 'f2', [1, 1], 'SAME'),
    pool('p', 'AvgPool', 'x', [3, 3], [1, 1], 'SAME'),
    ints('axis', [3], []),
    { name: 'y', op: 'Concat', inputs: ['axis', 'a', 'b', 'p'], attrs: { N: { i: 3 } } },
  ],
});
cases.push({
  name: 'ConcatV2 (axis last) and a negative axis',
  input: [1, 4, 4, 2],
  nodes: [
    { name: 'r', op: 'Relu', inputs: ['x'] },
    ints('axis', [-1], []),
    { name: 'y', op: 'ConcatV2', inputs: ['x', 'r', 'axis'], attrs: { N: { i: 2 } } },
  ],
});
cases.push({
  name: 'Reshape (with -1), MatMul, BiasAdd, Softmax',
  input: [1, 2, 2, 3],
  nodes: [
    ints('shape', [1, -1]),
    { name: 'flat', op: 'Reshape', inputs: ['x', 'shape'] },
    floats('w', [12, 5], 4),
    { name: 'mm', op: 'MatMul', inputs: ['flat', 'w'] },
    floats('b', [5], 5),
    { name: 'logits', op: 'BiasAdd', inputs: ['mm', 'b'] },
    { name: 'y', op: 'Softmax', inputs: ['logits'] },
  ],
});
cases.push({
  name: 'MatMul with transpose_b, Add of a per-channel constant',
  input: [3, 4],
  nodes: [
    floats('w', [6, 4], 9),
    { name: 'mm', op: 'MatMul', inputs: ['x', 'w'], attrs: { transpose_b: { b: true } } },
    floats('c', [6], 8),
    { name: 'y', op: 'Add', inputs: ['mm', 'c'] },
  ],
});
cases.push({
  name: 'constants as value lists and splats, float64 constants',
  input: [1, 3, 3, 2],
  nodes: [
    constNode('k', { dtype: 'float32', shape: [2, 2, 2, 3], data: [0.5], storage: 'splat' }),
    conv('c', 'x', 'k', [1, 1], 'VALID'),
    constNode('d', { dtype: 'float64', shape: [3], data: [0.25, -1.5, 2], storage: 'values' }),
    { name: 'y', op: 'Mul', inputs: ['c', 'd'] },
  ],
});

function feed(shape: number[], pixels: boolean, seed: number): Float64Array {
  const r = rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return Float64Array.from({ length: n }, () => (pixels ? Math.floor(r() * 256) : Math.fround(r() * 4 - 2)));
}

describe.each(['wasm', 'cpu'] as const)('each op on tfjs %s against the float64 reference', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(cases)('$name', async (c) => {
    const bytes = writeGraphDef([{ name: 'x', op: 'Placeholder' }, ...c.nodes]);
    const g = prepareGraph(decodeGraphDef(bytes, 'ops.pb'), 'ops.pb', {
      input: 'x:0',
      output: 'y:0',
      sampleInputShape: c.input,
      fuse: c.fuse,
    });
    const x = feed(c.input, c.pixels ?? false, 42);
    const want = referenceRun(c.nodes, 'x', { shape: c.input, data: x }, 'y');
    const runner = new GraphRunner(g);
    const before = tf.memory().numTensors;
    const input = tf.tensor(Float32Array.from(x), c.input, 'float32');
    const out = runner.run([input]);
    expect(out.shape).toEqual(want.shape);
    const got = await out.data();
    let scale = 1;
    for (const v of want.data) scale = Math.max(scale, Math.abs(v));
    let diff = 0;
    for (let i = 0; i < got.length; i++) diff = Math.max(diff, Math.abs(got[i] - want.data[i]));
    expect(diff / scale).toBeLessThan(2e-6);
    tf.dispose([out, input]);
    expect(tf.memory().numTensors).toBe(before);
    runner.dispose();
  });
});
