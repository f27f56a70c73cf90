/**
 * Base64 of bytes and back (RFC 4648, with padding), without the platform:
 * the core has neither Buffer nor a guaranteed btoa. Used to keep typed arrays
 * exact inside JSON documents (metrics/partial.ts).
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
const ENCODE = new Uint8Array(64);
for (let i = 0; i < ALPHABET.length; i++) {
  LOOKUP[ALPHABET.charCodeAt(i)] = i;
  ENCODE[i] = ALPHABET.charCodeAt(i);
}

export function toBase64(bytes: Uint8Array): string {
  // Written as ASCII bytes and decoded once: building the string a character at a time is far slower.
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  const A = ENCODE;
  let o = 0;
  const whole = bytes.length - (bytes.length % 3);
  for (let i = 0; i < whole; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = A[n >> 18];
    out[o++] = A[(n >> 12) & 63];
    out[o++] = A[(n >> 6) & 63];
    out[o++] = A[n & 63];
  }
  const rest = bytes.length - whole;
  if (rest) {
    const n = (bytes[whole] << 16) | (rest === 2 ? bytes[whole + 1] << 8 : 0);
    out[o++] = A[n >> 18];
    out[o++] = A[(n >> 12) & 63];
    out[o++] = rest === 2 ? A[(n >> 6) & 63] : 61;
    out[o] = 61;
  }
  return new TextDecoder().decode(out);
}

/** The bytes of a base64 text, or null when it is not base64 (the caller names the file). */
export function fromBase64(text: string): Uint8Array | null {
  if (text.length % 4 !== 0) return null;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const ch = text.charCodeAt(i + j);
      const last = i + 4 === text.length;
      if (ch === 61 /* = */ && last && j >= 4 - pad) {
        n <<= 6;
        continue;
      }
      const v = ch < 128 ? LOOKUP[ch] : -1;
      if (v < 0) return null;
      n = (n << 6) | v;
    }
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}
