/**
 * A video cut into windows, each run through the model as a short video: how
 * YouTube-8M's starter code localizes classes with a video-level model
 * (`inference.py --segment_labels`, spec section 8.2). Windows start at 0,
 * hop, 2 hop, ... below the video's frame count and hold min(length, frames -
 * start) frames, so the last may be shorter: a 7-frame video at length 5, hop 5
 * gives windows of 5 and 2 frames. The defaults are the challenge's 5-second
 * segments; a hop of 1 gives a smooth timeline.
 *
 * A window's features are views of the video's own arrays (subarray), never
 * copies: cutting a shard into windows costs no feature memory, and at hop 1
 * the five windows over a frame share its bytes.
 */
import { InputError } from '../errors';
import type { VideoFeatures } from '../features/featureTypes';

export interface WindowSettings {
  /** Frames a window holds (the last window of a video may hold fewer). */
  length: number;
  /** Frames from one window's start to the next's. */
  hop: number;
}

/** The challenge's windows: 5 frames (seconds), back to back. */
export const SEGMENT_WINDOWS: Readonly<WindowSettings> = { length: 5, hop: 5 };

/** The settings, every field given or the default, checked (an InputError names the bad one). */
export function windowSettings(given: Partial<WindowSettings> = {}): WindowSettings {
  const s = { ...SEGMENT_WINDOWS, ...given };
  for (const k of ['length', 'hop'] as const) {
    if (!Number.isSafeInteger(s[k]) || s[k] < 1)
      throw new InputError(`the window ${k} must be a positive whole number of frames, not ${s[k]}`);
  }
  return s;
}

/** The id of the window (or rated segment) of `videoId` that starts at `start`, as upstream writes it. */
export function segmentId(videoId: string, start: number): string {
  return `${videoId}:${start}`;
}

/** Where each window of a video of `frames` frames starts. */
export function windowStarts(frames: number, s: WindowSettings): number[] {
  const out: number[] = [];
  for (let t = 0; t < frames; t += s.hop) out.push(t);
  return out;
}

/** The number of windows of a video of `frames` frames. */
export function windowCount(frames: number, s: WindowSettings): number {
  return frames > 0 ? Math.ceil(frames / s.hop) : 0;
}

/**
 * The window of `video` that starts at `start`, as a short video the model
 * takes: its id is the window id, its features are views of the video's.
 */
export function videoWindow(video: VideoFeatures, start: number, length: number): VideoFeatures {
  if (!Number.isSafeInteger(start) || start < 0 || start >= video.frames)
    throw new RangeError(`videoWindow: start ${start} outside the video's ${video.frames} frames`);
  const frames = Math.min(length, video.frames - start);
  const { rgbDim, audioDim } = video;
  return {
    file: video.file,
    index: video.index,
    id: segmentId(video.id, start),
    frames,
    rgbDim,
    audioDim,
    rgb: video.rgb.subarray(start * rgbDim, (start + frames) * rgbDim),
    audio: video.audio.subarray(start * audioDim, (start + frames) * audioDim),
  };
}

/** Every window of a video, in order. */
export function videoWindows(video: VideoFeatures, s: WindowSettings): VideoFeatures[] {
  return windowStarts(video.frames, s).map((start) => videoWindow(video, start, s.length));
}
