/**
 * The backend and the model on it: starting and switching tfjs backends,
 * uploading the model in the layout the backend is fast with, guarding tfjs
 * work against WebGPU errors (tfjs returns wrong numbers rather than failing),
 * and recovering when WebGPU fails: the first time on a new device, after that
 * on wasm. Its methods that do tfjs work are called from inside the engine's
 * serial queue; only a fault reported while idle queues work of its own.
 */
import { InputError, userMessage } from '../../core/errors';
import { multiplyAdds } from '../../core/model/architecture';
import type { BiLstmRunner } from '../../core/model/attentionLstm';
import { createModel, type LoadedModel } from '../../core/model/model';
import { type BackendHandle, startBackend } from '../backends';
import type { ModelRuntime } from '../backends/types';
import type { AcquiredModel } from '../models/acquire';
import {
  adapterLabel,
  type BackendChoice,
  type BackendName,
  type BackendStatus,
  type ModelInfo,
  type WorkerEvent,
} from '../../protocol/protocol';
import type { SerialQueue } from './serialQueue';

/** The model as the backend runs it: its weights uploaded, and the backend's faster recurrence when it has one. */
export interface RunningModel {
  backend: BackendHandle;
  model: LoadedModel;
  /** The fused WebGPU BiLSTM; undefined on the op path. */
  biLstm: BiLstmRunner | undefined;
}

export class BackendHost {
  private backend: BackendHandle | null = null;
  /** Bumped on every backend start: a fault of an older backend is ignored. */
  private generation = 0;
  private faultsThisSession = 0;
  private status: BackendStatus = {
    requested: 'auto',
    active: null,
    state: 'starting',
    adapter: null,
    reason: null,
    layout: 'in-out',
    threads: null,
  };
  /** wasm threads asked for by the page; undefined for the default. */
  private wasmThreads: number | undefined;
  private acquired: AcquiredModel | null = null;
  private model: LoadedModel | null = null;
  private runtime: ModelRuntime | null = null;
  /** Multiply-adds and milliseconds of this backend's predictions, for the fine-tune's time estimate. */
  private speed = { macs: 0, ms: 0 };

  /** `onRecovered` runs (inside the queue) after a recovery put a working backend in place. */
  constructor(
    private readonly emit: (e: WorkerEvent) => void,
    private readonly queue: SerialQueue,
    private readonly onRecovered: () => void,
  ) {}

  /** The wasm threads the next start asks for (undefined: the default). */
  requestThreads(threads: number | undefined): void {
    this.wasmThreads = threads;
  }

  /** Starts (or switches to) a backend; the model, if any, moves onto it. */
  async start(choice: BackendChoice, avoidWebGpu?: string, state: 'starting' | 'recovering' = 'starting'): Promise<BackendStatus> {
    this.disposeModel();
    this.backend?.dispose();
    this.backend = null;
    this.publish({ ...this.status, requested: choice, state });
    const generation = ++this.generation;
    this.speed = { macs: 0, ms: 0 };
    try {
      const { handle, status } = await startBackend(choice, (message) => this.onFault(generation, message), {
        avoidWebGpu,
        wasmThreads: this.wasmThreads,
      });
      this.backend = handle;
      this.publish(status);
    } catch (e) {
      this.publish({ ...this.status, requested: choice, active: null, state: 'failed', reason: userMessage(e) });
      throw e;
    }
    if (this.acquired) await this.upload();
    return this.status;
  }

  /** Replaces the model; uploaded at once when a backend runs, else when one starts. */
  async setModel(acquired: AcquiredModel): Promise<void> {
    this.disposeModel();
    this.acquired = acquired;
    if (this.backend) await this.upload();
  }

  get modelInfo(): ModelInfo | null {
    return this.acquired?.info ?? null;
  }

  /** The backend with the model on it, or null while either is missing. */
  get running(): RunningModel | null {
    if (!this.backend || !this.model) return null;
    return { backend: this.backend, model: this.model, biLstm: this.runtime?.biLstm };
  }

  /** tfjs work checked for backend errors: a BackendFault when there were any. */
  guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.backend ? this.backend.guard(fn) : fn();
  }

  /** The backend results are computed on, as a prediction names it. */
  label(): { backend: BackendName; adapter: string | null } {
    const b = this.backend;
    if (!b) throw new InputError('no backend is running');
    return { backend: b.name, adapter: b.name === 'webgpu' ? adapterLabel(b.adapter) : null };
  }

  /** Counts a forward pass over videos of these lengths towards the measured speed. */
  recordSpeed(frames: readonly number[], ms: number): void {
    if (!this.model) return;
    const sizes = this.model.meta.sizes;
    this.speed.macs += frames.reduce((n, T) => n + multiplyAdds(sizes, T), 0);
    this.speed.ms += ms;
  }

  /** The backend's measured forward speed (multiply-adds a second), once it predicted something. */
  macsPerSecond(): number | null {
    return this.speed.ms > 0 ? (this.speed.macs / this.speed.ms) * 1000 : null;
  }

  /**
   * WebGPU failed (call from inside the queue): the first time, the backend is
   * created anew on a new device; after that, the page falls back to wasm.
   * Results already shown stay.
   */
  async recover(message: string): Promise<void> {
    return this.recoverFrom(this.generation, message);
  }

  private async recoverFrom(generation: number, message: string): Promise<void> {
    if (generation !== this.generation) return; // already recovered from this backend
    this.faultsThisSession++;
    const again = this.faultsThisSession === 1;
    const what = message.charAt(0).toUpperCase() + message.slice(1);
    this.emit({
      type: 'notice',
      level: 'warning',
      message: again
        ? `${what}. Restarting WebGPU; results already shown are kept.`
        : `${what}. WebGPU failed again, so the page continues on wasm; results already shown are kept.`,
    });
    const avoid = again
      ? undefined
      : `WebGPU failed twice (last: ${message}), so the page runs on wasm. Reload the page to try WebGPU again.`;
    await this.start(this.status.requested, avoid, 'recovering');
    this.onRecovered();
  }

  /** A fault reported outside a guarded run (the device was lost while idle). */
  private onFault(generation: number, message: string): void {
    if (generation !== this.generation) return;
    void this.queue.run(() => this.recoverFrom(generation, message)).catch(() => {});
  }

  private async upload(): Promise<void> {
    const backend = this.backend!;
    const { json, weights } = this.acquired!;
    // The canonical arrays stay here, so the model can move to another backend, in its layout, without a reload.
    this.model = await backend.guard(async () => createModel(json.attentionLstm, weights, backend.layout));
    if (backend.prepare) {
      this.publish({ ...this.status, state: 'warming' });
      this.runtime = await backend.prepare(this.model);
      this.publish({ ...this.status, state: 'ready' });
    }
  }

  private disposeModel(): void {
    this.runtime?.dispose();
    this.runtime = null;
    this.model?.dispose();
    this.model = null;
  }

  private publish(status: BackendStatus): void {
    this.status = status;
    this.emit({ type: 'backend', status });
  }
}
