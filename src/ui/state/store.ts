/**
 * The page's store: the slices combined into one zustand store, the URL
 * settings persisted through zustand's persist middleware, and each worker
 * event routed to every slice that handles it. The slices (slices/) hold the
 * state, the intents and the event handling; types.ts describes the whole.
 */
import { persist, type PersistStorage } from 'zustand/middleware';
import { createStore } from 'zustand/vanilla';
import type { WorkerEvent } from '../../protocol/protocol';
import { selectedVideo, trainingActive } from './selectors';
import { backendSlice } from './slices/backend';
import { compareSlice } from './slices/compare';
import { datasetSlice } from './slices/dataset';
import { filesSlice } from './slices/files';
import { librarySlice } from './slices/library';
import { modelSlice } from './slices/model';
import { noticesSlice } from './slices/notices';
import { segmentsSlice } from './slices/segments';
import { settingsSlice } from './slices/settings';
import { trainingSlice } from './slices/training';
import { videosSlice } from './slices/videos';
import { mediaSlice } from '../video/mediaSlice';
import type { AppState, AppStore, EventHandlers, SliceContext, StoreEnv } from './types';
import { readUrlState, type UrlState, writeUrlState } from './urlState';

export type { AppState, AppStore, StoreEnv } from './types';

export function createAppStore(env: StoreEnv): AppStore {
  const storage: PersistStorage<{ settings: UrlState }> = {
    getItem: () => ({ state: { settings: readUrlState(env.url.read()) }, version: 0 }),
    setItem: (_name, value) => {
      const next = writeUrlState(value.state.settings, env.url.read());
      if (next !== normalize(env.url.read())) env.url.write(next);
    },
    removeItem: () => {},
  };

  const store = createStore<AppState>()(
    persist(
      (set, get) => {
        const ctx: SliceContext = { set, get, env };
        const settings = settingsSlice(ctx);
        const backend = backendSlice(ctx);
        const model = modelSlice(ctx);
        const videos = videosSlice(ctx);
        const dataset = datasetSlice(ctx);
        const training = trainingSlice(ctx);
        const notices = noticesSlice(ctx);
        const segments = segmentsSlice(ctx);
        const media = mediaSlice(ctx);
        const library = librarySlice(ctx);
        const compare = compareSlice(ctx);
        const files = filesSlice(ctx);
        // In the order an event reaches them.
        const handlers: EventHandlers[] = [
          settings,
          backend,
          model,
          videos,
          dataset,
          training,
          notices,
          segments,
          media,
          library,
          compare,
          files,
        ].map((s) => s.events);
        const applyEvent = (e: WorkerEvent) => {
          const before = get();
          for (const h of handlers) (h[e.type] as ((e: WorkerEvent, before: AppState) => void) | undefined)?.(e, before);
        };
        // Checked, not cast: a member of AppState that no slice provides does not compile.
        return {
          ...settings.state,
          ...backend.state,
          ...model.state,
          ...videos.state,
          ...dataset.state,
          ...training.state,
          ...notices.state,
          ...segments.state,
          ...media.state,
          ...library.state,
          ...compare.state,
          ...files.state,
          applyEvent,
        } satisfies AppState;
      },
      { name: 'url', storage, partialize: (s) => ({ settings: s.settings }) },
    ),
  );

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

function normalize(search: string): string {
  return search === '?' ? '' : search;
}
