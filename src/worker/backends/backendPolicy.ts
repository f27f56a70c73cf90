/**
 * Which backend to run on, decided from what the user asked for and what the
 * WebGPU probe found: the backends of BACKEND_NAMES from the one asked for on,
 * in order, WebGPU only where it can run. Pure, so every case is tested
 * without a browser.
 */
import { needsGpu } from '../../core/backends';
import { adapterLabel, type AdapterSummary, BACKEND_NAMES, type BackendChoice, type BackendName } from '../../protocol/protocol';

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

/** The backends from `first` on, in order of preference, without those that need a GPU adapter. */
function from(first: BackendName): BackendName[] {
  return BACKEND_NAMES.slice(BACKEND_NAMES.indexOf(first)).filter((b) => !needsGpu(b));
}

export function planBackends(choice: BackendChoice, probe: WebGpuProbe): BackendPlan {
  const a = probe.adapter;
  const label = adapterLabel(a ? { ...a, isFallbackAdapter: false } : null);
  const withoutGpu = from(BACKEND_NAMES[0]);
  switch (choice) {
    case 'auto':
      if (a && !a.isFallbackAdapter) return { order: [...BACKEND_NAMES], note: null };
      if (a) {
        return {
          order: withoutGpu,
          note: `The WebGPU adapter is a software fallback (${label}), slower than ${withoutGpu[0]}, so auto runs on ${withoutGpu[0]}. Pick webgpu to use it anyway.`,
        };
      }
      return { order: withoutGpu, note: `WebGPU is not available (${probe.problem ?? 'no adapter'}), so auto runs on ${withoutGpu[0]}.` };
    case 'webgpu':
      if (a?.isFallbackAdapter) {
        return {
          order: [...BACKEND_NAMES],
          note: `Running on a software WebGPU adapter (${label}): results are exact, but slower than on a GPU.`,
        };
      }
      if (a) return { order: [...BACKEND_NAMES], note: null };
      return {
        order: withoutGpu,
        note: `WebGPU was asked for but is not available (${probe.problem ?? 'no adapter'}); running on ${withoutGpu[0]} instead.`,
      };
    default:
      return { order: from(choice), note: null };
  }
}

/** The note after backends in the plan failed to start: each failure, then where it ended up. */
export function fallbackNote(
  plan: BackendPlan,
  failures: readonly { backend: BackendName; message: string }[],
  active: BackendName,
): string | null {
  if (failures.length === 0) return plan.note;
  const failed = failures.map((f) => `${f.backend} failed to start (${f.message})`).join('; ');
  return `${failed}; running on ${active}.`;
}
