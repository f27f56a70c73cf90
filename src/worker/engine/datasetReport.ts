import { datasetFigures, evaluate } from '../../core/metrics';
import type { DatasetReport } from '../../protocol/protocol';
import type { VideoRegistry } from './videoRegistry';

/**
 * The dataset view's figures over the videos predicted with the loaded model
 * that carry labels; failed videos are counted apart and left out, and so
 * are the files in `leaveOut` (their labels are not this model's classes).
 */
export function datasetReport(videos: VideoRegistry, k: number, leaveOut: ReadonlySet<string> = new Set()): DatasetReport {
  let predicted = 0;
  let failed = 0;
  const probabilities: Float32Array[] = [];
  const labels: number[][] = [];
  for (const e of videos.all()) {
    if (e.status === 'error') failed++;
    if (!e.probabilities) continue;
    predicted++;
    // Files whose labels are not the model's classes (new labels before a fine-tune) would be scored against the wrong classes.
    if (e.summary.labels && e.summary.labels.length > 0 && !leaveOut.has(e.summary.file)) {
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
