import type { FeatureSource, OcclusionResult, VideoResult, VideoStatus, VideoSummary } from '../../../worker/protocol';
import { classifyFiles } from '../../drop';
import type { SliceContext, Slice } from '../types';

export const SAMPLES_INDEX_PATH = 'samples/index.json';

export interface VideoRow extends VideoSummary {
  status: VideoStatus;
  message?: string;
  result?: VideoResult;
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

export interface SamplesIndex {
  files: { file: string; videos: { id: string; events?: SampleEvent[] }[] }[];
}

export interface VideosSlice {
  videos: VideoRow[];
  evidence: Record<string, EvidenceState>;
  /** The bundled samples' true events, by video id. */
  sampleEvents: Record<string, SampleEvent[]>;
  /** Feature files being read. */
  reading: number;
  /** Files the user dropped or picked: feature files, a model folder or a weight file. */
  addFiles(files: File[]): Promise<void>;
  loadSamples(): Promise<void>;
  /** public/samples/index.json, read once; its events go into `sampleEvents`. */
  sampleIndex(): Promise<SamplesIndex>;
  clearVideos(): Promise<void>;
  requestEvidence(key: string, classIndex: number, window: number): Promise<void>;
}

export function videosSlice({ set, get, env }: SliceContext): Slice<VideosSlice> {
  let index: Promise<SamplesIndex> | null = null;

  const addFeatures = async (sources: FeatureSource[]) => {
    set((s) => ({ reading: s.reading + sources.length }));
    try {
      await env.client.call('addFeatures', { sources });
    } catch (e) {
      get().notify('error', `The files could not be read: ${(e as Error).message}`);
    } finally {
      set((s) => ({ reading: Math.max(0, s.reading - sources.length) }));
    }
  };
  const setEvidence = (key: string, evidence: EvidenceState) => set((s) => ({ evidence: { ...s.evidence, [key]: evidence } }));

  return {
    state: {
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
          const idx = await get().sampleIndex();
          const already = new Set(get().videos.map((v) => v.file));
          const sources: FeatureSource[] = idx.files
            .filter((f) => !already.has(f.file))
            .map((f) => ({ kind: 'url', url: env.publicUrl(`samples/${f.file}`), name: f.file }));
          get().updateSettings({ samples: true });
          if (sources.length) await addFeatures(sources);
        } catch (e) {
          get().notify('error', `The samples could not be loaded: ${(e as Error).message}`);
        }
      },
      sampleIndex: () => {
        index ??= (env.fetchJson(env.publicUrl(SAMPLES_INDEX_PATH)) as Promise<SamplesIndex>).then((idx) => {
          const events: Record<string, SampleEvent[]> = {};
          for (const f of idx.files) for (const v of f.videos) events[v.id] = v.events ?? [];
          set((s) => ({ sampleEvents: { ...s.sampleEvents, ...events } }));
          return idx;
        });
        index.catch(() => (index = null));
        return index;
      },
      clearVideos: async () => {
        get().noteWaitForTraining('The videos are cleared');
        await env.client.call('clearVideos', {});
        set({ videos: [], evidence: {} });
        get().forgetVideoLabels();
        get().updateSettings({ video: 0, samples: false });
      },
      requestEvidence: async (key, classIndex, window) => {
        setEvidence(key, { classIndex, window, status: 'running' });
        try {
          const result = await env.client.call('occlusion', { key, classIndex, window });
          setEvidence(key, { classIndex, window: result.window, status: 'done', result });
        } catch (e) {
          setEvidence(key, { classIndex, window, status: 'error', error: (e as Error).message });
        }
      },
    },
    events: {
      // Results of another model mean nothing for this one; a new backend's results replace old ones as they come.
      model: (e, before) => {
        if (before.model?.id === e.model.id) return;
        set((s) => ({ videos: s.videos.map(({ result: _r, ...v }) => ({ ...v, status: 'queued' as const })), evidence: {} }));
      },
      file: (e) => {
        set((s) => ({ videos: [...s.videos, ...e.videos.map((v) => ({ ...v, status: 'queued' as const }))] }));
        const n = e.warnings.length;
        if (n) get().notify('warning', `${e.file}: ${n} record${n === 1 ? '' : 's'} skipped (${e.warnings[0]}${n > 1 ? ', …' : ''})`);
      },
      status: (e) => {
        const keys = new Set(e.keys);
        set((s) => ({ videos: s.videos.map((v) => (keys.has(v.key) ? { ...v, status: e.status, message: e.message } : v)) }));
      },
      prediction: (e) => set((s) => ({ videos: s.videos.map((v) => (v.key === e.result.key ? { ...v, result: e.result } : v)) })),
    },
  };
}
