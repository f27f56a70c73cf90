/**
 * Fine-tuning in the worker: the page's requests (see protocol.ts) around the
 * core's FineTuneSession. Training runs alone on the engine's serial queue;
 * pause and stop are answered at once (the handlers do not queue them) and
 * reach the session through flags that its between-batches callback reads.
 */
import { modelFiles } from '../../core/convert/fromWeights';
import type { AttentionLstmMeta } from '../../core/convert/modelFormat';
import { InputError, userMessage } from '../../core/errors';
import { exportModel } from '../../core/export/exportModel';
import type { ExportFormat } from '../../core/export/formats';
import type { VideoFeatures } from '../../core/features/featureTypes';
import { FineTuneSession, type ValidationReport } from '../../core/training/finetune';
import { SegmentFineTune } from '../../core/training/segmentFinetune';
import { fineTuneCost, isLargeHead, trainingLabels, type TrainingLabels } from '../../core/training/policy';
import type { CustomLabels, FineTuneMode, HeadLayers } from '../../core/training/trainingTypes';
import type { TrainingHost } from '../engine/trainingHost';
import type { ModelStore } from '../models/cache/modelStore';
import type {
  CachedModelInfo,
  ModelInfo,
  SegmentTrainingReport,
  TrainingConfig,
  TrainingPlan,
  TrainingValidation,
  VideoSummary,
  WorkerEvent,
} from '../../protocol/protocol';
import { videoFigures } from '../../core/metrics';

class Stopped extends Error {}

/** The live prediction of the watched video is sent at most this often (ms), besides the end of each run. */
const WATCH_INTERVAL_MS = 250;

interface Trained {
  meta: AttentionLstmMeta;
  weights: Map<string, Float32Array>;
  /** The model it was fine-tuned from, for names. */
  from: string;
}

export class TrainingHandler {
  private active = false;
  private paused = false;
  private stopRequested = false;
  private resumeWaiters: (() => void)[] = [];
  private trained: Trained | null = null;
  private savedId: string | null = null;
  /** The video the page shows: its live prediction follows the training. */
  private watchKey: string | null = null;
  /** The watched video changed, or has not been sent for the current weights. */
  private watchDirty = false;
  private lastWatch = { at: -Infinity, epoch: -1, key: null as string | null };
  private session: FineTuneSession | null = null;
  /** The watched video's frames, read once for its live views. */
  private watched: { key: string; video: VideoFeatures } | null = null;

  constructor(
    private readonly engine: TrainingHost,
    private readonly store: ModelStore,
    private readonly emit: (e: WorkerEvent) => void,
  ) {}

  plan(mode: FineTuneMode, headLayers: HeadLayers, labels?: CustomLabels | null, names?: readonly string[]): TrainingPlan {
    const { info, videos } = this.engine.snapshot();
    const macsPerSecond = this.engine.macsPerSecond();
    if (!info)
      return {
        labeled: 0,
        videos: videos.length,
        classNames: [],
        notes: [],
        cachingMacs: 0,
        epochMacs: 0,
        largeHead: false,
        macsPerSecond,
      };
    const { data, classNames, notes } = chooseLabels(mode, info, videos, labels, names);
    const cost = fineTuneCost(
      info.sizes,
      data.map((d) => d.item.frames),
      mode,
      headLayers,
      Math.max(1, classNames.length),
    );
    return { labeled: data.length, videos: videos.length, classNames, notes, ...cost, largeHead: isLargeHead(info.sizes), macsPerSecond };
  }

