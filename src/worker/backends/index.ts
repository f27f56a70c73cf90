/**
 * The one place that starts tfjs backends: probes WebGPU, follows the policy,
 * tries each backend of the plan in turn and keeps the first that starts and
 * passes the known-answer self-test. Backend-specific code lives in the
 * backend_*.ts files beside this one.
 */
import { EnvironmentError } from '../../core/errors';
import type { BackendChoice, BackendName, BackendStatus } from '../../protocol/protocol';
import { startCpu } from './backendCpu';
import { startWasm } from './backendWasm';
import { probeWebGpu, startWebGpu } from './backendWebgpu';
import { type BackendPlan, fallbackNote, planBackends } from './backendPolicy';
import { selfTest } from './selfTest';
import type { BackendHandle, FaultListener } from './types';

export interface StartOptions {
  /** Skip WebGPU whatever the choice (after it failed twice); the reason is said on the page. */
  avoidWebGpu?: string;
  /** wasm threads asked for (backendWasm.ts: wasmThreads). */
  wasmThreads?: number;
}

/**
 * How each backend starts: null when it cannot run here (WebGPU without an
 * adapter). A backend added to core/backends.ts needs its entry here, and the
 * compiler says so.
 */
const STARTERS: Record<
  BackendName,
  (probe: Awaited<ReturnType<typeof probeWebGpu>>, onFault: FaultListener, opts: StartOptions) => Promise<BackendHandle | null>
> = {
  webgpu: async (probe, onFault) => (probe.gpuAdapter ? startWebGpu(probe.gpuAdapter, onFault) : null),
  wasm: (_probe, _onFault, opts) => startWasm(opts.wasmThreads),
  cpu: () => startCpu(),
};

export async function startBackend(
  choice: BackendChoice,
  onFault: FaultListener,
  opts: StartOptions = {},
): Promise<{ handle: BackendHandle; status: BackendStatus }> {
  const probe = await probeWebGpu();
  let plan: BackendPlan = planBackends(choice, probe);
  if (opts.avoidWebGpu && plan.order.includes('webgpu')) {
    plan = { order: plan.order.filter((b) => b !== 'webgpu'), note: opts.avoidWebGpu };
  }
  const failures: { backend: BackendName; message: string }[] = [];
  for (const name of plan.order) {
    let handle: BackendHandle | null = null;
    try {
      handle = await STARTERS[name](probe, onFault, opts);
      if (!handle) continue;
      const problem = await handle.guard(selfTest);
      if (problem) throw new Error(`its self-test failed: ${problem}`);
    } catch (e) {
      handle?.dispose();
      failures.push({ backend: name, message: (e as Error)?.message ?? String(e) });
      continue;
    }
    const note = opts.avoidWebGpu && failures.length === 0 ? opts.avoidWebGpu : fallbackNote(plan, failures, name);
    return {
      handle,
      status: {
        requested: choice,
        active: name,
        state: 'ready',
        adapter: probe.adapter,
        reason: note,
        layout: handle.layout,
        threads: handle.threads,
      },
    };
  }
  throw new EnvironmentError(`No backend could start in this browser (${failures.map((f) => `${f.backend}: ${f.message}`).join('; ')}).`);
}

export { BackendFault } from './types';
export type { BackendHandle } from './types';
