import type { ExportFormat } from '../../../core/export/formats';
import type {
  CustomLabels,
  EpochReport,
  FineTuneMode,
  HeadLayers,
  ModelInfo,
  TrainingConfig,
  TrainingPlan,
  TrainingProgress,
  TrainingReport,
  TrainingState,
  TrainingValidation,
  VideoResult,
} from '../../../protocol/protocol';
import { attempt, errorMessage } from '../attempt';
import { selectedVideo, trainingActive } from '../selectors';
import type { SliceContext, Slice } from '../types';

/** A fine-tune as the page shows it. */
export interface TrainingView {
  state: 'idle' | TrainingState;
  caching: { done: number; total: number } | null;
  classNames: string[];
  trainVideos: number;
  validationVideos: number;
  epochsPlanned: number;
  before: TrainingValidation | null;
  epochs: EpochReport[];
  report: TrainingReport | null;
  message: string | null;
  /** The fine-tuned model once saved into the cache. */
  saved: ModelInfo | null;
  busy: 'saving' | ExportFormat | null;
  mode: FineTuneMode | null;
  /** The run trains the user's own classes (so a video's true labels are its assignments). */
  customLabels: boolean;
  /** The selected video as the model being trained saw it last (sent as it trains). */
  live: { epoch: number; result: VideoResult } | null;
  /** Whether the selected video shows the fine-tune's live view (true) or the loaded model's prediction. */
  showLive: boolean;
}

const TRAINING_IDLE: TrainingView = {
  state: 'idle',
  caching: null,
  classNames: [],
  trainVideos: 0,
  validationVideos: 0,
  epochsPlanned: 0,
  before: null,
  epochs: [],
  report: null,
  message: null,
  saved: null,
  busy: null,
  mode: null,
  customLabels: false,
  live: null,
  showLive: true,
};

export interface TrainingSlice {
  training: TrainingView;
  /** Labels and cost of a fine-tune before starting it (null when the worker cannot say). */
  planTraining(
    mode: FineTuneMode,
    headLayers: HeadLayers,
    labels?: CustomLabels | null,
    classNames?: string[],
  ): Promise<TrainingPlan | null>;
  /** The user's own classes (used instead of the files' labels while `useCustomLabels`). */
  customLabels: CustomLabels;
  useCustomLabels: boolean;
  setUseCustomLabels(on: boolean): void;
  addClass(name: string): void;
  removeClass(index: number): void;
  /** Adds or removes one class of one video (multi-label). */
  toggleLabel(key: string, classIndex: number): void;
  /** The videos are gone: so are their assignments and the live view. */
  forgetVideoLabels(): void;
  startTraining(config: TrainingConfig): Promise<void>;
  pauseTraining(): Promise<void>;
  resumeTraining(): Promise<void>;
  stopTraining(): Promise<void>;
  saveTrained(): Promise<void>;
  /** Shows the selected video as the fine-tune sees it (true) or as the loaded model does. */
  setShowLive(on: boolean): void;
  /** The fine-tuned model's file; the caller downloads it. Null when it failed (a notice says why). */
  exportTrained(format: ExportFormat): Promise<{ name: string; bytes: ArrayBuffer } | null>;
  /** The worker runs a fine-tune alone: a request that needs it waits for the end, and the page says so. */
  noteWaitForTraining(what: string): void;
}

/** How often a fine-tune's epoch reports are shown, at most. */
const EPOCH_FLUSH_MS = 200;

