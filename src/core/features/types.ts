/**
 * One video's frame-level features, dequantized, as the model takes them.
 * rgb is row-major [frames, rgbDim], audio [frames, audioDim]; frames <= MAX_FRAMES.
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
  rgb: Float32Array;
  audio: Float32Array;
  /** Class indices, when the file carries labels. */
  labels?: number[];
}

/** What reading one feature file gives: every video that could be read, and a warning per broken record. */
export interface FeatureFileResult {
  videos: VideoFeatures[];
  warnings: string[];
}

/** YouTube-8M uses one frame per second and PaddleVideo at most 300 of them. */
export const MAX_FRAMES = 300;
