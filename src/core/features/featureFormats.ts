/**
 * The feature-file formats, one row each: the one place a format is named.
 * Detection (read.ts), the streamed reader (stream.ts), the file picker's
 * `accept`, the "not a feature file" error and every page text that lists
 * the formats read this table; a new format is a row here and its reader.
 */
import { hasTfRecordHeader } from '../containers/tfrecord';
import { isNpy } from '../containers/npy';
import { readJsonFeatures } from './json';
import { readNpyFeatures } from './npyFeatures';
import { readPklFeatures } from './pkl';
import { readTfRecordFeatures } from './tfrecordFeatures';
import type { FeatureFileResult, ReadOptions } from './featureTypes';

/**
 * What a file's first bytes say of one format: `sure` (magic bytes, a checked
 * header), `unless-named-otherwise` (bytes other files start with too, which
 * yield to an extension of another format), or nothing.
 */
type Sniffed = 'sure' | 'unless-named-otherwise' | null;

export interface FeatureFormat {
  kind: string;
  /** Lower-case, with the dot: the picker's `accept`, and the tie-break when the content says nothing. */
  extensions: readonly string[];
  /** As the page lists it ("TFRecord, pkl, npy or JSON"). */
  label: string;
  /** As the "not a feature file" error names it ("a PaddleVideo .pkl"). */
  described: string;
  /** `head` is at least the file's first 64 bytes; `ext` its extension as fileExtension gives it. */
  sniff(head: Uint8Array, ext: string): Sniffed;
  read(bytes: Uint8Array, file: string, opts: ReadOptions): FeatureFileResult;
  /** `records`: stream.ts reads it a TFRecord record at a time; `whole`: read into memory at once. */
  streaming: 'records' | 'whole';
}

function firstNonSpace(bytes: Uint8Array): number | undefined {
  let i = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i];
}

/**
 * In the order the page lists them, which is also the order their signs are
 * checked in (the `sure` signs exclude one another: different magic bytes, and
 * a TFRecord header's length CRC).
 */
export const FEATURE_FORMATS = [
  {
    kind: 'tfrecord',
    extensions: ['.tfrecord', '.tfrec'],
    label: 'TFRecord',
    described: 'a YouTube-8M TFRecord',
    // Before the pickle bytes: a record length's low byte can be anything (0x80 is PROTO), but a chance
    // match of the 32-bit length CRC cannot happen in practice.
    sniff: (head) => (hasTfRecordHeader(head) ? 'sure' : null),
    read: readTfRecordFeatures,
    streaming: 'records',
  },
  {
    kind: 'pkl',
    extensions: ['.pkl'],
    label: 'pkl',
    described: 'a PaddleVideo .pkl',
    // PROTO 2..5 is a sure sign of a pickle; '(' MARK, ']' EMPTY_LIST and '}' EMPTY_DICT, which start
    // protocol 0/1 pickles, are ordinary characters too.
    sniff: (head) => {
      if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 'sure';
      return head[0] === 0x80 || head[0] === 0x28 || head[0] === 0x5d || head[0] === 0x7d ? 'unless-named-otherwise' : null;
    },
    read: readPklFeatures,
    streaming: 'whole',
  },
  {
    kind: 'npy',
    extensions: ['.npy'],
    label: 'npy',
    described: 'a .npy',
    sniff: (head) => (isNpy(head) ? 'sure' : null),
    read: readNpyFeatures,
    streaming: 'whole',
  },
  {
    kind: 'json',
    extensions: ['.json'],
    label: 'JSON',
    described: 'a .json',
    // '{' and '[' start too many files to be a sign alone: only under its own extension.
    sniff: (head, ext) => {
      const c = firstNonSpace(head);
      return (c === 0x7b || c === 0x5b) && ext === '.json' ? 'sure' : null;
    },
    read: readJsonFeatures,
    streaming: 'whole',
  },
] as const satisfies readonly FeatureFormat[];

export type FeatureFileKind = (typeof FEATURE_FORMATS)[number]['kind'];

/** For a file input's `accept`. */
export const FEATURE_FILE_EXTENSIONS: readonly string[] = FEATURE_FORMATS.flatMap((f) => f.extensions);

/** The formats' labels, in order ("TFRecord", "pkl", ...), for page texts. */
export const FEATURE_FORMAT_LABELS: readonly string[] = FEATURE_FORMATS.map((f) => f.label);

export function featureFormat(kind: FeatureFileKind): FeatureFormat {
  return FEATURE_FORMATS.find((f) => f.kind === kind)!;
}

/** "a, b or c" (or "a, b, c" with `last` = ', '). */
export function listed(items: readonly string[], last = ' or '): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')}${last}${items[items.length - 1]}`;
}
