import { datasetFigures, evaluate } from '../../core/metrics';
import type { DatasetReport } from '../protocol';
import type { VideoRegistry } from './videoRegistry';

/**
 * The dataset view's figures over the videos predicted with the loaded model
 * that carry labels; failed videos are counted apart and left out.
 */
export function datasetReport(videos: VideoRegistry, k: number): DatasetReport {
  let predicted = 0;
  let failed = 0;
  const probabilities: Float32Array[] = [];
  const labels: number[][] = [];
  for (const e of videos.all()) {
    if (e.status === 'error') failed++;
    if (!e.probabilities) continue;
    predicted++;
    if (e.summary.labels && e.summary.labels.length > 0) {
      probabilities.push(e.probabilities);
      labels.push(e.summary.labels);
    }
  }
  const counts = { videos: videos.size, predicted, labeled: probabilities.length, failed };
  if (probabilities.length === 0) return { summary: null, figures: null, ...counts };
  // Labels outside the model's classes cannot be scored; they are the user's to fix, and the list says which video.
  const C = probabilities[0].length;
  const inRange = labels.map((ls) => ls.filter((l) => l < C));
  return { summary: evaluate(probabilities, inRange), figures: datasetFigures(probabilities, inRange, { k }), ...counts };
}
