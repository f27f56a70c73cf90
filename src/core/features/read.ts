/**
 * The one entry point for feature files. The content decides first (magic bytes,
 * a TFRecord header whose CRC checks out); the extension only breaks ties, so a
 * renamed file still opens and a mislabelled one gets the right reader's error.
 */
import { fail } from '../errors';
import { hasTfRecordHeader } from '../formats/tfrecord';
import { isNpy } from '../formats/npy';
import { fileExtension } from './fileName';
import { readJsonFeatures } from './json';
import { readNpyFeatures } from './npy';
import { readPklFeatures } from './pkl';
import { readTfRecordFeatures } from './tfrecord';
import type { FeatureFileResult, ReadOptions } from './types';

/** For a file input's `accept`. */
export const FEATURE_FILE_EXTENSIONS = ['.tfrecord', '.tfrec', '.pkl', '.npy', '.json'] as const;

export type FeatureFileKind = 'tfrecord' | 'pkl' | 'npy' | 'json';

function firstNonSpace(bytes: Uint8Array): number | undefined {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i];
}

/** Which reader a file goes to, or null when it is none of the feature formats. */
export function detectFeatureFileKind(bytes: Uint8Array, file: string): FeatureFileKind | null {
  const ext = fileExtension(file);
  if (isNpy(bytes)) return 'npy';
  // Checked before the pickle bytes: a record length's low byte can be anything, but a
  // chance match of the 32-bit length CRC cannot happen in practice.
  if (hasTfRecordHeader(bytes)) return 'tfrecord';
  const b0 = bytes[0];
  // PROTO 2..5 is a sure sign of a pickle; '(' MARK, ']' EMPTY_LIST and '}' EMPTY_DICT, which start
  // protocol 0/1 pickles, are ordinary characters too, so they yield to an extension naming another format.
  if (b0 === 0x80 && bytes[1] >= 2 && bytes[1] <= 5) return 'pkl';
  const otherFormat = ext === '.tfrecord' || ext === '.tfrec' || ext === '.npy' || ext === '.json';
  if ((b0 === 0x80 || b0 === 0x28 || b0 === 0x5d || b0 === 0x7d) && !otherFormat) return 'pkl';
  const c = firstNonSpace(bytes);
  if ((c === 0x7b || c === 0x5b) && ext === '.json') return 'json';
  // Past here the content matched nothing: let the extension pick the reader whose error will explain.
  if (ext === '.tfrecord' || ext === '.tfrec') return 'tfrecord';
  if (ext === '.npy') return 'npy';
  if (ext === '.pkl') return 'pkl';
  if (ext === '.json') return 'json';
  return null;
}

/** Every video of a feature file held in memory (stream.ts reads one without holding it). */
export function readFeatureFile(bytes: Uint8Array, file: string, opts: ReadOptions = {}): FeatureFileResult {
  if (bytes.length === 0) fail(file, 'the file is empty');
  switch (detectFeatureFileKind(bytes, file)) {
    case 'npy': return readNpyFeatures(bytes, file, opts);
    case 'tfrecord': return readTfRecordFeatures(bytes, file, opts);
    case 'pkl': return readPklFeatures(bytes, file, opts);
    case 'json': return readJsonFeatures(bytes, file, opts);
    case null:
      return fail(file, 'not a feature file: expected a YouTube-8M TFRecord, a PaddleVideo .pkl, a .npy or a .json');
  }
}
