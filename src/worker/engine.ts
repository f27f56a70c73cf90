/**
 * The worker's state and everything it does with tfjs: one backend, one model,
 * the videos read so far, and a queue of videos to predict. All tfjs work runs
 * one task at a time on a serial queue, so a backend switch never lands in the
 * middle of a forward pass; predictions run one batch per task, so requests
 * (a backend switch, an occlusion map) get in between batches.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, userMessage } from '../core/errors';
import { occlusionEvidence } from '../core/explain/occlusion';
import { readFeatureFile } from '../core/features/read';
import type { VideoFeatures } from '../core/features/types';
import type { BiLstmRunner } from '../core/model/attentionLstm';
import { multiplyAdds } from '../core/model/architecture';
import { checkVideos, createModel, type LoadedModel, predictVideos } from '../core/model/model';
import { BackendFault, type BackendHandle, startBackend } from './backends';
import type { ModelRuntime } from './backends/types';
import { breakWebGpu } from './backends/backend_webgpu';
import { layoutFor } from './backends/policy';
import { type AcquiredModel, acquireModel, type LoaderDeps } from './models';
import {
  adapterLabel, type BackendChoice, type BackendName, type BackendStatus, type FeatureSource, type ModelInfo, type ModelSource,
  type OcclusionResult, type VideoSummary, type WorkerEvent,
} from './protocol';

/** A serial queue: each task starts when the one before it has settled. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => {});
    return next;
  }
}

export class Engine {
  private readonly queue = new SerialQueue();
  private backend: BackendHandle | null = null;
  /** Bumped on every backend start: a fault of an older backend is ignored. */
  private backendGeneration = 0;
  private status: BackendStatus = { requested: 'auto', active: null, state: 'starting', adapter: null, reason: null, layout: 'in-out' };
  private acquired: AcquiredModel | null = null;
  private model: LoadedModel | null = null;
  /** The backend's additions to the model (the fused WebGPU BiLSTM). */
  private runtime: ModelRuntime | null = null;
  private readonly videos = new Map<string, VideoFeatures>();
  /** Keys to predict, in list order. */
  private pending: string[] = [];
  private draining = false;
  private faultsThisSession = 0;
  /** The next batch is a single video, so that the first result of new work shows at once. */
  private quickNext = true;
  /** Multiply-adds and milliseconds of this backend's predictions, for the fine-tune's time estimate. */
  private speed = { macs: 0, ms: 0 };

  constructor(private readonly emit: (e: WorkerEvent) => void, private readonly deps: Omit<LoaderDeps, 'progress'>) {}

  // ------------------------------------------------------------ backend

  setBackend(choice: BackendChoice): Promise<BackendStatus> {
    return this.queue.run(async () => {
      await this.switchBackend(choice);
      this.requeueAll();
      return this.status;
    });
  }

  private async switchBackend(choice: BackendChoice, avoidWebGpu?: string, state: 'starting' | 'recovering' = 'starting'): Promise<void> {
    this.disposeModel();
    this.backend?.dispose();
    this.backend = null;
    this.publish({ ...this.status, requested: choice, state });
    const generation = ++this.backendGeneration;
    this.speed = { macs: 0, ms: 0 };
    try {
      const { handle, status } = await startBackend(choice, (message) => this.onFault(generation, message), { avoidWebGpu });
      this.backend = handle;
      this.publish(status);
    } catch (e) {
      this.publish({ ...this.status, requested: choice, active: null, state: 'failed', reason: userMessage(e) });
      throw e;
    }
    if (this.acquired) await this.uploadModel();
  }

  /** The current backend's measured forward speed (multiply-adds a second), once it predicted something. */
  macsPerSecond(): number | null {
    return this.speed.ms > 0 ? (this.speed.macs / this.speed.ms) * 1000 : null;
  }

  private publish(status: BackendStatus): void {
    this.status = status;
    this.emit({ type: 'backend', status });
  }

  /** A fault reported outside a guarded run (the device was lost while idle). */
  private onFault(generation: number, message: string): void {
    if (generation !== this.backendGeneration) return;
    void this.queue.run(() => this.recover(generation, message)).catch(() => {});
  }

  /**
   * WebGPU failed: the first time, the backend is created anew on a new
   * device; after that, the page falls back to wasm. Results already shown
   * stay; the videos whose results were not in are predicted again.
   */
  private async recover(generation: number, message: string): Promise<void> {
    if (generation !== this.backendGeneration) return; // already recovered from this backend
    this.faultsThisSession++;
    const again = this.faultsThisSession === 1;
    const what = message.charAt(0).toUpperCase() + message.slice(1);
    this.emit({
      type: 'notice', level: 'warning',
      message: again
        ? `${what}. Restarting WebGPU; results already shown are kept.`
        : `${what}. WebGPU failed again, so the page continues on wasm; results already shown are kept.`,
    });
    const avoid = again ? undefined : `WebGPU failed twice (last: ${message}), so the page runs on wasm. Reload the page to try WebGPU again.`;
    await this.switchBackend(this.status.requested, avoid, 'recovering');
    this.schedule();
  }

  /** At once, not behind the queue: a driver fails in the middle of work too (a fine-tune, say). */
  breakWebGpu(how: 'lose-device' | 'validation-error'): Promise<boolean> {
    return breakWebGpu(how);
  }

  // ------------------------------------------------------------ model

  /** `op` tags the progress events (the request's id). */
  loadModel(source: ModelSource, op: number): Promise<ModelInfo> {
    return this.queue.run(async () => {
      const acquired = await acquireModel(source, {
        ...this.deps,
        progress: (task, event) => this.emit({ type: 'progress', op, task, event }),
      });
      this.disposeModel();
      this.acquired = acquired;
      if (this.backend) await this.uploadModel();
      this.emit({ type: 'model', model: acquired.info });
      this.requeueAll();
      return acquired.info;
    });
  }

  private async uploadModel(): Promise<void> {
    const backend = this.backend!;
    const { json, weights } = this.acquired!;
    // The canonical arrays stay here, so the model can move to another backend, in its layout, without a reload.
    const model = await backend.guard(async () => createModel(json.attentionLstm, weights, layoutFor(backend.name)));
    this.model = model;
    if (backend.prepare) {
      this.publish({ ...this.status, state: 'warming' });
      this.runtime = await backend.prepare(model);
      this.publish({ ...this.status, state: 'ready' });
    }
  }

  private disposeModel(): void {
    this.runtime?.dispose();
    this.runtime = null;
    this.model?.dispose();
    this.model = null;
  }

  // ------------------------------------------------------------ videos

  /** Reads each source; a file that cannot be read is reported and skipped. */
  async addFeatures(sources: readonly FeatureSource[]): Promise<{ videos: number; failed: number }> {
    let added = 0;
    let failed = 0;
    for (const src of sources) {
      const name = src.kind === 'file' ? src.file.name : src.name;
      try {
        const bytes = src.kind === 'file' ? new Uint8Array(await src.file.arrayBuffer()) : await this.fetchBytes(src.url, name);
        const { videos, warnings } = readFeatureFile(bytes, name);
        if (videos.length === 0) throw new InputError(`${name}: no video could be read from it${warnings[0] ? ` (${warnings[0]})` : ''}`);
        const summaries: VideoSummary[] = videos.map((v) => {
          let key = `${v.file}#${v.index}`;
          for (let n = 2; this.videos.has(key); n++) key = `${v.file}#${v.index}~${n}`;
          this.videos.set(key, v);
          return { key, file: v.file, index: v.index, id: v.id, frames: v.frames, labels: v.labels ?? null };
        });
        this.emit({ type: 'file', file: name, videos: summaries, warnings });
        if (this.pending.length === 0) this.quickNext = true;
        this.pending.push(...summaries.map((s) => s.key));
        added += summaries.length;
        this.schedule();
      } catch (e) {
        failed++;
        this.emit({ type: 'fileError', file: name, message: userMessage(e) });
      }
    }
    return { videos: added, failed };
  }

  private async fetchBytes(url: string, name: string): Promise<Uint8Array> {
    const r = await this.deps.fetch(url);
    if (!r.ok) throw new InputError(`${name}: the server answered ${r.status} ${r.statusText}`.trim());
    return new Uint8Array(await r.arrayBuffer());
  }

  clearVideos(): Promise<null> {
    return this.queue.run(async () => {
      this.videos.clear();
      this.pending = [];
      return null;
    });
  }

  private requeueAll(): void {
    this.pending = [...this.videos.keys()];
    this.quickNext = true;
    if (this.pending.length) this.emit({ type: 'status', keys: this.pending.slice(), status: 'queued' });
    this.schedule();
  }

  private schedule(): void {
    this.onWaiting?.();
    if (this.draining) return;
    this.draining = true;
    void this.queue.run(() => this.predictNextBatch());
  }

  /** One batch per queue task; queues itself again while videos wait. */
  private async predictNextBatch(): Promise<void> {
    const fault = await this.predictBatch();
    if (fault === 'idle') {
      this.draining = false;
      return;
    }
    if (fault) {
      this.draining = false;
      await this.recover(this.backendGeneration, fault.message);
      return;
    }
    void this.queue.run(() => this.predictNextBatch());
  }

  /**
   * Predicts the next batch of waiting videos from inside a task that holds
   * the queue (a fine-tune, between its batches), so that videos added while
   * it trains are not left waiting. A backend fault is thrown to that task.
   */
  async predictWaiting(): Promise<boolean> {
    const fault = await this.predictBatch();
    if (fault && fault !== 'idle') throw fault;
    return this.pending.length > 0;
  }

  /** Told when videos start waiting: a task holding the queue (a paused fine-tune) can then predict them. */
  onWaiting: (() => void) | null = null;

  /**
   * Predicts one batch of the waiting videos with the loaded model. Returns
   * 'idle' when there was nothing to do, and a backend fault, after putting
   * its videos back at the front of the queue, rather than throwing it.
   */
  private async predictBatch(): Promise<'idle' | BackendFault | null> {
    const model = this.model;
    const backend = this.backend;
    if (!model || !backend || this.pending.length === 0) return 'idle';
    const size = this.quickNext ? 1 : backend.batchSize;
    const keys: string[] = [];
    const batch: VideoFeatures[] = [];
    while (keys.length < size && this.pending.length) {
      const key = this.pending.shift()!;
      const v = this.videos.get(key);
      if (!v) continue;
      try {
        checkVideos([v], model.meta);
      } catch (e) {
        this.emit({ type: 'status', keys: [key], status: 'error', message: userMessage(e) });
        continue;
      }
      keys.push(key);
      batch.push(v);
    }
    if (!keys.length) return null;
    this.emit({ type: 'status', keys, status: 'running' });
    const t0 = performance.now();
    try {
      const predictions = await backend.guard(() => predictVideos(model, batch, { batchSize: batch.length, biLstm: this.runtime?.biLstm }));
      const ms = performance.now() - t0;
      this.quickNext = false;
      this.speed.macs += batch.reduce((n, v) => n + multiplyAdds(model.meta.sizes, v.frames), 0);
      this.speed.ms += ms;
      const { backend: name, adapter } = this.backendLabel();
      predictions.forEach((p, i) => {
        if (!allFinite(p.probabilities)) {
          this.emit({ type: 'status', keys: [keys[i]], status: 'error', message: `${backend.name} returned non-finite probabilities` });
          return;
        }
        this.emit({ type: 'prediction', result: { key: keys[i], probabilities: p.probabilities, attention: p.attention, backend: name, adapter, ms } });
        this.emit({ type: 'status', keys: [keys[i]], status: 'done' });
      });
    } catch (e) {
      if (e instanceof BackendFault) {
        // Nothing from this run is trusted: its videos go back to the front of the queue.
        this.pending.unshift(...keys);
        this.emit({ type: 'status', keys, status: 'queued' });
        return e;
      }
      this.emit({ type: 'status', keys, status: 'error', message: userMessage(e) });
    }
    return null;
  }

  /** The backend results are computed on, as a prediction names it. */
  backendLabel(): { backend: BackendName; adapter: string | null } {
    const b = this.backend;
    if (!b) throw new InputError('no backend is running');
    return { backend: b.name, adapter: b.name === 'webgpu' ? adapterLabel(b.adapter) : null };
  }

  // ------------------------------------------------------------ evidence

  occlusion(key: string, classIndex: number, window: number): Promise<OcclusionResult> {
    return this.queue.run(async () => {
      const video = this.videos.get(key);
      if (!video) throw new InputError('that video is no longer loaded');
      const model = this.model;
      const backend = this.backend;
      if (!model || !backend) throw new InputError('no model is loaded yet');
      if (!(classIndex >= 0 && classIndex < model.meta.sizes.classes)) throw new InputError(`class ${classIndex} is not one of the model's ${model.meta.sizes.classes} classes`);
      const w = Math.max(1, Math.min(video.frames, Math.round(window)));
      try {
        const r = await backend.guard(() => occlusionEvidence(model, video, classIndex, { window: w, biLstm: this.runtime?.biLstm, batchSize: backend.occlusionBatchSize }));
        return { key, classIndex, window: r.window, baseline: r.baseline, drop: r.drop.slice(), backend: backend.name };
      } catch (e) {
        if (e instanceof BackendFault) {
          await this.recover(this.backendGeneration, e.message);
          throw new InputError('WebGPU failed while computing the evidence; the backend was restarted, please try again');
        }
        throw e;
      }
    });
  }

  // ------------------------------------------------------------ fine-tuning (training.ts)

  /** The current model and videos as they are now (no tfjs work: for a plan shown before training). */
  snapshot(): { model: LoadedModel | null; info: ModelInfo | null; videos: ReadonlyMap<string, VideoFeatures>; encoder: BiLstmRunner | undefined } {
    return { model: this.model, info: this.acquired?.info ?? null, videos: this.videos, encoder: this.runtime?.biLstm };
  }

  /** tfjs work checked for backend errors (WebGPU returns wrong numbers rather than failing): BackendFault when there were any. */
  guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.backend ? this.backend.guard(fn) : fn();
  }

  /** Runs a task alone on the serial queue with the current model and videos (a fine-tune). */
  exclusive<T>(task: (ctx: ReturnType<Engine['snapshot']>) => Promise<T>): Promise<T> {
    return this.queue.run(() => task(this.snapshot()));
  }

  /** tfjs memory, for the e2e test that nothing leaks. */
  memory(): { numTensors: number } {
    return { numTensors: tf.memory().numTensors };
  }
}

function allFinite(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}
