/**
 * A stand-in for `classify_image_graph_def.pb`, built at test time: the
 * published graph's node names, ops and wiring (Inception-v3 of 2015: the
 * input's Cast, ExpandDims, ResizeBilinear to 299x299, Sub, Mul; every
 * convolution as Conv2D, BatchNormWithGlobalNormalization, CheckNumerics, an
 * Identity with a control input `^CheckNumerics`, Relu; the mixed blocks'
 * Concats with the axis first; `pool_3` and `pool_3/_reshape`; the softmax
 * head off the path; `DecodeJpeg` itself), with seeded random weights.
 *
 * 'full' has the real layer shapes (23.9 M parameters on the path, 299x299);
 * 'small' the same graph with every width divided by 8 (the last block's
 * outputs kept, so that it still gives 2048 features) at 107x107, for tests
 * that run many frames.
 */
import { TF_DTYPE } from '../../src/core/tfgraph/graphDef';
import { rng } from './random';
import { constNode, ints, type NodeSpec, scalar, writeGraphDef } from './tfGraph';

export interface StandInOptions {
  size: 'full' | 'small';
  seed: number;
  /** scale_after_normalization of the batch norms: one value for all, or alternating (the default: both kinds in one graph). */
  scaleAfter?: boolean | 'alternate';
}

export interface StandIn {
  nodes: NodeSpec[];
  bytes: Uint8Array;
  imageSize: number;
  /** Parameters on the way to pool_3 (the softmax head left out). */
  parameters: number;
}

type Pad = 'SAME' | 'VALID';

