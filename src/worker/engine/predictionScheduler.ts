/**
 * The queue of videos waiting for a prediction. Predictions run one batch per
 * task on the engine's serial queue, so that requests (a backend switch, an
 * occlusion map) get in between batches; the first batch of new work is a
 * single video, so that its result shows at once.
 */
import { userMessage } from '../../core/errors';
import type { VideoFeatures } from '../../core/features/types';
import { checkVideos, predictVideos } from '../../core/model/model';
import { BackendFault } from '../backends';
import type { WorkerEvent } from '../protocol';
import type { BackendHost } from './backendHost';
import type { SerialQueue } from './serialQueue';
import type { VideoRegistry } from './videoRegistry';

export class PredictionScheduler {
  /** Keys to predict, in list order. */
  private pending: string[] = [];
  private draining = false;
  private quickNext = true;
  private readonly waitingListeners = new Set<() => void>();

  constructor(
    private readonly host: BackendHost,
    private readonly videos: VideoRegistry,
    private readonly queue: SerialQueue,
    private readonly emit: (e: WorkerEvent) => void,
  ) {}

  /** Adds videos at the end of the queue. */
  enqueue(keys: readonly string[]): void {
    if (this.pending.length === 0) this.quickNext = true;
    this.pending.push(...keys);
    this.schedule();
  }

  /** Every video again (a new model or backend): the page marks them queued. */
  requeueAll(): void {
    this.pending = this.videos.keys();
    this.quickNext = true;
    if (this.pending.length) this.emit({ type: 'status', keys: this.pending.slice(), status: 'queued' });
    this.schedule();
  }

  clear(): void {
    this.pending = [];
  }

  /**
   * Listens for videos starting to wait: a task that holds the queue (a paused
   * fine-tune) can then predict them with predictWaiting. Returns the function
   * that stops listening.
   */
  onWaiting(listener: () => void): () => void {
    this.waitingListeners.add(listener);
    return () => this.waitingListeners.delete(listener);
  }

  /** Starts draining the queue, unless a drain is under way. */
  schedule(): void {
    this.waitingListeners.forEach((l) => l());
    if (this.draining) return;
    this.draining = true;
    void this.queue.run(() => this.drainOne());
  }

  /**
   * Predicts the next batch from inside a task that holds the queue (a
   * fine-tune, between its batches), so that videos added while it trains are
   * not left waiting. A backend fault is thrown to that task. Returns whether
   * more videos wait.
   */
  async predictWaiting(): Promise<boolean> {
    const fault = await this.predictBatch();
    if (fault && fault !== 'idle') throw fault;
    return this.pending.length > 0;
  }

  /** One batch per queue task; queues itself again while videos wait. */
  private async drainOne(): Promise<void> {
    const fault = await this.predictBatch();
    if (fault === 'idle') {
      this.draining = false;
      return;
    }
    if (fault) {
      this.draining = false;
      await this.host.recover(fault.message);
      return;
    }
    void this.queue.run(() => this.drainOne());
  }

  /**
   * Predicts one batch of the waiting videos with the loaded model. Returns
   * 'idle' when there was nothing to do, and a backend fault, after putting
   * its videos back at the front of the queue, rather than throwing it.
   */
  private async predictBatch(): Promise<'idle' | BackendFault | null> {
    const running = this.host.running;
    if (!running || this.pending.length === 0) return 'idle';
    const { backend, model, biLstm } = running;
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
      const predictions = await backend.guard(() => predictVideos(model, batch, { batchSize: batch.length, biLstm }));
      const ms = performance.now() - t0;
      this.quickNext = false;
      this.host.recordSpeed(batch.map((v) => v.frames), ms);
      const label = this.host.label();
      predictions.forEach((p, i) => {
        if (!allFinite(p.probabilities)) {
          this.emit({ type: 'status', keys: [keys[i]], status: 'error', message: `${backend.name} returned non-finite probabilities` });
          return;
        }
        this.emit({ type: 'prediction', result: { key: keys[i], probabilities: p.probabilities, attention: p.attention, ...label, ms } });
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
}

function allFinite(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}
