/**
 * The worker's state and everything it does with tfjs, put together from its
 * parts: the backend host (backend and model), the video registry, the
 * prediction scheduler and evidence. Every request that does tfjs work runs as
 * one task on a serial queue; the handlers call this class, and a fine-tune
 * sees it through the narrow TrainingHost interface.
 */
import { InputError } from '../../core/errors';
import { MAX_FRAMES } from '../../core/features/featureTypes';
import { acquireModel, type LoaderDeps } from '../models/acquire';
import type {
  BackendChoice,
  BackendStatus,
  DatasetReport,
  FeatureSource,
  ModelInfo,
  ModelSource,
  OcclusionResult,
  ReadChoices,
  SegmentReport,
  SegmentTimeline,
  WindowSettings,
  WorkerEvent,
} from '../../protocol/protocol';
import { BackendHost } from './backendHost';
import { datasetReport } from './datasetReport';
import { computeEvidence } from './evidence';
import { Ingest } from './ingest';
import { PredictionScheduler } from './predictionScheduler';
import { SegmentTracker } from './segmentTracker';
import { SerialQueue } from './serialQueue';
import type { TrainingHost, TrainingSnapshot } from './trainingHost';
import { VideoRegistry } from './videoRegistry';

export class Engine implements TrainingHost {
  private readonly queue = new SerialQueue();
  private readonly videos = new VideoRegistry();
  private readonly host: BackendHost;
  private readonly scheduler: PredictionScheduler;
  private readonly ingest: Ingest;
  private readonly segments: SegmentTracker;
  /** The frame cap files added from now on are read with. */
  private maxFrames = MAX_FRAMES;

  private readonly emit: (e: WorkerEvent) => void;

  /** `bufferBytes`: frames read ahead of their prediction, at most (default 8 MiB). */
  constructor(
    send: (e: WorkerEvent) => void,
    private readonly deps: Omit<LoaderDeps, 'progress'> & { ratedClasses?: () => Promise<readonly number[] | null> },
    opts: { bufferBytes?: number } = {},
  ) {
    // The segment tracker sees every event the engine's parts send (videos predicted, removed, queued again).
    const emit = (this.emit = (e: WorkerEvent) => {
      send(e);
      this.segments?.observe(e);
    });
    this.host = new BackendHost(emit, this.queue, () => this.scheduler.schedule());
    this.scheduler = new PredictionScheduler(this.host, this.videos, this.queue, emit, opts.bufferBytes, () => this.segments);
    this.ingest = new Ingest(this.videos, this.scheduler, emit, { fetch: deps.fetch, maxFrames: () => this.maxFrames });
    this.segments = new SegmentTracker(this.host, this.videos, this.queue, emit, deps.ratedClasses);
  }

  /** Starts (or switches to) a backend; the model moves onto it and every video is predicted again. */
  setBackend(choice: BackendChoice, threads?: number): Promise<BackendStatus> {
    return this.queue.run(async () => {
      this.host.requestThreads(threads);
      const status = await this.host.start(choice);
      this.scheduler.requeueAll();
      return status;
    });
  }

  /** Loads a model (replacing the current one) and predicts every video again; `op` tags the progress events. */
  loadModel(source: ModelSource, op: number): Promise<ModelInfo> {
    return this.queue.run(async () => {
      const acquired = await acquireModel(source, {
        ...this.deps,
        progress: (task, event) => this.emit({ type: 'progress', op, task, event }),
      });
      await this.host.setModel(acquired);
      this.videos.emptyTrash();
      this.emit({ type: 'model', model: acquired.info });
      this.scheduler.requeueAll();
      return acquired.info;
    });
  }

  /** Reads feature files as one stream (not behind the queue: reading needs no tfjs); a file that cannot be read is reported and skipped. */
  addFeatures(
    sources: readonly FeatureSource[],
    choices: ReadChoices = {},
  ): Promise<{ videos: number; failed: number; cancelled: boolean }> {
    return this.ingest.run(sources, choices);
  }

  /**
   * Puts back videos removed a moment ago (an Undo) with their results; those
   * not yet predicted wait again. The page lists them again from what it
   * kept, so no event announces them. Returns the keys put back.
   */
  restoreVideos(keys: readonly string[]): string[] {
    const back = this.videos.restore(keys);
    const waiting = back.filter((e) => e.status === 'queued').map((e) => e.summary.key);
    if (waiting.length) this.scheduler.enqueue(waiting);
    return back.map((e) => e.summary.key);
  }

  /** Stops every load under way; the videos still waiting are removed. */
  cancelLoads(): number {
    const keys = this.ingest.cancelAll();
    this.forget(keys);
    return keys.length;
  }

  removeVideo(key: string): null {
    this.forget([key]);
    return null;
  }

  /** Forgets every video, and stops the loads under way. */
  clearVideos(): Promise<null> {
    this.ingest.cancelAll();
    return this.queue.run(async () => {
      this.videos.clear();
      this.scheduler.clear();
      this.segments.restart();
      return null;
    });
  }

  setMaxFrames(maxFrames: number): number {
    if (!Number.isInteger(maxFrames) || maxFrames < 1)
      throw new InputError(`the frame cap must be a positive whole number, not ${maxFrames}`);
    this.maxFrames = maxFrames;
    return maxFrames;
  }

  datasetReport(k: number, leaveOut: readonly string[] = []): DatasetReport {
    return datasetReport(this.videos, k, new Set(leaveOut));
  }

  private forget(keys: readonly string[]): void {
    const gone = this.videos.remove(keys);
    this.scheduler.drop(gone);
    if (gone.length) this.emit({ type: 'removed', keys: gone });
  }

  /** One video's windows with every class's probability (the timeline). */
  segmentTimeline(key: string): Promise<SegmentTimeline> {
    return this.queue.run(() => this.segments.timeline(key));
  }

  /** Segment MAP@K over the loaded segment-rated videos ranked so far. */
  segmentReport(worst?: number): SegmentReport {
    return this.segments.report(worst);
  }

  setSegmentWindows(window: Partial<WindowSettings>): WindowSettings {
    return this.segments.setWindow(window);
  }

  occlusion(key: string, classIndex: number, window: number): Promise<OcclusionResult> {
    return this.queue.run(() => computeEvidence(this.host, this.videos, key, classIndex, window));
  }

  // ------------------------------------------------------------ TrainingHost

  snapshot(): TrainingSnapshot {
    const running = this.host.running;
    return {
      model: running?.model ?? null,
      info: this.host.modelInfo,
      videos: [...this.videos.all()].map((e) => ({ ...e.summary, failed: e.status === 'error' })),
      encoder: running?.biLstm,
      load: (keys) => this.videos.load(keys),
    };
  }

  exclusive<T>(task: (s: TrainingSnapshot) => Promise<T>): Promise<T> {
    return this.queue.run(() => task(this.snapshot()));
  }

  guard<T>(fn: () => Promise<T>): Promise<T> {
    return this.host.guard(fn);
  }

  predictWaiting(): Promise<boolean> {
    return this.scheduler.predictWaiting();
  }

  onVideosWaiting(listener: () => void): () => void {
    return this.scheduler.onWaiting(listener);
  }

  /** One piece of tfjs work (a frame of a video being extracted) as a task of the queue, guarded against backend errors. */
  tfTask<T>(fn: () => Promise<T>): Promise<T> {
    return this.queue.run(() => this.host.guard(fn));
  }

  backendLabel() {
    return this.host.label();
  }

  macsPerSecond(): number | null {
    return this.host.macsPerSecond();
  }
}
