import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { readTfRecords } from '../containers/tfrecord';
import { type ByteSource, bytesSource } from '../io/byteSource';
import { readFeatureFile } from './read';
import { type FeatureStreamItem, readVideosAt, type StreamOptions, streamFeatureFile, type VideoPlace } from './stream';
import { readTfRecordFeatures, writeTfRecordFeatures, type Yt8mVideo } from './tfrecordFeatures';
import type { VideoFeatures } from './featureTypes';

function video(id: string, n: number, seed: number, labels?: number[]): Yt8mVideo {
  const frames = (dim: number, s: number) =>
    Array.from({ length: n }, (_, t) => Uint8Array.from({ length: dim }, (_, j) => (s * 31 + t * 7 + j * 13) & 0xff));
  return { id, labels, rgb: frames(64, seed), audio: frames(8, seed + 1) };
}

/** Twelve videos of 1 to 40 frames: records of about 0.1 to 3 KB. */
const VIDEOS = Array.from({ length: 12 }, (_, i) => video(`v${i}`, 1 + ((i * 7) % 40), i, [i % 3]));
const FILE = writeTfRecordFeatures(VIDEOS);

/** A ByteSource over bytes that records every read, to hold the stream to its chunk size. */
function recording(name: string, bytes: Uint8Array) {
  const reads: { offset: number; length: number }[] = [];
  const src = bytesSource(name, bytes);
  const wrapped: ByteSource = {
    name,
    size: src.size,
    read: (offset, length) => (reads.push({ offset, length }), src.read(offset, length)),
  };
  return { src: wrapped, reads };
}

async function collect(src: ByteSource, opts: StreamOptions = {}) {
  const items: FeatureStreamItem[] = [];
  for await (const item of streamFeatureFile(src, opts)) items.push(item);
  const videos = items.flatMap((i) => (i.kind === 'video' ? [i.video] : []));
  const places = items.flatMap((i) => (i.kind === 'video' ? [i.place] : []));
  const warnings = items.flatMap((i) => (i.kind === 'warning' ? [i.message] : []));
  const progress = items.flatMap((i) => (i.kind === 'progress' ? [i.bytesRead] : []));
  return { videos, places, warnings, progress };
}

const summary = (vs: VideoFeatures[]) => vs.map((v) => [v.id, v.index, v.frames, v.labels, [...v.rgb].join(','), [...v.audio].join(',')]);

