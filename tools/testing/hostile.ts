import { expect } from 'vitest';
import { convertWeights, type ConvertOptions } from '../../src/core/convert/convert';
import { InputError } from '../../src/core/errors';
import { bytesSource } from '../../src/core/io/byteSource';
import { rng } from './random';
import type { NamedBytes } from './paddleFormats';

/**
 * What converting a set of files ends in: 'ok', or the InputError it threw.
 * Any other exception (a bug: RangeError, TypeError, a protobuf error) is thrown on.
 */
export async function convertOutcome(files: readonly NamedBytes[], opts: ConvertOptions = {}): Promise<'ok' | InputError> {
  const sources = files.map((f) => bytesSource(f.name, f.bytes));
  try {
    await convertWeights(sources.length === 1 ? sources[0] : sources, async () => {}, opts);
    return 'ok';
  } catch (e) {
    if (e instanceof InputError) return e;
    throw e;
  }
}

/** An InputError of one sentence that starts with one of the names (a file, or the set's name). */
export function expectClear(outcome: 'ok' | InputError, names: readonly string[], pattern?: RegExp): asserts outcome is InputError {
  expect(outcome).toBeInstanceOf(InputError);
  const message = (outcome as InputError).message;
  expect(
    names.some((n) => message.startsWith(`${n}:`)),
    `'${message}' should start with one of ${names.join(', ')}`,
  ).toBe(true);
  expect(message).not.toMatch(/\n/);
  if (pattern) expect(message).toMatch(pattern);
}

/** A copy of the bytes with one byte changed. */
export function flipped(bytes: Uint8Array, at: number, mask: number): Uint8Array {
  const out = bytes.slice();
  out[at] ^= mask || 1;
  return out;
}

/** `count` seeded (offset, mask) pairs over a file of `size` bytes. */
export function flips(size: number, count: number, seed: number): [number, number][] {
  const r = rng(seed);
  return Array.from({ length: count }, () => [Math.floor(r() * size), 1 + Math.floor(r() * 255)]);
}

/** Every prefix length from 0 to size - 1 when the file is small, else `max` of them, seeded, with the first 300. */
export function cuts(size: number, max = 1500, seed = 5): number[] {
  if (size <= max) return Array.from({ length: size }, (_, i) => i);
  const r = rng(seed);
  const out = new Set<number>(Array.from({ length: 300 }, (_, i) => i));
  while (out.size < max) out.add(Math.floor(r() * size));
  return [...out].sort((a, b) => a - b);
}
