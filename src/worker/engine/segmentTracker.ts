/**
 * Segments in the worker (spec section 8): each loaded segment-rated video's
 * windows ranked for the segment MAP, and one video's windows on request for
 * the timeline.
 *
 * When: a rated video's windows are computed in the same forward pass as
 * its video-level prediction (the prediction scheduler asks windowsFor for
 * each batch and hands the windows to accept before the batch's
 * 'predictions' event): the frames are read, dequantized and embedded once,
 * each frame's input projections serve the video and its windows
 * (core/model/packedWindows.ts), and the windows' recurrences run as one
 * batch. So the segment MAP grows as the shard is predicted, and a shard is
 * ranked about when it is predicted. Only rated videos are ranked: an unrated
 * window neither helps nor hurts the metric. Videos predicted before the
 * ranking (re)started (new window settings, a video removed) are read again
 * and ranked here, a batch of windows per task on the engine's serial queue,
 * so that video-level results, a backend switch, an occlusion map or a
 * timeline request get in between. The timeline's windows, which hold every
 * class's probability (300 windows x 3,862 classes at hop 1), are computed
 * for the selected video alone when the page asks: keeping them for every
 * video would grow with the shard.
 *
 * Memory: windows leave a pass a chunk at a time, within the budget of a
 * batch of windows; a batch's windows' probabilities are ranked as the batch
 * ends and dropped; the ranking keeps at most K windows per class
 * (SegmentRanking).
 *
 * The ranking cannot forget a video, so a change that invalidates one of its
 * videos (a new model, backend, window settings, a video removed or
 * predicted again) starts it again from the videos predicted so far.
 */
