/**
 * What the reader's stack holds besides finished Python values: references to
 * allow-listed globals, numpy objects still waiting for their BUILD state, and
 * long strings left undecoded until it is known whether they are array data.
 */
import type { DType, NdArray } from '../../ndarray';
import type { Callable } from './globals';
import { decodeRawUnicodeEscape } from './codecs';
import { aPyType, type PyValue } from './values';

/** A Python global from the allow-list, standing for the TS function that imitates it. */
export class GlobalRef {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly callable: Callable,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** A numpy.dtype between its creation and the BUILD that sets its byte order. */
export class PendingDtype {
  bigEndian = false;

  constructor(
    readonly dtype: DType,
    readonly typestr: string,
  ) {}
}

/** The object numpy.core.multiarray._reconstruct made; BUILD fills it. */
export class PendingArray {
  array: NdArray | undefined;
}

const utf8 = new TextDecoder('utf-8');

/**
 * A long str argument kept as the bytes of the pickle: under protocols 0 to 2
 * array data arrives as such a str, and _codecs.encode turns it back into
 * bytes without a JS string in between.
 */
export class LazyText {
  private cached: string | undefined;

  constructor(
    readonly source: Uint8Array,
    readonly start: number,
    readonly end: number,
    readonly encoding: 'utf-8' | 'raw-unicode-escape',
  ) {}

  /** The str itself; undefined if raw-unicode-escape text has a broken escape. */
  text(): string | undefined {
    if (this.cached === undefined) {
      const slice = this.source.subarray(this.start, this.end);
      this.cached = this.encoding === 'utf-8' ? utf8.decode(slice) : decodeRawUnicodeEscape(this.source, this.start, this.end);
    }
    return this.cached;
  }
}

/** Anything the reader's stack, memo or containers may hold while it runs. */
export type Val = PyValue | GlobalRef | PendingDtype | PendingArray | LazyText;

export function isInternal(v: Val): v is GlobalRef | PendingDtype | PendingArray | LazyText {
  return v instanceof GlobalRef || v instanceof PendingDtype || v instanceof PendingArray || v instanceof LazyText;
}

/** A value's kind for messages ("a list", "the Python global os.system"), the reader's own objects included. */
export function describe(v: Val | undefined): string {
  if (v instanceof GlobalRef) return `the Python global ${v.qualifiedName}`;
  if (v instanceof PendingDtype) return 'a numpy dtype';
  if (v instanceof PendingArray) return 'a numpy array';
  if (v instanceof LazyText) return 'a str';
  return aPyType(v);
}
