/**
 * The page's state as one zustand store made of slices (zustand's slices
 * pattern): each slice in slices/ owns its part of the state, its intents and
 * its handling of the worker's events; store.ts combines them and routes each
 * event to every slice that handles it. Nothing here knows about React or tfjs.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { WorkerClient } from '../../protocol/client';
import type { WorkerEvent } from '../../protocol/protocol';
import type { BackendSlice } from './slices/backend';
import type { DatasetSlice } from './slices/dataset';
import type { FilesSlice } from './slices/files';
import type { LibrarySlice } from './slices/library';
import type { CompareSlice } from './slices/compare';
import type { ModelSlice } from './slices/model';
import type { NoticesSlice } from './slices/notices';
import type { SegmentsSlice } from './slices/segments';
import type { SettingsSlice } from './slices/settings';
import type { TrainingSlice } from './slices/training';
import type { VideosSlice } from './slices/videos';
import type { MediaSlice } from '../video/mediaSlice';

export interface AppState
  extends
    SettingsSlice,
    BackendSlice,
    ModelSlice,
    VideosSlice,
    DatasetSlice,
    TrainingSlice,
    NoticesSlice,
    SegmentsSlice,
    MediaSlice,
    LibrarySlice,
    CompareSlice,
    FilesSlice {
  /** Routes one worker event to the slices that handle it. */
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

/** What a slice is built with: the whole store's set and get (slices read each other), and the surroundings. */
export interface SliceContext {
  set: StoreApi<AppState>['setState'];
  get: () => AppState;
  env: StoreEnv;
}

type EventOf<T extends WorkerEvent['type']> = Extract<WorkerEvent, { type: T }>;

/** A slice's handling of worker events; `before` is the whole state as it was before this event. */
export type EventHandlers = { [T in WorkerEvent['type']]?: (e: EventOf<T>, before: AppState) => void };

/** A slice: its state and intents, and the events it handles. */
export interface Slice<S> {
  state: S;
  events: EventHandlers;
}
