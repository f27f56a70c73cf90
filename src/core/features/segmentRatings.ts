/**
 * The segment ratings of one YouTube-8M record (spec section 8.1), checked
 * once for both TFRecord readers (the wire reader and the general decoder):
 * the three context lists `segment_labels`, `segment_start_times` and
 * `segment_scores` are parallel, entry i rating class labels[i] on the
 * segment that starts at frame starts[i].
 *
 * Ratings are optional, so a problem with them costs the ratings, never the
 * video: lists that do not line up (one missing, unequal lengths) drop all of
 * the record's ratings, since no entry can be trusted to belong with its
 * neighbours'; an entry that cannot be a rating (a class that is no class id,
 * a negative start, a start past the video's end, a score that is not a
 * number) drops that entry alone. Either way the caller warns, naming the file
 * and the record, with the message returned here.
 */
import type { SegmentRating } from './featureTypes';

export const SEGMENT_KEYS = { labels: 'segment_labels', starts: 'segment_start_times', scores: 'segment_scores' } as const;

/** The three lists as read (any of them absent when the record does not have it). */
export interface RawSegmentLists {
  labels?: readonly number[];
  starts?: readonly number[];
  scores?: readonly number[];
}

export interface CheckedSegments {
  /** Absent when the record carries no ratings, or its lists do not line up. */
  segments?: SegmentRating[];
  /** What was wrong, for a warning (without the file and record, which the caller adds). */
  problem?: string;
}

/** Entries named in a warning at most; the rest are counted. */
const EXAMPLES = 3;

/**
 * Checks the lists against the video's length in the file (`framesInFile`,
 * before any frame cap: a rating past the cap is still a rating, which the
 * metric counts as upstream does). Ratings of one (start, class) pair given
 * twice keep the last, as upstream's dict `(segment id, class) -> score` does.
 */
export function checkSegmentRatings(raw: RawSegmentLists, framesInFile: number): CheckedSegments {
  const { labels, starts, scores } = raw;
  const present = [labels, starts, scores].filter((l) => l !== undefined).length;
  if (present === 0) return {};
  if (!labels || !starts || !scores) {
    const missing = (Object.keys(SEGMENT_KEYS) as (keyof RawSegmentLists)[])
      .filter((k) => raw[k] === undefined)
      .map((k) => SEGMENT_KEYS[k]);
    return {
      problem: `segment ratings ignored: it has ${present === 1 ? 'one' : 'two'} of the three parallel lists, ${missing.join(' and ')} missing`,
    };
  }
  if (labels.length !== starts.length || labels.length !== scores.length) {
    return {
      problem: `segment ratings ignored: the parallel lists differ in length (${SEGMENT_KEYS.labels} ${labels.length}, ${SEGMENT_KEYS.starts} ${starts.length}, ${SEGMENT_KEYS.scores} ${scores.length})`,
    };
  }
  const bad: string[] = [];
  let dropped = 0;
  const kept = new Map<string, SegmentRating>();
  let duplicates = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    const s = starts[i];
    const score = scores[i];
    const why =
      !Number.isSafeInteger(c) || c < 0
        ? `class ${c} is not a class id`
        : !Number.isSafeInteger(s)
          ? `start ${s} is not a frame`
          : s < 0
            ? `start ${s} is negative`
            : s >= framesInFile
              ? `start ${s} is past the video's end (${framesInFile} frames)`
              : !Number.isFinite(score)
                ? `score ${score} is not a number`
                : null;
    if (why) {
      dropped++;
      if (bad.length < EXAMPLES) bad.push(`entry ${i}: ${why}`);
      continue;
    }
    const key = `${s}:${c}`;
    if (kept.has(key)) duplicates++;
    // Like a dict's key given again: the first position, the last value.
    kept.set(key, { class: c, start: s, score });
  }
  const notes: string[] = [];
  if (dropped)
    notes.push(`${dropped} segment rating${dropped === 1 ? '' : 's'} dropped (${bad.join('; ')}${dropped > bad.length ? '; …' : ''})`);
  if (duplicates)
    notes.push(`${duplicates} segment rating${duplicates === 1 ? '' : 's'} given again for the same start and class: the last kept`);
  return { segments: [...kept.values()], ...(notes.length ? { problem: notes.join('; ') } : {}) };
}
