import type { SampleSetEntry } from '../../../core/demo/sampleSets';
import type { FeatureSource, LoadProgress, OcclusionResult, VideoResult, VideoStatus, VideoSummary } from '../../../protocol/protocol';
import { InputError } from '../../../core/errors';
import { attempt, errorMessage } from '../attempt';
import { predictionsPending } from '../selectors';
import type { SliceContext, Slice } from '../types';
import { fileWarnings } from './notices';

const SAMPLES_INDEX_PATH = 'samples/index.json';

export interface VideoRow extends VideoSummary {
  status: VideoStatus;
  message?: string;
  result?: VideoResult;
}

interface EvidenceState {
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

interface SamplesIndex {
  files: { file: string; videos: { id: string; events?: SampleEvent[] }[] }[];
  /** Further sample sets (the fine-tune set, core/demo/sampleSets.ts): their files, loaded by name. */
  sets?: SampleSetEntry[];
}

/**
 * Long work as the progress bar shows it: the files being read (the worker's
 * load progress) and the predictions since the work began. It begins with a
 * load and ends when nothing is read and nothing of it waits.
 */
export interface WorkProgress {
  load: LoadProgress;
  /** When the work began (performance.now()), for videos per second and time left. */
  startedAt: number;
  /** Videos predicted, and failed, since. */
  predicted: number;
  failed: number;
}

export interface VideosSlice {
  videos: VideoRow[];
  evidence: Record<string, EvidenceState>;
  /** The bundled samples' true events, by video id. */
  sampleEvents: Record<string, SampleEvent[]>;
  /** Files being read and videos predicted since; null when idle. */
  work: WorkProgress | null;
  /** The bundled samples, or a named set of them (the fine-tune set). */
  loadSamples(set?: string): Promise<void>;
  /** public/samples/index.json, read once; its events go into `sampleEvents`. */
  sampleIndex(): Promise<SamplesIndex>;
  /** Stops the loads under way: what was predicted stays, the videos still waiting go. */
  cancelLoads(): Promise<void>;
  removeVideo(key: string): Promise<void>;
  clearVideos(): Promise<void>;
  requestEvidence(key: string, classIndex: number, window: number): Promise<void>;
}

export function videosSlice({ set, get, env }: SliceContext): Slice<VideosSlice> {
  let index: Promise<SamplesIndex> | null = null;

  // Through the library slice: files already listed are asked about, duplicate ids skipped, partial reads noted.
  const addFeatures = (sources: FeatureSource[], known?: 'new') => get().readFeatures(sources, { known });
  const setEvidence = (key: string, evidence: EvidenceState) => set((s) => ({ evidence: { ...s.evidence, [key]: evidence } }));
  /** The work ends once nothing is read and nothing waits. */
  const settle = () => {
    const { work, videos } = get();
    if (work && work.load.state !== 'reading' && !predictionsPending(videos)) set({ work: null });
  };
  const forget = (keys: ReadonlySet<string>) =>
    set((s) => {
      const evidence = { ...s.evidence };
      keys.forEach((k) => delete evidence[k]);
      return { videos: s.videos.filter((v) => !keys.has(v.key)), evidence };
    });

  return {
    state: {
      videos: [],
      evidence: {},
      sampleEvents: {},
      work: null,
      loadSamples: async (name) => {
        try {
          const idx = await get().sampleIndex();
          const files = name ? idx.sets?.find((set) => set.name === name)?.files : idx.files;
          if (!files) throw new InputError(`there is no sample set '${name}'`);
          // Samples read in full are not read again; those read in part are read on from where they stopped.
          const loads = get().fileLoads;
          const already = new Set(
            get()
              .videos.map((v) => v.file)
              .filter((f) => !loads[f] || loads[f].state === 'done'),
          );
          const sources: FeatureSource[] = files
            .filter((f) => !already.has(f.file))
            .map((f) => ({ kind: 'url', url: env.publicUrl(`samples/${f.file}`), name: f.file }));
          if (!name) get().updateSettings({ samples: true });
          if (sources.length) await addFeatures(sources, 'new');
        } catch (e) {
          get().notify('error', `The samples could not be loaded: ${errorMessage(e)}`);
        }
      },
      sampleIndex: () => {
        index ??= (env.fetchJson(env.publicUrl(SAMPLES_INDEX_PATH)) as Promise<SamplesIndex>).then((idx) => {
          const events: Record<string, SampleEvent[]> = {};
          const files = [...idx.files, ...(idx.sets ?? []).flatMap((set) => set.files)];
          for (const f of files) for (const v of f.videos) events[v.id] = v.events ?? [];
          // A set's files carry its own label ids (not the model's classes until a fine-tune teaches them).
          const labelNames = Object.fromEntries((idx.sets ?? []).flatMap((set) => set.files.map((f) => [f.file, set.classNames])));
          set((s) => ({ sampleEvents: { ...s.sampleEvents, ...events }, labelNames: { ...s.labelNames, ...labelNames } }));
          return idx;
        });
        index.catch(() => (index = null));
        return index;
      },
      cancelLoads: async () => {
        await attempt(get().notify, 'The load could not be cancelled', () => env.client.call('cancelLoads', {}));
      },
      removeVideo: async (key) => {
        const index = get().videos.findIndex((v) => v.key === key);
        const row = get().videos[index];
        const done = await attempt(get().notify, 'The video could not be removed', () => env.client.call('removeVideo', { key }));
        if (done !== undefined && row) get().offerUndo({ message: `Removed ${row.id}`, rows: [{ row, index }] });
      },
      clearVideos: async () => {
        get().noteWaitForTraining('The videos are cleared');
        const { videos: rows, customLabels, settings } = get();
        await env.client.call('clearVideos', {});
        set({ videos: [], evidence: {}, work: null });
        const fileLoads = get().forgetFiles();
        get().forgetVideoLabels();
        get().updateSettings({ video: 0, samples: false });
        if (rows.length) {
          get().offerUndo({
            message: `Cleared ${rows.length.toLocaleString('en-US')} video${rows.length === 1 ? '' : 's'}`,
            rows: rows.map((row, index) => ({ row, index })),
            after: () => get().updateSettings({ video: settings.video, samples: settings.samples }),
            restore: (s) => {
              return {
                fileLoads: { ...fileLoads, ...s.fileLoads },
                customLabels: { ...s.customLabels, assignments: { ...customLabels.assignments, ...s.customLabels.assignments } },
              };
            },
          });
        }
      },
      requestEvidence: async (key, classIndex, window) => {
        setEvidence(key, { classIndex, window, status: 'running' });
        try {
          const result = await env.client.call('occlusion', { key, classIndex, window });
          setEvidence(key, { classIndex, window: result.window, status: 'done', result });
        } catch (e) {
          setEvidence(key, { classIndex, window, status: 'error', error: errorMessage(e) });
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
        if (e.videos.length) set((s) => ({ videos: s.videos.concat(e.videos.map((v) => ({ ...v, status: 'queued' as const }))) }));
        for (const message of fileWarnings(e.file, e.warnings)) get().notify('warning', message);
      },
      load: (e) => {
        set((s) => ({
          work: s.work ? { ...s.work, load: e.progress } : { load: e.progress, startedAt: performance.now(), predicted: 0, failed: 0 },
        }));
        settle();
      },
      status: (e) => {
        const keys = new Set(e.keys);
        set((s) => ({
          videos: s.videos.map((v) => (keys.has(v.key) ? { ...v, status: e.status, message: e.message } : v)),
          work: s.work && e.status === 'error' ? { ...s.work, failed: s.work.failed + e.keys.length } : s.work,
        }));
        // A failure is said where it is seen, in the worker's own sentence (the file, the video, what is wrong), not
        // only as a red count and a row that may be out of view.
        if (e.status === 'error' && e.keys.length) {
          const more = e.keys.length > 1 ? ` (${e.keys.length} videos could not be classified)` : '';
          get().notify('error', `${e.message ?? 'A video could not be classified'}${more}`);
        }
        settle();
      },
      predictions: (e) => {
        const results = new Map(e.results.map((r) => [r.key, r]));
        set((s) => ({
          videos: s.videos.map((v) => {
            const result = results.get(v.key);
            return result ? { ...v, status: 'done' as const, message: undefined, result } : v;
          }),
          work: s.work ? { ...s.work, predicted: s.work.predicted + e.results.length } : s.work,
        }));
        settle();
      },
      removed: (e) => {
        forget(new Set(e.keys));
        settle();
      },
    },
  };
}
