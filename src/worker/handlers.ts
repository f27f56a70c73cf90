/**
 * The worker's answer to every request of the protocol, as one table that
 * the compiler checks per request: each handler takes its own request and
 * must resolve with its own result (handlers.test.ts holds a wrong one to a
 * compile error). `reply` turns a request into its reply without a cast.
 */
import { userMessage } from '../core/errors';
import type { Engine } from './engine/engine';
import type { ModelStore } from './models/cache/modelStore';
import type { Reply, Request, RequestType, Result, WorkerEvent } from '../protocol/protocol';
import type { TrainingHandler } from './training/trainingHandler';
import type { VideoJobs } from './video/videoJobs';
import { setBetweenSteps } from '../kernels/lstmSimd/recurrence';
import { yieldWaiter } from '../protocol/yieldSignal';

export type Handlers = { [K in RequestType]: (request: Request<K>) => Promise<Result<K>> };

export interface HandlerDeps {
  engine: Engine;
  training: TrainingHandler;
  cache: ModelStore;
  emit: (e: WorkerEvent) => void;
  videoJobs: VideoJobs;
}

export function createHandlers({ engine, training, cache, emit, videoJobs }: HandlerDeps): Handlers {
  const announceCache = async () => {
    const models = await cache.list();
    emit({ type: 'cache', models });
    return models;
  };
  return {
    setBackend: (r) => engine.setBackend(r.backend, r.threads),
    shareYieldSignal: async (r) => {
      setBetweenSteps(yieldWaiter(r.buffer));
      return true;
    },
    loadModel: async (r) => {
      const info = await engine.loadModel(r.source, r.id);
      await announceCache().catch(() => {});
      return info;
    },
    addFeatures: (r) => engine.addFeatures(r.sources, { duplicates: r.duplicates, skip: r.skip, only: r.only }),
    cancelLoads: async () => engine.cancelLoads(),
    removeVideo: async (r) => engine.removeVideo(r.key),
    clearVideos: () => engine.clearVideos(),
    restoreVideos: async (r) => engine.restoreVideos(r.keys),
    datasetReport: async (r) => engine.datasetReport(r.k, r.leaveOut),
    setMaxFrames: async (r) => engine.setMaxFrames(r.maxFrames),
    occlusion: (r) => engine.occlusion(r.key, r.classIndex, r.window),
    segmentTimeline: (r) => engine.segmentTimeline(r.key),
    segmentReport: async (r) => engine.segmentReport(r.worst),
    setSegmentWindows: async (r) => engine.setSegmentWindows(r.window),
    listModels: () => cache.list(),
    deleteModel: async (r) => {
      await cache.delete(r.modelId);
      return announceCache();
    },
    planTraining: async (r) => training.plan(r.mode, r.headLayers, r.labels, r.classNames),
    startTraining: (r) => training.start(r.config),
    // Answered at once, not behind the training task: the session reads the flags between batches.
    pauseTraining: async () => training.pause(),
    resumeTraining: async () => training.resume(),
    stopTraining: async () => training.stop(),
    watchTraining: async (r) => training.watch(r.key),
    saveTrained: (r) => training.save(r.name, r.id),
    exportTrained: (r) => training.export(r.format),
    extractorState: () => videoJobs.state(),
    setExtractorFiles: (r) => videoJobs.setFiles(r.files),
    forgetExtractor: () => videoJobs.forget(),
    extractVideos: (r) => videoJobs.extract(r.videos),
    cancelExtraction: async (r) => videoJobs.cancel(r.job),
  };
}

/** Runs the request's handler; an error becomes a reply whose message a user can read. */
export async function reply<K extends RequestType>(handlers: Handlers, request: Request<K>): Promise<Reply<K>> {
  const handler: (r: Request<K>) => Promise<Result<K>> = handlers[request.type];
  try {
    return { kind: 'reply', id: request.id, type: request.type, ok: true, result: await handler(request) };
  } catch (e) {
    return { kind: 'reply', id: request.id, type: request.type, ok: false, error: userMessage(e) };
  }
}
