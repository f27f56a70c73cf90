/**
 * The classes a segment submission may hold. YouTube-8M's segment-rated files
 * rate 1,000 of the 3,862 classes (`segment_label_ids.csv`, shipped in
 * public/vocabulary/); upstream's `inference.py --segment_labels` multiplies
 * each window's probabilities by their 0/1 mask and skips every other class.
 * A model with the YouTube-8M class count is restricted to them; any other
 * model (the demo, a fine-tuned head) keeps all its classes.
 */
import { InputError } from '../errors';

/** The YouTube-8M vocabulary's size: a model with this many classes predicts its classes. */
export const YT8M_CLASS_COUNT = 3862;

/**
 * The ids of a `segment_label_ids.csv`: a header `Index` (optional), then one
 * class id a line. Upstream skips any line that is not an integer; here a
 * line that is neither the header, blank, nor a class id is an InputError
 * naming the file and line, since a list read short would silently change
 * the metric. Ascending and distinct on return.
 */
export function parseRatedClasses(text: string, file: string): number[] {
  const ids = new Set<number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || (i === 0 && line === 'Index')) return;
    if (!/^\d+$/.test(line) || !Number.isSafeInteger(Number(line)))
      throw new InputError(`${file}: line ${i + 1} is ${JSON.stringify(line.slice(0, 40))}, not a class id`);
    ids.add(Number(line));
  });
  if (ids.size === 0) throw new InputError(`${file}: it lists no class ids`);
  return [...ids].sort((a, b) => a - b);
}

/**
 * The rated classes a model's segment predictions are restricted to: the
 * list, for a model of YouTube-8M's classes; null (all classes) for another.
 * A list that names a class the model does not have is an InputError.
 */
export function ratedClassesFor(classes: number, list: readonly number[] | null, file = 'the rated class list'): number[] | null {
  if (!list || classes !== YT8M_CLASS_COUNT) return null;
  const outside = list.find((c) => c >= classes);
  if (outside !== undefined) throw new InputError(`${file}: class ${outside} is not one of the model's ${classes} classes`);
  return [...list];
}
