/**
 * MAP@K over segments exactly as YouTube-8M's `segment_eval_inference.py`
 * scores a submission (spec 8.3), from a SegmentRanking (the submission it
 * would write, with each window's rating attached):
 *
 * - per class line (ascending class id): its first K windows (the ranking
 *   holds at most K), then only the windows rated for that class: an unrated
 *   window neither helps nor hurts;
 * - the m kept windows in rank order, AP = sum over kept i with rating > 0 of
 *   (positives so far / (i + 1)) / positives[c] (`ap_at_n` with the class's
 *   positive ratings over all videos as `total_num_positives`; the
 *   pseudo-scores (m - i) / m cannot tie, so its shuffle changes nothing),
 *   accumulated in upstream's order; no kept window gives 0;
 * - MAP = np.mean of the APs (numpyMean.ts) over the classes of the
 *   submission that have a positive rating. Upstream fails on a class without
 *   one (`positive_counter[label_id]`); it is left out here and listed.
 *
 * Classes rated positive that no window ranks are not in the submission, so
 * upstream does not count them either: they are listed too.
 */
import { numpyMean } from '../metrics/numpyMean';
import type { RatingCounts, SegmentRanking } from './segmentRanking';
import { segmentId } from './windows';

interface ClassSegmentAp {
  class: number;
  ap: number;
  /** Positive ratings of the class over all videos (AP's denominator). */
  positives: number;
  /** Windows the class ranks (at most K), and how many of them are rated for it, and positive. */
  ranked: number;
  rated: number;
  ratedPositive: number;
}

export interface SegmentMapResult {
  /** MAP@K, or null when no class could be counted. */
  map: number | null;
  k: number;
  /** The classes whose AP the MAP averages, ascending. */
  perClass: ClassSegmentAp[];
  /** Classes that rank windows but have no positive rating: left out of the MAP. */
  noPositive: number[];
  /** Classes rated positive that no window ranks: not in the submission, so not counted (as upstream). */
  neverRanked: number[];
  counts: RatingCounts;
}

export function segmentMap(ranking: SegmentRanking): SegmentMapResult {
  const perClass: ClassSegmentAp[] = [];
  const noPositive: number[] = [];
  const ranked = new Set<number>();
  for (const c of ranking.rankedClasses()) {
    ranked.add(c);
    const positives = ranking.positivesOf(c);
    if (positives === 0) {
      noPositive.push(c);
      continue;
    }
    perClass.push(classAp(c, ranking, positives));
  }
  const neverRanked = ranking.positiveClasses().filter((c) => !ranked.has(c) && c < ranking.classes);
  return {
    map: perClass.length ? numpyMean(perClass.map((x) => x.ap)) : null,
    k: ranking.k,
    perClass,
    noPositive,
    neverRanked,
    counts: { ...ranking.counted },
  };
}

/** One class's AP from its windows best first (read_segment_predictions, then ap_at_n). */
function classAp(c: number, ranking: SegmentRanking, positives: number): ClassSegmentAp {
  const deltaRecall = 1.0 / positives;
  let ap = 0.0;
  let poscount = 0.0;
  let i = 0;
  const { n, ratings } = ranking.rankedColumns(c);
  for (let r = 0; r < n; r++) {
    const rating = ratings[r];
    if (Number.isNaN(rating)) continue;
    if (rating > 0) {
      poscount += 1;
      ap += (poscount / (i + 1)) * deltaRecall;
    }
    i++;
  }
  return { class: c, ap, positives, ranked: n, rated: i, ratedPositive: poscount };
}

/** A rated positive segment as its class ranks it. */
export interface RankedPositive {
  class: number;
  id: string;
  /** Its place among the windows of the class that are rated (1 = first), and how many those are. */
  rank: number;
  of: number;
  score: number;
}

/**
 * The positive ratings the model ranks worst: per counted class, the rated
 * positives lowest among the class's rated windows (rank / of nearest 1),
 * at most `n` over all classes, worst first. Positives that no window of the
 * class ranks at all are in ClassSegmentAp (positives - ratedPositive).
 */
export function worstRankedPositives(ranking: SegmentRanking, n = 20): RankedPositive[] {
  const out: RankedPositive[] = [];
  for (const c of ranking.rankedClasses()) {
    if (ranking.positivesOf(c) === 0) continue;
    // The class's rated windows and positives counted, then its last n positives (its worst) placed among them.
    const w = ranking.rankedColumns(c);
    let of = 0;
    let positives = 0;
    for (let r = 0; r < w.n; r++) {
      if (Number.isNaN(w.ratings[r])) continue;
      of++;
      if (w.ratings[r] > 0) positives++;
    }
    let rank = 0;
    let seen = 0;
    for (let r = 0; r < w.n; r++) {
      if (Number.isNaN(w.ratings[r])) continue;
      rank++;
      if (w.ratings[r] > 0 && ++seen > positives - n)
        out.push({ class: c, id: segmentId(w.videos[r], w.starts[r]), rank, of, score: w.scores[r] });
    }
  }
  return out.sort((a, b) => b.rank / b.of - a.rank / a.of || a.class - b.class || a.rank - b.rank).slice(0, n);
}

/** The result as the CLI prints it (and the page exports it), class names beside the ids. */
export function segmentMapJson(r: SegmentMapResult, classNames: readonly string[], window: { length: number; hop: number }) {
  const name = (c: number) => classNames[c] ?? `class ${c}`;
  return {
    map: r.map,
    k: r.k,
    window: { length: window.length, hop: window.hop },
    classes_counted: r.perClass.length,
    videos: r.counts.videos,
    rated_videos: r.counts.ratedVideos,
    windows: r.counts.windows,
    rated_segments: r.counts.ratings,
    positive_segments: r.counts.positive,
    per_class: r.perClass.map((x) => ({
      class: x.class,
      name: name(x.class),
      ap: x.ap,
      positives: x.positives,
      ranked: x.ranked,
      rated_ranked: x.rated,
      positives_ranked: x.ratedPositive,
    })),
    left_out: {
      no_positive: r.noPositive.map((c) => ({ class: c, name: name(c) })),
      never_ranked: r.neverRanked.map((c) => ({ class: c, name: name(c) })),
    },
    ratings_unused: { outside_model: r.counts.outsideModel, outside_rated_classes: r.counts.outsideRated, no_window: r.counts.noWindow },
  };
}
