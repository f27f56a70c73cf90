/**
 * The inference worker's entry: owns tfjs, answers the page's requests (see
 * protocol.ts) and streams events back. The page never imports tfjs.
 */
// tfjs-core first: its flags must be registered before the gradients module reads them
// (Vite's dev server keeps this order; the production build happens to get it right either way).
import '@tensorflow/tfjs-core';
// Gradients are not needed for inference; fine-tuning in the page will need them.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { userMessage } from '../core/errors';
import { parseVocabularyCsv } from '../core/vocabulary';
import { Engine } from './engine';
import { TrainingHandler } from './training';
import type { LoaderDeps } from './models';
import type { Reply, Request, RequestType, Result, WorkerEvent, WorkerMessage } from './protocol';
import { IndexedDbModelStore } from './store/modelStore_indexeddb';
import { MemoryModelStore, type ModelStore } from './store/modelStore';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const post = (m: WorkerMessage) => scope.postMessage(m);
const emit = (event: WorkerEvent) => post({ kind: 'event', event });

const store: ModelStore = IndexedDbModelStore.available() ? new IndexedDbModelStore() : new MemoryModelStore();
const vocabularyUrl = new URL(`${import.meta.env.BASE_URL}vocabulary/yt8m_vocabulary.csv`, scope.location.origin).href;
let vocabulary: Promise<string[]> | null = null;

const deps: Omit<LoaderDeps, 'progress'> = {
  store,
  fetch: (url) => fetch(url),
  vocabulary: () => {
    vocabulary ??= fetch(vocabularyUrl).then(async (r) => {
      if (!r.ok) throw new Error(`the vocabulary answered ${r.status}`);
      return parseVocabularyCsv(await r.text(), 'yt8m_vocabulary.csv');
    });
    vocabulary.catch(() => (vocabulary = null));
    return vocabulary;
  },
  warn: (message) => emit({ type: 'notice', level: 'warning', message }),
};

const engine = new Engine(emit, deps);
const training = new TrainingHandler(engine, store, emit);

async function listAndAnnounce() {
  const models = await store.list();
  emit({ type: 'cache', models });
  return models;
}

async function handle(req: Request): Promise<Result<RequestType>> {
  switch (req.type) {
    case 'setBackend': return engine.setBackend(req.backend);
    case 'loadModel': {
      const info = await engine.loadModel(req.source, req.id);
      await listAndAnnounce().catch(() => {});
      return info;
    }
    case 'addFeatures': return engine.addFeatures(req.sources);
    case 'clearVideos': return engine.clearVideos();
    case 'occlusion': return engine.occlusion(req.key, req.classIndex, req.window);
    case 'listModels': return store.list();
    case 'deleteModel':
      await store.delete(req.modelId);
      return listAndAnnounce();
    case 'breakWebGpu': return engine.breakWebGpu(req.how);
    case 'planTraining': return training.plan(req.mode, req.headLayers, req.labels);
    case 'startTraining': return training.start(req.config);
    // Answered at once, not behind the training task: the session reads the flags between batches.
    case 'pauseTraining': return training.pause();
    case 'resumeTraining': return training.resume();
    case 'stopTraining': return training.stop();
    case 'watchTraining': return training.watch(req.key);
    case 'saveTrained': {
      const info = await training.save(req.name, req.id);
      return info;
    }
    case 'exportTrained': return training.export(req.format);
  }
}

scope.onmessage = async (ev: MessageEvent<Request>) => {
  const req = ev.data;
  let reply: Reply;
  try {
    reply = { kind: 'reply', id: req.id, type: req.type, ok: true, result: await handle(req) } as Reply;
  } catch (e) {
    reply = { kind: 'reply', id: req.id, type: req.type, ok: false, error: userMessage(e) };
  }
  // An exported file's bytes move to the page rather than being copied.
  const transfer = reply.ok && reply.type === 'exportTrained' ? [(reply.result as Result<'exportTrained'>).bytes] : [];
  scope.postMessage(reply satisfies WorkerMessage, transfer);
};
