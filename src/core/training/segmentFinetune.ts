/**
 * Fine-tuning on rated segments, the recipe of YouTube-8M's segment challenge
 * (a video-level model, then a short fine-tune on rated segments), shared by
 * `npm run finetune -- --segments` and the page's worker:
 *
 * - each rated segment of a video becomes one training example: the window
 *   of `length` frames that starts where the segment starts, with its rated
 *   classes known (rated positive: 1, rated negative: 0) and every other class
 *   left out of the loss (LabeledVideo.rated, the loss mask);
 * - the classes are the model's own (same-labels, or `all` for a small model);
 * - the validation split is by video: all the windows of a video train, or
 *   all validate;
 * - the figure to judge it by is the segment MAP@K of the validation videos
 *   (every window of them, as `evaluate --segments` ranks them), before and
 *   after.
 */
import { InputError } from '../errors';
import type { VideoFeatures } from '../features/featureTypes';
import type { BiLstmRunner } from '../model/attentionLstm';
import type { LoadedModel } from '../model/model';
import { predictVideoWindows, type WindowRunner } from '../segments/predictWindows';
import { SegmentRanking } from '../segments/segmentRanking';
import { segmentMap, type SegmentMapResult } from '../segments/segmentMap';
import { type WindowSettings, videoWindow, windowSettings } from '../segments/windows';
import { FineTuneSession, type FineTuneConfig, type LabeledVideo } from './finetune';

/** A video's key in a fine-tune on segments: the group its windows share. */
export function videoKey(v: VideoFeatures): string {
  return `${v.file}#${v.index}`;
}

export interface SegmentExamples {
  /** One example per rated (video, start): a window, its positive classes, its rated classes, its video's key. */
  examples: LabeledVideo[];
  /** The videos that gave examples. */
  videos: VideoFeatures[];
  /** What was left out, for the user. */
  notes: string[];
}

/**
 * The training examples of segment-rated videos. A rating of a class the
 * model does not have, or of a segment past the frames kept (the frame cap),
 * is left out and counted in a note.
 */
export function segmentExamples(
  videos: readonly VideoFeatures[],
  opts: { classes: number; window?: Partial<WindowSettings> },
): SegmentExamples {
  const { length } = windowSettings(opts.window);
  const examples: LabeledVideo[] = [];
  const used: VideoFeatures[] = [];
  let outside = 0;
  let pastCap = 0;
  let unrated = 0;
  for (const v of videos) {
    if (!v.segments?.length) {
      unrated++;
      continue;
    }
    const byStart = new Map<number, { labels: number[]; rated: number[] }>();
    for (const s of v.segments) {
      if (s.class >= opts.classes) {
        outside++;
        continue;
      }
      if (s.start >= v.frames) {
        pastCap++;
        continue;
      }
      let e = byStart.get(s.start);
      if (!e) byStart.set(s.start, (e = { labels: [], rated: [] }));
      e.rated.push(s.class);
      if (s.score > 0) e.labels.push(s.class);
    }
    if (byStart.size === 0) continue;
    used.push(v);
    for (const [start, e] of [...byStart].sort((a, b) => a[0] - b[0])) {
      examples.push({
        video: videoWindow(v, start, length),
        labels: e.labels.sort((a, b) => a - b),
        rated: e.rated.sort((a, b) => a - b),
        group: videoKey(v),
      });
    }
  }
  const notes: string[] = [];
  if (unrated) notes.push(`${unrated} video${unrated === 1 ? ' has' : 's have'} no segment ratings: left out`);
  if (outside) notes.push(`${outside} rating${outside === 1 ? ' is' : 's are'} of classes the model does not have: left out`);
  if (pastCap) notes.push(`${pastCap} rating${pastCap === 1 ? ' starts' : 's start'} past the frames kept (the frame cap): left out`);
  return { examples, videos: used, notes };
}

/** The figure a fine-tune on segments is judged by, over some videos. */
export interface SegmentMapOptions {
  /** The windows the videos are cut into (the challenge's 5 and 5 by default). */
  window?: Partial<WindowSettings>;
  /** K of MAP@K. */
  k?: number;
  /** The classes a window offers (ratedClasses.ts), or null for all. */
  rated?: readonly number[] | null;
}

/** MAP@K of some videos' windows as `runner` predicts them (evaluate --segments' figure, over these videos alone). */
export async function segmentMapOf(
  runner: WindowRunner,
  videos: readonly VideoFeatures[],
  opts: SegmentMapOptions = {},
): Promise<SegmentMapResult> {
  const ranking = new SegmentRanking({ classes: runner.sizes.classes, k: opts.k, rated: opts.rated ?? null, window: opts.window });
  const windows = await predictVideoWindows(runner, videos, { window: opts.window });
  videos.forEach((v, i) => {
    ranking.addVideo(v);
    for (const w of windows[i]) ranking.addWindow(v, w.start, w.probabilities);
  });
  return segmentMap(ranking);
}

export type SegmentFineTuneConfig = Omit<FineTuneConfig, 'mode' | 'classNames'> & {
  /** The model's own classes are trained: its head refined (same-labels, the default), or every layer (all). */
  mode?: 'same-labels' | 'all';
  /** The windows of the training examples, and of the MAP. */
  window?: Partial<WindowSettings>;
};

/**
 * A fine-tune on the segment ratings of `videos` (FineTuneSession underneath,
 * whose epochs, pause and snapshots it keeps), with the segment MAP of its
 * validation videos under the weights as they are at any time.
 */
export class SegmentFineTune {
  private constructor(
    readonly session: FineTuneSession,
    readonly window: WindowSettings,
    /** The videos whose windows train, and those that validate (split by video). */
    readonly trainVideos: VideoFeatures[],
    readonly validationVideos: VideoFeatures[],
    readonly notes: string[],
  ) {}

  static async create(
    model: LoadedModel,
    videos: readonly VideoFeatures[],
    config: SegmentFineTuneConfig = {},
    onCaching?: (done: number, total: number) => void,
    encoder?: BiLstmRunner,
  ): Promise<SegmentFineTune> {
    const window = windowSettings(config.window);
    const classes = model.meta.sizes.classes;
    const { examples, videos: used, notes } = segmentExamples(videos, { classes, window });
    if (used.length < 2)
      throw new InputError(
        `fine-tuning on segments needs at least 2 videos with segment ratings of the model's classes (got ${used.length})`,
      );
    const mode = config.mode ?? 'same-labels';
    const classNames = model.meta.classNames ?? Array.from({ length: classes }, (_, i) => `class ${i}`);
    const session = await FineTuneSession.create(model, examples, { ...config, mode, classNames }, onCaching, encoder);
    const validating = new Set(session.validationSet.map((d) => d.group));
    return new SegmentFineTune(
      session,
      window,
      used.filter((v) => !validating.has(videoKey(v))),
      used.filter((v) => validating.has(videoKey(v))),
      notes,
    );
  }

  /** The session's weights, as they are now, as a window runner. */
  runner(): WindowRunner {
    const { sizes } = this.session.model.meta;
    return { sizes: { ...sizes, classes: this.session.classNames.length }, predict: (batch) => this.session.predict(batch) };
  }

  /** The segment MAP of the validation videos (or the training videos) under the weights as they are now. */
  segmentMap(which: 'validation' | 'train' = 'validation', opts: Omit<SegmentMapOptions, 'window'> = {}): Promise<SegmentMapResult> {
    return segmentMapOf(this.runner(), which === 'train' ? this.trainVideos : this.validationVideos, { ...opts, window: this.window });
  }
}
