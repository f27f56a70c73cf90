import * as tf from '@tensorflow/tfjs-core';
import { BATCH_BUDGET_BYTES } from '../../core/model/batching';
// Importing the package registers tfjs's own 'webgpu' factory; startWebGpu replaces it with
// one that uses a device we hold, so that we can listen to its errors and its loss.
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { type BiLstmRunner, forward } from '../../core/model/attentionLstm';
import { createFusedBiLstm } from '../../kernels/fusedBiLstmWebgpu';
import { isSoftwareAdapter, releaseFreeBuffers, startTfjsWebGpu } from '../../kernels/tfjsWebGpu';
import { type LoadedModel, batchInput } from '../../core/model/model';
import type { AdapterSummary } from '../../protocol/protocol';
import type { WebGpuProbe } from './backendPolicy';
import { BackendFault, type BackendHandle, type FaultListener } from './types';

/** Asks the browser for a WebGPU adapter; never throws. */
export async function probeWebGpu(): Promise<WebGpuProbe & { gpuAdapter: GPUAdapter | null }> {
  const gpu = (self.navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { adapter: null, gpuAdapter: null, problem: 'this browser exposes no navigator.gpu' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch (e) {
    return { adapter: null, gpuAdapter: null, problem: `requestAdapter failed: ${(e as Error)?.message ?? e}` };
  }
  if (!adapter) return { adapter: null, gpuAdapter: null, problem: 'the browser found no WebGPU adapter' };
  return { adapter: summarize(adapter), gpuAdapter: adapter, problem: null };
}

/** A browser's WebGPU message is several lines of call stack: the first says what happened. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').trim().replace(/\.$/, '');
}

function summarize(adapter: GPUAdapter): AdapterSummary {
  const info = adapter.info as GPUAdapterInfo | undefined;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: isSoftwareAdapter(adapter),
  };
}

/**
 * Starts tfjs's WebGPU backend on a device of `adapter`. The device's
 * `uncapturederror` events and its loss are reported to `onFault`; `guard`
 * also wraps each run in error scopes, so that a run whose commands failed
 * is rejected rather than trusted (tfjs itself returns garbage silently).
 */
export async function startWebGpu(adapter: GPUAdapter, onFault: FaultListener): Promise<BackendHandle> {
  let disposed = false;
  let faults = 0;
  let lastFault = '';
  const fault = (message: string) => {
    if (disposed) return;
    faults++;
    lastFault = message;
    onFault(message);
  };
  const device = await startTfjsWebGpu(adapter, (d) => {
    d.addEventListener('uncapturederror', (ev) => fault(`WebGPU error: ${firstLine((ev as GPUUncapturedErrorEvent).error.message)}`));
    void d.lost.then((info) => {
      const detail = info.message ? `: ${info.message.replace(/\.$/, '')}` : '';
      fault(`the WebGPU device was lost (${info.reason}${detail})`);
    });
  }).catch((e) => {
    // The device tfjs refused is gone: its loss is no fault to report.
    disposed = true;
    throw e;
  });
  const software = isSoftwareAdapter(adapter);

  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (faults > 0) throw new BackendFault(lastFault);
    const before = faults;
    device.pushErrorScope('internal');
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    let result: T;
    try {
      result = await fn();
    } finally {
      const errors = await Promise.all([device.popErrorScope(), device.popErrorScope(), device.popErrorScope()]).catch((e) => [
        e as GPUError,
      ]);
      const first = errors.find((e) => e);
      if (first) fault(`WebGPU error: ${firstLine(first.message)}`);
    }
    if (faults !== before) throw new BackendFault(lastFault);
    // Each run's buffers, of its own sizes, would otherwise stay pooled for good.
    releaseFreeBuffers();
    return result;
  };

  return {
    name: 'webgpu',
    layout: 'out-in',
    adapter: summarize(adapter),
    threads: null,
    guard,
    // On a software adapter a step costs its dispatches for a small model and its arithmetic for a full-size one:
    // batches (packed, so without padding) save the first and cost nothing of the second (bench:scale).
    batchSize: software ? 32 : 64,
    // Larger batches are faster here (a shard on SwiftShader: docs/benchmarks.md).
    batchBudgetBytes: BATCH_BUDGET_BYTES,
    occlusionBatchSize: software ? 1 : 32,
    prepare: (model) =>
      guard(async () => {
        const fused = createFusedBiLstm(model);
        try {
          await compilePipelines(model, fused);
        } catch (e) {
          fused.dispose();
          throw e;
        }
        return { biLstm: fused, dispose: () => fused.dispose() };
      }),
    dispose: () => {
      if (disposed) return;
      disposed = true;
      try {
        tf.removeBackend('webgpu');
      } catch {
        // A lost device can make the backend's own disposal throw; it is being dropped anyway.
      }
      device.destroy();
    },
  };
}

/**
 * Video lengths whose forward passes, together, need every pipeline that a
 * single video of any length 1..300 needs: tfjs keys pipelines on shape traits
 * (divisibility by 4, how concat splits its inputs, tile thresholds at 32, 64, 128),
 * found by compiling each length and watching the pipeline cache grow.
 */
const WARMUP_LENGTHS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 32, 33, 64, 128];

/**
 * Compiles the model's WebGPU pipelines without running them: tfjs's compile-only
 * mode records every kernel of a forward pass and compiles its pipeline in
 * parallel (createComputePipelineAsync), executing nothing. On a software adapter
 * each pipeline takes about half a second to compile, so doing it once here
 * keeps it out of the time between a drop and its probabilities.
 */
async function compilePipelines(model: LoadedModel, biLstm: BiLstmRunner): Promise<void> {
  const backend = tf.backend() as WebGPUBackend;
  tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', true);
  try {
    for (const T of WARMUP_LENGTHS) {
      const { rgbDim, audioDim } = model.meta.sizes;
      const input = batchInput(
        [
          {
            file: '',
            index: 0,
            id: 'warm-up',
            frames: T,
            rgbDim,
            audioDim,
            rgb: new Float32Array(T * rgbDim),
            audio: new Float32Array(T * audioDim),
          },
        ],
        model.spec,
        biLstm,
      );
      const out = forward(model.weights, model.spec, input, biLstm);
      tf.dispose([input.rgb, input.audio, out.logits, out.probabilities, out.attention.rgb, out.attention.audio, out.pooled]);
    }
    await backend.checkCompileCompletionAsync();
  } finally {
    tf.env().set('WEBGPU_ENGINE_COMPILE_ONLY', false);
  }
}

/**
 * For the e2e test of recovery: loses the device as a driver crash would, or
 * makes a validation error outside any guarded run (reported through the
 * device's uncapturederror event, as a faulty kernel's would be).
 */
export async function breakWebGpu(how: 'lose-device' | 'validation-error'): Promise<boolean> {
  if (tf.getBackend() !== 'webgpu') return false;
  const { device } = tf.backend() as WebGPUBackend;
  if (how === 'lose-device') {
    device.destroy();
  } else {
    device.createBuffer({ size: 4, usage: 0 }); // no usage flags: invalid
    // The browser delivers the error when the device next does work.
    device.queue.submit([]);
    await device.queue.onSubmittedWorkDone();
  }
  return true;
}
