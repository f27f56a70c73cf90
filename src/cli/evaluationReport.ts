import { InputError } from '../core/errors';
import type { MetricsAccumulator } from '../core/metrics';
import type { SegmentRanking } from '../core/segments/segmentRanking';
import { segmentMap, segmentMapJson } from '../core/segments/segmentMap';
import { stderr } from './run';

export interface EvaluationTotals {
  /** The video figures' state; null with --segments-only. */
  metrics: MetricsAccumulator | null;
  /** The segment rankings; null without --segments. */
  ranking: SegmentRanking | null;
  /** Videos left out of the video figures for want of labels. */
  unlabeled: number;
  classNames: readonly string[];
}

/**
 * evaluate's figures from its totals, as one line of JSON on stdout, with its
 * notes on stderr: shared by `evaluate` (one run) and `merge` (the parts of a
 * sharded run), so that both print the same for the same videos.
 */
export function reportEvaluation({ metrics, ranking, unlabeled, classNames }: EvaluationTotals): void {
  if (!ranking) {
    if (unlabeled) stderr(`warning: ${unlabeled} videos without labels were left out`);
    if (!metrics || metrics.videos === 0) throw new InputError('none of the videos carry labels; evaluation needs labeled feature files');
    process.stdout.write(JSON.stringify(metrics.result()) + '\n');
    return;
  }
  const result = segmentMap(ranking);
  const c = result.counts;
  if (c.ratedVideos === 0)
    throw new InputError(
      'none of the videos carry segment ratings (segment_labels, segment_start_times, segment_scores); --segments evaluation needs segment-rated files',
    );
  if (result.noPositive.length)
    stderr(
      `note: ${result.noPositive.length} classes rank windows but have no positive rating: left out of the MAP, as upstream cannot score them`,
    );
  if (result.neverRanked.length)
    stderr(
      `note: ${result.neverRanked.length} classes rated positive are in no window's top ${ranking.topPerWindow}: not counted, as upstream counts only the classes of its submission`,
    );
  if (c.noWindow)
    stderr(
      `note: ${c.noWindow} rated segments start where no window starts (hop ${ranking.window.hop}, or past the frame cap): they count as positives no window can find`,
    );
  if (c.outsideModel) stderr(`note: ${c.outsideModel} ratings are of classes the model does not have`);
  const videos = metrics?.videos ?? 0;
  if (unlabeled && videos > 0) stderr(`warning: ${unlabeled} videos without video-level labels were left out of the video figures`);
  if (videos === 0 && metrics) stderr('note: no video carries video-level labels: the video figures are left out');
  const segments = segmentMapJson(result, classNames, ranking.window);
  process.stdout.write(JSON.stringify(metrics && videos > 0 ? { ...metrics.result(), segments } : { segments }) + '\n');
}
