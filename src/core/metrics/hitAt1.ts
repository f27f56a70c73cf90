import { prepareInputs, type MetricInputs } from './inputs';

/**
 * `calculate_hit_at_one`: `top = numpy.argmax(predictions, 1)`; a hit when
 * `actuals[row, top]` is 1; the mean over videos. numpy.argmax returns the first
 * maximum, so ties go to the lowest class index, as here. A video without labels
 * counts as a miss and still counts in the mean.
 */
export function hitAt1(predictions: ArrayLike<number>[], labels: number[][]): number {
  return hitAt1Of(prepareInputs(predictions, labels));
}

export function hitAt1Of({ predictions, labels }: MetricInputs): number {
  let hits = 0;
  for (let v = 0; v < predictions.length; v++) {
    const row = predictions[v];
    let best = 0;
    for (let c = 1; c < row.length; c++) if (row[c] > row[best]) best = c;
    if (labels[v].includes(best)) hits++;
  }
  return hits / predictions.length;
}
