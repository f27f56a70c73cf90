import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

/** Whether the adapter is a software implementation (SwiftShader): older Chromes say so on the adapter, newer in its info. */
export function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  return Boolean(info?.isFallbackAdapter ?? legacy ?? false);
}

/**
 * Starts tfjs's WebGPU backend on a device of `adapter` that we hold, as the
 * page runs it (the worker and the kernels' test page alike): the adapter's
 * own limits, so that full-size weights fit one binding; `listen` is called
 * with the device before tfjs touches it, so that no error goes unheard.
 * The device is destroyed again when tfjs cannot start on it.
 */
export async function startTfjsWebGpu(adapter: GPUAdapter, listen: (device: GPUDevice) => void): Promise<GPUDevice> {
  const l = adapter.limits;
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxBufferSize: l.maxBufferSize,
      maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
    },
  });
  listen(device);
  // tfjs picks a matMul kernel per shape, tuned for GPUs; on a software adapter its reduction
  // kernels (workgroup barriers) are far slower than the tiled one (docs/benchmarks.md), so use that one always.
  tf.env().set('WEBGPU_MATMUL_PROGRAM_TYPE', isSoftwareAdapter(adapter) ? MATMUL_PACKED : -1);
  // Not tf.findBackend: it would initialise the backend it finds (tfjs's own, on a device of its own).
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => keepShaderKeys(new WebGPUBackend(device, adapter.info)), 3);
  let ok = false;
  try {
    ok = await tf.setBackend('webgpu');
  } finally {
    if (!ok) device.destroy();
  }
  if (!ok) throw new Error('tfjs could not start its WebGPU backend');
  await tf.ready();
  return device;
}

/** tfjs-backend-webgpu's MatMulProgramType.MatMulPackedProgram. */
const MATMUL_PACKED = 3;

/**
 * runWebGPUProgram extends `program.shaderKey` in place with the inputs' traits.
 * tfjs makes a new program object per op, so that is harmless there; but a custom
 * program object dispatched again and again (the fused LSTM's one per time step)
 * would get a longer key, and so a newly compiled pipeline, on every call. This
 * gives each program object its original key back before each call.
 */
function keepShaderKeys(backend: WebGPUBackend): WebGPUBackend {
  const original = new WeakMap<object, string>();
  const run = backend.runWebGPUProgram.bind(backend);
  backend.runWebGPUProgram = (program, ...rest) => {
    const key = original.get(program);
    if (key === undefined) original.set(program, program.shaderKey);
    else program.shaderKey = key;
    return run(program, ...rest);
  };
  return backend;
}

/** What releaseFreeBuffers touches of tfjs's BufferManager (private there, stable across 4.x). */
interface BufferPool {
  freeBuffers: Map<string, GPUBuffer[]>;
  numFreeBuffers: number;
  numBytesAllocated: number;
  numBytesUsed: number;
}

/**
 * tfjs keeps every GPU buffer a disposed tensor leaves, for reuse by a tensor
 * of exactly the same size. Packed batches are each of their own size, so the
 * pool only grows: 2.5 GB after one 1,000-video shard on SwiftShader. Its
 * buffers are destroyed here (between runs; work already submitted
 * completes). Returns the bytes released.
 */
export function releaseFreeBuffers(): number {
  if (tf.getBackend() !== 'webgpu') return 0;
  const backend = tf.backend() as unknown as { bufferManager: BufferPool; commandEncoder: GPUCommandEncoder | null; submitQueue(): void };
  const pool = backend.bufferManager;
  if (pool.numBytesAllocated <= pool.numBytesUsed) return 0;
  // tfjs pools the buffer of a tensor disposed while commands it feeds are still being encoded
  // (it stays valid for reuse): those commands are submitted first, as destroying it before would fail them.
  if (backend.commandEncoder) backend.submitQueue();
  let released = 0;
  for (const buffers of pool.freeBuffers.values()) {
    for (const b of buffers) {
      released += b.size;
      b.destroy();
    }
    // The (empty) lists stay: tfjs skips pooling altogether once the map is empty.
    buffers.length = 0;
  }
  pool.numFreeBuffers = 0;
  pool.numBytesAllocated -= released;
  return released;
}
