/**
 * The queue of videos waiting for a prediction. Predictions run one batch per
 * task on the engine's serial queue, so that requests (a backend switch, an
 * occlusion map) get in between batches. A batch takes the longest of the next
 * waiting videos, as many as their real frames fit the memory budget on the
 * packed path (core/model/batching.ts: a budget that grows with the model, so
 * that a full-size model's batches are several videos, not one), so that it
 * pads little on the op path; the first batch of new work is a single video,
 * so that its result shows at once.
 *
 * Videos freshly read arrive with their frames, which are kept (up to
 * `bufferBytes`) until predicted; the reader waits for room while the model
 * can predict, so reading never runs far ahead of predicting. Videos without
 * frames in hand (after a model or backend change, or read while no model was
 * loaded) are read again from their files when their batch comes.
 *
 * A batch also computes, in its forward pass, the segment windows of its
 * rated videos that the segment tracker wants (WindowsHook), and hands them
 * over before announcing the batch's results.
 */
import { userMessage } from '../../core/errors';
import type { VideoFeatures } from '../../core/features/featureTypes';
import { videoFigures } from '../../core/metrics';
import { batchBudgetFor, batchSizeFor, packedBatchSize } from '../../core/model/batching';
import { opsBiLstm, takesPackedPath } from '../../core/model/attentionLstm';
import { checkVideos, predictVideos } from '../../core/model/model';
import { BackendFault } from '../backends';
import type { VideoResult, WorkerEvent } from '../../protocol/protocol';
import type { BackendHost } from './backendHost';
import { type SerialQueue, yieldToEventLoop } from './serialQueue';
import type { VideoRegistry } from './videoRegistry';
import type { PassWindowsPlan, PassWindowsResult } from './segmentTracker';

/** What the segment tracker asks of each batch (SegmentTracker.windowsFor and accept). */
export interface WindowsHook {
  windowsFor(keys: readonly string[]): PassWindowsPlan | null;
  accept(plan: PassWindowsPlan, results: readonly PassWindowsResult[]): Promise<void>;
}

/** Waiting videos a batch is chosen from (the longest of them first). */
const CANDIDATES = 256;

export class PredictionScheduler {
  /** Keys to predict, in list order. */
  private pending: string[] = [];
  private readonly buffered = new Map<string, VideoFeatures>();
  private bufferedBytes = 0;
  private draining = false;
  private quickNext = true;
  private readonly waitingListeners = new Set<() => void>();
  private roomWaiters: (() => void)[] = [];
  /** Files are being read: a batch that is not full yet waits for more videos, as long as there is room. */
  private reading = false;

  constructor(
    private readonly host: BackendHost,
    private readonly videos: VideoRegistry,
    private readonly queue: SerialQueue,
    private readonly emit: (e: WorkerEvent) => void,
    private readonly bufferBytes = 8 << 20,
    /** The segment tracker, once made (it is made after the scheduler). */
    private readonly windows: () => WindowsHook | undefined = () => undefined,
  ) {}

  /**
   * Queues a video just read, keeping its frames while there is room. While
   * the model can predict and the buffer is full, waits for room; without a
   * model, drops the frames (they are read again later).
   */
  async offer(key: string, video: VideoFeatures): Promise<void> {
    while (this.bufferedBytes >= this.bufferBytes && this.host.running) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (!this.videos.has(key)) return;
    if (this.bufferedBytes < this.bufferBytes) {
      this.buffered.set(key, video);
      this.bufferedBytes += bytesOf(video);
    }
    this.enqueue([key]);
  }

  /** Whether files are being read; when reading ends, a last partial batch goes at once. */
  setReading(reading: boolean): void {
    this.reading = reading;
    if (!reading) this.schedule();
  }

  /** Adds videos at the end of the queue. */
  enqueue(keys: readonly string[]): void {
    if (this.pending.length === 0) this.quickNext = true;
    this.pending.push(...keys);
    this.schedule();
  }

