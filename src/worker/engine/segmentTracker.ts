/**
 * Segments in the worker (spec section 8): each loaded segment-rated video's
 * windows ranked for the segment MAP, and one video's windows on request for
 * the timeline.
 *
 * When: the ranking follows the video-level predictions. A rated video joins
 * it once its video-level result is out (the 'predictions' event), a batch of
 * windows per task on the engine's serial queue, so that video-level results,
 * a backend switch, an occlusion map or a timeline request get in between
 * batches: a 1,000-video shard shows its first results as fast as without
 * segments, and its segment MAP grows as the shard is predicted rather than
 * waiting for a click. Only rated videos are ranked: an unrated window
 * neither helps nor hurts the metric. The timeline's windows, which hold every
 * class's probability (300 windows x 3,862 classes at hop 1), are computed for
 * the selected video alone when the page asks: keeping them for every video
 * would grow with the shard.
 *
 * Memory: a task holds the frames of the few videos whose windows fill one
 * batch (read again from their files, as predictions after a model change
 * are) and their windows' probabilities; the ranking keeps at most K windows
 * per class (SegmentRanking). Windows are batched and packed by the core's
 * predictWindowStream within the backend's batch budget, like videos.
 *
 * The ranking cannot forget a video, so a change that invalidates one of its
 * videos (a new model, backend, window settings, a video removed or
 * predicted again) starts it again from the videos predicted so far.
 */
import { InputError } from '../../core/errors';
import type { VideoFeatures } from '../../core/features/featureTypes';
import { batchSizeFor } from '../../core/model/batching';
import {
  MAX_WINDOWS_PER_BATCH,
  modelRunner,
  predictVideoWindows,
  ratedClassesFor,
  SEGMENT_WINDOWS,
  SegmentRanking,
  segmentMap,
  type WindowRunner,
  type WindowSettings,
  windowCount,
  windowSettings,
  worstRankedPositives,
  YT8M_CLASS_COUNT,
} from '../../core/segments';
import { BackendFault } from '../backends';
import type { SegmentReport, SegmentTimeline, WorkerEvent } from '../../protocol/protocol';
import type { BackendHost } from './backendHost';
import { type SerialQueue, yieldToEventLoop } from './serialQueue';
import type { VideoRegistry } from './videoRegistry';

export class SegmentTracker {
  private settings: WindowSettings = { ...SEGMENT_WINDOWS };
  private ranking: SegmentRanking | null = null;
  /** Rated videos predicted at video level whose windows wait, in order. */
  private pending: string[] = [];
  private readonly ranked = new Set<string>();
  private draining = false;
  /** Bumped by every restart: a batch that began before one does not count. */
  private generation = 0;

  constructor(
    private readonly host: BackendHost,
    private readonly videos: VideoRegistry,
    private readonly queue: SerialQueue,
    private readonly emit: (e: WorkerEvent) => void,
    /** The challenge's 1,000 rated class ids (public/vocabulary/segment_label_ids.csv), for a model of YouTube-8M's classes. */
    private readonly ratedList: () => Promise<readonly number[] | null> = async () => null,
  ) {}

  get window(): WindowSettings {
    return { ...this.settings };
  }

  /** Sees every event the engine sends, and follows the videos' predictions. */
  observe(e: WorkerEvent): void {
    if (e.type === 'predictions') this.enqueue(e.results.map((r) => r.key));
    else if (e.type === 'removed' && e.keys.some((k) => this.ranked.has(k) || this.pending.includes(k))) this.restart();
    else if (e.type === 'status' && e.status === 'queued' && e.keys.some((k) => this.ranked.has(k) || this.pending.includes(k)))
      this.restart(false);
    else if (e.type === 'model') this.restart(false);
  }

  /** New window settings: the ranking starts again with them. */
  setWindow(given: Partial<WindowSettings>): WindowSettings {
    this.settings = windowSettings(given);
    this.restart();
    return this.window;
  }

  /**
   * Starts the ranking again (a new model or backend, new settings, a video
   * gone); with `requeue`, from every rated video already predicted, otherwise
   * (they are being predicted again) as their results arrive.
   */
  restart(requeue = true): void {
    this.generation++;
    this.ranking = null;
    this.ranked.clear();
    this.pending = requeue ? [...this.videos.all()].filter((e) => e.status === 'done' && isRated(e.summary)).map((e) => e.summary.key) : [];
    this.emit({ type: 'segments', ranked: 0, pending: this.pending.length });
    this.schedule();
  }

  /** The segment MAP over the rated videos ranked so far. */
  report(worst = 20): SegmentReport {
    const ratedVideos = [...this.videos.all()].filter((e) => isRated(e.summary)).length;
    const r = this.ranking;
    return {
      window: this.window,
      result: r && this.ranked.size ? segmentMap(r) : null,
      worst: r && this.ranked.size ? worstRankedPositives(r, worst) : [],
      ratedVideos,
      ranked: this.ranked.size,
      pending: this.pending.length,
    };
  }

