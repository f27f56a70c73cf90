import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64 } from './base64';

describe('base64', () => {
  it('round-trips every length and byte, as Node encodes it', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 13) & 255);
      const text = toBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(fromBase64(text)).toEqual(bytes);
    }
    const big = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 31) & 255);
    expect(Buffer.from(fromBase64(toBase64(big))!).equals(Buffer.from(big))).toBe(true);
  });

  it('answers null for what is not base64', () => {
    for (const bad of ['abc', 'ab=c', '====', 'a$bc', 'ab\u00e9c']) expect(fromBase64(bad)).toBeNull();
  });
});
