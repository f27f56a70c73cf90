/**
 * Dropped videos turned into YouTube-8M features in the worker, one video at
 * a time: decoded with WebCodecs (videoFrames.ts), the frame rule applied to
 * every decoded frame, the frames taken run through the extractor on the
 * engine's backend (each frame a task of its own on the engine's queue, so
 * that predictions of other videos are not held up for a whole video), and
 * the record handed to the engine as a one-record TFRecord, so that the video
 * is listed, predicted, explained and fine-tuned on like any other. Progress
 * per video goes to the page as `extraction` events; the filmstrip, the frame
 * times and the TFRecord as one `extracted` event.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, userMessage } from '../../core/errors';
import { type ExtractorModel, FeatureExtractor, readExtractorFiles } from '../../core/extractor/extractor';
import { MAX_EXTRACTED_FRAMES, microseconds } from '../../core/extractor/frameRule';
import { fileStem } from '../../core/features/fileName';
import { RGB_ONLY_NOTE } from '../../core/extractor/record';
import { writeTfRecords } from '../../core/containers/tfrecord';
import type {
  ExtractionProgress,
  ExtractorInfo,
  ExtractorState,
  FeatureSource,
  VideoToExtract,
  WorkerEvent,
} from '../../protocol/protocol';
import { type ExtractorStore } from './extractorStore';
import { missingParts, stageExtractorFiles, type StagedFiles } from '../../core/extractor/fileRoles';
import { openVideo } from './videoFrames';

/** What the jobs need of the engine: its serial, guarded tfjs queue and its feature-file ingest. */
export interface ExtractionHost {
  tfTask<T>(fn: () => Promise<T>): Promise<T>;
  addFeatures(sources: readonly FeatureSource[]): Promise<{ videos: number; failed: number; cancelled: boolean }>;
}

/** The filmstrip's frames are this many pixels high, drawn side by side in rows of SPRITE_COLUMNS into one JPEG (one image for the page to load, not 300). */
const THUMB_HEIGHT = 54;
const SPRITE_COLUMNS = 20;
/** Progress events per video, at most this often (and at the start and end). */
const REPORT_MS = 200;

interface Job extends VideoToExtract {
  cancelled: boolean;
}

export class VideoJobs {
  private staged: StagedFiles<File> = { inception: null, pca: [] };
  private stored: Promise<{ info: ExtractorInfo; model: ExtractorModel } | null> | null = null;
  private extractor: { backend: string; fx: FeatureExtractor } | null = null;
  private readonly queue: Job[] = [];
  private running: Job | null = null;
  private drain: Promise<void> | null = null;
  private totals = { extracted: 0, failed: 0, cancelled: 0 };

  constructor(
    private readonly host: ExtractionHost,
    private readonly store: ExtractorStore,
    private readonly emit: (e: WorkerEvent) => void,
  ) {}

  private loadStored() {
    this.stored ??= this.store.get().catch(() => null);
    return this.stored;
  }

  async state(): Promise<ExtractorState> {
    const stored = await this.loadStored();
    return {
      ready: stored?.info ?? null,
      missing: stored ? [] : missingParts(this.staged),
      staged: [...(this.staged.inception ? [this.staged.inception.name] : []), ...this.staged.pca.map((f) => f.name)],
      note: RGB_ONLY_NOTE,
    };
  }

