/**
 * YouTube-8M-shaped synthetic videos with a known temporal story: a noisy,
 * slowly drifting background, and for each labelled class a short event (2-4
 * frames) at a random time that adds the class's pattern to rgb, audio or both.
 * Unlabelled distractor bursts make "something happened" not enough. The event
 * times are kept, so attention and occlusion maps can be checked against them.
 */
import { dequantize } from '../features/dequantize';
import type { Yt8mVideo } from '../features/tfrecordFeatures';
import type { VideoFeatures } from '../features/featureTypes';
import { gaussian, seededRandom } from '../training/seeded';
import { DEMO_CLASSES, type DemoClass } from './classes';

export const RGB_DIM = 1024;
export const AUDIO_DIM = 128;

interface DemoEvent {
  classIndex: number;
  start: number;
  frames: number;
}

export interface DemoVideo {
  id: string;
  labels: number[];
  events: DemoEvent[];
  frames: number;
  /** Quantized features as YouTube-8M stores them, [frames, 1024] and [frames, 128]. */
  rgb: Uint8Array;
  audio: Uint8Array;
}

export interface SyntheticOptions {
  minFrames?: number;
  maxFrames?: number;
  /** Fraction of videos with two classes. */
  twoClassFraction?: number;
  /** Other classes than the demo's, with their own patterns drawn from `patternSeed` (new labels for fine-tuning). */
  classes?: readonly DemoClass[];
  patternSeed?: number;
  /**
   * Events kept inside one segment of this many frames (an event that would
   * cross a boundary moves back to end at it), so that a rated segment holds
   * its whole event, as a rater's 5-second segment does. Unset: anywhere.
   */
  segmentFrames?: number;
}

// The class patterns are fixed for the whole demo (seeded once), not per dataset.
const PATTERN_SEED = 20260;
type Patterns = { rgb: Float32Array[]; audio: Float32Array[]; distractRgb: Float32Array[]; distractAudio: Float32Array[] };
const patternCache = new Map<string, Patterns>();

function classPatterns(classCount: number, seed: number): Patterns {
  const key = `${seed}/${classCount}`;
  const cached = patternCache.get(key);
  if (cached) return cached;
  const normal = gaussian(seededRandom(seed));
  const make = (dim: number) => {
    const v = Float32Array.from({ length: dim }, normal);
    const norm = Math.hypot(...v);
    return v.map((x) => (x / norm) * Math.sqrt(dim));
  };
  const patterns: Patterns = {
    rgb: Array.from({ length: classCount }, () => make(RGB_DIM)),
    audio: Array.from({ length: classCount }, () => make(AUDIO_DIM)),
    distractRgb: Array.from({ length: 6 }, () => make(RGB_DIM)),
    distractAudio: Array.from({ length: 6 }, () => make(AUDIO_DIM)),
  };
  patternCache.set(key, patterns);
  return patterns;
}

const LO = 4 / 512 - 2;
function quantize(x: number): number {
  return Math.max(0, Math.min(255, Math.round(((x - LO) * 255) / 4)));
}

/** The event's strength over its frames: a quick rise and a decay. */
const ENVELOPE = [0.7, 1, 0.8, 0.5];