export function trainingSlice({ set, get, env }: SliceContext): Slice<TrainingSlice> {
  const patch = (p: Partial<TrainingView>) => set((s) => ({ training: { ...s.training, ...p } }));
  const patchLabels = (f: (l: CustomLabels) => CustomLabels) => set((s) => ({ customLabels: f(s.customLabels) }));
  // A small model trains many epochs a second: their reports reach the state (and its charts) a few times a second.
  const epochBuffer: EpochReport[] = [];
  let epochTimer: ReturnType<typeof setTimeout> | null = null;
  const flushEpochs = () => {
    if (epochTimer !== null) clearTimeout(epochTimer);
    epochTimer = null;
    if (epochBuffer.length === 0) return;
    const reports = epochBuffer.splice(0);
    set((s) => ({ training: { ...s.training, epochs: [...s.training.epochs, ...reports] } }));
  };
  const progress = (p: TrainingProgress) => {
    if (p.phase === 'epoch') {
      epochBuffer.push(p.report);
      epochTimer ??= setTimeout(flushEpochs, EPOCH_FLUSH_MS);
      return;
    }
    // Nothing overtakes the epochs reported before it.
    flushEpochs();
    switch (p.phase) {
      case 'caching':
        return patch({ state: 'caching', caching: { done: p.done, total: p.total } });
      case 'start':
        return patch({
          classNames: p.classNames,
          trainVideos: p.trainVideos,
          validationVideos: p.validationVideos,
          epochsPlanned: p.epochs,
          before: p.before,
          epochs: [],
        });
      case 'state':
        return patch({ state: p.state, message: p.message ?? null });
    }
  };

  return {
    state: {
      training: TRAINING_IDLE,
      customLabels: { classNames: [], assignments: {} },
      useCustomLabels: false,
      setUseCustomLabels: (on) => set({ useCustomLabels: on }),
      addClass: (name) => {
        const n = name.trim();
        if (n) patchLabels((l) => (l.classNames.includes(n) ? l : { ...l, classNames: [...l.classNames, n] }));
      },
      removeClass: (index) =>
        patchLabels((l) => {
          const assignments: Record<string, number[]> = {};
          for (const [key, ls] of Object.entries(l.assignments)) {
            const next = ls.filter((c) => c !== index).map((c) => (c > index ? c - 1 : c));
            if (next.length) assignments[key] = next;
          }
          return { classNames: l.classNames.filter((_, i) => i !== index), assignments };
        }),
      toggleLabel: (key, classIndex) =>
        patchLabels((l) => {
          const now = l.assignments[key] ?? [];
          const next = now.includes(classIndex) ? now.filter((c) => c !== classIndex) : [...now, classIndex].sort((a, b) => a - b);
          const assignments = { ...l.assignments };
          if (next.length) assignments[key] = next;
          else delete assignments[key];
          return { ...l, assignments };
        }),
      forgetVideoLabels: () => {
        patchLabels((l) => ({ ...l, assignments: {} }));
        patch({ live: null });
      },
      planTraining: async (mode, headLayers, labels, classNames) => {
        try {
          return await env.client.call('planTraining', { mode, headLayers, labels, classNames });
        } catch {
          return null;
        }
      },
      startTraining: async (config) => {
        set((s) => ({
          training: {
            ...TRAINING_IDLE,
            state: 'caching',
            epochsPlanned: config.epochs,
            mode: config.mode,
            customLabels: !!config.labels,
            showLive: s.training.showLive,
          },
        }));
        try {
          await env.client.call('startTraining', { config: { ...config, watch: selectedVideo(get())?.key ?? null } });
        } catch (e) {
          const message = errorMessage(e);
          patch({ state: 'error', message });
          get().notify('error', `The fine-tune failed: ${message}`);
        }
      },
      setShowLive: (on) => patch({ showLive: on }),
      pauseTraining: async () => void (await env.client.call('pauseTraining', {})),
      resumeTraining: async () => void (await env.client.call('resumeTraining', {})),
      stopTraining: async () => void (await env.client.call('stopTraining', {})),
      saveTrained: async () => {
        patch({ busy: 'saving' });
        try {
          const info = await env.client.call('saveTrained', {});
          get().updateSettings({ model: `cache:${info.id}` });
          patch({ saved: info, busy: null });
        } catch (e) {
          patch({ busy: null });
          get().notify('error', `The fine-tuned model could not be saved: ${errorMessage(e)}`);
        }
      },
      exportTrained: async (format) => {
        patch({ busy: format });
        try {
          return (
            (await attempt(get().notify, 'The fine-tuned model could not be exported', () =>
              env.client.call('exportTrained', { format }),
            )) ?? null
          );
        } finally {
          patch({ busy: null });
        }
      },
      noteWaitForTraining: (what) => {
        if (trainingActive(get().training.state)) get().notify('info', `${what} when the fine-tune ends; stop it to do this now.`);
      },
    },
    events: {
      trainingProgress: (e) => progress(e.progress),
      trainingReport: (e) => {
        flushEpochs();
        patch({ report: e.report });
      },
      trainingPrediction: (e) => patch({ live: { epoch: e.epoch, result: e.result } }),
      // A fine-tune's live view belongs to the model it started from.
      model: (e, before) => {
        if (before.model?.id !== e.model.id) patch({ live: null });
      },
    },
  };
}
