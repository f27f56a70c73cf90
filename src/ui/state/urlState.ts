import { BACKEND_CHOICES, type BackendChoice } from '../../worker/protocol';

/**
 * The part of the page's state that lives in the URL, so that a view can be
 * shared and reloaded: which model, which backend, which video, how many
 * classes the chart shows, and whether the bundled samples are loaded.
 * Defaults are left out of the URL.
 */
export interface UrlState {
  /** A model.json URL, `cache:<id>` for a model in this browser's cache, or null for the demo. */
  model: string | null;
  backend: BackendChoice;
  /** Index of the selected video in the list. */
  video: number;
  /** Classes in the probability chart (and in "Export JSON"'s `top`). */
  topK: number;
  /** The bundled samples are loaded (so a shared link shows the same videos). */
  samples: boolean;
  /** The single video, or the dataset view over every video. */
  view: 'video' | 'dataset';
  /** At most this many frames of each video added are used (YouTube-8M's and PaddleVideo's readers use 300). */
  maxFrames: number;
  /** wasm threads asked for; null for the default (every core but one, when the page is cross-origin isolated). */
  threads: number | null;
}

export const URL_DEFAULTS: UrlState = { model: null, backend: 'auto', video: 0, topK: 10, samples: false, view: 'video', maxFrames: 300, threads: null };
/** As tfjs's wasm backend allows (the worker's MAX_WASM_THREADS caps what runs). */
export const MAX_THREADS = 64;
export const MAX_FRAMES_LIMIT = 100_000;
export const TOP_K_CHOICES = [5, 10, 20, 50] as const;
export const MAX_TOP_K = 100;

function nonNegativeInt(v: string | null, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === null || !/^\d+$/.test(v)) return fallback;
  return Math.min(max, Number(v));
}

/** Reads the state from a query string; anything malformed falls back to its default. */
export function readUrlState(search: string): UrlState {
  const p = new URLSearchParams(search);
  const backend = p.get('backend');
  const topK = nonNegativeInt(p.get('topk'), URL_DEFAULTS.topK, MAX_TOP_K);
  const maxFrames = nonNegativeInt(p.get('frames'), URL_DEFAULTS.maxFrames, MAX_FRAMES_LIMIT);
  const threads = nonNegativeInt(p.get('threads'), 0, MAX_THREADS);
  return {
    model: p.get('model') || null,
    backend: (BACKEND_CHOICES as readonly string[]).includes(backend ?? '') ? (backend as BackendChoice) : URL_DEFAULTS.backend,
    video: nonNegativeInt(p.get('video'), URL_DEFAULTS.video),
    topK: topK >= 1 ? topK : URL_DEFAULTS.topK,
    samples: p.get('samples') === '1',
    view: p.get('view') === 'dataset' ? 'dataset' : 'video',
    maxFrames: maxFrames >= 1 ? maxFrames : URL_DEFAULTS.maxFrames,
    threads: threads >= 1 ? threads : URL_DEFAULTS.threads,
  };
}

/** The query string for `state`, keeping parameters this page does not own. */
export function writeUrlState(state: UrlState, search = ''): string {
  const p = new URLSearchParams(search);
  const set = (key: string, value: string | null) => (value === null ? p.delete(key) : p.set(key, value));
  set('model', state.model);
  set('backend', state.backend === URL_DEFAULTS.backend ? null : state.backend);
  set('video', state.video === URL_DEFAULTS.video ? null : String(state.video));
  set('topk', state.topK === URL_DEFAULTS.topK ? null : String(state.topK));
  set('samples', state.samples ? '1' : null);
  set('view', state.view === URL_DEFAULTS.view ? null : state.view);
  set('frames', state.maxFrames === URL_DEFAULTS.maxFrames ? null : String(state.maxFrames));
  set('threads', state.threads === null ? null : String(state.threads));
  const s = p.toString();
  return s ? `?${s}` : '';
}
