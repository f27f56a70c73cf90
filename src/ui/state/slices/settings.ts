import type { ModelSource } from '../../../protocol/protocol';
import type { SliceContext, Slice } from '../types';
import { attempt } from '../attempt';
import { clampSetting, URL_DEFAULTS, type UrlState } from '../urlState';
import { modelSourceFor } from './model';

/** What the URL holds (see urlState.ts): the store's persist middleware reads it at start and writes it back on change. */
export interface SettingsSlice {
  settings: UrlState;
  selectVideo(index: number): void;
  setTopK(k: number): void;
  setView(view: UrlState['view']): void;
  /** The frame cap of files added from now on (the worker reads them with it). */
  setMaxFrames(maxFrames: number): Promise<void>;
  /** Any setting, clamped as its row in urlState.ts says: a new setting needs no setter of its own. */
  setSetting<K extends keyof UrlState>(key: K, value: UrlState[K]): void;
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
      selectVideo: (index) => updateSettings({ video: clampSetting('video', index) }),
      setTopK: (k) => updateSettings({ topK: clampSetting('topK', k) }),
      setView: (view) => updateSettings({ view: clampSetting('view', view) }),
      setMaxFrames: async (maxFrames) => {
        const n = clampSetting('maxFrames', maxFrames);
        updateSettings({ maxFrames: n });
        await attempt(get().notify, 'The frame cap could not be set', () => env.client.call('setMaxFrames', { maxFrames: n }));
      },
      setSetting: (key, value) => updateSettings({ [key]: clampSetting(key, value) }),
      updateSettings,
      init: async () => {
        void get().refreshCachedModels();
        // The samples' known events, so that they show however the sample files arrive (button or drop).
        void get()
          .sampleIndex()
          .catch(() => {});
        const { settings } = get();
        if (settings.maxFrames !== URL_DEFAULTS.maxFrames) await get().setMaxFrames(settings.maxFrames);
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
