import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/light';
import { InputError } from '../errors';
import { readTfRecords, writeTfRecords } from '../containers/tfrecord';
import { encodeSequenceExample, type Feature } from '../containers/sequenceExample';
import { dequantize, floatFeatures } from './dequantize';
import { readTfRecordFeatures, writeTfRecordFeatures, type Yt8mVideo } from './tfrecordFeatures';

function frames(n: number, dim: number, seed: number): Uint8Array[] {
  return Array.from({ length: n }, (_, t) => Uint8Array.from({ length: dim }, (_, j) => (seed * 31 + t * 7 + j * 13) & 0xff));
}

function video(id: string, n: number, labels?: number[], rgbDim = 16, audioDim = 4): Yt8mVideo {
  return { id, labels, rgb: frames(n, rgbDim, id.length), audio: frames(n, audioDim, id.length + 1) };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A seeded generator, so a failing corruption case can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Reading must either succeed or fail with an InputError: never crash, never hang. */
function readOrInputError(bytes: Uint8Array, file = 'x.tfrecord') {
  try {
    return readTfRecordFeatures(bytes, file);
  } catch (err) {
    if (err instanceof InputError) return null;
    throw err;
  }
}

const three = [video('abc', 3, [1, 7]), video('no-labels', 2), video('third', 5, [])];

describe('YouTube-8M TFRecord features', () => {
  it('round-trips videos with and without labels', () => {
    const { videos, warnings } = readTfRecordFeatures(writeTfRecordFeatures(three), 'train0001.tfrecord');
    expect(warnings).toEqual([]);
    expect(videos.map((v) => [v.id, v.index, v.frames, v.rgbDim, v.audioDim, v.labels])).toEqual([
      ['abc', 0, 3, 16, 4, [1, 7]],
      ['no-labels', 1, 2, 16, 4, undefined],
      ['third', 2, 5, 16, 4, []],
    ]);
    expect(videos[0].file).toBe('train0001.tfrecord');
    expect(videos[0].rgb).toEqual(concat(three[0].rgb));
    expect(videos[2].audio).toEqual(concat(three[2].audio));
    expect(videos[1]).not.toHaveProperty('labels');
  });

  /** A frame-level record written field by field, to pin down the wire format without our encoder. */
  function handWritten(v: Yt8mVideo, packed: boolean): Uint8Array {
    const w = protobuf.Writer.create();
    const bytesFeature = (b: Uint8Array) => {
      w.uint32(10).fork().uint32(10).bytes(b).ldelim();
    };
    const entry = (key: string, body: () => void) => {
      w.uint32(10).fork().uint32(10).string(key).uint32(18).fork();
      body();
      w.ldelim().ldelim();
    };
    w.uint32(10).fork(); // context
    entry('id', () => bytesFeature(new TextEncoder().encode(v.id)));
    if (v.labels) {
      entry('labels', () => {
        w.uint32(26).fork(); // int64_list
        if (packed && v.labels?.length) {
          // an empty packed field is left out, as protobuf encoders do
          w.uint32(10).fork();
          for (const l of v.labels ?? []) w.int64(l);
          w.ldelim();
        } else if (!packed) {
          for (const l of v.labels ?? []) w.uint32(8).int64(l); // one tag per value
        }
        w.ldelim();
      });
    }
    w.ldelim();
    w.uint32(18).fork(); // feature_lists
    for (const [key, list] of [
      ['rgb', v.rgb],
      ['audio', v.audio],
    ] as const) {
      entry(key, () => {
        for (const f of list) {
          w.uint32(10).fork();
          bytesFeature(f);
          w.ldelim();
        }
      });
    }
    w.ldelim();
    return w.finish();
  }

  it('reads labels written unpacked', () => {
    const v = video('unpacked', 2, [4, 3000]);
    const { videos } = readTfRecordFeatures(writeTfRecords([handWritten(v, false)]), 'u.tfrecord');
    expect(videos[0]).toMatchObject({ id: 'unpacked', labels: [4, 3000], frames: 2, rgbDim: 16, audioDim: 4 });
    expect(videos[0].rgb).toEqual(concat(v.rgb));
  });

  it('writes exactly the YouTube-8M frame-level layout, labels packed', () => {
    for (const v of three) {
      expect([...writeTfRecordFeatures([v])]).toEqual([...writeTfRecords([handWritten(v, true)])]);
    }
  });

  it('uses the YouTube-8M sizes (1024 rgb, 128 audio bytes)', () => {
    const { videos } = readTfRecordFeatures(writeTfRecordFeatures([video('full', 2, [0], 1024, 128)]), 'f.tfrecord');
    expect(videos[0]).toMatchObject({ rgbDim: 1024, audioDim: 128, frames: 2 });
    expect(videos[0].rgb.length).toBe(2048);
  });

  it('keeps the features uint8, as stored, until a batch is packed', () => {
    const { videos } = readTfRecordFeatures(writeTfRecordFeatures(three), 'q.tfrecord');
    expect(videos[0].rgb).toBeInstanceOf(Uint8Array);
    expect(floatFeatures(videos[0].rgb)).toEqual(dequantize(concat(three[0].rgb)));
  });

  it('clips videos to 300 frames, or to the cap given, and says how many frames the file holds', () => {
    const v = video('long', 360, [2], 8, 2);
    const { videos } = readTfRecordFeatures(writeTfRecordFeatures([v]), 'l.tfrecord');
    expect(videos[0].frames).toBe(300);
    expect(videos[0].framesInFile).toBe(360);
    const capped = readTfRecordFeatures(writeTfRecordFeatures([v, video('short', 5)]), 'l.tfrecord', { maxFrames: 10 }).videos;
    expect(capped.map((x) => [x.frames, x.framesInFile])).toEqual([
      [10, 360],
      [5, undefined],
    ]);
    expect(videos[0].rgb).toEqual(concat(v.rgb.slice(0, 300)));
    expect(videos[0].audio.length).toBe(600);
  });

  it('skips a record with a bad data CRC among three, naming record 1 and its offset', () => {
    const file = writeTfRecordFeatures(three);
    const second = readTfRecords(file, 'f').offsets[1];
    file[second + 20] ^= 0xff;
    const { videos, warnings } = readTfRecordFeatures(file, 'train0001.tfrecord');
    expect(videos.map((v) => v.id)).toEqual(['abc', 'third']);
    expect(videos.map((v) => v.index)).toEqual([0, 2]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^train0001\\.tfrecord: record 1 \\(byte ${second}\\) skipped: its data is corrupt`));
  });

  it('keeps the videos before a bad length CRC, and those after it', () => {
    const file = writeTfRecordFeatures(three);
    const second = readTfRecords(file, 'f').offsets[1];
    file[second + 9] ^= 1;
    const { videos, warnings } = readTfRecordFeatures(file, 't.tfrecord');
    expect(videos.map((v) => v.id)).toEqual(['abc', 'third']);
    expect(warnings).toEqual([
      expect.stringMatching(/^t\.tfrecord: record 1 \(byte \d+\) has a corrupt length .*skipped \d+ bytes to the next sound record header/),
    ]);
  });

  it('skips records that are not frame-level videos, saying why', () => {
    const bad: [Yt8mVideo, string][] = [
      [
        { ...video('abc', 20), rgb: frames(20, 16, 0).map((f, t) => (t === 17 ? f.subarray(0, 10) : f)) },
        'rgb frame 17 has 10 bytes, expected 16',
      ],
      [{ ...video('m', 3), audio: frames(2, 4, 0) }, 'it has 3 rgb frames but 2 audio frames'],
      [{ ...video('e', 0) }, 'it has no frames'],
      [{ ...video('z', 2), rgb: [new Uint8Array(0), new Uint8Array(0)] }, 'rgb frame 0 is empty'],
    ];
    for (const [v, why] of bad) {
      const { videos, warnings } = readTfRecordFeatures(writeTfRecordFeatures([video('ok', 1), v]), 'train0001.tfrecord');
      expect(videos.map((x) => x.id)).toEqual(['ok']);
      expect(warnings).toEqual([`train0001.tfrecord: record 1 (id ${JSON.stringify(v.id)}) skipped: ${why}`]);
    }
  });

  const record = (context: [string, Feature][], lists: [string, Feature[]][]) =>
    encodeSequenceExample({ context: new Map(context), featureLists: new Map(lists) });
  const id = (s: string): [string, Feature] => ['id', { kind: 'bytes', values: [new TextEncoder().encode(s)] }];

  it('explains a video-level file instead of reading it', () => {
    const file = writeTfRecords([record([id('v'), ['mean_rgb', { kind: 'float', values: [0.5] }]], [])]);
    expect(() => readTfRecordFeatures(file, 'video_level.tfrecord')).toThrow(
      'video_level.tfrecord: no video could be read: record 0 (id "v") skipped: this is a video-level record (mean_rgb), the model needs frame-level features',
    );
  });

  it('names missing feature lists and odd frame encodings', () => {
    const rgb: [string, Feature[]] = ['rgb', [{ kind: 'bytes', values: [new Uint8Array(4)] }]];
    const cases: [Uint8Array, string][] = [
      [record([id('a')], [rgb]), 'it has no "audio" feature list (it has "rgb")'],
      [
        record(
          [id('a')],
          [
            ['rgb', [{ kind: 'float', values: [1] }]],
            ['audio', []],
          ],
        ),
        'rgb frame 0 is a float list, expected one byte string',
      ],
      [
        record(
          [id('a')],
          [
            ['rgb', [{ kind: 'bytes', values: [new Uint8Array(1), new Uint8Array(1)] }]],
            ['audio', []],
          ],
        ),
        'rgb frame 0 holds 2 byte strings, expected one',
      ],
    ];
    for (const [bytes, why] of cases) {
      expect(() => readTfRecordFeatures(writeTfRecords([bytes]), 'a.tfrecord')).toThrow(
        `a.tfrecord: no video could be read: record 0 (id "a") skipped: ${why}`,
      );
    }
  });

  it('drops unusable labels with a warning but keeps the video', () => {
    const v = video('x', 1);
    const lists: [string, Feature[]][] = [
      ['rgb', v.rgb.map((b) => ({ kind: 'bytes', values: [b] }))],
      ['audio', v.audio.map((b) => ({ kind: 'bytes', values: [b] }))],
    ];
    const file = writeTfRecords([
      record([id('neg'), ['labels', { kind: 'int64', values: [3, -1] }]], lists),
      record([id('str'), ['labels', { kind: 'bytes', values: [new Uint8Array(1)] }]], lists),
      record([], lists),
    ]);
    const { videos, warnings } = readTfRecordFeatures(file, 'lab.tfrecord');
    expect(videos.map((x) => [x.id, x.labels])).toEqual([
      ['neg', undefined],
      ['str', undefined],
      ['lab#2', undefined],
    ]);
    expect(warnings).toEqual([
      'lab.tfrecord: record 0 (id "neg"): labels ignored: -1 is not a class index',
      'lab.tfrecord: record 1 (id "str"): labels ignored: they are a bytes list, expected an int64 list',
    ]);
  });

  it('rejects files that are not TFRecords with an InputError naming the file', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1]);
    expect(() => readTfRecordFeatures(png, 'cat.png')).toThrow(
      /^cat\.png: this is not a TFRecord file, or it is damaged: no record header/,
    );
    const json = new TextEncoder().encode('{"id": "a", "rgb": [[1, 2]], "audio": [[3]]}');
    expect(() => readTfRecordFeatures(json, 'clip.tfrecord')).toThrow(InputError);
    expect(() => readTfRecordFeatures(new Uint8Array(0), 'e.tfrecord')).toThrow('e.tfrecord: the file is empty');
    expect(() => readTfRecordFeatures(new Uint8Array(5), 'short.tfrecord')).toThrow(/^short\.tfrecord: .*cut off/);
  });

  it('survives truncation at every length', () => {
    const file = writeTfRecordFeatures([video('a', 2, [1], 8, 2), video('b', 3, undefined, 8, 2), video('c', 1, [2, 3], 8, 2)]);
    const ends = new Set(readTfRecords(file, 'f').offsets.slice(1));
    for (let n = 0; n < file.length; n++) {
      const got = readOrInputError(file.subarray(0, n));
      if (!got) continue;
      expect(got.videos.length).toBeLessThan(3);
      if (!ends.has(n)) expect(got.warnings.length).toBeGreaterThan(0);
    }
  });

  it('survives random corruption (seeded), with and without intact CRCs', () => {
    const vids = [video('a', 2, [1], 8, 2), video('bb', 3, undefined, 8, 2), video('ccc', 2, [2, 3], 8, 2)];
    const file = writeTfRecordFeatures(vids);
    const payloads = readTfRecords(file, 'f').records;
    const rand = mulberry32(1234);
    const pick = (n: number) => Math.floor(rand() * n);
    for (let k = 0; k < 300; k++) {
      const flips = 1 + pick(4);
      // Raw corruption: the CRCs should catch it.
      const broken = file.slice();
      for (let f = 0; f < flips; f++) broken[pick(broken.length)] ^= 1 + pick(255);
      const got = readOrInputError(broken);
      if (got) for (const v of got.videos) expect(v.rgb.length).toBe(v.frames * v.rgbDim);
      // Corrupt protobuf behind valid CRCs: the decoder and the checks must cope.
      const recs = payloads.map((p) => p.slice());
      const r = recs[pick(recs.length)];
      for (let f = 0; f < flips; f++) r[pick(r.length)] ^= 1 + pick(255);
      const cut = pick(3) === 0 ? recs.map((p) => p.subarray(0, pick(p.length + 1))) : recs;
      const got2 = readOrInputError(writeTfRecords(cut));
      if (got2) {
        for (const v of got2.videos) {
          expect(v.rgb.length).toBe(v.frames * v.rgbDim);
          expect(v.audio.length).toBe(v.frames * v.audioDim);
          expect(v.frames).toBeGreaterThan(0);
        }
      }
    }
  });
});
