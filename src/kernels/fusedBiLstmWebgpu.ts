/**
 * The BiLSTM of the AttentionLSTM on tfjs's WebGPU backend as ONE dispatch per
 * time step (lstmStep.wgsl.ts) for all four LSTMs and the whole batch, instead
 * of about 15 small kernels per step per LSTM on the op path.
 *
 * It runs on packed batches (packedBatch.ts in src/core/model): the input
 * projections G of the real frames only (large matMuls, computed by encode()
 * before the loop) are bound as they are; the recurrent weights are packed once
 * per model. The program writes every step into the same state tensor
 * (runWebGPUProgram's `output` argument), whose first part is the BiLSTM's
 * output per packed frame, [h_fw | h_bw], as the attention reads it: the loop
 * issues nothing but the T dispatches, and two slices end it.
 *
 * The runner also carries `linear`, a register-tiled WebGPU matmul for the
 * embedding, the input projections and the head (matmulWebgpu.ts).
 *
 * Inference only: a custom program has no gradient, so while tfjs records
 * gradients (training) encode() takes the op path (the runner's own function,
 * which is the padded op path); so it does on other backends.
 */
import * as tf from '@tensorflow/tfjs-core';
// Types only: importing the package itself would register tfjs's WebGPU backend.
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { BEHAVIOUR } from '../core/model/architecture';
import { type BiLstmRunner, type ModelSpec, type WeightTensors, opsPackedBiLstm, paddedOpsBiLstm } from '../core/model/attentionLstm';
import type { PackedBiLstm, PackedLayout, PackedLstmOutputs } from '../core/model/packedBatch';
import { type LstmStepShaderConfig, lstmStepShader, lstmStepShaderKey } from './lstmStep.wgsl';
import { webgpuLinear } from './matmulWebgpu';
import { LSTM_ORDER, type PackedLstmParams, packLstmParams, packingSource, sameSource } from './packing';

export interface FusedBiLstmOptions {
  /** Also run the model's large matrix products with the register-tiled program (matmulWebgpu.ts); default true. */
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
  packed: PackedBiLstm;
  /** Releases the packed weights (the model's own weights are untouched). */
  dispose(): void;
};

class LstmStepProgram implements WebGPUProgram {
  variableNames = ['G0', 'G1', 'G2', 'G3', 'W', 'P', 'R'];
  variableComponents = [1, 1, 1, 1, 4, 4, 1];
  uniforms = 'step : i32, B : i32, T : i32, N : i32,';
  outputShape: number[];
  shaderKey: string;
  // Only tfjs's generic helpers read this; the shader computes its own indices. (A layout
  // without y would make tfjs call main(index): the state is [1, S] for a layout with both.)
  dispatchLayout = { x: [1], y: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];

  constructor(
    private readonly cfg: LstmStepShaderConfig,
    B: number,
    N: number,
  ) {
    this.outputShape = [1, stateSize(cfg.D, B, N)];
    this.shaderKey = lstmStepShaderKey(cfg);
    this.workgroupSize = [cfg.WG, 1, 1];
    this.dispatch = [Math.ceil(cfg.D / (cfg.WG * cfg.U)), 4, Math.ceil(B / cfg.BT)];
  }

  getUserCode(): string {
    return lstmStepShader(this.cfg);
  }
}

/** Floats of the state: the two modalities' outputs [N, 2D], the cells [4, B, D], a zero row [D]. */
export function stateSize(D: number, B: number, N: number): number {
  return 4 * N * D + 4 * B * D + D;
}

/**
 * Videos per invocation: the batch rounded up to a power of two, at most 8.
 * Each batch tile reads the weights once per step (from cache after the first);
 * larger tiles measured slower on SwiftShader (bench/results/RESULTS.md).
 */
function defaultBatchTile(B: number): number {
  let bt = 1;
  while (bt < B && bt < 8) bt *= 2;
  return bt;
}

/** [each rank's length (B), each frame's first packed row (T + 1)]: the shader's R. */
export function rankTable(layout: PackedLayout): Int32Array {
  const r = new Int32Array(layout.B + layout.T + 1);
  r.set(layout.sortedLengths, 0);
  r.set(layout.offsets, layout.B);
  return r;
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

  const runPacked = (G: Parameters<PackedBiLstm['run']>[0], w: WeightTensors, spec: ModelSpec, layout: PackedLayout): PackedLstmOutputs => {
    const backend = tf.backend() as WebGPUBackend;
    const { B, T, N } = layout;
    const D = spec.sizes.lstm;
    // The state is one storage binding: past the device's limit, the op path
    // (whose tensors are per step) rather than a validation error and wrong numbers.
    const stateBytes = 4 * stateSize(D, B, N);
    if (stateBytes > backend.device.limits.maxStorageBufferBindingSize) {
      if (!warned)
        console.warn(
          `fused BiLSTM: ${B} videos of ${N} frames in all need a ${stateBytes >> 20} MB state buffer, over this device's limit; using the op path (use smaller batches)`,
        );
      warned = true;
      return opsPackedBiLstm.run(G, w, spec, layout);
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
    const ranks = tf.tensor1d(rankTable(layout), 'int32');
    const program = new LstmStepProgram(cfg, B, N);
    const inputs = [...LSTM_ORDER.map(({ m, d }) => G[m][d]), W, P, ranks];
    const shape = [B, T, N].map((x) => ({ type: 'int32', data: [x] }));
    let state: tf.TensorInfo | undefined;
    for (let k = 0; k < T; k++) {
      state = backend.runWebGPUProgram(program, inputs, 'float32', [{ type: 'int32', data: [k] }, ...shape], state);
    }
    const stateT = tf.engine().makeTensorFromTensorInfo(state!) as tf.Tensor2D;
    const out = (m: number) => tf.reshape(tf.slice(stateT, [0, m * N * 2 * D], [1, N * 2 * D]), [N, 2 * D]) as tf.Tensor2D;
    const result = { rgb: out(0), audio: out(1) };
    tf.dispose([stateT, ranks]);
    return result;
  };

  const linear = opts.customMatMul === false ? undefined : webgpuLinear;
  const packedRunner: PackedBiLstm = {
    // Off WebGPU, or while tfjs records gradients (the program has none), encode() takes the op path.
    available: () => tf.getBackend() === 'webgpu' && !tf.engine().isTapeOn(),
    run: runPacked,
    linear,
  };
  if (model) pack(model.weights, model.spec);
  // Called unpacked (training, or by a caller that wants padded outputs), it is the op path.
  const run: BiLstmRunner = (G, w, spec, geo) => paddedOpsBiLstm(G, w, spec, geo);
  return Object.assign(run, { dispose: release, linear, packed: packedRunner });
}