export function syntheticVideos(count: number, seed: number, opts: SyntheticOptions = {}): DemoVideo[] {
  const minFrames = opts.minFrames ?? 20;
  const maxFrames = opts.maxFrames ?? 120;
  const twoClass = opts.twoClassFraction ?? 0.25;
  const rand = seededRandom(seed);
  const normal = gaussian(rand);
  const classes = opts.classes ?? DEMO_CLASSES;
  const P = classPatterns(classes.length, opts.patternSeed ?? PATTERN_SEED);
  // Composite classes add the demo classes' own patterns, each part with its own modalities.
  const demoP = classPatterns(DEMO_CLASSES.length, PATTERN_SEED);
  const videos: DemoVideo[] = [];
  for (let v = 0; v < count; v++) {
    const T = minFrames + Math.floor(rand() * (maxFrames - minFrames + 1));
    const nClasses = rand() < twoClass ? 2 : 1;
    const labels: number[] = [];
    while (labels.length < nClasses) {
      const c = Math.floor(rand() * classes.length);
      if (!labels.includes(c)) labels.push(c);
    }
    const events: DemoEvent[] = [];
    for (const c of labels) {
      const len = 2 + Math.floor(rand() * 3);
      for (let tries = 0; tries < 50; tries++) {
        let start = 1 + Math.floor(rand() * (T - len - 2));
        const seg = opts.segmentFrames;
        if (seg && len <= seg && Math.floor(start / seg) !== Math.floor((start + len - 1) / seg))
          start = (Math.floor(start / seg) + 1) * seg - len;
        if (events.every((e) => start + len + 6 <= e.start || e.start + e.frames + 6 <= start)) {
          events.push({ classIndex: c, start, frames: len });
          break;
        }
      }
    }
    const rgb = new Float32Array(T * RGB_DIM);
    const audio = new Float32Array(T * AUDIO_DIM);
    // Background: a per-video scene plus a slow drift and per-frame noise.
    const fillBackground = (x: Float32Array, dim: number) => {
      const scene = Float32Array.from({ length: dim }, () => 0.25 * normal());
      const drift = Float32Array.from({ length: dim }, () => 0.15 * normal());
      for (let t = 0; t < T; t++) {
        const phase = Math.sin((2 * Math.PI * t) / T);
        for (let d = 0; d < dim; d++) x[t * dim + d] = scene[d] + phase * drift[d] + 0.3 * normal();
      }
    };
    fillBackground(rgb, RGB_DIM);
    fillBackground(audio, AUDIO_DIM);
    const addPattern = (x: Float32Array, dim: number, p: Float32Array, start: number, len: number, gain: number) => {
      for (let k = 0; k < len; k++) {
        const a = gain * ENVELOPE[Math.min(k, ENVELOPE.length - 1)];
        for (let d = 0; d < dim; d++) x[(start + k) * dim + d] += a * p[d];
      }
    };
    for (const e of events) {
      const cls = classes[e.classIndex];
      const gain = 0.8 + 0.4 * rand();
      if (cls.parts) {
        for (const part of cls.parts) {
          if (DEMO_CLASSES[part].rgb) addPattern(rgb, RGB_DIM, demoP.rgb[part], e.start, e.frames, gain);
          if (DEMO_CLASSES[part].audio) addPattern(audio, AUDIO_DIM, demoP.audio[part], e.start, e.frames, gain);
        }
        continue;
      }
      if (cls.rgb) addPattern(rgb, RGB_DIM, P.rgb[e.classIndex], e.start, e.frames, gain);
      if (cls.audio) addPattern(audio, AUDIO_DIM, P.audio[e.classIndex], e.start, e.frames, gain);
    }
    // Distractors: bursts of patterns that belong to no class.
    const nDistract = Math.floor(rand() * 3);
    for (let k = 0; k < nDistract; k++) {
      const start = Math.floor(rand() * (T - 3));
      const which = Math.floor(rand() * P.distractRgb.length);
      const gain = 0.8 + 0.4 * rand();
      if (rand() < 0.5) addPattern(rgb, RGB_DIM, P.distractRgb[which], start, 2, gain);
      else addPattern(audio, AUDIO_DIM, P.distractAudio[which], start, 2, gain);
    }
    videos.push({
      id: `synthetic-${seed}-${String(v).padStart(4, '0')}`,
      labels: labels.slice().sort((a, b) => a - b),
      events: events.sort((a, b) => a.start - b.start),
      frames: T,
      rgb: Uint8Array.from(rgb, quantize),
      audio: Uint8Array.from(audio, quantize),
    });
  }
  return videos;
}

/** A demo video as the model reads it, dequantized exactly as a TFRecord of it would be. */
export function demoFeatures(v: DemoVideo, file = 'synthetic', index = 0): VideoFeatures {
  return {
    file,
    index,
    id: v.id,
    frames: v.frames,
    rgbDim: RGB_DIM,
    audioDim: AUDIO_DIM,
    rgb: dequantize(v.rgb),
    audio: dequantize(v.audio),
    labels: v.labels,
  };
}

/** A demo video as a YouTube-8M TFRecord holds it: its quantized frames, one per second. */
export function demoRecord(v: DemoVideo): Yt8mVideo {
  return {
    id: v.id,
    labels: v.labels,
    rgb: Array.from({ length: v.frames }, (_, t) => v.rgb.subarray(t * RGB_DIM, (t + 1) * RGB_DIM)),
    audio: Array.from({ length: v.frames }, (_, t) => v.audio.subarray(t * AUDIO_DIM, (t + 1) * AUDIO_DIM)),
  };
}