export function inceptionStandIn(opts: StandInOptions): StandIn {
  const full = opts.size === 'full';
  const imageSize = full ? 299 : 107;
  const w = (c: number) => (full ? c : Math.max(2, Math.round(c / 8)));
  const r = rng(opts.seed);
  const uniform = (n: number, a: number, b: number) => Float32Array.from({ length: n }, () => a + (b - a) * r());
  const nodes: NodeSpec[] = [];
  let parameters = 0;
  let convIndex = 0;
  const float = (name: string, shape: number[], data: Float32Array) => {
    parameters += data.length;
    nodes.push(constNode(name, { dtype: 'float32', shape, data }));
  };
  const strides = (s: number) => ({ ints: [1, s, s, 1] });

  // The input: DecodeJpeg (fed, never run) and the graph's own preprocessing.
  nodes.push({ name: 'DecodeJpeg/contents', op: 'Const', attrs: { dtype: { type: TF_DTYPE.string } } });
  nodes.push({ name: 'DecodeJpeg', op: 'DecodeJpeg', inputs: ['DecodeJpeg/contents'], attrs: { channels: { i: 3 }, ratio: { i: 1 } } });
  nodes.push({
    name: 'Cast',
    op: 'Cast',
    inputs: ['DecodeJpeg'],
    attrs: { SrcT: { type: TF_DTYPE.uint8 }, DstT: { type: TF_DTYPE.float } },
  });
  nodes.push(ints('ExpandDims/dim', [0], []));
  nodes.push({ name: 'ExpandDims', op: 'ExpandDims', inputs: ['Cast', 'ExpandDims/dim'] });
  nodes.push(ints('ResizeBilinear/size', [imageSize, imageSize]));
  nodes.push({
    name: 'ResizeBilinear',
    op: 'ResizeBilinear',
    inputs: ['ExpandDims', 'ResizeBilinear/size'],
    attrs: { align_corners: { b: false } },
  });
  nodes.push(scalar('Sub/y', 128));
  nodes.push({ name: 'Sub', op: 'Sub', inputs: ['ResizeBilinear', 'Sub/y'] });
  nodes.push(scalar('Mul/y', 1 / 128));
  nodes.push({ name: 'Mul', op: 'Mul', inputs: ['Sub', 'Mul/y'] });

  /** A convolution as the 2015 graph writes one; returns its output's name and channels. */
  const conv = (
    scope: string,
    input: [string, number],
    kh: number,
    kw: number,
    cout: number,
    stride = 1,
    pad: Pad = 'VALID',
  ): [string, number] => {
    const cin = input[1];
    const fanIn = kh * kw * cin;
    const a = Math.sqrt(6 / fanIn);
    float(`${scope}/conv2d_params`, [kh, kw, cin, cout], uniform(kh * kw * cin * cout, -a, a));
    nodes.push({
      name: `${scope}/Conv2D`,
      op: 'Conv2D',
      inputs: [input[0], `${scope}/conv2d_params`],
      attrs: { strides: strides(stride), padding: { s: pad }, use_cudnn_on_gpu: { b: true }, T: { type: TF_DTYPE.float } },
    });
    const bn = `${scope}/batchnorm`;
    float(`${bn}/beta`, [cout], uniform(cout, -0.2, 0.2));
    float(`${bn}/gamma`, [cout], uniform(cout, 0.6, 1.4));
    float(`${bn}/moving_mean`, [cout], uniform(cout, -0.2, 0.2));
    float(`${bn}/moving_variance`, [cout], uniform(cout, 0.6, 1.4));
    const scaleAfter = opts.scaleAfter === undefined || opts.scaleAfter === 'alternate' ? convIndex % 2 === 0 : opts.scaleAfter;
    convIndex++;
    nodes.push({
      name: bn,
      op: 'BatchNormWithGlobalNormalization',
      inputs: [`${scope}/Conv2D`, `${bn}/moving_mean`, `${bn}/moving_variance`, `${bn}/beta`, `${bn}/gamma`],
      attrs: { variance_epsilon: { f: 0.001 }, scale_after_normalization: { b: scaleAfter }, T: { type: TF_DTYPE.float } },
    });
    nodes.push({ name: `${scope}/CheckNumerics`, op: 'CheckNumerics', inputs: [bn], attrs: { message: { s: 'batchnorm output' } } });
    nodes.push({ name: `${scope}/control_dependency`, op: 'Identity', inputs: [bn, `^${scope}/CheckNumerics`] });
    nodes.push({ name: scope, op: 'Relu', inputs: [`${scope}/control_dependency`] });
    return [scope, cout];
  };
  const poolNode = (
    name: string,
    op: 'MaxPool' | 'AvgPool',
    input: [string, number],
    k: number,
    stride: number,
    pad: Pad,
  ): [string, number] => {
    nodes.push({ name, op, inputs: [input[0]], attrs: { ksize: { ints: [1, k, k, 1] }, strides: strides(stride), padding: { s: pad } } });
    return [name, input[1]];
  };
  const join = (name: string, parts: [string, number][]): [string, number] => {
    nodes.push(ints(`${name}/concat_dim`, [3], []));
    nodes.push({ name, op: 'Concat', inputs: [`${name}/concat_dim`, ...parts.map((p) => p[0])], attrs: { N: { i: parts.length } } });
    return [name, parts.reduce((s, p) => s + p[1], 0)];
  };

  let x: [string, number] = ['Mul', 3];
  x = conv('conv', x, 3, 3, w(32), 2);
  x = conv('conv_1', x, 3, 3, w(32));
  x = conv('conv_2', x, 3, 3, w(64), 1, 'SAME');
  x = poolNode('pool', 'MaxPool', x, 3, 2, 'VALID');
  x = conv('conv_3', x, 1, 1, w(80));
  x = conv('conv_4', x, 3, 3, w(192));
  x = poolNode('pool_1', 'MaxPool', x, 3, 2, 'VALID');

  const blockA = (m: string, input: [string, number], poolProj: number): [string, number] =>
    join(`${m}/join`, [
      conv(`${m}/conv`, input, 1, 1, w(64)),
      conv(`${m}/tower/conv_1`, conv(`${m}/tower/conv`, input, 1, 1, w(48)), 5, 5, w(64), 1, 'SAME'),
      conv(
        `${m}/tower_1/conv_2`,
        conv(`${m}/tower_1/conv_1`, conv(`${m}/tower_1/conv`, input, 1, 1, w(64)), 3, 3, w(96), 1, 'SAME'),
        3,
        3,
        w(96),
        1,
        'SAME',
      ),
      conv(`${m}/tower_2/conv`, poolNode(`${m}/tower_2/pool`, 'AvgPool', input, 3, 1, 'SAME'), 1, 1, w(poolProj)),
    ]);
  x = blockA('mixed', x, 32);
  x = blockA('mixed_1', x, 64);
  x = blockA('mixed_2', x, 64);
  x = join('mixed_3/join', [
    conv('mixed_3/conv', x, 3, 3, w(384), 2),
    conv(
      'mixed_3/tower/conv_2',
      conv('mixed_3/tower/conv_1', conv('mixed_3/tower/conv', x, 1, 1, w(64)), 3, 3, w(96), 1, 'SAME'),
      3,
      3,
      w(96),
      2,
    ),
    poolNode('mixed_3/pool', 'MaxPool', x, 3, 2, 'VALID'),
  ]);
  const blockC = (m: string, input: [string, number], c: number): [string, number] => {
    const t = conv(`${m}/tower/conv_1`, conv(`${m}/tower/conv`, input, 1, 1, w(c)), 1, 7, w(c), 1, 'SAME');
    let t1 = conv(`${m}/tower_1/conv`, input, 1, 1, w(c));
    t1 = conv(`${m}/tower_1/conv_1`, t1, 7, 1, w(c), 1, 'SAME');
    t1 = conv(`${m}/tower_1/conv_2`, t1, 1, 7, w(c), 1, 'SAME');
    t1 = conv(`${m}/tower_1/conv_3`, t1, 7, 1, w(c), 1, 'SAME');
    return join(`${m}/join`, [
      conv(`${m}/conv`, input, 1, 1, w(192)),
      conv(`${m}/tower/conv_2`, t, 7, 1, w(192), 1, 'SAME'),
      conv(`${m}/tower_1/conv_4`, t1, 1, 7, w(192), 1, 'SAME'),
      conv(`${m}/tower_2/conv`, poolNode(`${m}/tower_2/pool`, 'AvgPool', input, 3, 1, 'SAME'), 1, 1, w(192)),
    ]);
  };
  x = blockC('mixed_4', x, 128);
  x = blockC('mixed_5', x, 160);
  x = blockC('mixed_6', x, 160);
  x = blockC('mixed_7', x, 192);
  {
    const t1 = conv(
      'mixed_8/tower_1/conv_2',
      conv('mixed_8/tower_1/conv_1', conv('mixed_8/tower_1/conv', x, 1, 1, w(192)), 1, 7, w(192), 1, 'SAME'),
      7,
      1,
      w(192),
      1,
      'SAME',
    );
    x = join('mixed_8/join', [
      conv('mixed_8/tower/conv_1', conv('mixed_8/tower/conv', x, 1, 1, w(192)), 3, 3, w(320), 2),
      conv('mixed_8/tower_1/conv_3', t1, 3, 3, w(192), 2),
      poolNode('mixed_8/pool', 'MaxPool', x, 3, 2, 'VALID'),
    ]);
  }
  // The last two blocks; the last one's outputs keep their real widths in the small graph, so that it still gives 2048 features.
  const blockE = (m: string, input: [string, number], poolOp: 'AvgPool' | 'MaxPool', last: boolean): [string, number] => {
    const o = (c: number) => (last ? c : w(c));
    const t = conv(`${m}/tower/conv`, input, 1, 1, w(384));
    const t1 = conv(`${m}/tower_1/conv_1`, conv(`${m}/tower_1/conv`, input, 1, 1, w(448)), 3, 3, w(384), 1, 'SAME');
    return join(`${m}/join`, [
      conv(`${m}/conv`, input, 1, 1, o(320)),
      join(`${m}/tower/mixed`, [
        conv(`${m}/tower/mixed/conv`, t, 1, 3, o(384), 1, 'SAME'),
        conv(`${m}/tower/mixed/conv_1`, t, 3, 1, o(384), 1, 'SAME'),
      ]),
      join(`${m}/tower_1/mixed`, [
        conv(`${m}/tower_1/mixed/conv`, t1, 1, 3, o(384), 1, 'SAME'),
        conv(`${m}/tower_1/mixed/conv_1`, t1, 3, 1, o(384), 1, 'SAME'),
      ]),
      // The published graph's last block pools with a max, not an average (as FID's re-implementations of it note).
      conv(`${m}/tower_2/conv`, poolNode(`${m}/tower_2/pool`, poolOp, input, 3, 1, 'SAME'), 1, 1, o(192)),
    ]);
  };
  x = blockE('mixed_9', x, 'AvgPool', false);
  x = blockE('mixed_10', x, 'MaxPool', true);
  const finalSize = full ? 8 : 2;
  poolNode('pool_3', 'AvgPool', x, finalSize, 1, 'VALID');
  nodes.push(ints('pool_3/_reshape/shape', [1, 2048]));
  nodes.push({ name: 'pool_3/_reshape', op: 'Reshape', inputs: ['pool_3', 'pool_3/_reshape/shape'] });
  // The softmax head, off the way to pool_3/_reshape (1008 classes, as published).
  const classes = full ? 1008 : 16;
  nodes.push(constNode('softmax/weights', { dtype: 'float32', shape: [2048, classes], data: uniform(2048 * classes, -0.02, 0.02) }));
  nodes.push(constNode('softmax/biases', { dtype: 'float32', shape: [classes], data: uniform(classes, -0.1, 0.1) }));
  nodes.push({
    name: 'softmax/logits/MatMul',
    op: 'MatMul',
    inputs: ['pool_3/_reshape', 'softmax/weights'],
    attrs: { transpose_a: { b: false }, transpose_b: { b: false } },
  });
  nodes.push({ name: 'softmax/logits', op: 'BiasAdd', inputs: ['softmax/logits/MatMul', 'softmax/biases'] });
  nodes.push({ name: 'softmax', op: 'Softmax', inputs: ['softmax/logits'] });
  return { nodes, bytes: writeGraphDef(nodes), imageSize, parameters };
}