  /** Every video again (a new model or backend): the page marks them queued. */
  requeueAll(): void {
    this.pending = this.videos.keys();
    for (const key of this.pending) {
      const e = this.videos.get(key)!;
      e.status = 'queued';
      e.probabilities = null;
    }
    this.quickNext = true;
    if (this.pending.length) this.emit({ type: 'status', keys: this.pending.slice(), status: 'queued' });
    this.releaseRoom();
    this.schedule();
  }

  /** Forgets these videos (removed): they leave the queue and the buffer. */
  drop(keys: readonly string[]): void {
    const gone = new Set(keys);
    this.pending = this.pending.filter((k) => !gone.has(k));
    for (const k of keys) this.unbuffer(k);
    this.releaseRoom();
  }

  clear(): void {
    this.pending = [];
    this.buffered.clear();
    this.bufferedBytes = 0;
    this.releaseRoom();
  }

  /** Keys still waiting, in order. */
  waiting(): readonly string[] {
    return this.pending;
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
    const fault = await this.predictBatch(true);
    if (fault === 'idle') {
      this.draining = false;
      return;
    }
    if (fault) {
      this.draining = false;
      await this.host.recover(fault.message);
      return;
    }
    // Between batches the worker hears the page (a cancel, a backend switch, an occlusion request).
    await yieldToEventLoop();
    void this.queue.run(() => this.drainOne());
  }

  /**
   * The next batch's keys: the longest of the next waiting videos, as many as
   * the budget allows. While files are being read and there is room, a batch
   * that would not be full waits for more videos (`fill`): empty then.
   */
  private takeBatch(maxBatch: number, budgetBytes: number, fill: boolean): string[] {
    const running = this.host.running!;
    if (this.quickNext) return this.pending.splice(0, 1);
    const candidates = this.pending.slice(0, CANDIDATES).filter((k) => this.videos.has(k));
    candidates.sort((a, b) => this.videos.get(b)!.summary.frames - this.videos.get(a)!.summary.frames);
    const { sizes, variant } = running.model.meta;
    // Inference takes the packed path wherever the backend has it: a batch costs its real frames, within a
    // budget that grows with the model (batching.ts); the padded op path costs every video its longest's.
    const size = takesPackedPath(running.biLstm ?? opsBiLstm, running.model.spec)
      ? packedBatchSize(
          candidates.map((k) => this.videos.get(k)!.summary.frames),
          sizes,
          batchBudgetFor(budgetBytes, variant, sizes),
          maxBatch,
        )
      : batchSizeFor(sizes, candidates.length ? this.videos.get(candidates[0])!.summary.frames : 1, budgetBytes, maxBatch);
    if (fill && this.reading && candidates.length < size && this.bufferedBytes < this.bufferBytes) return [];
    const batch = new Set(candidates.slice(0, size));
    this.pending = this.pending.filter((k) => !batch.has(k) && this.videos.has(k));
    return [...batch];
  }

