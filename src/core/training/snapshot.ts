import * as tf from '@tensorflow/tfjs-core';

/**
 * A copy of some variables' values. tf.clone shares the data until the
 * optimizer replaces a variable's value, so a copy costs memory only for the
 * weights that moved since it was taken.
 */
export class WeightSnapshot {
  private saved: { v: tf.Variable; t: tf.Tensor }[] = [];

  take(vars: readonly tf.Variable[]): void {
    this.dispose();
    this.saved = vars.map((v) => ({ v, t: tf.clone(v) }));
  }

  restore(): boolean {
    if (this.saved.length === 0) return false;
    // The copy stays (sharing its data with the variable again), so the tensor count does not move.
    for (const { v, t } of this.saved) v.assign(t);
    return true;
  }

  dispose(): void {
    tf.dispose(this.saved.map((s) => s.t));
    this.saved = [];
  }
}
