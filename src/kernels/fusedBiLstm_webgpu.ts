import * as tf from '@tensorflow/tfjs-core';
// Types only: importing the package itself would register tfjs's WebGPU backend.
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { BEHAVIOUR } from '../core/model/architecture';
import { type BiLstmRunner, type LstmOutputs, type ModelSpec, type WeightTensors, opsBiLstm } from '../core/model/attentionLstm';
import { type LstmStepShaderConfig, lstmStepShader, lstmStepShaderKey } from './lstmStep.wgsl';
import { webgpuLinear } from './matmul_webgpu';
import { LSTM_ORDER, type PackedLstmParams, gateInputsInOrder, packLstmParams, packingSource, sameSource } from './packing';

/**
 * The BiLSTM of the AttentionLSTM on tfjs's WebGPU backend as ONE dispatch per
 * time step (lstmStep.wgsl.ts) for all four LSTMs and the whole batch, instead
 * of about 15 small kernels per step per LSTM on the op path.
 *
 * The input projections G (large matMuls, computed by the caller before the loop)
 * are bound as they are; the recurrent weights are packed once per model. The
 * program writes every step into the same state tensor (runWebGPUProgram's
 * `output` argument), so the loop issues nothing but the T dispatches: no
 * slicing, stacking or copying per step. Afterwards four slices give the
 * per-frame outputs [B, T, D] the attention needs.
 *
 * The runner also carries `linear`, a register-tiled WebGPU matmul for the
 * embedding, the input projections and the head (matmul_webgpu.ts).
 *
 * Inference only: a custom program has no gradient, so while tfjs records
 * gradients (training) the runner is the op path; so it is on other backends.
 */

export interface FusedBiLstmOptions {
  /** Also run the model's large matrix products with the register-tiled program (matmul_webgpu.ts); default true. */
  customMatMul?: boolean;
  /** Videos per invocation; default: the batch size rounded up to a power of two, at most 8. */
  batchTile?: number;
  /** Units per invocation (fixed for the runner: the weights are packed for it); default 2. */
  units?: number;
  /** Values of k per iteration of the dot-product loop; default 8. */
  kUnroll?: number;
  /** Invocations per workgroup; default 64. */
  workgroupSize?: number;
}

export type FusedBiLstm = BiLstmRunner & {
  /** Releases the packed weights (the model's own weights are untouched). */
  dispose(): void;
};

class LstmStepProgram implements WebGPUProgram {
  variableNames = ['G0', 'G1', 'G2', 'G3', 'W', 'P', 'L'];
  variableComponents = [1, 1, 1, 1, 4, 4, 1];
  uniforms = 'step : i32,';
  outputShape: number[];
  shaderKey: string;
  // Only tfjs's generic helpers read this; the shader computes its own indices.
  dispatchLayout = { x: [3], y: [0], z: [1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];

  constructor(private readonly cfg: LstmStepShaderConfig, B: number, T: number) {
    this.outputShape = [4, B, T + 1, cfg.D];
    this.shaderKey = lstmStepShaderKey(cfg);
    this.workgroupSize = [cfg.WG, 1, 1];
    this.dispatch = [Math.ceil(cfg.D / (cfg.WG * cfg.U)), 4, Math.ceil(B / cfg.BT)];
  }

  getUserCode(): string {
    return lstmStepShader(this.cfg);
  }
}

/**
 * Videos per invocation: the batch rounded up to a power of two, at most 8.
 * Each batch tile reads the weights once per step (from cache after the first);
 * larger tiles measured slower on SwiftShader (bench/results/RESULTS.md).
 */
export function defaultBatchTile(B: number): number {
  let bt = 1;
  while (bt < B && bt < 8) bt *= 2;
  return bt;
}

/**
 * A BiLstmRunner for the WebGPU backend. Given `model`, its LSTM weights are
 * packed now; otherwise at the first call. A call with other weight tensors
 * (another model) repacks.
 */
export function createFusedBiLstm(model?: { weights: WeightTensors; spec: ModelSpec }, opts: FusedBiLstmOptions = {}): FusedBiLstm {
  const U = opts.units ?? 2;
  let packed: PackedLstmParams | null = null;
  let source: unknown[] | null = null;
  let warned = false;

  const pack = (w: WeightTensors, spec: ModelSpec): PackedLstmParams => {
    const src = packingSource(w, spec);
    if (!packed || !sameSource(source, src)) {
      release();
      // Kept out of any enclosing tf.tidy (forward() runs in one): the packing outlives the call.
      const p = packLstmParams(w, spec, 4 * U);
      tf.keep(p.W);
      tf.keep(p.P);
      packed = p;
      source = src;
    }
    return packed;
  };
  const release = () => {
    if (packed) tf.dispose([packed.W, packed.P]);
    packed = null;
    source = null;
  };

  const run: BiLstmRunner = (G, w, spec, geo) => {
    // Off WebGPU, or while tfjs records gradients (the program has none), the op path.
    if (tf.getBackend() !== 'webgpu' || tf.engine().isTapeOn()) return opsBiLstm(G, w, spec, geo);
    const backend = tf.backend() as WebGPUBackend;
    const { B, T } = geo;
    const D = spec.sizes.lstm;
    // The state [4, B, T+1, D] is one storage binding: past the device's limit, the op path
    // (whose tensors are per step) rather than a validation error and wrong numbers.
    const stateBytes = 16 * B * (T + 1) * D;
    if (stateBytes > backend.device.limits.maxStorageBufferBindingSize) {
      if (!warned) console.warn(`fused BiLSTM: ${B} videos of ${T} frames need a ${stateBytes >> 20} MB state buffer, over this device's limit; using the op path (use smaller batches)`);
      warned = true;
      return opsBiLstm(G, w, spec, geo);
    }
    const { W, P } = pack(w, spec);
    const beh = BEHAVIOUR[spec.variant];
    const cfg: LstmStepShaderConfig = {
      D,
      BT: opts.batchTile ?? defaultBatchTile(B),
      U,
      KU: opts.kUnroll ?? 8,
      WG: opts.workgroupSize ?? 64,
      peepholes: beh.peepholes,
      clamped: beh.clampedActivations,
    };
    const lengths = tf.tensor1d(Int32Array.from(geo.lengths), 'int32');
    const program = new LstmStepProgram(cfg, B, T);
    const inputs = [...gateInputsInOrder(G), W, P, lengths];
    let state: tf.TensorInfo | undefined;
    for (let k = 0; k < T; k++) {
      state = backend.runWebGPUProgram(program, inputs, 'float32', [{ type: 'int32', data: [k] }], state);
    }
    const stateT = tf.engine().makeTensorFromTensorInfo(state!) as tf.Tensor4D;
    const h = LSTM_ORDER.map((_, l) => tf.reshape(tf.slice(stateT, [l, 0, 0, 0], [1, B, T, D]), [B, T, D]) as tf.Tensor3D);
    tf.dispose([stateT, lengths]);
    const out: LstmOutputs = { rgb: { fw: h[0], bw: h[1] }, audio: { fw: h[2], bw: h[3] } };
    return out;
  };

  if (model) pack(model.weights, model.spec);
  return Object.assign(run, { dispose: release, linear: opts.customMatMul === false ? undefined : webgpuLinear });
}
