import type { Sizes } from '../model/architecture';
import { DEMO_CLASSES } from './classes';

/** The demo model: YouTube-8M feature widths, everything else small enough to train in minutes on two cores. */
export const DEMO_SIZES: Sizes = {
  rgbDim: 1024,
  audioDim: 128,
  embed: 32,
  lstm: 32,
  head1: 64,
  head2: 32,
  classes: DEMO_CLASSES.length,
};

/** Seeds of the demo's data sets: tests draw held-out videos from a seed the training never saw. */
export const DEMO_SEEDS = {
  training: 7,
  trainData: 1001,
  validationData: 2002,
  samples: 3003,
  heldOut: 4004,
};
