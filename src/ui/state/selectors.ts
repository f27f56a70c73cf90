/** Values derived from the page's state, for views and slices alike. */
import type { CustomLabels, FineTuneMode } from '../../protocol/protocol';
import type { AppState } from './types';
import type { TrainingView } from './slices/training';
import type { VideoRow } from './slices/videos';

/** The selected row, with its index clamped to the list. */
export function selectedVideo(s: Pick<AppState, 'videos' | 'settings'>): VideoRow | null {
  if (s.videos.length === 0) return null;
  return s.videos[Math.min(s.settings.video, s.videos.length - 1)];
}

/** A run is under way (its live view can still change). */
export function trainingActive(state: TrainingView['state']): boolean {
  return state === 'caching' || state === 'running' || state === 'paused';
}

/** "N videos · M predicted · K failed": counts, so they never wait for the list. */
export function videoCounts(videos: readonly VideoRow[]): { total: number; done: number; failed: number } {
  let done = 0;
  let failed = 0;
  for (const v of videos) {
    if (v.status === 'done') done++;
    else if (v.status === 'error') failed++;
  }
  return { total: videos.length, done, failed };
}

/** Some video has been predicted. */
export function hasResults(s: Pick<AppState, 'videos'>): boolean {
  return s.videos.some((v) => v.result);
}

/** Some video still waits for its prediction, or is being predicted. */
export function predictionsPending(videos: readonly VideoRow[]): boolean {
  return videos.some((v) => v.status === 'queued' || v.status === 'running');
}

// Derived from the video list once per list (it changes with every prediction; these only with the files).
const idsOf = new WeakMap<readonly VideoRow[], string>();
const filesOf = new WeakMap<readonly VideoRow[], string>();

/** The label ids the files use, sorted, as a string ("0,2,7": a stable selector value). */
export function labelIdsKey(videos: readonly VideoRow[]): string {
  let k = idsOf.get(videos);
  if (k === undefined) {
    const ids = new Set<number>();
    for (const v of videos) for (const l of v.labels ?? []) ids.add(l);
    k = [...ids].sort((a, b) => a - b).join(',');
    idsOf.set(videos, k);
  }
  return k;
}

/** The files the videos came from, in order, one a line (a stable selector value). */
export function filesKey(videos: readonly VideoRow[]): string {
  let k = filesOf.get(videos);
  if (k === undefined) {
    k = [...new Set(videos.map((v) => v.file))].join('\n');
    filesOf.set(videos, k);
  }
  return k;
}

/** The user's own classes given to at least one video. */
export function customClassesInUse(custom: CustomLabels): number {
  const used = new Set<number>();
  for (const ls of Object.values(custom.assignments)) for (const l of ls) used.add(l);
  return custom.classNames.filter((_, i) => used.has(i)).length;
}

/**
 * The classes a fine-tune teaches: the user's classes in use; for the same
 * labels, the files' label ids; otherwise the plan's classes once it is known.
 */
export function fineTuneClasses(opts: {
  custom: CustomLabels | null;
  mode: FineTuneMode;
  fileIds: number;
  planned: number | null;
}): number {
  if (opts.custom) return customClassesInUse(opts.custom);
  return opts.mode === 'same-labels' ? opts.fileIds : (opts.planned ?? opts.fileIds);
}

/** The loaded videos with segment ratings (failed ones left out), and their ratings: a fine-tune on rated segments learns from these. */
export function ratedCounts(videos: readonly { segments?: readonly unknown[] | null; status: string }[]): {
  videos: number;
  ratings: number;
} {
  let n = 0;
  let ratings = 0;
  for (const v of videos) {
    if (v.segments && v.segments.length > 0 && v.status !== 'error') {
      n++;
      ratings += v.segments.length;
    }
  }
  return { videos: n, ratings };
}
