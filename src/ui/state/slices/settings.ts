import type { ModelSource } from '../../../worker/protocol';
import type { SliceContext, Slice } from '../types';
import { URL_DEFAULTS, type UrlState } from '../urlState';
import { modelSourceFor } from './model';

/** What the URL holds (see urlState.ts): the store's persist middleware reads it at start and writes it back on change. */
export interface SettingsSlice {
  settings: UrlState;
  selectVideo(index: number): void;
  setTopK(k: number): void;
  /** Changes settings from another slice's intent (the model or backend chosen, the samples loaded). */
  updateSettings(patch: Partial<UrlState>): void;
  /** Starts the page as the URL says: the backend, the model (the demo by default), then the samples if asked for. */
  init(): Promise<void>;
}

export function settingsSlice({ set, get, env }: SliceContext): Slice<SettingsSlice> {
  const updateSettings = (patch: Partial<UrlState>) => set((s) => ({ settings: { ...s.settings, ...patch } }));
  return {
    state: {
      settings: URL_DEFAULTS,
      selectVideo: (index) => updateSettings({ video: Math.max(0, Math.floor(index)) }),
      setTopK: (k) => updateSettings({ topK: Math.max(1, Math.min(100, Math.floor(k))) }),
      updateSettings,
      init: async () => {
        void get().refreshCachedModels();
        // The samples' known events, so that they show however the sample files arrive (button or drop).
        void get().sampleIndex().catch(() => {});
        const { settings } = get();
        const backend = get().chooseBackend(settings.backend);
        const source: ModelSource = modelSourceFor(settings.model, env);
        const model = get().loadModel(source);
        if (settings.samples) await get().loadSamples();
        await Promise.all([backend, model]);
      },
    },
    events: {},
  };
}