describe('feature files streamed', () => {
  it.each([1, 13, 200, 1000, 4096, 1 << 20])(
    'gives the same videos as the whole file, with chunks of %i bytes (records across their edges)',
    async (chunkBytes) => {
      const { src, reads } = recording('shard.tfrecord', FILE);
      const got = await collect(src, { chunkBytes });
      expect(summary(got.videos)).toEqual(summary(readTfRecordFeatures(FILE, 'shard.tfrecord').videos));
      expect(got.warnings).toEqual([]);
      // Progress only grows and ends at the whole file.
      expect(got.progress).toEqual([...got.progress].sort((a, b) => a - b));
      expect(got.progress.at(-1)).toBe(FILE.length);
      // Never more than a chunk, or what one record needs beyond the bytes in hand, at a time.
      const largest = Math.max(...readTfRecords(FILE, 'f').records.map((r) => r.length)) + 16;
      for (const r of reads.slice(1)) expect(r.length).toBeLessThanOrEqual(Math.max(chunkBytes, largest));
      if (chunkBytes < FILE.length) expect(reads.length).toBeGreaterThan(2);
    },
  );

  it('reads each video again alone from where the stream found it', async () => {
    const { src, reads } = recording('shard.tfrecord', FILE);
    const got = await collect(src, { chunkBytes: 500 });
    reads.length = 0;
    const again = await readVideosAt(src, [got.places[7], got.places[2]]);
    expect(summary(again)).toEqual(summary([got.videos[7], got.videos[2]]));
    // One read of exactly each record, not of the file.
    expect(reads).toEqual(
      [7, 2].map((i) => ({ offset: (got.places[i] as { offset: number }).offset, length: (got.places[i] as { length: number }).length })),
    );
  });

  it('keeps the videos before a truncated last record, and says where the file was cut', async () => {
    const cut = FILE.subarray(0, FILE.length - 40);
    const got = await collect(bytesSource('cut.tfrecord', cut), { chunkBytes: 256 });
    expect(got.videos.map((v) => v.id)).toEqual(VIDEOS.slice(0, 11).map((v) => v.id));
    expect(got.warnings).toHaveLength(1);
    expect(got.warnings[0]).toMatch(
      /^cut\.tfrecord: record 11 \(byte \d+\) is cut off: it claims \d+ bytes of data but only \d+ remain; the file is truncated$/,
    );
    expect(got.progress.at(-1)).toBe(cut.length);
  });

  it('skips a corrupt record in the middle, as the whole-file reader does', async () => {
    const bad = FILE.slice();
    bad[readTfRecords(FILE, 'f').offsets[5] + 30] ^= 0xff;
    const got = await collect(bytesSource('bad.tfrecord', bad), { chunkBytes: 300 });
    const whole = readTfRecordFeatures(bad, 'bad.tfrecord');
    expect(summary(got.videos)).toEqual(summary(whole.videos));
    expect(got.warnings).toEqual(whole.warnings);
  });

  it('names the file when no video at all can be read', async () => {
    const notRecords = new TextEncoder().encode('this is not a TFRecord but has the extension of one');
    await expect(collect(bytesSource('empty.tfrecord', new Uint8Array(0)))).rejects.toThrow(
      new InputError('empty.tfrecord: the file is empty'),
    );
    await expect(collect(bytesSource('text.tfrecord', notRecords))).rejects.toThrow(
      /^text\.tfrecord: this is not a TFRecord file, or it is damaged: no record header in it has a sound length CRC \(the first one's is 0x[0-9a-f]{8}, expected 0x[0-9a-f]{8}\)$/,
    );
  });

  it('gives one error, naming the file once, and no warnings, when no video can be read', async () => {
    let seed = 7;
    const random = Uint8Array.from({ length: 5000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const items: FeatureStreamItem[] = [];
    const read = async (src: ByteSource) => {
      items.length = 0;
      try {
        for await (const item of streamFeatureFile(src, { chunkBytes: 1000 })) items.push(item);
      } catch (e) {
        return (e as Error).message;
      }
      return null;
    };
    expect(await read(bytesSource('x.tfrecord', random))).toMatch(/^x\.tfrecord: this is not a TFRecord file/);
    expect(items.filter((i) => i.kind === 'warning')).toEqual([]);
    const truncated = await read(bytesSource('cut.tfrecord', FILE.subarray(0, 100)));
    expect(truncated).toMatch(
      /^cut\.tfrecord: no video could be read: record 0 \(byte 0\) is cut off: it claims \d+ bytes of data but only 84 remain; the file is truncated$/,
    );
    expect(truncated!.split('cut.tfrecord')).toHaveLength(2);
    expect(items.filter((i) => i.kind === 'warning')).toEqual([]);
  });

  it('reads on past a record whose length CRC is broken, in the stream as in the whole file', async () => {
    const bad = FILE.slice();
    const offsets = readTfRecords(FILE, 'f').offsets;
    bad[offsets[4] + 3] ^= 0x10;
    const got = await collect(bytesSource('bad.tfrecord', bad), { chunkBytes: 97 });
    expect(got.videos.map((v) => v.id)).toEqual(VIDEOS.filter((_, i) => i !== 4).map((v) => v.id));
    expect(got.warnings).toEqual([
      expect.stringMatching(
        new RegExp(
          `^bad\\.tfrecord: record 4 \\(byte ${offsets[4]}\\) has a corrupt length .*: skipped ${offsets[5] - offsets[4]} bytes to the next sound record header, at byte ${offsets[5]}$`,
        ),
      ),
    ]);
    const whole = readTfRecordFeatures(bad, 'bad.tfrecord');
    expect(summary(got.videos)).toEqual(summary(whole.videos));
    expect(got.warnings).toEqual(whole.warnings);
  });

  it('cuts videos to the frame cap and says so once per file', async () => {
    const got = await collect(bytesSource('long.tfrecord', FILE), { maxFrames: 10, chunkBytes: 512 });
    expect(got.videos.every((v) => v.frames <= 10)).toBe(true);
    const long = VIDEOS.filter((v) => v.rgb.length > 10);
    const dropped = long.reduce((n, v) => n + v.rgb.length - 10, 0);
    expect(got.warnings).toEqual([
      `long.tfrecord: ${long.length} videos were longer than the frame cap and cut to 10 frames (${dropped} frames left out)`,
    ]);
  });

  it('reads formats that cannot be streamed whole, and again by position', async () => {
    const json = new TextEncoder().encode(
      JSON.stringify([
        { id: 'a', rgb: [[1, 2]], audio: [[3]] },
        {
          id: 'b',
          rgb: [
            [4, 5],
            [6, 7],
          ],
          audio: [[8], [9]],
          labels: [1],
        },
      ]),
    );
    const src = bytesSource('two.json', json);
    const got = await collect(src);
    expect(summary(got.videos)).toEqual(summary(readFeatureFile(json, 'two.json').videos));
    expect(got.places).toEqual<VideoPlace[]>([
      { kind: 'whole-file', index: 0 },
      { kind: 'whole-file', index: 1 },
    ]);
    expect(summary(await readVideosAt(src, [got.places[1]]))).toEqual(summary([got.videos[1]]));
  });

  it('says so when a record read again is no longer what it was', async () => {
    const got = await collect(bytesSource('shard.tfrecord', FILE));
    const changed = FILE.slice();
    const place = got.places[3] as { offset: number };
    changed[place.offset + 40] ^= 0xff;
    await expect(readVideosAt(bytesSource('shard.tfrecord', changed), [got.places[3]])).rejects.toThrow(
      /^shard\.tfrecord: record 3 \(byte \d+\) skipped: its data is corrupt/,
    );
  });
});
