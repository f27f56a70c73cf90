/**
 * The text encodings pickles use, done on bytes directly. Array data written
 * under protocols 0 to 2 travels as a latin-1 str (UTF-8 or raw-unicode-escape
 * encoded); going from those bytes to the raw bytes, and back, without
 * building a JS string keeps a 400 MB weights file to one copy.
 */

const HEX = '0123456789abcdef';

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function hexRun(bytes: Uint8Array, at: number, n: number, end: number): number {
  if (at + n > end) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const h = hexValue(bytes[at + i]);
    if (h < 0) return -1;
    v = v * 16 + h;
  }
  return v;
}

/**
 * Python's codecs.escape_decode, which the STRING opcode applies to its quoted
 * argument: backslash escapes (\n, \x41, \101, ...) to raw bytes.
 * Returns undefined for an invalid escape, as Python raises there.
 */
export function escapeDecode(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
  const out = new Uint8Array(end - start);
  let n = 0;
  let i = start;
  while (i < end) {
    const c = bytes[i++];
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    if (i >= end) return undefined; // a trailing backslash
    const e = bytes[i++];
    switch (e) {
      case 0x0a:
        break; // backslash-newline continues the line
      case 0x5c:
        out[n++] = 0x5c;
        break;
      case 0x27:
        out[n++] = 0x27;
        break;
      case 0x22:
        out[n++] = 0x22;
        break;
      case 0x62:
        out[n++] = 0x08;
        break; // \b
      case 0x66:
        out[n++] = 0x0c;
        break; // \f
      case 0x74:
        out[n++] = 0x09;
        break; // \t
      case 0x6e:
        out[n++] = 0x0a;
        break; // \n
      case 0x72:
        out[n++] = 0x0d;
        break; // \r
      case 0x76:
        out[n++] = 0x0b;
        break; // \v
      case 0x61:
        out[n++] = 0x07;
        break; // \a
      case 0x78: {
        // \xhh
        const v = hexRun(bytes, i, 2, end);
        if (v < 0) return undefined;
        out[n++] = v;
        i += 2;
        break;
      }
      default:
        if (e >= 0x30 && e <= 0x37) {
          // up to three octal digits
          let v = e - 0x30;
          for (let k = 0; k < 2 && i < end && bytes[i] >= 0x30 && bytes[i] <= 0x37; k++) v = v * 8 + bytes[i++] - 0x30;
          out[n++] = v & 0xff;
        } else {
          out[n++] = 0x5c;
          out[n++] = e;
        }
    }
  }
  return out.slice(0, n);
}

/**
 * Walks raw-unicode-escape text (the UNICODE opcode's argument): each byte is
 * a code point except \uXXXX and \UXXXXXXXX after an odd run of backslashes.
 * Calls `emit` per code point; returns false on a broken escape.
 */
function walkRawUnicodeEscape(bytes: Uint8Array, start: number, end: number, emit: (cp: number) => void): boolean {
  let i = start;
  while (i < end) {
    const c = bytes[i];
    if (c !== 0x5c) {
      emit(c);
      i++;
      continue;
    }
    let j = i;
    while (j < end && bytes[j] === 0x5c) j++;
    const run = j - i;
    const u = j < end ? bytes[j] : 0;
    if (run % 2 === 1 && (u === 0x75 || u === 0x55)) {
      for (let k = 0; k < run - 1; k++) emit(0x5c);
      const digits = u === 0x75 ? 4 : 8;
      const cp = hexRun(bytes, j + 1, digits, end);
      if (cp < 0 || cp > 0x10ffff) return false;
      emit(cp);
      i = j + 1 + digits;
    } else {
      for (let k = 0; k < run; k++) emit(0x5c);
      i = j;
    }
  }
  return true;
}

/** raw-unicode-escape bytes to a string; undefined for a broken escape. */
export function decodeRawUnicodeEscape(bytes: Uint8Array, start: number, end: number): string | undefined {
  const parts: string[] = [];
  let codes: number[] = [];
  const ok = walkRawUnicodeEscape(bytes, start, end, (cp) => {
    if (cp > 0xffff) {
      codes.push(0xd800 + ((cp - 0x10000) >> 10), 0xdc00 + ((cp - 0x10000) & 0x3ff));
    } else {
      codes.push(cp);
    }
    if (codes.length >= 8192) {
      parts.push(String.fromCharCode(...codes));
      codes = [];
    }
  });
  if (!ok) return undefined;
  parts.push(String.fromCharCode(...codes));
  return parts.join('');
}

