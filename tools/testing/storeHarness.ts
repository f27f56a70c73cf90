/**
 * The page's store over a fake worker, for the store's and its slices' tests:
 * the worker answers from a table, records every call, and the test sends its
 * events.
 */
import { videoFigures } from '../../src/core/metrics';
import { createAppStore } from '../../src/ui/state/store';
import { type WorkerClient, WorkerError } from '../../src/protocol/client';
import type { Calls, ModelInfo, RequestType, VideoResult, WorkerEvent } from '../../src/protocol/protocol';

export const ORIGIN = 'http://localhost:5173/';

export const TEST_MODEL: ModelInfo = {
  id: `${ORIGIN}models/demo/model.json`,
  name: 'demo',
  source: `${ORIGIN}models/demo/model.json`,
  variant: 'fluid1',
  sizes: { rgbDim: 1024, audioDim: 128, embed: 32, lstm: 32, head1: 64, head2: 32, classes: 3 },
  classNames: ['a', 'b', 'c'],
  parameters: 1,
  bytes: 4,
  description: null,
  fromCache: false,
};

type Answers = Partial<{ [K in RequestType]: (args: Calls[K]['args']) => Calls[K]['result'] }>;

export function fakeClient(overrides: Answers = {}) {
  const calls: { type: RequestType; args: unknown }[] = [];
  const listeners = new Set<(e: WorkerEvent) => void>();
  const answers: Answers = {
    setBackend: ({ backend }) => ({
      requested: backend,
      active: 'wasm',
      state: 'ready',
      adapter: null,
      reason: null,
      layout: 'in-out',
      threads: 1,
    }),
    loadModel: () => TEST_MODEL,
    addFeatures: () => ({ videos: 0, failed: 0, cancelled: false }),
    datasetReport: () => ({ summary: null, figures: null, videos: 0, predicted: 0, labeled: 0, failed: 0 }),
    cancelLoads: () => 0,
    removeVideo: () => null,
    setMaxFrames: ({ maxFrames }) => maxFrames,
    listModels: () => [],
    clearVideos: () => null,
    startTraining: () => ({ state: 'done' }),
    watchTraining: () => true,
    ...overrides,
  };
  const client: WorkerClient = {
    call: async (type, args) => {
      calls.push({ type, args });
      const answer = answers[type] as ((a: unknown) => unknown) | undefined;
      if (!answer) throw new Error(`no answer for ${type}`);
      try {
        return answer(args) as never;
      } catch (e) {
        // As the real client does: what the worker answers with an error arrives as a WorkerError, its message for the user.
        throw new WorkerError((e as Error).message, type);
      }
    },
    onEvent: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    terminate: () => {},
  };
  return { client, calls, emit: (e: WorkerEvent) => listeners.forEach((l) => l(e)) };
}

/** A store as the page makes it, with the URL's query string `search`. */
export function storeHarness(search = '', answers: Answers = {}) {
  const fake = fakeClient(answers);
  let url = search;
  const store = createAppStore({
    client: fake.client,
    url: { read: () => url, write: (s) => (url = s) },
    publicUrl: (p) => new URL(p, ORIGIN).href,
    fetchJson: async () => ({
      files: [{ file: 's.tfrecord', videos: [{ id: 'v0', events: [{ class: 1, name: 'b', start: 2, frames: 3 }] }] }],
    }),
  });
  return { store, fake, state: () => store.getState(), url: () => url };
}

export function testResult(key: string, p: number[], labels: number[] | null = null): VideoResult {
  const probabilities = Float32Array.from(p);
  return {
    key,
    probabilities,
    figures: videoFigures(probabilities, labels),
    attention: { rgb: new Float32Array(2), audio: new Float32Array(2) },
    backend: 'wasm',
    adapter: null,
    ms: 1,
  };
}

/** A file event with these videos (keys `<file>#<i>`), each with the labels given. */
export function fileEvent(file: string, labels: (number[] | null)[]): WorkerEvent {
  return {
    type: 'file',
    file,
    warnings: [],
    videos: labels.map((l, index) => ({
      key: `${file}#${index}`,
      file,
      index,
      offset: null,
      id: `v${index}`,
      frames: 2,
      framesInFile: null,
      labels: l,
    })),
  };
}
