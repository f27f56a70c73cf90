import type { CachedModelInfo, ModelInfo, ModelSource, ProgressEvent, ProgressTask } from '../../../protocol/protocol';
import type { SliceContext, Slice, StoreEnv } from '../types';
import { attempt, errorMessage } from '../attempt';

const DEMO_MODEL_PATH = 'models/demo/model.json';

export interface LoadState {
  op: number;
  task: ProgressTask;
  /** What is being loaded, for the page ("demo", a file name). */
  name: string;
  loaded: number;
  total: number;
  file: string | null;
}

export interface ModelSlice {
  model: ModelInfo | null;
  /** The model being loaded or converted, with its progress in bytes. */
  loading: LoadState | null;
  modelError: string | null;
  cachedModels: CachedModelInfo[];
  loadModel(source: ModelSource): Promise<void>;
  /** A model.json by URL, relative to the page; empty for the demo. */
  loadModelUrl(url: string): Promise<void>;
  refreshCachedModels(): Promise<void>;
  deleteCachedModel(id: string): Promise<void>;
}

/** The model a URL setting names: a model.json URL (relative to the page), `cache:<id>`, or null for the demo. */
export function modelSourceFor(setting: string | null, env: Pick<StoreEnv, 'publicUrl'>): ModelSource {
  if (setting?.startsWith('cache:')) return { kind: 'cached', id: setting.slice('cache:'.length) };
  return { kind: 'url', url: setting ? new URL(setting, env.publicUrl('')).href : env.publicUrl(DEMO_MODEL_PATH) };
}

export function modelSlice({ set, get, env }: SliceContext): Slice<ModelSlice> {
  return {
    state: {
      model: null,
      loading: null,
      modelError: null,
      cachedModels: [],
      loadModel: async (source) => {
        set({ modelError: null });
        get().noteWaitForTraining('The model loads');
        try {
          const info = await env.client.call('loadModel', { source });
          // The URL names the model when it can be found again: by its URL, or in this browser's cache.
          const demo = env.publicUrl(DEMO_MODEL_PATH);
          get().updateSettings({ model: source.kind === 'url' ? (source.url === demo ? null : source.url) : `cache:${info.id}` });
          set({ loading: null });
        } catch (e) {
          const message = errorMessage(e);
          set({ loading: null, modelError: message });
          // An empty page says it in its empty state, with the way on; a notice would say it twice.
          if (get().videos.length > 0) get().notify('error', `The model could not be loaded: ${message}`);
        }
      },
      loadModelUrl: (url) => get().loadModel(modelSourceFor(url.trim() || null, env)),
      refreshCachedModels: async () => {
        try {
          set({ cachedModels: await env.client.call('listModels', {}) });
        } catch {
          // The cache is optional: an unavailable one just lists nothing.
        }
      },
      deleteCachedModel: async (id) => {
        const cachedModels = await attempt(get().notify, 'The model could not be deleted', () =>
          env.client.call('deleteModel', { modelId: id }),
        );
        if (cachedModels) set({ cachedModels });
      },
    },
    events: {
      progress: (e) => set((s) => ({ loading: progressState(s.loading, e.op, e.task, e.event) })),
      model: (e) => set({ model: e.model, modelError: null }),
      cache: (e) => set({ cachedModels: e.models }),
    },
  };
}

/** The load state after a progress event: a new op replaces the old; `ready` ends it. */
export function progressState(prev: LoadState | null, op: number, task: ProgressTask, ev: ProgressEvent): LoadState | null {
  const base: LoadState =
    prev && prev.op === op && prev.task === task ? prev : { op, task, name: ev.name, loaded: 0, total: 0, file: null };
  switch (ev.status) {
    case 'initiate':
      return { ...base, name: ev.name, total: ev.total, loaded: 0 };
    case 'download':
      return { ...base, file: ev.file };
    case 'progress':
      return { ...base, loaded: ev.loaded, total: ev.total, file: ev.file };
    case 'done':
      return base;
    case 'ready':
      return { ...base, loaded: ev.total, total: ev.total };
  }
}
