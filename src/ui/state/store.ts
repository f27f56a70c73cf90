/**
 * The page's state: one zustand store made of slices (settings in the URL,
 * backend, model, videos, notices). Views read it with selectors and call its
 * intents; the intents talk to the worker, and the worker's events flow back
 * in through `applyEvent`. Nothing here knows about React or tfjs.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import { persist, type PersistStorage } from 'zustand/middleware';
import { evaluate, type EvaluationResult } from '../../core/metrics';
import type { ExportFormat } from '../../core/export/formats';
import type { WorkerClient } from '../../worker/client';
import type {
  BackendChoice, BackendStatus, CachedModelInfo, FeatureSource, ModelInfo, ModelSource, OcclusionResult,
  ProgressEvent, ProgressTask, CustomLabels, TrainingConfig, TrainingHeadLayers, TrainingMode, TrainingPlan, TrainingEpoch, TrainingReport, TrainingState, TrainingValidation,
  VideoResult, VideoStatus, VideoSummary, WorkerEvent,
} from '../../worker/protocol';
import { classifyFiles } from '../drop';
import { readUrlState, type UrlState, URL_DEFAULTS, writeUrlState } from './urlState';

// ------------------------------------------------------------------ types

export interface VideoRow extends VideoSummary {
  status: VideoStatus;
  message?: string;
  result?: VideoResult;
}

export interface LoadState {
  op: number;
  task: ProgressTask;
  /** What is being loaded, for the page ("demo", a file name). */
  name: string;
  loaded: number;
  total: number;
  file: string | null;
}

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

export interface EvidenceState {
  classIndex: number;
  window: number;
  status: 'running' | 'done' | 'error';
  result?: OcclusionResult;
  error?: string;
}

/** A labelled event of a bundled sample (public/samples/index.json). */
export interface SampleEvent {
  class: number;
  name: string;
  start: number;
  frames: number;
}

export interface SettingsSlice {
  settings: UrlState;
  selectVideo(index: number): void;
  setTopK(k: number): void;
}

export interface BackendSlice {
  backend: BackendStatus | null;
  chooseBackend(choice: BackendChoice): Promise<void>;
}

export interface ModelSlice {
  model: ModelInfo | null;
  /** The model being loaded or converted, with its progress in bytes. */
  loading: LoadState | null;
  modelError: string | null;
  cachedModels: CachedModelInfo[];
  loadModel(source: ModelSource): Promise<void>;
  loadModelUrl(url: string): Promise<void>;
  refreshCachedModels(): Promise<void>;
  deleteCachedModel(id: string): Promise<void>;
}

export interface VideosSlice {
  videos: VideoRow[];
  evidence: Record<string, EvidenceState>;
  sampleEvents: Record<string, SampleEvent[]>;
  /** Feature files being read. */
  reading: number;
  addFiles(files: File[]): Promise<void>;
  loadSamples(): Promise<void>;
  clearVideos(): Promise<void>;
  requestEvidence(key: string, classIndex: number, window: number): Promise<void>;
}

/** A fine-tune as the page shows it. */
export interface TrainingView {
  state: 'idle' | TrainingState;
  caching: { done: number; total: number } | null;
  classNames: string[];
  trainVideos: number;
  validationVideos: number;
  epochsPlanned: number;
  before: TrainingValidation | null;
  epochs: TrainingEpoch[];
  report: TrainingReport | null;
  message: string | null;
  /** The fine-tuned model once saved into the cache. */
  saved: ModelInfo | null;
  busy: 'saving' | ExportFormat | null;
  mode: TrainingMode | null;
  /** The run trains the user's own classes (so a video's true labels are its assignments). */
  customLabels: boolean;
  /** The selected video as the model being trained saw it last (sent as it trains). */
  live: { epoch: number; result: VideoResult } | null;
  /** Whether the selected video shows the fine-tune's live view (true) or the loaded model's prediction. */
  showLive: boolean;
}

export const TRAINING_IDLE: TrainingView = {
  state: 'idle', caching: null, classNames: [], trainVideos: 0, validationVideos: 0, epochsPlanned: 0,
  before: null, epochs: [], report: null, message: null, saved: null, busy: null,
  mode: null, customLabels: false, live: null, showLive: true,
};

/** A run is under way (its live view can still change). */
export function trainingActive(state: TrainingView['state']): boolean {
  return state === 'caching' || state === 'running' || state === 'paused';
}

