/** Values derived from the page's state, for views and slices alike. */
import { evaluate, type EvaluationResult } from '../../core/metrics';
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

export interface SetMetrics extends EvaluationResult {
  /** Labelled videos still waiting for a result. */
  pending: number;
}

/** Hit@1, PERR, GAP and mAP over the labelled videos with results; null when there are none. */
export function setMetrics(videos: readonly VideoRow[]): SetMetrics | null {
  const labelled = videos.filter((v) => v.labels && v.labels.length > 0);
  const withResult = labelled.filter((v) => v.result);
  if (withResult.length === 0) return null;
  const m = evaluate(withResult.map((v) => v.result!.probabilities), withResult.map((v) => v.labels!));
  return { ...m, pending: labelled.length - withResult.length };
}
