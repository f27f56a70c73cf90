/**
 * The stand-in Inception network written directly with tfjs ops, for the
 * benchmark and its test: what a person would write by hand for speed (each
 * convolution fused with its batch norm, folded into the weights at load, and
 * its Relu, as tfjs-converter does for frozen graphs), with the weights the
 * stand-in GraphDef holds. The interpreter is held to this: same outputs, and
 * at most 1.1x its time.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { NodeSpec, TensorSpec } from './tfGraph';

type T4 = tf.Tensor4D;

export interface DirectInception {
  /** [B, H, W, 3] integer pixels (int32 or float32) to [B, 2048]. */
  run(frames: tf.Tensor4D): tf.Tensor2D;
  dispose(): void;
}

export function directInception(nodes: readonly NodeSpec[]): DirectInception {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const value = (name: string): TensorSpec => (byName.get(name)!.attrs!.value as { tensor: TensorSpec }).tensor;
  const attr = <K extends string>(name: string, key: K) => byName.get(name)!.attrs![key];
  const owned: tf.Tensor[] = [];
  const keep = <X extends tf.Tensor>(t: X): X => {
    owned.push(t);
    return t;
  };
  const size = (value('ResizeBilinear/size').data as number[]).slice(0, 2) as [number, number];

  interface Conv {
    w: T4;
    b: tf.Tensor1D;
    strides: [number, number];
    pad: 'same' | 'valid';
  }
  const convs = new Map<string, Conv>();
  const convOf = (scope: string): Conv => {
    let c = convs.get(scope);
    if (c) return c;
    const W = value(`${scope}/conv2d_params`);
    const bn = `${scope}/batchnorm`;
    const cout = W.shape[3];
    const eps = (attr(bn, 'variance_epsilon') as { f: number }).f;
    const after = (attr(bn, 'scale_after_normalization') as { b: boolean }).b;
    const [m, v, beta, gamma] = ['moving_mean', 'moving_variance', 'beta', 'gamma'].map((k) => value(`${bn}/${k}`).data);
    const scale = Array.from({ length: cout }, (_, k) => (1 / Math.sqrt(v[k] + eps)) * (after ? gamma[k] : 1));
    const w = Float32Array.from(W.data as ArrayLike<number>, (x, i) => x * scale[i % cout]);
    const b = Float32Array.from({ length: cout }, (_, k) => beta[k] - m[k] * scale[k]);
    const node = byName.get(`${scope}/Conv2D`)!;
    const s = (node.attrs!.strides as { ints: number[] }).ints;
    c = {
      w: keep(tf.tensor4d(w, W.shape as [number, number, number, number])),
      b: keep(tf.tensor1d(b)),
      strides: [s[1], s[2]],
      pad: (node.attrs!.padding as { s: string }).s === 'SAME' ? 'same' : 'valid',
    };
    convs.set(scope, c);
    return c;
  };
  const conv = (x: T4, scope: string): T4 => {
    const c = convOf(scope);
    return tf.fused.conv2d({ x, filter: c.w, strides: c.strides, pad: c.pad, bias: c.b, activation: 'relu' });
  };
  const cat = (xs: T4[]) => tf.concat4d(xs, 3);
  const maxPool = (x: T4, k: number, s: number, pad: 'same' | 'valid') => tf.maxPool(x, k, s, pad);
  const avgPool = (x: T4, k: number, s: number, pad: 'same' | 'valid') => tf.avgPool(x, k, s, pad);

  const blockA = (x: T4, m: string) =>
    cat([
      conv(x, `${m}/conv`),
      conv(conv(x, `${m}/tower/conv`), `${m}/tower/conv_1`),
      conv(conv(conv(x, `${m}/tower_1/conv`), `${m}/tower_1/conv_1`), `${m}/tower_1/conv_2`),
      conv(avgPool(x, 3, 1, 'same'), `${m}/tower_2/conv`),
    ]);
  const blockC = (x: T4, m: string) => {
    let t1 = conv(x, `${m}/tower_1/conv`);
    for (const k of ['conv_1', 'conv_2', 'conv_3', 'conv_4']) t1 = conv(t1, `${m}/tower_1/${k}`);
    return cat([
      conv(x, `${m}/conv`),
      conv(conv(conv(x, `${m}/tower/conv`), `${m}/tower/conv_1`), `${m}/tower/conv_2`),
      t1,
      conv(avgPool(x, 3, 1, 'same'), `${m}/tower_2/conv`),
    ]);
  };
  const blockE = (x: T4, m: string, pool: 'avg' | 'max') => {
    const t = conv(x, `${m}/tower/conv`);
    const t1 = conv(conv(x, `${m}/tower_1/conv`), `${m}/tower_1/conv_1`);
    return cat([
      conv(x, `${m}/conv`),
      cat([conv(t, `${m}/tower/mixed/conv`), conv(t, `${m}/tower/mixed/conv_1`)]),
      cat([conv(t1, `${m}/tower_1/mixed/conv`), conv(t1, `${m}/tower_1/mixed/conv_1`)]),
      conv((pool === 'max' ? maxPool : avgPool)(x, 3, 1, 'same'), `${m}/tower_2/conv`),
    ]);
  };
  const finalPool = (attr('pool_3', 'ksize') as { ints: number[] }).ints[1];

  const run = (frames: tf.Tensor4D): tf.Tensor2D =>
    tf.tidy(() => {
      let x = tf.image.resizeBilinear(tf.cast(frames, 'float32'), size, false, false);
      x = tf.mul(tf.sub(x, 128), 1 / 128);
      x = conv(conv(conv(x, 'conv'), 'conv_1'), 'conv_2');
      x = maxPool(x, 3, 2, 'valid');
      x = conv(conv(x, 'conv_3'), 'conv_4');
      x = maxPool(x, 3, 2, 'valid');
      x = blockA(blockA(blockA(x, 'mixed'), 'mixed_1'), 'mixed_2');
      x = cat([
        conv(x, 'mixed_3/conv'),
        conv(conv(conv(x, 'mixed_3/tower/conv'), 'mixed_3/tower/conv_1'), 'mixed_3/tower/conv_2'),
        maxPool(x, 3, 2, 'valid'),
      ]);
      for (const m of ['mixed_4', 'mixed_5', 'mixed_6', 'mixed_7']) x = blockC(x, m);
      let t1 = conv(x, 'mixed_8/tower_1/conv');
      for (const k of ['conv_1', 'conv_2', 'conv_3']) t1 = conv(t1, `mixed_8/tower_1/${k}`);
      x = cat([conv(conv(x, 'mixed_8/tower/conv'), 'mixed_8/tower/conv_1'), t1, maxPool(x, 3, 2, 'valid')]);
      x = blockE(blockE(x, 'mixed_9', 'avg'), 'mixed_10', 'max');
      x = avgPool(x, finalPool, 1, 'valid');
      return tf.reshape(x, [frames.shape[0], 2048]) as tf.Tensor2D;
    });
  // Every weight uploaded before the first frame, as the interpreter's are.
  for (const n of nodes) if (n.op === 'Conv2D') convOf(n.name.replace(/\/Conv2D$/, ''));
  return { run, dispose: () => tf.dispose(owned) };
}