  /**
   * Predicts one batch of the waiting videos with the loaded model. Returns
   * 'idle' when there was nothing to do, and a backend fault, after putting
   * its videos back at the front of the queue, rather than throwing it.
   */
  private async predictBatch(fill = false): Promise<'idle' | BackendFault | null> {
    const running = this.host.running;
    if (!running || this.pending.length === 0) return 'idle';
    const { backend, model, biLstm } = running;
    const keys = this.takeBatch(backend.batchSize, backend.batchBudgetBytes, fill);
    // Waiting for a fuller batch: the next video read (or the end of reading) schedules again.
    if (!keys.length) return 'idle';
    let videos: VideoFeatures[];
    try {
      videos = await this.framesOf(keys);
    } catch (e) {
      this.fail(keys, userMessage(e));
      return null;
    }
    const ok: { key: string; video: VideoFeatures }[] = [];
    keys.forEach((key, i) => {
      try {
        checkVideos([videos[i]], model.meta);
        ok.push({ key, video: videos[i] });
      } catch (e) {
        this.fail([key], userMessage(e));
      }
    });
    if (!ok.length) return null;
    this.setStatus(
      ok.map((x) => x.key),
      'running',
    );
    const hook = this.windows();
    const plan = hook?.windowsFor(ok.map((x) => x.key)) ?? null;
    const t0 = performance.now();
    try {
      const predictions = await backend.guard(() =>
        predictVideos(
          model,
          ok.map((x) => x.video),
          {
            batchSize: ok.length,
            biLstm,
            windows: plan ? { ...plan.window, batchSize: plan.batchSize, of: (i) => plan.keys.has(ok[i].key) } : undefined,
          },
        ),
      );
      const ms = performance.now() - t0;
      this.quickNext = false;
      this.host.recordSpeed(
        ok.map((x) => x.video.frames),
        ms,
      );
      const label = this.host.label();
      const results: VideoResult[] = [];
      predictions.forEach((p, i) => {
        const { key, video } = ok[i];
        const entry = this.videos.get(key);
        this.unbuffer(key);
        if (!entry) return; // removed while it ran
        if (!allFinite(p.probabilities)) {
          this.fail([key], `${backend.name} returned non-finite probabilities`);
          return;
        }
        entry.status = 'done';
        entry.probabilities = p.probabilities;
        results.push({
          key,
          probabilities: p.probabilities,
          figures: videoFigures(p.probabilities, video.labels),
          attention: p.attention,
          ...label,
          ms,
        });
      });
      if (plan && hook) {
        const done = new Set(results.map((r) => r.key));
        const windows = ok.flatMap((x, i) => {
          const w = predictions[i].windows;
          return w && done.has(x.key) ? [{ key: x.key, video: x.video, windows: w }] : [];
        });
        // The video-level results stand whatever becomes of their windows (the tracker reads those videos again).
        await hook.accept(plan, windows).catch(() => {});
      }
      if (results.length) this.emit({ type: 'predictions', results });
      this.releaseRoom();
    } catch (e) {
      if (e instanceof BackendFault) {
        // Nothing from this run is trusted: its videos go back to the front of the queue.
        this.pending.unshift(...ok.map((x) => x.key));
        this.setStatus(
          ok.map((x) => x.key),
          'queued',
        );
        return e;
      }
      this.fail(
        ok.map((x) => x.key),
        userMessage(e),
      );
    }
    return null;
  }

  /** The frames of a batch: those in hand, the others read again from their files. */
  private async framesOf(keys: readonly string[]): Promise<VideoFeatures[]> {
    const missing = keys.filter((k) => !this.buffered.has(k));
    const read = missing.length ? await this.videos.load(missing) : [];
    const byKey = new Map(missing.map((k, i) => [k, read[i]]));
    return keys.map((k) => this.buffered.get(k) ?? byKey.get(k)!);
  }

  private fail(keys: readonly string[], message: string): void {
    for (const k of keys) {
      this.unbuffer(k);
      const e = this.videos.get(k);
      if (e) e.status = 'error';
    }
    this.emit({ type: 'status', keys: keys.filter((k) => this.videos.has(k)), status: 'error', message });
    this.releaseRoom();
  }

  private setStatus(keys: readonly string[], status: 'queued' | 'running'): void {
    for (const k of keys) {
      const e = this.videos.get(k);
      if (e) e.status = status;
    }
    this.emit({ type: 'status', keys: keys.slice(), status });
  }

  private unbuffer(key: string): void {
    const v = this.buffered.get(key);
    if (!v) return;
    this.buffered.delete(key);
    this.bufferedBytes -= bytesOf(v);
  }

  /** Lets waiting readers check again for room (or go on without, when no model can predict). */
  private releaseRoom(): void {
    this.roomWaiters.splice(0).forEach((r) => r());
  }
}

function bytesOf(v: VideoFeatures): number {
  return v.rgb.byteLength + v.audio.byteLength;
}

function allFinite(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}
