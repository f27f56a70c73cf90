/**
 * The model's large matrix products (embedding, input projections, head) as a
 * register-tiled WebGPU program (matmul.wgsl.ts): a drop-in `linear`.
 * Off WebGPU, or while tfjs records gradients (a custom program has none), it
 * is the op path's `linear`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { type LinearFn, type WeightLayout, linear } from '../core/model/attentionLstm';
import { type MatMulShaderConfig, matMulShader, matMulShaderKey } from './matmul.wgsl';

class MatMulProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];

  constructor(
    private readonly cfg: MatMulShaderConfig,
    M: number,
    N: number,
  ) {
    this.variableNames = cfg.bias ? ['X', 'W', 'bias'] : ['X', 'W'];
    this.outputShape = [M, N];
    this.shaderKey = matMulShaderKey(cfg);
    this.workgroupSize = [cfg.WG, 1, 1];
    this.dispatch = [Math.ceil(N / (cfg.RN * cfg.WG)), Math.ceil(M / cfg.RM), 1];
  }

  getUserCode(): string {
    return matMulShader(this.cfg);
  }
}

/** Rows per invocation: a tall tile for many rows, one row for a vector. */
function matMulTile(M: number): { RM: number; RN: number } {
  if (M >= 16) return { RM: 16, RN: 8 };
  if (M >= 4) return { RM: 4, RN: 16 };
  return { RM: 1, RN: 16 };
}

export function matMulWebGpu(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor | null, layout: WeightLayout): tf.Tensor2D {
  const [M, K] = x.shape;
  const N = layout === 'out-in' ? w.shape[0] : w.shape[1];
  const K2 = layout === 'out-in' ? w.shape[1] : w.shape[0];
  if (K !== K2) throw new Error(`matMulWebGpu: x is [${x.shape}] but w is [${w.shape}] (${layout})`);
  const cfg: MatMulShaderConfig = { ...matMulTile(M), layout, bias: !!b, WG: 64 };
  const program = new MatMulProgram(cfg, M, N);
  const backend = tf.backend() as WebGPUBackend;
  const out = backend.runWebGPUProgram(program, b ? [x, w, b] : [x, w], 'float32');
  return tf.engine().makeTensorFromTensorInfo(out) as tf.Tensor2D;
}

export const webgpuLinear: LinearFn = (x, w, b, layout) => {
  if (tf.getBackend() !== 'webgpu' || tf.engine().isTapeOn() || w.rank !== 2 || (b && b.rank !== 1)) return linear(x, w, b, layout);
  // An output over the device's binding limit is tfjs's to split (or to fail on) as it would anyway.
  const N = (layout === 'out-in' ? w.shape[0] : w.shape[1]) ?? 0;
  const limit = (tf.backend() as WebGPUBackend).device.limits.maxStorageBufferBindingSize;
  if (4 * x.shape[0] * N > limit) return linear(x, w, b, layout);
  return matMulWebGpu(x, w as tf.Tensor2D, b, layout);
};
