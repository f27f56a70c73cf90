import { FINETUNE_CLASSES } from './classes';
import { syntheticVideos, type DemoVideo } from './syntheticVideos';

/**
 * The sample set behind "Try fine-tuning" (and docs/finetune.png): videos of
 * the four labels the demo never learned (FINETUNE_CLASSES: celebration,
 * storm, break-in, traffic; label ids 0..3, named by the set's classNames in
 * public/samples/index.json), ten of each, 6-10 seconds long so that the
 * TFRecord stays small (about 370 KB). With the settings the fine-tune
 * policy picks for them (30% held out: 3 validation videos a class), a new
 * head on the demo's frozen encoder learns them (validation GAP 1.0).
 */
export const FINETUNE_SAMPLE_SET = {
  /** What `loadSampleSet(name)` is called with, and the set's `name` in index.json. */
  name: 'new-labels',
  title: 'Four new labels',
  file: 'finetune-new-labels.tfrecord',
  seed: 5005,
  perClass: 10,
  minFrames: 6,
  maxFrames: 10,
} as const;

/** The set's videos: the first `perClass` of each class from a seeded pool, in the pool's order. */
export function finetuneSampleVideos(): DemoVideo[] {
  const s = FINETUNE_SAMPLE_SET;
  const pool = syntheticVideos(400, s.seed, { classes: FINETUNE_CLASSES, twoClassFraction: 0, minFrames: s.minFrames, maxFrames: s.maxFrames });
  const counts = new Array<number>(FINETUNE_CLASSES.length).fill(0);
  return pool.filter((v) => counts[v.labels[0]]++ < s.perClass).map((v) => ({ ...v, id: v.id.replace('synthetic', 'new-labels') }));
}
