/**
 * The fine-tuning vocabulary shared by the core, the CLI, the worker's
 * protocol and the page: types only, so that the page can use them without
 * bundling tfjs.
 */

/**
 * - new-head: the BiLSTM-attention encoders stay frozen; each video's pooled
 *   vector is computed once and cached; a new classifier for the user's K
 *   classes trains on top (the last layer only, or the whole head);
 * - same-labels: the existing head keeps training on the model's own classes;
 * - all: every layer trains (small models such as the demo).
 */
export type FineTuneMode = 'new-head' | 'same-labels' | 'all';

/** For new-head: fc1, fc2 and the logits, or the logit layer alone. */
export type HeadLayers = 'whole-head' | 'last-layer';

/** Adam, or Paddle's centered RMSProp (optimizers.ts writes both out). */
export type OptimizerName = 'adam' | 'rmsprop';

/** Everything a user can set about a fine-tune (defaults in policy.ts). */
export interface FineTuneSettings {
  mode: FineTuneMode;
  headLayers: HeadLayers;
  optimizer: OptimizerName;
  learningRate: number;
  epochs: number;
  batchSize: number;
  /** The part of the labeled videos held out to validate, in [0, 1). */
  validationFraction: number;
  /** Seeds the split, the new layers' initial weights and the batch order. */
  seed: number;
  /**
   * Early stopping: the run ends once the validation loss has not improved
   * for this many epochs, and the weights of the best epoch (the starting
   * weights included) are kept. 0: every epoch runs and the last weights are
   * kept. Without validation videos there is nothing to stop on.
   */
  patience?: number;
  /**
   * Head modes: standardize each input of the head (the cached pooled
   * vector, or h2) by its mean and spread over the training videos, so that
   * a small set trains in few steps. Folded into the first trained layer's
   * weights, so the model saved is a plain AttentionLSTM.
   */
  standardize?: boolean;
}

/** Classes the user made in the page, and which videos (by key) have which of them (multi-label). */
export interface CustomLabels {
  classNames: string[];
  assignments: Record<string, number[]>;
}

export interface ClassReport {
  name: string;
  /** Average precision on the validation videos (NaN when the class has no validation positive). */
  ap: number;
  /** Labeled videos of this class, training and validation together. */
  count: number;
}

export interface EpochReport {
  epoch: number;
  trainLoss: number;
  validationLoss: number;
  validationGap: number;
  validationHitAt1: number;
  seconds: number;
  /** With early stopping: the epoch whose weights are kept so far (0: the starting weights). */
  bestEpoch?: number;
  /** With early stopping: the run ends after this epoch, before the epochs planned, and the best epoch's weights are back. */
  stoppedEarly?: boolean;
}
