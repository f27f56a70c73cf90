import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc, maskedCrc32c } from './crc32c';
import { bytesSource } from '../io/byteSource';
import { hasTfRecordHeader, readTfRecords, scanTfRecords, type TfRecordProblem, writeTfRecords } from './tfrecord';

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the standard check values', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('gives the same answer on every alignment and sub-range (slicing-by-8 tail handling)', () => {
    const data = ascii('xx123456789yy');
    expect(crc32c(data, 2, 11)).toBe(0xe3069283);
    const long = new Uint8Array(1000).map((_, i) => (i * 31 + 7) & 0xff);
    const bytewise = (b: Uint8Array) => {
      let c = 0xffffffff;
      for (const x of b) {
        c ^= x;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      }
      return (c ^ 0xffffffff) >>> 0;
    };
    for (let s = 0; s < 9; s++) expect(crc32c(long, s, 1000 - s)).toBe(bytewise(long.subarray(s, 1000 - s)));
  });

  it('masks as TFRecord does', () => {
    const crc = 0xe3069283;
    expect(maskCrc(crc)).toBe((((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0);
    expect(maskedCrc32c(ascii('123456789'))).toBe(maskCrc(crc));
  });

  it('checksums 16 MB quickly', () => {
    const big = new Uint8Array(16 << 20).fill(7);
    const t = performance.now();
    crc32c(big);
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

const recs = [ascii('first'), new Uint8Array(0), ascii('the third record, a bit longer')];

describe('TFRecord framing', () => {
  it('round-trips records, including an empty one, as views into the input', () => {
    const file = writeTfRecords(recs);
    expect(file.length).toBe(recs.reduce((n, r) => n + r.length + 16, 0));
    const { records, indices, offsets, problems } = readTfRecords(file, 'a.tfrecord');
    expect(problems).toEqual([]);
    expect(records.map((r) => [...r])).toEqual(recs.map((r) => [...r]));
    expect(indices).toEqual([0, 1, 2]);
    expect(offsets).toEqual([0, 21, 37]);
    expect(records[0].buffer).toBe(file.buffer);
    expect(hasTfRecordHeader(file)).toBe(true);
  });

  it('writes the documented layout', () => {
    const file = writeTfRecords([ascii('abc')]);
    const v = new DataView(file.buffer);
    expect(v.getUint32(0, true)).toBe(3);
    expect(v.getUint32(4, true)).toBe(0);
    expect(v.getUint32(8, true)).toBe(maskedCrc32c(file.subarray(0, 8)));
    expect(v.getUint32(15, true)).toBe(maskedCrc32c(ascii('abc')));
  });

  it('skips a record with a bad data CRC and goes on', () => {
    const file = writeTfRecords(recs);
    file[21 + 12] ^= 0x01; // the empty record's data CRC
    const { records, indices, problems } = readTfRecords(file, 'a.tfrecord');
    expect(indices).toEqual([0, 2]);
    expect(records.length).toBe(2);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ index: 1, offset: 21 });
    expect(problems[0].message).toMatch(/^a\.tfrecord: record 1 \(byte 21\) skipped: its data is corrupt/);
  });

  it('skips only the record whose length CRC is broken: scans on to the next sound header, saying how many bytes it skipped', () => {
    const file = writeTfRecords(recs);
    file[21 + 2] ^= 0x40; // the empty record's length
    const { records, indices, offsets, problems } = readTfRecords(file, 'a.tfrecord');
    expect(indices).toEqual([0, 2]);
    expect(offsets).toEqual([0, 37]);
    expect(new TextDecoder().decode(records[1])).toBe('the third record, a bit longer');
    expect(problems).toEqual([
      {
        index: 1,
        offset: 21,
        message: expect.stringMatching(
          /^a\.tfrecord: record 1 \(byte 21\) has a corrupt length \(CRC 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}\): skipped 16 bytes to the next sound record header, at byte 37$/,
        ),
      },
    ]);
  });

  it('says how much is lost when no sound header follows a broken length', () => {
    const file = writeTfRecords(recs);
    file[37] ^= 0x40;
    const { records, problems } = readTfRecords(file, 'a.tfrecord');
    expect(records.length).toBe(2);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ index: 2, offset: 37 });
    expect(problems[0].message).toMatch(
      /record 2 \(byte 37\) has a corrupt length .*no sound record header follows, so the last 46 bytes cannot be read$/,
    );
  });

  it.each([1, 5, 12, 13, 40, 4096])('resynchronizes the same way when streamed in chunks of %i bytes', async (chunkBytes) => {
    const many = Array.from({ length: 20 }, (_, i) => ascii(`record ${i} `.repeat(1 + (i % 4))));
    const file = writeTfRecords(many);
    const whole = readTfRecords(file, 'f');
    file[whole.offsets[3] + 1] ^= 0x01;
    file[whole.offsets[4] + 9] ^= 0x01; // two broken headers in a row: one skip covers both
    file[whole.offsets[11] + 12] ^= 0x01; // a broken data CRC
    file[whole.offsets[19] + 8] ^= 0x01;
    const inMemory = readTfRecords(file, 'f');
    const streamed = { indices: [] as number[], data: [] as string[], problems: [] as TfRecordProblem[] };
    for await (const r of scanTfRecords(bytesSource('f', file), { chunkBytes })) {
      if (r.kind === 'problem') streamed.problems.push(r.problem);
      else {
        streamed.indices.push(r.index);
        streamed.data.push(new TextDecoder().decode(r.data));
      }
    }
    expect(streamed.problems).toEqual(inMemory.problems);
    expect(streamed.data).toEqual(inMemory.records.map((r) => new TextDecoder().decode(r)));
    expect(streamed.data).toEqual([0, 1, 2, 5, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18].map((i) => new TextDecoder().decode(many[i])));
    expect(inMemory.problems.map((p) => p.message.replace(/\(CRC [^)]*\)/, ''))).toEqual([
      `f: record 3 (byte ${whole.offsets[3]}) has a corrupt length : skipped ${whole.offsets[5] - whole.offsets[3]} bytes to the next sound record header, at byte ${whole.offsets[5]}`,
      // Records are numbered as found: the stretch skipped counts as one.
      `f: record 10 (byte ${whole.offsets[11]}) skipped: its data is corrupt `,
      `f: record 18 (byte ${whole.offsets[19]}) has a corrupt length : no sound record header follows, so the last ${file.length - whole.offsets[19]} bytes cannot be read`,
    ]);
  });

  it('reports truncation inside a header and inside the data', () => {
    const file = writeTfRecords(recs);
    const inHeader = readTfRecords(file.subarray(0, 30), 'a.tfrecord');
    expect(inHeader.records.length).toBe(1);
    expect(inHeader.problems[0].message).toMatch(/record 1 \(byte 21\) is cut off.*truncated/);
    const inData = readTfRecords(file.subarray(0, file.length - 1), 'a.tfrecord');
    expect(inData.records.length).toBe(2);
    expect(inData.problems[0].message).toMatch(/record 2 .*claims 30 bytes/);
  });

  it('rejects a length past the end even when its CRC is right (a lying 64-bit length)', () => {
    const header = new Uint8Array(12);
    const v = new DataView(header.buffer);
    v.setUint32(0, 0, true);
    v.setUint32(4, 0x10, true); // 2^36 bytes
    v.setUint32(8, maskedCrc32c(header, 0, 8), true);
    const { records, problems } = readTfRecords(header, 'big.tfrecord');
    expect(records).toEqual([]);
    expect(problems[0].message).toMatch(/claims 68719476736 bytes/);
  });

  it('calls a file that is not a TFRecord at all what it is', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expect(hasTfRecordHeader(png)).toBe(false);
    const { records, problems } = readTfRecords(png, 'x.png');
    expect(records).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(
      /^x\.png: this is not a TFRecord file, or it is damaged: no record header in it has a sound length CRC \(the first one's is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}\)$/,
    );
  });

  it('reads an empty file as no records and no problems', () => {
    expect(readTfRecords(new Uint8Array(0), 'e.tfrecord')).toEqual({ records: [], indices: [], offsets: [], problems: [] });
  });
});
