import { EnvironmentError } from '../../core/errors';
import type { BiLstmRunner } from '../../core/model/attentionLstm';
import type { LoadedModel } from '../../core/model/model';
import type { WeightLayout } from '../../core/model/attentionLstm';
import type { AdapterSummary, BackendName } from '../../protocol/protocol';

/** A started tfjs backend, as the engine uses it. */
export interface BackendHandle {
  name: BackendName;
  layout: WeightLayout;
  adapter: AdapterSummary | null;
  /** wasm's thread count; null for the other backends. */
  threads: number | null;
  /**
   * Runs tfjs work and checks that the backend reported no error while it ran.
   * tfjs does not throw on WebGPU errors, it returns wrong numbers; so a run
   * during which the device reported an error throws BackendFault instead of
   * returning them. On wasm and cpu this is just `fn()`.
   */
  guard<T>(fn: () => Promise<T>): Promise<T>;
  /** The most videos per forward pass that suits this backend (a batch's memory budget may allow fewer). */
  batchSize: number;
  /** The memory one batch may hold (batching.ts), by what measured best on this backend. */
  batchBudgetBytes: number;
  /** Occluded copies per forward pass when computing evidence. */
  occlusionBatchSize: number;
  /**
   * Readies a freshly uploaded model: a faster recurrent implementation for this
   * backend (the fused WebGPU BiLSTM), compiled ahead of the first video.
   * Without it, the model runs on the op path.
   */
  prepare?: (model: LoadedModel) => Promise<ModelRuntime>;
  /** Releases the backend (and its device); the handle is not used again. */
  dispose(): void;
}

/** What a backend adds to one uploaded model; disposed with the model. */
export interface ModelRuntime {
  biLstm?: BiLstmRunner;
  dispose(): void;
}

/** The backend failed under us (a WebGPU validation error, device loss): its results cannot be trusted. */
export class BackendFault extends EnvironmentError {
  constructor(message: string) {
    super(message);
    this.name = 'BackendFault';
  }
}

/** Called when the backend fails outside a guarded run (device lost while idle). */
export type FaultListener = (message: string) => void;