  /** Every window of one video with every class's probability (call from inside the queue). */
  async timeline(key: string): Promise<SegmentTimeline> {
    const running = this.host.running;
    if (!running) throw new InputError('no model is loaded yet');
    const [video] = await this.videos.load([key]);
    const window = this.window;
    try {
      const [windows] = await predictVideoWindows(this.runner(), [video], { window, batchSize: this.perBatch() });
      // tfjs does not throw on WebGPU errors: a wrong result shows as non-finite numbers.
      if (!windows.every((w) => allFinite(w.probabilities)))
        throw new InputError(`${running.backend.name} returned non-finite probabilities for the windows of ${video.id}`);
      const classes = running.model.meta.sizes.classes;
      const probabilities = new Float32Array(windows.length * classes);
      windows.forEach((w, i) => probabilities.set(w.probabilities, i * classes));
      return {
        key,
        window,
        starts: Int32Array.from(windows, (w) => w.start),
        frames: Int32Array.from(windows, (w) => w.frames),
        classes,
        probabilities,
      };
    } catch (e) {
      if (e instanceof BackendFault) {
        await this.host.recover(e.message);
        throw new InputError('WebGPU failed while computing the timeline; the backend was restarted, please try again');
      }
      throw e;
    }
  }

  private enqueue(keys: readonly string[]): void {
    const rated = keys.filter((k) => {
      const e = this.videos.get(k);
      return e && isRated(e.summary) && !this.ranked.has(k);
    });
    if (!rated.length) return;
    this.pending.push(...rated);
    this.schedule();
  }

  private schedule(): void {
    if (this.draining || !this.pending.length) return;
    this.draining = true;
    void this.queue.run(() => this.drainOne());
  }

  /** One batch of windows per queue task; queues itself again while rated videos wait. */
  private async drainOne(): Promise<void> {
    const more = await this.rankBatch().catch(async (e: unknown) => {
      if (e instanceof BackendFault) await this.host.recover(e.message);
      // Anything else leaves the ranking as it was; the videos' windows are not counted.
      return this.pending.length > 0;
    });
    if (!more) {
      this.draining = false;
      return;
    }
    await yieldToEventLoop();
    void this.queue.run(() => this.drainOne());
  }

  /** Windows per forward pass on the backend in use: its budget, as its video batches have. */
  private perBatch(): number {
    const { backend, model } = this.host.running!;
    return batchSizeFor(model.meta.sizes, this.settings.length, backend.batchBudgetBytes, MAX_WINDOWS_PER_BATCH);
  }

  private runner(): WindowRunner {
    const { backend, model, biLstm } = this.host.running!;
    const inner = modelRunner(model, biLstm);
    return { sizes: inner.sizes, predict: (batch) => backend.guard(() => inner.predict(batch)) };
  }

  /** Ranks the windows of the next waiting videos (about one batch of them); returns whether more wait. */
  private async rankBatch(): Promise<boolean> {
    const running = this.host.running;
    if (!running) return false;
    const generation = this.generation;
    const per = this.perBatch();
    const keys: string[] = [];
    let windows = 0;
    while (this.pending.length && windows < per) {
      const key = this.pending.shift()!;
      const entry = this.videos.get(key);
      if (!entry || this.ranked.has(key) || entry.status !== 'done') continue;
      keys.push(key);
      windows += windowCount(entry.summary.frames, this.settings);
    }
    if (!keys.length) return this.pending.length > 0;
    let videos: VideoFeatures[];
    try {
      videos = await this.videos.load(keys);
    } catch {
      // A file that cannot be read again: its videos stay out of the ranking (their video-level results said so already).
      return this.pending.length > 0;
    }
    const predicted = await predictVideoWindows(this.runner(), videos, { window: this.settings, batchSize: per });
    if (generation !== this.generation) return this.pending.length > 0;
    if (!this.ranking) {
      const classes = running.model.meta.sizes.classes;
      // Upstream multiplies a YouTube-8M model's windows by the rated classes' mask; without the list (it failed to load) all classes rank.
      const list = classes === YT8M_CLASS_COUNT ? await this.ratedList().catch(() => null) : null;
      if (generation !== this.generation) return this.pending.length > 0;
      this.ranking = new SegmentRanking({ classes, rated: ratedClassesFor(classes, list), window: this.settings });
    }
    const broken: string[] = [];
    videos.forEach((video, i) => {
      if (!predicted[i].every((w) => allFinite(w.probabilities))) {
        broken.push(video.id);
        return;
      }
      const ranked = { id: video.id, frames: video.frames, segments: video.segments };
      this.ranking!.addVideo(ranked);
      for (const w of predicted[i]) this.ranking!.addWindow(ranked, w.start, w.probabilities);
      this.ranked.add(keys[i]);
    });
    if (broken.length) {
      this.emit({
        type: 'notice',
        level: 'warning',
        message: `${running.backend.name} returned non-finite probabilities for the windows of ${broken.slice(0, 3).join(', ')}${broken.length > 3 ? ` and ${broken.length - 3} more` : ''}: left out of the segment MAP.`,
      });
    }
    this.emit({ type: 'segments', ranked: this.ranked.size, pending: this.pending.length });
    return this.pending.length > 0;
  }
}

function allFinite(x: Float32Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

function isRated(s: { segments?: readonly unknown[] | null }): boolean {
  return !!s.segments && s.segments.length > 0;
}