  /** Takes the extractor's files (all, or some now and the rest later); once both parts are here, reads, checks and keeps them. */
  async setFiles(files: readonly File[]): Promise<ExtractorState> {
    this.staged = stageExtractorFiles(this.staged, files);
    if (missingParts(this.staged).length) return { ...(await this.state()), ready: null };
    const { inception, pca } = this.staged;
    this.staged = { inception: null, pca: [] };
    const bytes = async (f: File) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) });
    const model = await readExtractorFiles(await bytes(inception!), await Promise.all(pca.map(bytes)));
    const info: ExtractorInfo = {
      inception: inception!.name,
      pca: pca.map((f) => f.name).join(', '),
      nodes: model.graph.stats.nodesOnPath,
      components: model.pca.components,
      savedAt: Date.now(),
    };
    this.disposeExtractor();
    const value = { info, model };
    this.stored = Promise.resolve(value);
    try {
      await this.store.put(value);
    } catch (e) {
      this.emit({
        type: 'notice',
        level: 'warning',
        message: `The extractor files are read, but could not be kept for your next visit: ${userMessage(e)}`,
      });
    }
    return { ready: info, missing: [], staged: [], note: RGB_ONLY_NOTE };
  }

  async forget(): Promise<ExtractorState> {
    this.disposeExtractor();
    this.stored = Promise.resolve(null);
    this.staged = { inception: null, pca: [] };
    await this.store.clear();
    return this.state();
  }

  /** Queues videos; resolves once every video queued by now has ended (extracted, failed or cancelled). */
  async extract(videos: readonly VideoToExtract[]): Promise<{ extracted: number; failed: number; cancelled: number }> {
    const before = { ...this.totals };
    // Queued at once (before any await), so that a Cancel sent right after finds them.
    const queued = videos.map((v): Job => ({ ...v, cancelled: false }));
    this.queue.push(...queued);
    if (!(await this.loadStored())) {
      for (const q of queued) this.queue.splice(this.queue.indexOf(q), 1);
      throw new InputError(
        'the extractor files are needed first: inception-2015-12-05.tgz (or classify_image_graph_def.pb) and yt8m_pca.tgz',
      );
    }
    for (const v of videos) this.report(v, { state: 'queued', framesDone: 0, framesTotal: null, framesPerSecond: null, secondsLeft: null });
    this.drain ??= this.run().finally(() => (this.drain = null));
    await this.drain;
    return {
      extracted: this.totals.extracted - before.extracted,
      failed: this.totals.failed - before.failed,
      cancelled: this.totals.cancelled - before.cancelled,
    };
  }

  /** Cancels one video (by job id) or all; resolves with how many were cancelled. */
  cancel(job?: string): number {
    let n = 0;
    for (const j of [...this.queue, ...(this.running ? [this.running] : [])]) {
      if ((job === undefined || j.job === job) && !j.cancelled) {
        j.cancelled = true;
        n++;
      }
    }
    return n;
  }

  private report(v: VideoToExtract, p: Omit<ExtractionProgress, 'job' | 'name'>): void {
    this.emit({ type: 'extraction', progress: { job: v.job, name: v.name, ...p } });
  }

  private async run(): Promise<void> {
    for (let job = this.queue.shift(); job; job = this.queue.shift()) {
      this.running = job;
      try {
        if (job.cancelled) throw new Cancelled();
        await this.one(job);
        this.totals.extracted++;
      } catch (e) {
        if (e instanceof Cancelled || job.cancelled) {
          this.totals.cancelled++;
          this.report(job, { state: 'cancelled', framesDone: 0, framesTotal: null, framesPerSecond: null, secondsLeft: null });
        } else {
          this.totals.failed++;
          const message = userMessage(e);
          this.report(job, { state: 'error', framesDone: 0, framesTotal: null, framesPerSecond: null, secondsLeft: null, message });
        }
      } finally {
        this.running = null;
      }
    }
  }

  private async extractorFor(): Promise<FeatureExtractor> {
    const stored = await this.loadStored();
    if (!stored) throw new InputError('the extractor files are needed first');
    return this.host.tfTask(async () => {
      const backend = tf.getBackend();
      if (this.extractor?.backend !== backend) {
        this.disposeExtractor();
        this.extractor = { backend, fx: FeatureExtractor.create(stored.model) };
      }
      return this.extractor.fx;
    });
  }

  private disposeExtractor(): void {
    try {
      this.extractor?.fx.dispose();
    } catch {
      // The backend it lived on is gone; its weights went with it.
    }
    this.extractor = null;
  }

  private async one(job: Job): Promise<void> {
    const video = await openVideo(job.file, job.name);
    const started = performance.now();
    let lastReport = 0;
    // Frames end at the duration (the last frame's end): one taken a second from 0 makes ceil(duration) of them.
    const total = Math.min(MAX_EXTRACTED_FRAMES, Math.max(1, Math.ceil(video.duration - 1e-6)));
    try {
      const fx = await this.extractorFor();
      const backend = this.extractor?.backend;
      const extraction = fx.startVideo({ id: fileStem(job.name), file: job.name, labels: job.labels });
      const tileW = Math.max(1, Math.min(4 * THUMB_HEIGHT, Math.round((video.width * THUMB_HEIGHT) / Math.max(1, video.height))));
      // Without OffscreenCanvas (not in a browser worker) there is no filmstrip; the features do not need it.
      const sprite =
        typeof OffscreenCanvas === 'undefined'
          ? null
          : new OffscreenCanvas(tileW * SPRITE_COLUMNS, THUMB_HEIGHT * Math.ceil(MAX_EXTRACTED_FRAMES / SPRITE_COLUMNS));
      const spriteCtx = sprite?.getContext('2d', { alpha: false }) ?? null;
      let warning: string | null = null;
      const progress = (final = false) => {
        const now = performance.now();
        if (!final && now - lastReport < REPORT_MS) return;
        lastReport = now;
        const done = extraction.taken;
        const fps = done > 0 ? done / ((now - started) / 1000) : null;
        const expected = Math.max(total, done);
        this.report(job, {
          state: 'decoding',
          framesDone: done,
          framesTotal: expected,
          framesPerSecond: fps,
          secondsLeft: fps ? (expected - done) / fps : null,
        });
      };
      progress(true);
      try {
        for await (const frame of video.frames()) {
          if (job.cancelled) throw new Cancelled();
          if (!extraction.consider(microseconds(frame.us))) continue;
          const pixels = frame.rgba();
          const t = extraction.taken - 1;
          if (spriteCtx)
            frame.drawInto(spriteCtx, (t % SPRITE_COLUMNS) * tileW, Math.floor(t / SPRITE_COLUMNS) * THUMB_HEIGHT, tileW, THUMB_HEIGHT);
          const current = extraction;
          await this.host
            .tfTask(async () => {
              // The backend changed under the video (a switch, a WebGPU recovery): its frames so far are run again on the new one.
              if (tf.getBackend() !== backend || this.extractor?.fx !== fx) throw new BackendMoved();
              await current.add({ ...pixels, format: 'rgba' });
            })
            .catch((e) => {
              throw e instanceof BackendMoved
                ? new InputError(`${job.name}: the backend changed while it was extracted; drop it again`)
                : e;
            });
          progress();
          if (extraction.full) break;
        }
      } catch (e) {
        if (e instanceof Cancelled || job.cancelled || extraction.taken === 0) throw e;
        // A file cut off after some frames keeps them, as the command line does.
        const why = userMessage(e).replace(`${job.name}: `, '');
        warning = `${job.name}: decoding stopped after ${extraction.taken} frames (${why}); those frames are kept`;
      }
      if (job.cancelled) throw new Cancelled();
      const result = await this.host.tfTask(() => extraction.finish());
      progress(true);
      const tfrecord = writeTfRecords([result.record]) as Uint8Array<ArrayBuffer>;
      const filmstrip = sprite ? await cutSprite(sprite, tileW, result.frames) : null;
      this.emit({
        type: 'extracted',
        media: {
          job: job.job,
          name: job.name,
          frames: result.frames,
          times: result.times,
          considered: result.framesConsidered,
          width: video.width,
          height: video.height,
          codec: video.codec,
          filmstrip,
          tfrecord: new Blob([tfrecord], { type: 'application/octet-stream' }),
          seconds: (performance.now() - started) / 1000,
        },
      });
      if (warning) this.emit({ type: 'notice', level: 'warning', message: warning });
      this.report(job, { state: 'done', framesDone: result.frames, framesTotal: result.frames, framesPerSecond: null, secondsLeft: 0 });
      await this.host.addFeatures([{ kind: 'file', file: new File([tfrecord], job.name) }]);
    } finally {
      video.close();
    }
  }
}

/** The sprite cut to the rows used. */
async function cutSprite(sprite: OffscreenCanvas, tileWidth: number, frames: number) {
  const used = new OffscreenCanvas(tileWidth * Math.min(SPRITE_COLUMNS, frames), THUMB_HEIGHT * Math.ceil(frames / SPRITE_COLUMNS));
  used.getContext('2d', { alpha: false })?.drawImage(sprite, 0, 0);
  return {
    image: await used.convertToBlob({ type: 'image/jpeg', quality: 0.8 }),
    tileWidth,
    tileHeight: THUMB_HEIGHT,
    columns: SPRITE_COLUMNS,
  };
}

class Cancelled extends Error {}
class BackendMoved extends Error {}
