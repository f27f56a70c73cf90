import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { InputError } from '../core/errors';
import { parseRatedClasses, ratedClassesFor } from '../core/segments/ratedClasses';
import { SEGMENT_K } from '../core/segments/segmentRanking';
import { SEGMENT_WINDOWS, type WindowSettings } from '../core/segments/windows';
import { positiveInt } from './run';

/** The flags of `--segments` that predict and evaluate share. */
export const SEGMENT_OPTIONS = {
  segments: { type: 'boolean' },
  'window-length': { type: 'string' },
  hop: { type: 'string' },
  k: { type: 'string' },
  'rated-classes': { type: 'string' },
} as const;

export const SEGMENT_USAGE = '[--segments [--window-length 5] [--hop 5] [--k 100000] [--rated-classes ids.csv]]';

export interface SegmentFlags {
  window: WindowSettings;
  k: number;
  /** The classes a window offers to the rankings, or null for all. */
  rated: number[] | null;
}

type Values = { 'window-length'?: string; hop?: string; k?: string; 'rated-classes'?: string; segments?: boolean };

/** Segment flags given without --segments are a mistake, not something to ignore silently. */
export function refuseSegmentFlagsAlone(values: Values): void {
  if (values.segments) return;
  const given = (['window-length', 'hop', 'k', 'rated-classes'] as const).filter((f) => values[f] !== undefined);
  if (given.length) throw new InputError(`--${given[0]} is a setting of --segments: add --segments`);
}

/**
 * The window, K and the rated classes. The rated classes: the file given
 * (any model), else the 1,000 ids shipped in public/vocabulary for a model of
 * the 3,862 YouTube-8M classes, else all of the model's classes.
 */
export async function segmentFlags(values: Values, classes: number): Promise<SegmentFlags> {
  const window = {
    length: positiveInt(values['window-length'], '--window-length', SEGMENT_WINDOWS.length),
    hop: positiveInt(values.hop, '--hop', SEGMENT_WINDOWS.hop),
  };
  const k = positiveInt(values.k, '--k', SEGMENT_K);
  if (values['rated-classes'] !== undefined) {
    const file = values['rated-classes'];
    const text = await readFile(file, 'utf8').catch(() => {
      throw new InputError(`${file}: cannot read`);
    });
    const ids = parseRatedClasses(text, file);
    const outside = ids.find((c) => c >= classes);
    if (outside !== undefined) throw new InputError(`${file}: class ${outside} is not one of the model's ${classes} classes`);
    return { window, k, rated: ids };
  }
  const shipped = fileURLToPath(new URL('../../public/vocabulary/segment_label_ids.csv', import.meta.url));
  const rated = ratedClassesFor(classes, parseRatedClasses(await readFile(shipped, 'utf8'), shipped), shipped);
  return { window, k, rated };
}
