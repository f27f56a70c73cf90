import { InputError } from '../errors';
import type { ByteSource } from '../io/byteSource';
import type { NdArray } from '../ndarray';
import { fluid1CombinedOrder } from '../model/paddleLayout';
import { type FileLayout, type ParamsFormat, detectLayout } from './detect';
import { readWeightFiles } from './weightFiles';

/**
 * Paddle weight files: what each format is, told apart by content (detect.ts), and
 * reading them whole (weightFiles.ts); docs/weight-formats.md lists the formats.
 */
export { DETECT_BYTES, type FileLayout, type ParamsFormat, detectLayout, pySorted } from './detect';
export { indexWeightFiles, readWeightFiles, type WeightIndex } from './weightFiles';

/** The layout of a file from its first bytes (`DETECT_BYTES` of them tell every layout apart). */
export function detectParamsFormat(head: Uint8Array, file: string): FileLayout {
  return detectLayout(head, file);
}

/**
 * Every tensor of a weight file, or of a set of files (a parameter folder, an
 * inference model's .pdmodel and .pdiparams), as name -> array, in file order.
 */
export async function readParams(src: ByteSource | readonly ByteSource[]): Promise<{ format: ParamsFormat; params: Map<string, NdArray>; warnings: string[] }> {
  return readWeightFiles(src);
}

/** The names of a combined file's records, after checking their count (30 for fluid1; checkpoints hold more: see checkpoint.ts). */
export function combinedNames(count: number, file: string): string[] {
  const names = fluid1CombinedOrder();
  if (count !== names.length) {
    throw new InputError(
      `${file}: holds ${count} tensors, but a combined fluid1 AttentionLSTM file holds ${names.length} (${names[0]} ... ${names[names.length - 1]} in sorted order); the file is incomplete or not an AttentionLSTM`,
    );
  }
  return names;
}
