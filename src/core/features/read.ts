/**
 * The one entry point for feature files. The content decides first (magic bytes,
 * a TFRecord header whose CRC checks out); the extension only breaks ties, so a
 * renamed file still opens and a mislabelled one gets the right reader's error.
 * The formats themselves are the rows of featureFormats.ts.
 */
import { fail } from '../errors';
import { FEATURE_FORMATS, type FeatureFileKind, featureFormat, listed } from './featureFormats';
import { fileExtension } from './fileName';
import type { FeatureFileResult, ReadOptions } from './featureTypes';

export { FEATURE_FILE_EXTENSIONS, type FeatureFileKind } from './featureFormats';

/** Which reader a file goes to, or null when it is none of the feature formats. */
export function detectFeatureFileKind(bytes: Uint8Array, file: string): FeatureFileKind | null {
  const ext = fileExtension(file);
  const named = FEATURE_FORMATS.find((f) => (f.extensions as readonly string[]).includes(ext));
  for (const f of FEATURE_FORMATS) {
    const sign = f.sniff(bytes, ext);
    if (sign === 'sure' || (sign === 'unless-named-otherwise' && (!named || named === f))) return f.kind;
  }
  // Past here the content matched nothing: let the extension pick the reader whose error will explain.
  return named?.kind ?? null;
}

const NOT_A_FEATURE_FILE = `not a feature file: expected ${listed(FEATURE_FORMATS.map((f) => f.described))}`;

/** Every video of a feature file held in memory (stream.ts reads one without holding it). */
export function readFeatureFile(bytes: Uint8Array, file: string, opts: ReadOptions = {}): FeatureFileResult {
  if (bytes.length === 0) fail(file, 'the file is empty');
  const kind = detectFeatureFileKind(bytes, file);
  if (kind === null) return fail(file, NOT_A_FEATURE_FILE);
  return featureFormat(kind).read(bytes, file, opts);
}
