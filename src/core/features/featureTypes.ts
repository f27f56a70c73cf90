/**
 * Frame features, row-major [frames, dim]: float32, or uint8 as YouTube-8M
 * quantizes them. Quantized features stay uint8 (a quarter of the memory)
 * until a batch is packed for the model, which dequantizes them as Paddle does
 * (dequantize.ts).
 */
export type FrameFeatures = Float32Array | Uint8Array;

/**
 * One video's frame-level features as the model takes them.
 * rgb is row-major [frames, rgbDim], audio [frames, audioDim]; frames is at
 * most the frame cap (MAX_FRAMES unless the user set another).
 */
export interface VideoFeatures {
  /** The file the video came from, as the user named it. */
  file: string;
  /** Position of the video within its file (0 for single-video files). */
  index: number;
  /** The video id stored in the file, or a name derived from the file. */
  id: string;
  frames: number;
  rgbDim: number;
  audioDim: number;
  rgb: FrameFeatures;
  audio: FrameFeatures;
  /** Class indices, when the file carries labels. */
  labels?: number[];
  /** The frames the file holds, when more than the cap kept (`frames`). */
  framesInFile?: number;
  /**
   * The human ratings of the video's segments, when the file carries them
   * (YouTube-8M's segment-rated files: context `segment_labels`,
   * `segment_start_times`, `segment_scores`), in file order, checked
   * (features/segmentRatings.ts): each a class id, a start frame inside the
   * video, a finite score; one rating per (start, class).
   */
  segments?: SegmentRating[];
}

/**
 * One rated segment: class `class` rated `score` (> 0 positive, otherwise
 * negative) on the segment that starts at frame (second) `start`. A segment
 * is 5 frames long; no end is stored (spec section 8.1).
 */
export interface SegmentRating {
  class: number;
  start: number;
  score: number;
}

/** How a feature file is read: the frame cap (at most this many frames of each video are used). */
export interface ReadOptions {
  /** Default MAX_FRAMES, as YouTube-8M's and PaddleVideo's readers. */
  maxFrames?: number;
}

/** What reading one feature file gives: every video that could be read, and a warning per broken record. */
export interface FeatureFileResult {
  videos: VideoFeatures[];
  warnings: string[];
}

/** YouTube-8M uses one frame per second and PaddleVideo at most 300 of them. */
export const MAX_FRAMES = 300;

/** The frame cap of `opts`, checked. */
export function frameCap(opts: ReadOptions = {}): number {
  const cap = opts.maxFrames ?? MAX_FRAMES;
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`the frame cap must be a positive whole number, not ${cap}`);
  return cap;
}
