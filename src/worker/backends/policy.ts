import { adapterLabel, type AdapterSummary, type BackendChoice, type BackendName, type WeightLayout } from '../protocol';

/**
 * Which backend to run on, decided from what the user asked for and what the
 * WebGPU probe found. Pure, so every case is tested without a browser.
 */

/** What probing WebGPU found: an adapter, or why there is none. */
export interface WebGpuProbe {
  adapter: AdapterSummary | null;
  /** Why there is no adapter (no navigator.gpu, requestAdapter gave null or threw). */
  problem: string | null;
}

export interface BackendPlan {
  /** Backends to try, in order; the first that starts (and passes its self-test) is used. */
  order: BackendName[];
  /** Said on the page whatever happens next: why WebGPU is skipped, or that its adapter is software. */
  note: string | null;
}

export function planBackends(choice: BackendChoice, probe: WebGpuProbe): BackendPlan {
  const a = probe.adapter;
  const label = adapterLabel(a ? { ...a, isFallbackAdapter: false } : null);
  switch (choice) {
    case 'auto':
      if (a && !a.isFallbackAdapter) return { order: ['webgpu', 'wasm', 'cpu'], note: null };
      if (a) {
        return {
          order: ['wasm', 'cpu'],
          note: `The WebGPU adapter is a software fallback (${label}), slower than wasm, so auto runs on wasm. Pick webgpu to use it anyway.`,
        };
      }
      return { order: ['wasm', 'cpu'], note: `WebGPU is not available (${probe.problem ?? 'no adapter'}), so auto runs on wasm.` };
    case 'webgpu':
      if (a?.isFallbackAdapter) {
        return { order: ['webgpu', 'wasm', 'cpu'], note: `Running on a software WebGPU adapter (${label}): results are exact, but slower than on a GPU.` };
      }
      if (a) return { order: ['webgpu', 'wasm', 'cpu'], note: null };
      return { order: ['wasm', 'cpu'], note: `WebGPU was asked for but is not available (${probe.problem ?? 'no adapter'}); running on wasm instead.` };
    case 'wasm':
      return { order: ['wasm', 'cpu'], note: null };
    case 'cpu':
      return { order: ['cpu'], note: null };
  }
}

/** The note after backends in the plan failed to start: each failure, then where it ended up. */
export function fallbackNote(plan: BackendPlan, failures: readonly { backend: BackendName; message: string }[], active: BackendName): string | null {
  if (failures.length === 0) return plan.note;
  const failed = failures.map((f) => `${f.backend} failed to start (${f.message})`).join('; ');
  return `${failed}; running on ${active}.`;
}

/** Weights are stored [out, in] on WebGPU (matMul with transposeB is 10-15x faster there) and [in, out] elsewhere. */
export function layoutFor(backend: BackendName): WeightLayout {
  return backend === 'webgpu' ? 'out-in' : 'in-out';
}
