/** Values derived from the page's state, for views and slices alike. */
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