/** raw-unicode-escape text straight to latin-1 bytes; undefined if a code point is above 0xFF. */
export function rawUnicodeEscapeToLatin1(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
  const out = new Uint8Array(end - start);
  let n = 0;
  let wide = false;
  const ok = walkRawUnicodeEscape(bytes, start, end, (cp) => {
    if (cp > 0xff) wide = true;
    out[n++] = cp;
  });
  if (!ok || wide) return undefined;
  return n === out.length ? out : out.slice(0, n);
}

/** UTF-8 text straight to latin-1 bytes; undefined if it is not UTF-8 or holds a code point above 0xFF. */
export function utf8ToLatin1(bytes: Uint8Array, start: number, end: number): Uint8Array | undefined {
  let count = 0;
  for (let i = start; i < end; i++) count += ((bytes[i] & 0xc0) ^ 0x80) === 0 ? 0 : 1;
  const out = new Uint8Array(count);
  let n = 0;
  let i = start;
  let bad = 0;
  // Branch-free, since array bytes are high or low at random: a lead byte (C2 or C3) and its
  // continuation make one byte, an ASCII byte itself; anything else sets `bad`.
  while (i < end) {
    const b = bytes[i];
    const hi = b >> 7;
    const c = bytes[i + hi] | 0;
    const wide = ((b & 0x1f) << 6) | (c & 0x3f);
    out[n++] = b ^ ((b ^ wide) & -hi);
    bad |= hi * (((b >> 1) ^ 0x61) | ((c & 0xc0) ^ 0x80));
    i += 1 + hi;
  }
  return bad === 0 && i === end ? out : undefined;
}

/** Latin-1 bytes as the UTF-8 encoding of the str they spell (protocols 1 and 2 write bytes so). */
export function latin1ToUtf8(bytes: Uint8Array): Uint8Array {
  let high = 0;
  for (let i = 0; i < bytes.length; i++) high += bytes[i] >> 7;
  if (high === 0) return bytes;
  // One spare byte: every step writes a continuation byte that the next step may overwrite.
  const out = new Uint8Array(bytes.length + high + 1);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const hi = b >> 7;
    out[n] = b ^ ((b ^ (0xc0 | (b >> 6))) & -hi);
    out[n + 1] = 0x80 | (b & 0x3f);
    n += 1 + hi;
  }
  return out.subarray(0, n);
}

/**
 * Characters CPython's pickler writes as \u escapes under protocol 0, so that
 * the line-based UNICODE argument survives: backslash, NUL, LF, CR and ^Z.
 */
function escapedInProtocol0(cp: number): boolean {
  return cp === 0x5c || cp === 0x00 || cp === 0x0a || cp === 0x0d || cp === 0x1a;
}

function writeEscape(out: Uint8Array, n: number, cp: number, digits: number): number {
  out[n++] = 0x5c;
  out[n++] = digits === 4 ? 0x75 : 0x55;
  for (let k = digits - 1; k >= 0; k--) out[n++] = HEX.charCodeAt((cp >>> (4 * k)) & 0xf);
  return n;
}

/** Latin-1 bytes as the raw-unicode-escape argument of a protocol 0 UNICODE opcode. */
export function latin1ToRawUnicodeEscape(bytes: Uint8Array): Uint8Array {
  let special = 0;
  for (let i = 0; i < bytes.length; i++) if (escapedInProtocol0(bytes[i])) special++;
  if (special === 0) return bytes;
  const out = new Uint8Array(bytes.length + 5 * special);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (escapedInProtocol0(b)) n = writeEscape(out, n, b, 4);
    else out[n++] = b;
  }
  return out;
}

/** A string as the raw-unicode-escape argument of a protocol 0 UNICODE opcode. */
export function stringToRawUnicodeEscape(s: string): Uint8Array {
  const out = new Uint8Array(s.length * 10);
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (escapedInProtocol0(cp)) n = writeEscape(out, n, cp, 4);
    else if (cp < 0x100) out[n++] = cp;
    else if (cp <= 0xffff) n = writeEscape(out, n, cp, 4);
    else n = writeEscape(out, n, cp, 8);
  }
  return out.slice(0, n);
}

/**
 * Python's repr() of a float, which protocol 0 writes: the shortest digits
 * that read back the same (as JS finds them too), laid out Python's way
 * ('1.0', '1e-05', '1e+16', 'inf').
 */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  // The decimal point sits after `point` digits; Python switches to exponents outside (-4, 16].
  const point = Number(exp) + 1;
  if (point <= -4 || point > 16) {
    const e = point - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
