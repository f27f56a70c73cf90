import { describe, expect, it } from 'vitest';
import { hasTfRecordHeader } from '../containers/tfrecord';
import { FEATURE_FILE_EXTENSIONS, FEATURE_FORMAT_LABELS, FEATURE_FORMATS, listed } from './featureFormats';

describe('the feature-format table', () => {
  it('gives the picker its extensions and the page its list, in order', () => {
    expect(FEATURE_FILE_EXTENSIONS).toEqual(['.tfrecord', '.tfrec', '.pkl', '.npy', '.json']);
    expect(listed(FEATURE_FORMAT_LABELS)).toBe('TFRecord, pkl, npy or JSON');
    expect(listed(FEATURE_FORMAT_LABELS, ', ')).toBe('TFRecord, pkl, npy, JSON');
    expect(listed(['a'])).toBe('a');
  });

  it('has one row per kind and one kind per extension', () => {
    const kinds = FEATURE_FORMATS.map((f) => f.kind);
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(new Set(FEATURE_FILE_EXTENSIONS).size).toBe(FEATURE_FILE_EXTENSIONS.length);
    for (const ext of FEATURE_FILE_EXTENSIONS) expect(ext).toMatch(/^\.[a-z0-9]+$/);
  });

  it('checks a TFRecord header before the npy magic without taking any npy 1.0 header for one', () => {
    // The sure signs are checked in table order: an npy 1.0 file's first 12 bytes (magic, version, header
    // length, "{'") never pass the TFRecord length CRC, whatever the header length.
    for (let len = 0; len < 65536; len++) {
      const head = new Uint8Array([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, len & 255, len >> 8, 0x7b, 0x27]);
      if (hasTfRecordHeader(head)) throw new Error(`an npy 1.0 header of ${len} bytes reads as a TFRecord header`);
    }
  });
});