export interface TrainingSlice {
  training: TrainingView;
  /** Labels and cost of a fine-tune before starting it. */
  planTraining(mode: TrainingMode, headLayers: TrainingHeadLayers, labels?: CustomLabels | null): Promise<TrainingPlan | null>;
  /** The user's own classes (used instead of the files' labels while `useCustomLabels`). */
  customLabels: CustomLabels;
  useCustomLabels: boolean;
  setUseCustomLabels(on: boolean): void;
  addClass(name: string): void;
  removeClass(index: number): void;
  /** Adds or removes one class of one video (multi-label). */
  toggleLabel(key: string, classIndex: number): void;
  startTraining(config: TrainingConfig): Promise<void>;
  pauseTraining(): Promise<void>;
  resumeTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  saveTrained(): Promise<void>;
  /** Shows the selected video as the fine-tune sees it (true) or as the loaded model does. */
  setShowLive(on: boolean): void;
  /** The fine-tuned model's file; the caller downloads it. Null when it failed (a notice says why). */
  exportTrained(format: ExportFormat): Promise<{ name: string; bytes: ArrayBuffer } | null>;
}

export interface NoticeSlice {
  notices: Notice[];
  notify(level: Notice['level'], message: string): void;
  dismiss(id: number): void;
}

export interface AppState extends SettingsSlice, BackendSlice, ModelSlice, VideosSlice, TrainingSlice, NoticeSlice {
  /** Starts the page: the backend and the model from the URL (the demo by default), then the samples if the URL says so. */
  init(): Promise<void>;
  applyEvent(e: WorkerEvent): void;
}

export type AppStore = StoreApi<AppState>;

/** Where the store finds its surroundings; the page passes the real ones, tests fakes. */
export interface StoreEnv {
  client: WorkerClient;
  /** The query string now, and a way to replace it (history.replaceState in the page). */
  url: { read(): string; write(search: string): void };
  /** Absolute URL of a file in public/ ("models/demo/model.json"). */
  publicUrl(path: string): string;
  fetchJson(url: string): Promise<unknown>;
}

/** How often a fine-tune's epoch reports are shown, at most. */
const EPOCH_FLUSH_MS = 200;

export const DEMO_MODEL_PATH = 'models/demo/model.json';
export const SAMPLES_INDEX_PATH = 'samples/index.json';

// ------------------------------------------------------------------ store

