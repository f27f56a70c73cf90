/**
 * The inference worker's entry: owns tfjs, answers the page's requests
 * through the handler table (handlers.ts) and streams events back (see
 * protocol.ts). The page never imports tfjs.
 */
// tfjs-core first: its flags must be registered before the gradients module reads them
// (Vite's dev server keeps this order; the production build happens to get it right either way).
import '@tensorflow/tfjs-core';
// Fine-tuning in the page trains through tfjs's gradients.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { parseVocabularyCsv } from '../core/vocabulary';
import { Engine } from './engine/engine';
import { createHandlers, reply } from './handlers';
import type { LoaderDeps } from './models/acquire';
import { IndexedDbModelStore } from './models/cache/modelStoreIndexedDb';
import { MemoryModelStore, type ModelStore } from './models/cache/modelStore';
import { type AnyRequest, TEST_HOOKS_NAME, type WorkerEvent, type WorkerMessage } from '../protocol/protocol';
import { installTestHooks } from './testHooks';
import { TrainingHandler } from './training/trainingHandler';
import { EnvironmentError } from '../core/errors';
import { parseRatedClasses } from '../core/segments/ratedClasses';
import { IndexedDbExtractorStore, MemoryExtractorStore } from './video/extractorStore';
import { VideoJobs } from './video/videoJobs';

const scope = self as unknown as DedicatedWorkerGlobalScope;
const emit = (event: WorkerEvent) => scope.postMessage({ kind: 'event', event } satisfies WorkerMessage);

const cache: ModelStore = IndexedDbModelStore.available() ? new IndexedDbModelStore() : new MemoryModelStore();
const vocabularyUrl = new URL(`${import.meta.env.BASE_URL}vocabulary/yt8m_vocabulary.csv`, scope.location.origin).href;
let vocabulary: Promise<string[]> | null = null;
const ratedClassesUrl = new URL(`${import.meta.env.BASE_URL}vocabulary/segment_label_ids.csv`, scope.location.origin).href;
let ratedClasses: Promise<number[]> | null = null;

const deps: Omit<LoaderDeps, 'progress'> & { ratedClasses: () => Promise<number[]> } = {
  store: cache,
  fetch: (url) => fetch(url),
  vocabulary: () => {
    vocabulary ??= fetch(vocabularyUrl).then(async (r) => {
      if (!r.ok) throw new EnvironmentError(`the vocabulary answered ${r.status}`);
      return parseVocabularyCsv(await r.text(), 'yt8m_vocabulary.csv');
    });
    vocabulary.catch(() => (vocabulary = null));
    return vocabulary;
  },
  warn: (message) => emit({ type: 'notice', level: 'warning', message }),
  ratedClasses: () => {
    ratedClasses ??= fetch(ratedClassesUrl).then(async (r) => {
      if (!r.ok) throw new EnvironmentError(`the rated class list answered ${r.status}`);
      return parseRatedClasses(await r.text(), 'segment_label_ids.csv');
    });
    ratedClasses.catch(() => (ratedClasses = null));
    return ratedClasses;
  },
};

const engine = new Engine(emit, deps);
const videoJobs = new VideoJobs(
  engine,
  IndexedDbExtractorStore.available() ? new IndexedDbExtractorStore() : new MemoryExtractorStore(),
  emit,
);
const handlers = createHandlers({ engine, training: new TrainingHandler(engine, cache, emit), cache, emit, videoJobs });
if (scope.name === TEST_HOOKS_NAME) installTestHooks(scope);

scope.onmessage = async (ev: MessageEvent<AnyRequest>) => {
  const answer = await reply(handlers, ev.data);
  // An exported file's bytes move to the page rather than being copied.
  const result = answer.ok ? answer.result : null;
  const transfer = result && typeof result === 'object' && 'bytes' in result && result.bytes instanceof ArrayBuffer ? [result.bytes] : [];
  scope.postMessage(answer satisfies WorkerMessage, transfer);
};