  start(config: TrainingConfig): Promise<{ state: 'done' | 'stopped' }> {
    if (this.active) return Promise.reject(new InputError('a fine-tune is already running; stop it first'));
    this.active = true;
    this.paused = false;
    this.stopRequested = false;
    this.watchKey = config.watch ?? null;
    this.lastWatch = { at: -Infinity, epoch: -1, key: null };
    this.watched = null;
    this.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'caching' } });
    const guard = <T>(fn: () => Promise<T>) => this.engine.guard(fn);
    return this.engine.exclusive(async ({ model, info, videos, encoder, load }) => {
      const stopListening = this.engine.onVideosWaiting(() => this.wake());
      try {
        if (!model || !info) throw new InputError('no model is loaded yet');
        const { mode, headLayers, optimizer, learningRate, epochs, batchSize, validationFraction, seed } = config;
        const caching = (done: number, total: number) =>
          this.emit({ type: 'trainingProgress', progress: { phase: 'caching', done, total } });
        let s: FineTuneSession;
        let segments: SegmentFineTune | null = null;
        let segmentsBefore: number | null = null;
        if (config.segments) {
          // The recipe of the segment challenge: the model's own classes refined on the rated segments' windows (core segmentFinetune.ts).
          const rated = videos.filter((v) => !v.failed && v.segments && v.segments.length > 0);
          const frames = await load(rated.map((v) => v.key));
          const sft = await guard(() =>
            SegmentFineTune.create(
              model,
              frames,
              {
                mode: mode === 'all' ? 'all' : 'same-labels',
                headLayers,
                optimizer,
                learningRate,
                epochs,
                batchSize,
                validationFraction,
                seed,
                window: config.segments!.window,
              },
              caching,
              encoder,
            ),
          );
          segments = sft;
          s = sft.session;
          segmentsBefore = (await guard(() => sft.segmentMap())).map;
        } else {
          const chosen = chooseLabels(config.mode, info, videos, config.labels, config.classNames);
          // The training videos' frames, read again from their files (kept quantized while the run lasts).
          const frames = await load(chosen.data.map((d) => d.item.key));
          const data = chosen.data.map((d, i) => ({ video: frames[i], labels: d.labels }));
          const settings = {
            mode,
            headLayers,
            optimizer,
            learningRate,
            epochs,
            batchSize,
            validationFraction,
            seed,
            classNames: chosen.classNames,
          };
          s = await guard(() => FineTuneSession.create(model, data, settings, caching, encoder));
        }
        this.session = s;
        const before = summary(await guard(() => s.validate()));
        this.emit({
          type: 'trainingProgress',
          progress: {
            phase: 'start',
            classNames: s.classNames,
            trainVideos: s.trainSet.length,
            validationVideos: s.validationSet.length,
            epochs: config.epochs,
            before,
          },
        });
        this.emit({ type: 'trainingProgress', progress: { phase: 'state', state: this.paused ? 'paused' : 'running' } });
        await this.sendWatched(true);
        this.trained = null;
        this.savedId = null;
        let stopped = false;
        try {
          while (!s.finished) {
            await this.between();
            const report = await guard(() => s.runEpoch(() => this.between()));
            this.emit({ type: 'trainingProgress', progress: { phase: 'epoch', report } });
            await this.sendWatched(s.finished);
          }
        } catch (e) {
          if (!(e instanceof Stopped)) throw e;
          stopped = true;
        }
        await this.sendWatched(true);
        const final = await guard(() => s.validate());
        let segmentReport: SegmentTrainingReport | undefined;
        if (segments) {
          const sft = segments;
          const after = await guard(() => sft.segmentMap());
          segmentReport = {
            window: sft.window,
            before: segmentsBefore,
            after: after.map,
            classesCounted: after.perClass.length,
            trainVideos: sft.trainVideos.length,
            validationVideos: sft.validationVideos.length,
            examples: s.trainSet.length + s.validationSet.length,
            notes: sft.notes,
          };
        }
        this.emit({
          type: 'trainingReport',
          report: {
            before,
            after: summary(final),
            perClass: final.perClass,
            epochs: s.epoch,
            ...(segmentReport ? { segments: segmentReport } : {}),
          },
        });
        if (s.epoch > 0) this.trained = { ...(await s.result()), from: info.name };
        const state = stopped ? 'stopped' : 'done';
        this.emit({ type: 'trainingProgress', progress: { phase: 'state', state } });
        return { state };
      } catch (e) {
        this.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'error', message: userMessage(e) } });
        throw e;
      } finally {
        stopListening();
        this.session?.dispose();
        this.session = null;
        this.active = false;
        this.paused = false;
        this.wake();
      }
    });
  }

  /**
   * Between batches: lets messages in, sends the watched video when it
   * changed, predicts videos added meanwhile (with the loaded model), waits
   * while paused, and throws when stopped.
   */
  private async between(): Promise<void> {
    await new Promise((r) => setTimeout(r, 0));
    for (;;) {
      if (this.stopRequested) throw new Stopped('stopped');
      if (this.watchDirty) await this.sendWatched(true);
      const more = await this.engine.predictWaiting();
      if (!this.paused) return;
      // Paused: the waiting videos are predicted one batch at a time, letting messages in between.
      if (more) await new Promise((r) => setTimeout(r, 0));
      else await new Promise<void>((r) => this.resumeWaiters.push(r));
    }
  }

  /**
   * Sends the watched video's probabilities and attention under the weights
   * as they are now: when forced (a new video, the start or the end of the
   * run), else when the weights moved on and the last one is old enough.
   */
  private async sendWatched(force: boolean): Promise<void> {
    const session = this.session;
    const key = this.watchKey;
    this.watchDirty = false;
    if (!session || !key) return;
    const last = this.lastWatch;
    const fresh = last.key === key && last.epoch === session.epoch;
    if (fresh || (!force && last.key === key && performance.now() - last.at < WATCH_INTERVAL_MS)) return;
    const t0 = performance.now();
    let r;
    try {
      // Read once per watched video: the session remembers its encoder output by the frames' identity.
      if (this.watched?.key !== key) this.watched = { key, video: (await this.engine.snapshot().load([key]))[0] };
      const { video } = this.watched;
      r = await this.engine.guard(() => session.explain(video));
    } catch (e) {
      // A video this model cannot read (the wrong feature sizes) has no live view; its own error shows in the list.
      if (e instanceof InputError) return;
      throw e;
    }
    this.lastWatch = { at: performance.now(), epoch: session.epoch, key };
    this.emit({
      type: 'trainingPrediction',
      epoch: session.epoch,
      result: { key, ...r, figures: videoFigures(r.probabilities, null), ...this.engine.backendLabel(), ms: performance.now() - t0 },
    });
  }

  /** The video whose live prediction the page shows; answered at once, sent between batches (also while paused). */
  watch(key: string | null): boolean {
    this.watchKey = key;
    if (!this.active) return false;
    this.watchDirty = key !== null;
    this.wake();
    return true;
  }

  private wake(): void {
    this.resumeWaiters.splice(0).forEach((r) => r());
  }

  pause(): boolean {
    if (!this.active || this.paused) return false;
    this.paused = true;
    this.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'paused' } });
    return true;
  }

  resume(): boolean {
    if (!this.active || !this.paused) return false;
    this.paused = false;
    this.emit({ type: 'trainingProgress', progress: { phase: 'state', state: 'running' } });
    this.wake();
    return true;
  }

  stop(): boolean {
    if (!this.active) return false;
    this.stopRequested = true;
    this.wake();
    return true;
  }

  private need(): Trained {
    if (!this.trained) throw new InputError('there is no fine-tuned model yet: train one first');
    return this.trained;
  }

  /** Writes the fine-tuned model into the cache (so it is listed and survives a reload) and loads it. */
  async save(name: string | undefined, op: number): Promise<ModelInfo> {
    const t = this.need();
    const id = this.savedId ?? `trained:${Date.now().toString(36)}`;
    if (!this.savedId) {
      const { json, shards } = await modelFiles(t.meta, t.weights);
      let bytes = 0;
      for (const [path, b] of shards) {
        await this.store.putShard(id, path, b);
        bytes += b.length;
      }
      const info: CachedModelInfo = {
        id,
        name: name?.trim() || `${t.from} fine-tuned`,
        source: `fine-tuned in this browser from ${t.from}`,
        bytes,
        savedAt: Date.now(),
      };
      await this.store.put(info, JSON.stringify(json));
      this.savedId = id;
    }
    const loaded = await this.engine.loadModel({ kind: 'cached', id }, op);
    this.emit({ type: 'cache', models: await this.store.list() });
    return loaded;
  }

  async export(format: ExportFormat): Promise<{ name: string; bytes: ArrayBuffer }> {
    const { meta, weights, from } = this.need();
    const { name, bytes } = await exportModel(meta, weights, format, `${from}-finetuned`.replace(/[^\w.-]+/g, '_'));
    const out =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
        ? (bytes.buffer as ArrayBuffer)
        : (bytes.slice().buffer as ArrayBuffer);
    return { name, bytes: out };
  }
}

/**
 * The videos that train and their classes, as the one fine-tune policy
 * chooses them (core/training/policy.ts); videos whose prediction failed are
 * left out, and the notes say how many.
 */
function chooseLabels(
  mode: FineTuneMode,
  info: ModelInfo,
  videos: readonly (VideoSummary & { failed: boolean })[],
  custom: CustomLabels | null | undefined,
  names?: readonly string[],
): TrainingLabels<VideoSummary> {
  const usable = videos.filter((v) => !v.failed);
  const chosen = trainingLabels(mode, usable, { custom, names, modelClassNames: info.classNames });
  const failed = videos.length - usable.length;
  if (failed > 0)
    chosen.notes.unshift(
      `${failed} video${failed === 1 ? '' : 's'} that failed to read or predict ${failed === 1 ? 'is' : 'are'} left out`,
    );
  return chosen;
}

function summary(v: ValidationReport): TrainingValidation {
  return { loss: v.loss, gap: v.gap, hitAt1: v.hitAt1 };
}