import { InputError } from '../../core/errors';
import type { VideoFeatures } from '../../core/features/featureTypes';
import { batchSizeFor } from '../../core/model/batching';
import { predictVideos } from '../../core/model/model';
import type { PassWindow } from '../../core/model/prediction';
import {
  MAX_WINDOWS_PER_BATCH,
  modelRunner,
  predictVideoWindows,
  ratedClassesFor,
  SEGMENT_WINDOWS,
  SegmentRanking,
  segmentMap,
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

/**
 * Windows per chunk of a video-level pass at most (perPass). 1,024 took the
 * same time in the page as 256 and grew the page's memory by about 60 MB
 * more (wasm's memory keeps its peak).
 */
const MAX_WINDOWS_PER_PASS = 256;

/** The windows a video-level batch computes for the ranking (SegmentTracker.windowsFor). */
export interface PassWindowsPlan {
  generation: number;
  window: WindowSettings;
  /** Windows per chunk of the pass. */
  batchSize: number;
  /** The batch's videos whose windows are wanted. */
  keys: ReadonlySet<string>;
}

/** A video of a batch with the windows its pass computed. */
export interface PassWindowsResult {
  key: string;
  video: VideoFeatures;
  windows: readonly PassWindow[];
}

export class SegmentTracker {
  private settings: WindowSettings = { ...SEGMENT_WINDOWS };
  private ranking: SegmentRanking | null = null;
  /** Rated videos predicted at video level whose windows wait, in order. */
  private pending: string[] = [];
  private readonly ranked = new Set<string>();
  private draining = false;
  /** Windows of a video-level batch were ranked: a 'segments' event follows its 'predictions' event. */
  private announce = false;
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
    if (e.type === 'predictions') {
      this.enqueue(e.results.map((r) => r.key));
      if (this.announce) {
        this.announce = false;
        this.emit({ type: 'segments', ranked: this.ranked.size, pending: this.pending.length });
      }
    } else if (e.type === 'removed' && e.keys.some((k) => this.ranked.has(k) || this.pending.includes(k))) this.restart();
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
      const { backend, model, biLstm } = running;
      const inner = modelRunner(model, biLstm);
      const runner = { sizes: inner.sizes, predict: (batch: readonly VideoFeatures[]) => backend.guard(() => inner.predict(batch)) };
      const [windows] = await predictVideoWindows(runner, [video], { window, batchSize: this.perBatch() });
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

  /** Windows per chunk of a video-level pass: the backend's budget, as a batch of windows has, at most MAX_WINDOWS_PER_PASS. */
  private perPass(): number {
    const { backend, model } = this.host.running!;
    return batchSizeFor(model.meta.sizes, this.settings.length, backend.batchBudgetBytes, MAX_WINDOWS_PER_PASS);
  }

  /** Windows per forward pass on the backend in use: its budget, as its video batches have. */
  private perBatch(): number {
    const { backend, model } = this.host.running!;
    return batchSizeFor(model.meta.sizes, this.settings.length, backend.batchBudgetBytes, MAX_WINDOWS_PER_BATCH);
  }

  /**
   * The windows a video-level batch of these videos should compute in its
   * pass: those of its rated videos not ranked yet, with the current settings;
   * null for none.
   */
  windowsFor(keys: readonly string[]): PassWindowsPlan | null {
    if (!this.host.running) return null;
    const wanted = keys.filter((k) => {
      const e = this.videos.get(k);
      return e && isRated(e.summary) && !this.ranked.has(k);
    });
    if (!wanted.length) return null;
    return { generation: this.generation, window: this.window, batchSize: this.perPass(), keys: new Set(wanted) };
  }

  /**
   * Ranks the windows a video-level batch computed (windowsFor's plan). Call
   * it before the batch's 'predictions' event, so that its videos are not
   * queued to be read again; a plan from before a restart is ignored (the
   * event then queues them).
   */
  async accept(plan: PassWindowsPlan, results: readonly PassWindowsResult[]): Promise<void> {
    if (plan.generation !== this.generation || !results.length) return;
    if (!(await this.ensureRanking(plan.generation))) return;
    this.add(results);
    this.pending = this.pending.filter((k) => !this.ranked.has(k));
    // Said after the batch's 'predictions' event (observe): the page then knows whether any video still waits.
    this.announce = true;
  }

  /** The ranking of the current generation, made when its first windows come; false when a restart came first. */
  private async ensureRanking(generation: number): Promise<boolean> {
    if (this.ranking) return generation === this.generation;
    const running = this.host.running;
    if (!running) return false;
    const classes = running.model.meta.sizes.classes;
    // Upstream multiplies a YouTube-8M model's windows by the rated classes' mask; without the list (it failed to load) all classes rank.
    const list = classes === YT8M_CLASS_COUNT ? await this.ratedList().catch(() => null) : null;
    if (generation !== this.generation) return false;
    this.ranking ??= new SegmentRanking({ classes, rated: ratedClassesFor(classes, list), window: this.settings, keepOrder: true });
    return true;
  }

  /** Adds videos' windows to the ranking; a video with a non-finite window is left out, with a notice. */
  private add(results: readonly PassWindowsResult[]): void {
    const broken: string[] = [];
    for (const { key, video, windows } of results) {
      if (this.ranked.has(key)) continue;
      if (!windows.every((w) => allFinite(w.probabilities))) {
        broken.push(video.id);
        continue;
      }
      const ranked = { id: video.id, frames: video.frames, segments: video.segments };
      this.ranking!.addVideo(ranked);
      for (const w of windows) this.ranking!.addWindow(ranked, w.start, w.probabilities);
      this.ranked.add(key);
    }
    if (broken.length) {
      this.emit({
        type: 'notice',
        level: 'warning',
        message: `${this.host.running?.backend.name ?? 'The backend'} returned non-finite probabilities for the windows of ${broken.slice(0, 3).join(', ')}${broken.length > 3 ? ` and ${broken.length - 3} more` : ''}: left out of the segment MAP.`,
      });
    }
  }

  /** Ranks the windows of the next waiting videos (about one batch of them), read again; returns whether more wait. */
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
    const { backend, model, biLstm } = running;
    const s = this.settings;
    // The video-level pass with the windows in it: each frame embedded once however many windows hold it (hop 1: five).
    const predicted = await backend.guard(() =>
      predictVideos(model, videos, { batchSize: videos.length, biLstm, windows: { ...s, batchSize: this.perPass(), of: () => true } }),
    );
    if (generation !== this.generation || !(await this.ensureRanking(generation))) return this.pending.length > 0;
    this.add(videos.map((video, i) => ({ key: keys[i], video, windows: predicted[i].windows ?? [] })));
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
