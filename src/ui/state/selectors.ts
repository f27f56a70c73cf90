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
