import { InputError } from '../errors';

/**
 * Every weight format the converter reads (docs/weight-formats.md):
 * - `combined`: `fluid.io.save_params(filename=)`, the 30 fluid1 tensors in sorted-name order, no names;
 * - `pickle`: `fluid.save` (Paddle 1.7+) and `paddle.save`, a pickled dict of numpy arrays;
 * - `static-dict`: Paddle 1.6 `fluid.save` (`_save_static_dict`): 256 reserved bytes, `TNUM`, named records;
 * - `param-folder`: `fluid.io.save_params(dirname)`, one combined record per file, named as the parameter;
 * - `checkpoint`: PaddleVideo 1.6 `save_persistables(filename=)`, the combined layout with optimizer state;
 * - `inference-model`: PaddleVideo 2.x `export_model.py`, a `.pdmodel` program and its `.pdiparams`.
 */
export type ParamsFormat = 'combined' | 'pickle' | 'static-dict' | 'param-folder' | 'checkpoint' | 'inference-model';

/** What one file's bytes are laid out as, read from its first bytes. */
export type FileLayout = 'combined' | 'pickle' | 'static-dict' | 'program';

/** The bytes `detectLayout` needs from the start of a file. */
export const DETECT_BYTES = 268;

/** Offset of the `TNUM` mark in a Paddle 1.6 `fluid.save` file, after its 256 reserved bytes. */
export const STATIC_DICT_MARK_AT = 256;
const TNUM = [0x54, 0x4e, 0x55, 0x4d];

/** The most LoD levels a combined record may carry (a parameter has none; more is a corrupted file). */
export const MAX_LOD_LEVELS = 16;

/**
 * Tells the layouts apart by their first bytes (spec section 4). `TNUM` at byte 256
 * is tested first: a Paddle 1.6 file's first 256 bytes are uninitialised memory and
 * can look like anything, zeros or a pickle opcode included.
 */
export function detectLayout(head: Uint8Array, file: string): FileLayout {
  if (head.length >= STATIC_DICT_MARK_AT + 4 && TNUM.every((b, i) => head[STATIC_DICT_MARK_AT + i] === b)) return 'static-dict';
  // Version 0 and a u64 lod_levels: 0 as Paddle writes parameters, but a record may carry a few LoD levels (skipped by the reader).
  if (
    head.length >= 12 &&
    head.subarray(0, 4).every((b) => b === 0) &&
    head[4] <= MAX_LOD_LEVELS &&
    head.subarray(5, 12).every((b) => b === 0)
  )
    return 'combined';
  if (looksLikeProgram(head)) return 'program';
  // 0x80 opens protocol 2+; '(', '}' and ']' open old pickles of a dict or list; 'c' (GLOBAL)
  // opens no parameter file, but hostile pickles start with it: the pickle reader names the global it refuses.
  if (head.length > 0 && [0x80, 0x28, 0x7d, 0x5d, 0x63].includes(head[0])) return 'pickle';
  const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const hint =
    head[0] === 0x50 && head[1] === 0x4b
      ? ' (a zip archive: unpack it first)'
      : head[0] === 0x7b
        ? ' (JSON: a model.json is converted already; Paddle 3 .json programs are not read)'
        : head.length < 12
          ? ' (the file is too short)'
          : '';
  throw new InputError(
    `${file}: not a Paddle parameter file: it starts with bytes ${hex || '(none)'}${hint}; expected a combined parameter file (12 zero bytes), a pickle (0x80, '(', '}' or ']'), a Paddle 1.6 fluid.save file ('TNUM' at byte 256) or an inference program (.pdmodel)`,
  );
}

/**
 * A serialized ProgramDesc (`.pdmodel`, `__model__`) starts with its first block:
 * field 1 as a length-delimited record (0x0a), the block's length as a varint,
 * then the block's `idx` (field 1, varint: 0x08), which Paddle writes first.
 */
function looksLikeProgram(head: Uint8Array): boolean {
  if (head[0] !== 0x0a) return false;
  let i = 1;
  while (i < head.length && i < 6 && head[i] & 0x80) i++;
  return i < 6 && i + 1 < head.length && head[i + 1] === 0x08;
}

/** Python's sorted() order of str (code points; the names are ASCII), the order Paddle saves combined files in. */
export function pySorted(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
