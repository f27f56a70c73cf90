import { BACKEND_CHOICES, type BackendChoice } from '../../protocol/protocol';

/**
 * The part of the page's state that lives in the URL, so that a view can be
 * shared and reloaded, as one schema: each setting's query parameter, default,
 * parsing and clamping, choices and label. Reading and writing the URL, the
 * settings slice's setters and the controls all follow it; a new setting is a
 * row here. Defaults are left out of the URL.
 */
export interface Setting<T> {
  /** Its query parameter. */
  url: string;
  default: T;
  /** From the parameter's value (null when absent); anything malformed gives the default. */
  parse(value: string | null): T;
  /** The parameter's value for a value other than the default. */
  format(value: T): string;
  /** A value a setter was given, brought into range. */
  clamp(value: T): T;
  /** What a control offers, where it offers a list. */
  choices?: readonly T[];
  /** A control's label, where it has one. */
  label?: string;
}

/** A whole number in [min, max]: a larger one is cut to max, a smaller one or anything else falls back. */
function int<O extends { url: string; default: number | null; min: number; max: number; choices?: readonly number[]; label?: string }>(
  o: O,
): O & Setting<number | O['default']> {
  return {
    ...o,
    parse: (v) => {
      if (v === null || !/^\d+$/.test(v)) return o.default;
      const n = Math.min(o.max, Number(v));
      return n >= o.min ? n : o.default;
    },
    format: String,
    clamp: (v) => (v === null ? v : Math.max(o.min, Math.min(o.max, Math.floor(v)))),
  };
}

function oneOf<T extends string>(o: {
  url: string;
  default: T;
  choices: readonly T[];
  label?: string;
}): Setting<T> & { choices: readonly T[] } {
  return {
    ...o,
    parse: (v) => ((o.choices as readonly string[]).includes(v ?? '') ? (v as T) : o.default),
    format: (v) => v,
    clamp: (v) => v,
  };
}

export const SETTINGS = {
  /** A model.json URL, `cache:<id>` for a model in this browser's cache, or null for the demo. */
  model: { url: 'model', default: null, parse: (v) => v || null, format: (v) => v ?? '', clamp: (v) => v } satisfies Setting<string | null>,
  backend: oneOf<BackendChoice>({ url: 'backend', default: 'auto', choices: BACKEND_CHOICES, label: 'Backend' }),
  /** Index of the selected video in the list. */
  video: int({ url: 'video', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER }),
  /** Classes in the probability chart (and in "Export JSON"'s `top`). */
  topK: int({ url: 'topk', default: 10, min: 1, max: 100, choices: [5, 10, 20, 50], label: 'Number of classes shown' }),
  /** The bundled samples are loaded (so a shared link shows the same videos). */
  samples: { url: 'samples', default: false, parse: (v) => v === '1', format: () => '1', clamp: (v) => v } satisfies Setting<boolean>,
  /** The single video, or the dataset view over every video (ViewSwitch.tsx shows each). */
  view: oneOf({ url: 'view', default: 'video', choices: ['video', 'dataset'] }),
  /** At most this many frames of each video added are used (YouTube-8M's and PaddleVideo's readers use 300). */
  maxFrames: int({ url: 'frames', default: 300, min: 1, max: 100_000, label: 'Frames per video, at most' }),
  /**
   * wasm threads asked for; null for the default (every core but one, when the page is cross-origin isolated).
   * At most as many as tfjs's wasm backend allows (the worker's MAX_WASM_THREADS caps what runs).
   */
  threads: int({ url: 'threads', default: null, min: 1, max: 64 }),
};

type Settings = typeof SETTINGS;
export type UrlState = { [K in keyof Settings]: ReturnType<Settings[K]['parse']> };

const KEYS = Object.keys(SETTINGS) as (keyof UrlState)[];

export const URL_DEFAULTS: UrlState = Object.fromEntries(KEYS.map((k) => [k, SETTINGS[k].default])) as UrlState;

/** `value` as a setter stores it: clamped as the setting's row says. */
export function clampSetting<K extends keyof UrlState>(key: K, value: UrlState[K]): UrlState[K] {
  return (SETTINGS[key] as unknown as Setting<UrlState[K]>).clamp(value);
}

/** Reads the state from a query string; anything malformed falls back to its default. */
export function readUrlState(search: string): UrlState {
  const p = new URLSearchParams(search);
  return Object.fromEntries(KEYS.map((k) => [k, SETTINGS[k].parse(p.get(SETTINGS[k].url))])) as UrlState;
}

/** The query string for `state`, keeping parameters this page does not own. */
export function writeUrlState(state: UrlState, search = ''): string {
  const p = new URLSearchParams(search);
  for (const k of KEYS) {
    const setting = SETTINGS[k] as unknown as Setting<UrlState[typeof k]>;
    const value = state[k];
    if (value === setting.default) p.delete(setting.url);
    else p.set(setting.url, setting.format(value));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}
