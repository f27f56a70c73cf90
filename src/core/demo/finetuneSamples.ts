import { FINETUNE_CLASSES } from './classes';
import { FINETUNE_SAMPLE_SET } from './sampleSets';
import { syntheticVideos, type DemoVideo } from './syntheticVideos';

export { FINETUNE_SAMPLE_SET };

/**
 * The sample set behind "Try fine-tuning" (and docs/finetune.png): videos of
 * the four labels the demo never learned (FINETUNE_CLASSES: celebration,
 * storm, break-in, traffic; label ids 0..3, named by the set's classNames in
 * public/samples/index.json), ten of each, 6-10 seconds long so that the
 * TFRecord stays small (about 370 KB). With the settings the fine-tune
 * policy picks for them (30% held out: 3 validation videos a class), a new
 * head on the demo's frozen encoder learns them (validation GAP 1.0).
 */

/** The set's videos: the first `perClass` of each class from a seeded pool, in the pool's order. */
export function finetuneSampleVideos(): DemoVideo[] {
  const s = FINETUNE_SAMPLE_SET;
  const pool = syntheticVideos(400, s.seed, {
    classes: FINETUNE_CLASSES,
    twoClassFraction: 0,
    minFrames: s.minFrames,
    maxFrames: s.maxFrames,
  });
  const counts = new Array<number>(FINETUNE_CLASSES.length).fill(0);
  return pool.filter((v) => counts[v.labels[0]]++ < s.perClass).map((v) => ({ ...v, id: v.id.replace('synthetic', 'new-labels') }));
}
