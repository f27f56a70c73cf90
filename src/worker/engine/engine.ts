/**
 * The worker's state and everything it does with tfjs, put together from its
 * parts: the backend host (backend and model), the video registry, the
 * prediction scheduler and evidence. Every request that does tfjs work runs as
 * one task on a serial queue; the handlers call this class, and a fine-tune
 * sees it through the narrow TrainingHost interface.
 */
import { userMessage } from '../../core/errors';
import { acquireModel, type LoaderDeps } from '../models';
import type { BackendChoice, BackendStatus, FeatureSource, ModelInfo, ModelSource, OcclusionResult, WorkerEvent } from '../protocol';
import { BackendHost } from './backendHost';
import { computeEvidence } from './evidence';
import { readFeatureSource, sourceName } from './featureInput';
import { PredictionScheduler } from './predictionScheduler';
import { SerialQueue } from './serialQueue';
import type { TrainingHost, TrainingSnapshot } from './trainingHost';
import { VideoRegistry } from './videoRegistry';

export class Engine implements TrainingHost {
  private readonly queue = new SerialQueue();
  private readonly videos = new VideoRegistry();
  private readonly host: BackendHost;
  private readonly scheduler: PredictionScheduler;

  constructor(private readonly emit: (e: WorkerEvent) => void, private readonly deps: Omit<LoaderDeps, 'progress'>) {
    this.host = new BackendHost(emit, this.queue, () => this.scheduler.schedule());
    this.scheduler = new PredictionScheduler(this.host, this.videos, this.queue, emit);
  }

  /** Starts (or switches to) a backend; the model moves onto it and every video is predicted again. */
  setBackend(choice: BackendChoice): Promise<BackendStatus> {
    return this.queue.run(async () => {
      const status = await this.host.start(choice);
      this.scheduler.requeueAll();
      return status;
    });
  }

  /** Loads a model (replacing the current one) and predicts every video again; `op` tags the progress events. */
  loadModel(source: ModelSource, op: number): Promise<ModelInfo> {
    return this.queue.run(async () => {
      const acquired = await acquireModel(source, { ...this.deps, progress: (task, event) => this.emit({ type: 'progress', op, task, event }) });
      await this.host.setModel(acquired);
      this.emit({ type: 'model', model: acquired.info });
      this.scheduler.requeueAll();
      return acquired.info;
    });
  }

  /** Reads each source (not behind the queue: reading needs no tfjs); a file that cannot be read is reported and skipped. */
  async addFeatures(sources: readonly FeatureSource[]): Promise<{ videos: number; failed: number }> {
    let added = 0;
    let failed = 0;
    for (const src of sources) {
      try {
        const { videos, warnings } = await readFeatureSource(src, this.deps.fetch);
        const summaries = this.videos.add(videos);
        this.emit({ type: 'file', file: sourceName(src), videos: summaries, warnings });
        this.scheduler.enqueue(summaries.map((s) => s.key));
        added += summaries.length;
      } catch (e) {
        failed++;
        this.emit({ type: 'fileError', file: sourceName(src), message: userMessage(e) });
      }
    }
    return { videos: added, failed };
  }

  /** Forgets every video. */
  clearVideos(): Promise<null> {
    return this.queue.run(async () => {
      this.videos.clear();
      this.scheduler.clear();
      return null;
    });
  }

  occlusion(key: string, classIndex: number, window: number): Promise<OcclusionResult> {
    return this.queue.run(() => computeEvidence(this.host, this.videos, key, classIndex, window));
  }

  // ------------------------------------------------------------ TrainingHost

  snapshot(): TrainingSnapshot {
    const running = this.host.running;
    return { model: running?.model ?? null, info: this.host.modelInfo, videos: this.videos.entries(), encoder: running?.biLstm };
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

  backendLabel() {
    return this.host.label();
  }

  macsPerSecond(): number | null {
    return this.host.macsPerSecond();
  }
}