export function createAppStore(env: StoreEnv): AppStore {
  const storage: PersistStorage<{ settings: UrlState }> = {
    getItem: () => ({ state: { settings: readUrlState(env.url.read()) }, version: 0 }),
    setItem: (_name, value) => {
      const next = writeUrlState(value.state.settings, env.url.read());
      if (next !== normalize(env.url.read())) env.url.write(next);
    },
    removeItem: () => {},
  };
  let noticeId = 0;
  const epochBuffer: TrainingEpoch[] = [];
  let epochTimer: ReturnType<typeof setTimeout> | null = null;

  const store = createStore<AppState>()(persist((set, get) => {
    const patchSettings = (patch: Partial<UrlState>) => set((s) => ({ settings: { ...s.settings, ...patch } }));
    const notify = (level: Notice['level'], message: string) =>
      set((s) => ({ notices: [...s.notices.filter((n) => n.message !== message), { id: ++noticeId, level, message }] }));

    // The worker runs a fine-tune alone: a request that needs its queue waits for the end, and the page says so.
    const waitsForTraining = (what: string) => {
      if (trainingActive(get().training.state)) notify('info', `${what} when the fine-tune ends; stop it to do this now.`);
    };
    let index: Promise<SamplesIndex> | null = null;
    const modelUrlFor = (setting: string | null) => (setting ? new URL(setting, env.publicUrl('')).href : env.publicUrl(DEMO_MODEL_PATH));

    return {
      settings: URL_DEFAULTS,
      selectVideo: (index) => patchSettings({ video: Math.max(0, Math.floor(index)) }),
      setTopK: (k) => patchSettings({ topK: Math.max(1, Math.min(100, Math.floor(k))) }),

      backend: null,
      chooseBackend: async (choice) => {
        patchSettings({ backend: choice });
        waitsForTraining(`The backend switches to ${choice}`);
        try {
          await env.client.call('setBackend', { backend: choice });
        } catch (e) {
          notify('error', `No backend could start: ${(e as Error).message}`);
        }
      },

      model: null,
      loading: null,
      modelError: null,
      cachedModels: [],
      loadModel: async (source) => {
        set({ modelError: null });
        waitsForTraining('The model loads');
        try {
          const info = await env.client.call('loadModel', { source });
          // The URL names the model when it can be found again: by its URL, or in this browser's cache.
          const demo = env.publicUrl(DEMO_MODEL_PATH);
          patchSettings({ model: source.kind === 'url' ? (source.url === demo ? null : source.url) : `cache:${info.id}` });
          set({ loading: null });
        } catch (e) {
          const message = (e as Error).message;
          set({ loading: null, modelError: message });
          notify('error', `The model could not be loaded: ${message}`);
        }
      },
      loadModelUrl: (url) => get().loadModel({ kind: 'url', url: modelUrlFor(url.trim() || null) }),
      refreshCachedModels: async () => {
        try {
          set({ cachedModels: await env.client.call('listModels', {}) });
        } catch {
          // The cache is optional: an unavailable one just lists nothing.
        }
      },
      deleteCachedModel: async (id) => {
        try {
          set({ cachedModels: await env.client.call('deleteModel', { modelId: id }) });
        } catch (e) {
          notify('error', `The model could not be deleted: ${(e as Error).message}`);
        }
      },

      videos: [],
      evidence: {},
      sampleEvents: {},
      reading: 0,
      addFiles: async (files) => {
        const { modelFiles, pdparams, features } = classifyFiles(files);
        const jobs: Promise<unknown>[] = [];
        if (modelFiles) jobs.push(get().loadModel({ kind: 'files', files: modelFiles }));
        if (pdparams) jobs.push(get().loadModel({ kind: 'pdparams', file: pdparams }));
        if (features.length) jobs.push(addFeatures(features.map((file) => ({ kind: 'file', file }))));
        await Promise.all(jobs);
      },
      loadSamples: async () => {
        try {
          const idx = await samplesIndex();
          const already = new Set(get().videos.map((v) => v.file));
          const sources: FeatureSource[] = idx.files
            .filter((f) => !already.has(f.file))
            .map((f) => ({ kind: 'url', url: env.publicUrl(`samples/${f.file}`), name: f.file }));
          patchSettings({ samples: true });
          if (sources.length) await addFeatures(sources);
        } catch (e) {
          notify('error', `The samples could not be loaded: ${(e as Error).message}`);
        }
      },
      clearVideos: async () => {
        waitsForTraining('The videos are cleared');
        await env.client.call('clearVideos', {});
        set((s) => ({ videos: [], evidence: {}, customLabels: { ...s.customLabels, assignments: {} }, training: { ...s.training, live: null } }));
        patchSettings({ video: 0, samples: false });
      },
      requestEvidence: async (key, classIndex, window) => {
        set((s) => ({ evidence: { ...s.evidence, [key]: { classIndex, window, status: 'running' } } }));
        try {
          const result = await env.client.call('occlusion', { key, classIndex, window });
          set((s) => ({ evidence: { ...s.evidence, [key]: { classIndex, window: result.window, status: 'done', result } } }));
        } catch (e) {
          set((s) => ({ evidence: { ...s.evidence, [key]: { classIndex, window, status: 'error', error: (e as Error).message } } }));
        }
      },

      training: TRAINING_IDLE,
      customLabels: { classNames: [], assignments: {} },
      useCustomLabels: false,
      setUseCustomLabels: (on) => set({ useCustomLabels: on }),
      addClass: (name) => {
        const n = name.trim();
        if (!n) return;
        set((s) => (s.customLabels.classNames.includes(n) ? {} : { customLabels: { ...s.customLabels, classNames: [...s.customLabels.classNames, n] } }));
      },
      removeClass: (index) => set((s) => {
        const assignments: Record<string, number[]> = {};
        for (const [key, ls] of Object.entries(s.customLabels.assignments)) {
          const next = ls.filter((l) => l !== index).map((l) => (l > index ? l - 1 : l));
          if (next.length) assignments[key] = next;
        }
        return { customLabels: { classNames: s.customLabels.classNames.filter((_, i) => i !== index), assignments } };
      }),
      toggleLabel: (key, classIndex) => set((s) => {
        const now = s.customLabels.assignments[key] ?? [];
        const next = now.includes(classIndex) ? now.filter((l) => l !== classIndex) : [...now, classIndex].sort((a, b) => a - b);
        const assignments = { ...s.customLabels.assignments };
        if (next.length) assignments[key] = next;
        else delete assignments[key];
        return { customLabels: { ...s.customLabels, assignments } };
      }),
      planTraining: async (mode, headLayers, labels) => {
        try {
          return await env.client.call('planTraining', { mode, headLayers, labels });
        } catch {
          return null;
        }
      },
      startTraining: async (config) => {
        set((s) => ({ training: { ...TRAINING_IDLE, state: 'caching', epochsPlanned: config.epochs, mode: config.mode, customLabels: !!config.labels, showLive: s.training.showLive } }));
        try {
          await env.client.call('startTraining', { config: { ...config, watch: selectedVideo(get())?.key ?? null } });
        } catch (e) {
          const message = (e as Error).message;
          set((s) => ({ training: { ...s.training, state: 'error', message } }));
          notify('error', `The fine-tune failed: ${message}`);
        }
      },
      setShowLive: (on) => set((s) => ({ training: { ...s.training, showLive: on } })),
      pauseTraining: async () => void (await env.client.call('pauseTraining', {})),
      resumeTraining: async () => void (await env.client.call('resumeTraining', {})),
      stopTraining: async () => void (await env.client.call('stopTraining', {})),
      saveTrained: async () => {
        set((s) => ({ training: { ...s.training, busy: 'saving' } }));
        try {
          const info = await env.client.call('saveTrained', {});
          patchSettings({ model: `cache:${info.id}` });
          set((s) => ({ training: { ...s.training, saved: info, busy: null } }));
        } catch (e) {
          set((s) => ({ training: { ...s.training, busy: null } }));
          notify('error', `The fine-tuned model could not be saved: ${(e as Error).message}`);
        }
      },
      exportTrained: async (format) => {
        set((s) => ({ training: { ...s.training, busy: format } }));
        try {
          return await env.client.call('exportTrained', { format });
        } catch (e) {
          notify('error', `The fine-tuned model could not be exported: ${(e as Error).message}`);
          return null;
        } finally {
          set((s) => ({ training: { ...s.training, busy: null } }));
        }
      },

      notices: [],
      notify,
      dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),

      init: async () => {
        void get().refreshCachedModels();
        // The samples' known events, so that they show however the sample files arrive (button or drop).
        void samplesIndex().catch(() => {});
        const { settings } = get();
        const backend = get().chooseBackend(settings.backend);
        const source: ModelSource = settings.model?.startsWith('cache:')
          ? { kind: 'cached', id: settings.model.slice('cache:'.length) }
          : { kind: 'url', url: modelUrlFor(settings.model) };
        const model = get().loadModel(source);
        if (settings.samples) await get().loadSamples();
        await Promise.all([backend, model]);
      },

      applyEvent: (e) => {
        // A small model trains many epochs a second: their reports reach the page's state (and its charts) a few times a second.
        if (e.type === 'trainingProgress' && e.progress.phase === 'epoch') {
          epochBuffer.push(e.progress.report);
          epochTimer ??= setTimeout(flushEpochs, EPOCH_FLUSH_MS);
          return;
        }
        flushEpochs();
        applyEvent(e, set, get, notify);
      },
    };

    function flushEpochs() {
      if (epochTimer !== null) clearTimeout(epochTimer);
      epochTimer = null;
      if (epochBuffer.length === 0) return;
      const reports = epochBuffer.splice(0);
      set((s) => ({ training: { ...s.training, epochs: [...s.training.epochs, ...reports] } }));
    }

    /** public/samples/index.json, read once; its labelled events go into the state. */
    function samplesIndex(): Promise<SamplesIndex> {
      index ??= (env.fetchJson(env.publicUrl(SAMPLES_INDEX_PATH)) as Promise<SamplesIndex>).then((idx) => {
        const events: Record<string, SampleEvent[]> = {};
        for (const f of idx.files) for (const v of f.videos) events[v.id] = v.events ?? [];
        set((s) => ({ sampleEvents: { ...s.sampleEvents, ...events } }));
        return idx;
      });
      index.catch(() => (index = null));
      return index;
    }

    async function addFeatures(sources: FeatureSource[]) {
      set((s) => ({ reading: s.reading + sources.length }));
      try {
        await env.client.call('addFeatures', { sources });
      } catch (e) {
        notify('error', `The files could not be read: ${(e as Error).message}`);
      } finally {
        set((s) => ({ reading: Math.max(0, s.reading - sources.length) }));
      }
    }
  }, { name: 'url', storage, partialize: (s) => ({ settings: s.settings }) }));

  env.client.onEvent((e) => store.getState().applyEvent(e));
  // The running fine-tune follows the selected video with its live view.
  store.subscribe((now, before) => {
    const key = selectedVideo(now)?.key ?? null;
    if (key !== (selectedVideo(before)?.key ?? null) && trainingActive(now.training.state)) {
      env.client.call('watchTraining', { key }).catch(() => {});
    }
  });
  return store;
}

