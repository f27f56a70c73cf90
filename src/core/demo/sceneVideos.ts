/**
 * Videos whose class shows in every frame, as a YouTube-8M video-level label
 * does (a whole video about football), rather than in a short event: the
 * demo's noisy, drifting background and distractors, plus the class's own
 * pattern, held over the whole video. The demo encoder never saw these
 * patterns, so only the new head can tell the classes apart: what a user's
 * first small fine-tune asks of it. At gain 0.4 they are clearly separable
 * (a new head fits 40 of them), yet Adam at 0.001 for 30 epochs leaves them
 * near chance.
 */
import { dequantize } from '../features/dequantize';
import { gaussian, seededRandom } from '../training/seeded';
import { AUDIO_DIM, RGB_DIM, syntheticVideos, type DemoVideo } from './syntheticVideos';

export interface SceneOptions {
  /** How many classes (labels 0..classes-1, one per video). */
  classes: number;
  /** The pattern's strength against the background's per-frame noise of 0.3 (0.4 by default). */
  gain?: number;
  /** Seeds the classes' patterns (fixed across data sets drawn with other seeds). */
  patternSeed?: number;
  minFrames?: number;
  maxFrames?: number;
}

const LO = 4 / 512 - 2;
const quantize = (x: number) => Math.max(0, Math.min(255, Math.round(((x - LO) * 255) / 4)));

export function sceneVideos(count: number, seed: number, opts: SceneOptions): DemoVideo[] {
  const gain = opts.gain ?? 0.4;
  const normal = gaussian(seededRandom(opts.patternSeed ?? 5));
  const patterns = Array.from({ length: opts.classes }, () => ({
    rgb: Float32Array.from({ length: RGB_DIM }, normal),
    audio: Float32Array.from({ length: AUDIO_DIM }, normal),
  }));
  // Classes without a modality: the generator draws labels and backgrounds, and adds no event.
  const classes = patterns.map((_, i) => ({ name: `scene ${i}`, rgb: false, audio: false }));
  return syntheticVideos(count, seed, { classes, twoClassFraction: 0, minFrames: opts.minFrames, maxFrames: opts.maxFrames }).map((v) => {
    const p = patterns[v.labels[0]];
    const add = (q: Uint8Array, pattern: Float32Array) => {
      const x = dequantize(q);
      const dim = pattern.length;
      return Uint8Array.from(x, (value, i) => quantize(value + gain * pattern[i % dim]));
    };
    return { ...v, id: v.id.replace('synthetic', 'scene'), events: [], rgb: add(v.rgb, p.rgb), audio: add(v.audio, p.audio) };
  });
}
