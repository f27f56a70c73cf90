import { InputError } from '../errors';
import { type ByteSource, readAll } from '../io/byteSource';
import type { NdArray } from '../ndarray';
import { fluid1CombinedOrder } from '../model/paddleLayout';
import { readCombinedTensor, scanCombined } from './combined';
import { readPickledParams } from './pdparamsPickle';

export type ParamsFormat = 'combined' | 'pickle';

/** Tells the two `.pdparams` formats apart by their first bytes (spec section 4). */
export function detectParamsFormat(head: Uint8Array, file: string): ParamsFormat {
  if (head.length >= 12 && head.subarray(0, 12).every((b) => b === 0)) return 'combined';
  // 0x80 opens protocol 2+; '(', '}' and ']' open old pickles of a dict or list; 'c' (GLOBAL)
  // opens no parameter file, but hostile pickles start with it: the pickle reader names the global it refuses.
  if (head.length > 0 && [0x80, 0x28, 0x7d, 0x5d, 0x63].includes(head[0])) return 'pickle';
  const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const hint = head[0] === 0x50 && head[1] === 0x4b ? ' (a zip archive: unpack it first)' : head.length < 12 ? ' (the file is too short)' : '';
  throw new InputError(
    `${file}: not a Paddle parameter file: it starts with bytes ${hex || '(none)'}${hint}; expected a combined parameter file (12 zero bytes) or a pickle (0x80, '(', '}' or ']')`,
  );
}

/**
 * The whole parameter file as name -> array, in file order. Combined files carry
 * no names: they are the 30 tensors of fluid1 in Python's sorted() order.
 */
export async function readParams(src: ByteSource): Promise<{ format: ParamsFormat; params: Map<string, NdArray> }> {
  const format = detectParamsFormat(await src.read(0, 12), src.name);
  if (format === 'pickle') return { format, params: readPickledParams(await readAll(src), src.name) };
  const records = await scanCombined(src);
  const names = combinedNames(records.length, src.name);
  const params = new Map<string, NdArray>();
  for (const rec of records) params.set(names[rec.index], await readCombinedTensor(src, rec));
  return { format, params };
}

/** The names of a combined file's records, after checking their count. */
export function combinedNames(count: number, file: string): string[] {
  const names = fluid1CombinedOrder();
  if (count !== names.length) {
    throw new InputError(
      `${file}: holds ${count} tensors, but a combined fluid1 AttentionLSTM file holds ${names.length} (${names[0]} ... ${names[names.length - 1]} in sorted order); the file is incomplete or not an AttentionLSTM`,
    );
  }
  return names;
}