interface SamplesIndex {
  files: { file: string; videos: { id: string; events?: SampleEvent[] }[] }[];
}

function normalize(search: string): string {
  return search === '?' ? '' : search;
}

type Set = StoreApi<AppState>['setState'];

function applyEvent(e: WorkerEvent, set: Set, get: () => AppState, notify: (l: Notice['level'], m: string) => void): void {
  switch (e.type) {
    case 'backend':
      set({ backend: e.status });
      return;
    case 'progress':
      set({ loading: progressState(get().loading, e.op, e.task, e.event) });
      return;
    case 'model': {
      const previous = get().model;
      const changed = previous?.id !== e.model.id;
      set((s) => ({
        model: e.model,
        modelError: null,
        // Results of another model mean nothing for this one; a new backend's results replace old ones as they come.
        videos: changed ? s.videos.map(({ result: _r, ...v }) => ({ ...v, status: 'queued' as const })) : s.videos,
        evidence: changed ? {} : s.evidence,
        // A fine-tune's live view belongs to the model it started from.
        training: changed ? { ...s.training, live: null } : s.training,
      }));
      return;
    }
    case 'file':
      set((s) => ({ videos: [...s.videos, ...e.videos.map((v) => ({ ...v, status: 'queued' as const }))] }));
      if (e.warnings.length) notify('warning', `${e.file}: ${e.warnings.length} record${e.warnings.length === 1 ? '' : 's'} skipped (${e.warnings[0]}${e.warnings.length > 1 ? ', …' : ''})`);
      return;
    case 'fileError':
      notify('error', e.message);
      return;
    case 'status': {
      const keys = new Set(e.keys);
      set((s) => ({ videos: s.videos.map((v) => (keys.has(v.key) ? { ...v, status: e.status, message: e.message } : v)) }));
      return;
    }
    case 'prediction':
      set((s) => ({ videos: s.videos.map((v) => (v.key === e.result.key ? { ...v, result: e.result } : v)) }));
      return;
    case 'notice':
      notify(e.level, e.message);
      return;
    case 'cache':
      set({ cachedModels: e.models });
      return;
    case 'trainingProgress': {
      const p = e.progress;
      set((s) => {
        const t = s.training;
        switch (p.phase) {
          case 'caching': return { training: { ...t, state: 'caching', caching: { done: p.done, total: p.total } } };
          case 'start': return { training: { ...t, classNames: p.classNames, trainVideos: p.trainVideos, validationVideos: p.validationVideos, epochsPlanned: p.epochs, before: p.before, epochs: [] } };
          case 'epoch': return { training: { ...t, epochs: [...t.epochs, p.report] } };
          case 'state': return { training: { ...t, state: p.state, message: p.message ?? null } };
        }
      });
      return;
    }
    case 'trainingReport':
      set((s) => ({ training: { ...s.training, report: e.report } }));
      return;
    case 'trainingPrediction':
      set((s) => ({ training: { ...s.training, live: { epoch: e.epoch, result: e.result } } }));
      return;
  }
}

