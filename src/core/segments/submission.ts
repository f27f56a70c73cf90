/**
 * The segment challenge's submission file, as upstream's `inference.py
 * --segment_labels` writes it: a header `Class,Segments`, then per class
 * that ranks windows `<class id>,<window id> <window id> ...`, best first, at
 * most K ids. Lines go in ascending class id (upstream writes them in the
 * order its classes first appeared, which the metric ignores).
 */
import type { SegmentRanking } from './segmentRanking';
import { segmentId } from './windows';

const SUBMISSION_HEADER = 'Class,Segments';

/** The file's lines, each ending in a newline, a class at a time (a line holds up to K ids). */
export function* submissionLines(ranking: SegmentRanking): Generator<string> {
  yield `${SUBMISSION_HEADER}\n`;
  for (const c of ranking.rankedClasses()) {
    // Read as columns: an object per window (hundreds of thousands a shard) only to be dropped.
    const { n, videos, starts } = ranking.rankedColumns(c);
    const ids = new Array<string>(n);
    for (let i = 0; i < n; i++) ids[i] = segmentId(videos[i], starts[i]);
    yield `${c},${ids.join(' ')}\n`;
  }
}