/** The load state after a progress event: a new op replaces the old; `ready` ends it. */
export function progressState(prev: LoadState | null, op: number, task: ProgressTask, ev: ProgressEvent): LoadState | null {
  const base: LoadState = prev && prev.op === op && prev.task === task ? prev : { op, task, name: ev.name, loaded: 0, total: 0, file: null };
  switch (ev.status) {
    case 'initiate': return { ...base, name: ev.name, total: ev.total, loaded: 0 };
    case 'download': return { ...base, file: ev.file };
    case 'progress': return { ...base, loaded: ev.loaded, total: ev.total, file: ev.file };
    case 'done': return base;
    case 'ready': return { ...base, loaded: ev.total, total: ev.total };
  }
}

// ------------------------------------------------------------------ selectors

/** The selected row, with its index clamped to the list. */
export function selectedVideo(s: Pick<AppState, 'videos' | 'settings'>): VideoRow | null {
  if (s.videos.length === 0) return null;
  return s.videos[Math.min(s.settings.video, s.videos.length - 1)];
}

export interface SetMetrics extends EvaluationResult {
  /** Labelled videos still waiting for a result. */
  pending: number;
}

/** Hit@1, PERR, GAP and mAP over the labelled videos with results; null when there are none. */
export function setMetrics(videos: readonly VideoRow[]): SetMetrics | null {
  const labelled = videos.filter((v) => v.labels && v.labels.length > 0);
  const withResult = labelled.filter((v) => v.result);
  if (withResult.length === 0) return null;
  const m = evaluate(withResult.map((v) => v.result!.probabilities), withResult.map((v) => v.labels!));
  return { ...m, pending: labelled.length - withResult.length };
}
