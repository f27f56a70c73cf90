import protobuf from 'protobufjs/light';
import { describe, expect, it } from 'vitest';
import { encodeSequenceExample, type Feature } from '../containers/sequenceExample';
import { readTfRecords } from '../containers/tfrecord';
import { bytesSource } from '../io/byteSource';
import { readFrameLevelWire } from './frameLevelWire';
import { checkSegmentRatings } from './segmentRatings';
import { streamFeatureFile } from './stream';
import { readTfRecordFeatures, recordVideo, writeTfRecordFeatures, type Yt8mVideo } from './tfrecordFeatures';
import type { VideoFeatures } from './featureTypes';

function frames(n: number, dim: number): Uint8Array[] {
  return Array.from({ length: n }, (_, t) => Uint8Array.from({ length: dim }, (_, j) => (t * 7 + j * 13) & 0xff));
}

function rated(id: string, n: number, segments?: Yt8mVideo['segments'], labels?: number[]): Yt8mVideo {
  return { id, labels, rgb: frames(n, 16), audio: frames(n, 4), segments };
}

/** A frame-level record whose context holds whatever features are given, for lists of the wrong kind. */
function recordWith(context: [string, Feature][], n = 12): Uint8Array {
  const perFrame = (dim: number): Feature[] => frames(n, dim).map((b) => ({ kind: 'bytes', values: [b] }));
  return encodeSequenceExample({
    context: new Map<string, Feature>([['id', { kind: 'bytes', values: [new TextEncoder().encode('v')] }], ...context]),
    featureLists: new Map([
      ['rgb', perFrame(16)],
      ['audio', perFrame(4)],
    ]),
  });
}

/** Both readers of one record: the wire reader when it takes it, and the general decoder (forced by a context key it refuses). */
function bothReaders(data: Uint8Array): { video: VideoFeatures | null; notes: string[] } {
  return recordVideo(data, 'seg.tfrecord', 3, 0);
}

describe('segment ratings in YouTube-8M TFRecords', () => {
  it('round-trips the three parallel lists, on the wire path, and each video carries its ratings', () => {
    const videos = [
      rated('a', 20, { labels: [5, 5, 9], startTimes: [0, 10, 15], scores: [1, 0, 1] }, [5]),
      rated('b', 7),
      rated('c', 12, { labels: [], startTimes: [], scores: [] }),
    ];
    const bytes = writeTfRecordFeatures(videos);
    const { videos: read, warnings } = readTfRecordFeatures(bytes, 'seg.tfrecord');
    expect(warnings).toEqual([]);
    expect(read[0].segments).toEqual([
      { class: 5, start: 0, score: 1 },
      { class: 5, start: 10, score: 0 },
      { class: 9, start: 15, score: 1 },
    ]);
    expect(read[0].labels).toEqual([5]);
    expect(read[1]).not.toHaveProperty('segments');
    expect(read[2].segments).toEqual([]);
    // The fast reader took these records (it did not fall back to the general decoder).
    for (const record of readTfRecords(bytes, 'seg.tfrecord').records) expect(readFrameLevelWire(record, 300)).not.toBeNull();
  });

  it('is read by the wire reader and the general decoder alike, packed or one tag each', () => {
    // Unpacked lists, as TensorFlow may write them: field 1 repeated with one varint or fixed32 each.
    const w = protobuf.Writer.create();
    w.uint32(10).fork(); // context
    const entry = (key: string, write: () => void) => {
      w.uint32(10).fork().uint32(10).string(key).uint32(18).fork();
      write();
      w.ldelim().ldelim();
    };
    entry('id', () => w.uint32(10).fork().uint32(10).bytes(new TextEncoder().encode('u')).ldelim());
    entry('segment_labels', () => {
      w.uint32(26).fork();
      for (const v of [3, 4]) w.uint32(8).int64(v);
      w.ldelim();
    });
    entry('segment_start_times', () => {
      w.uint32(26).fork();
      for (const v of [5, 0]) w.uint32(8).int64(v);
      w.ldelim();
    });
    entry('segment_scores', () => {
      w.uint32(18).fork();
      for (const v of [0.5, -1]) w.uint32(13).float(v);
      w.ldelim();
    });
    w.ldelim();
    w.uint32(18).fork();
    for (const [key, dim] of [
      ['rgb', 3],
      ['audio', 2],
    ] as const) {
      w.uint32(10).fork().uint32(10).string(key).uint32(18).fork();
      for (let t = 0; t < 8; t++) w.uint32(10).fork().uint32(10).fork().uint32(10).bytes(new Uint8Array(dim).fill(t)).ldelim().ldelim();
      w.ldelim().ldelim();
    }
    w.ldelim();
    const data = w.finish();
    const fast = readFrameLevelWire(data, 300)!;
    expect(fast.segments).toEqual({ labels: [3, 4], starts: [5, 0], scores: [0.5, -1] });
    expect(bothReaders(data).video!.segments).toEqual([
      { class: 3, start: 5, score: 0.5 },
      { class: 4, start: 0, score: -1 },
    ]);

    // The same ratings through the general decoder: a second `id` value makes the wire reader decline.
    const general = recordWith(
      [
        ['labels', { kind: 'int64', values: [1] }],
        ['segment_labels', { kind: 'int64', values: [3, 4] }],
        ['segment_start_times', { kind: 'int64', values: [5, 0] }],
        ['segment_scores', { kind: 'float', values: [0.5, -1] }],
        ['id', { kind: 'bytes', values: [new Uint8Array([0x75]), new Uint8Array([0x75])] }],
      ],
      8,
    );
    expect(readFrameLevelWire(general, 300)).toBeNull();
    const viaGeneral = bothReaders(general);
    expect(viaGeneral.notes).toEqual([]);
    expect(viaGeneral.video!.segments).toEqual([
      { class: 3, start: 5, score: 0.5 },
      { class: 4, start: 0, score: -1 },
    ]);
  });

  it('drops the ratings of a record whose lists differ in length, with a warning naming the file and record, and keeps the video and the file', () => {
    const bytes = writeTfRecordFeatures([
      rated('ok-1', 10, { labels: [1], startTimes: [5], scores: [1] }),
      rated('short', 10, { labels: [1, 2, 3], startTimes: [0, 5], scores: [1, 1, 1] }),
      rated('ok-2', 10, { labels: [2], startTimes: [0], scores: [0] }),
    ]);
    const { videos, warnings } = readTfRecordFeatures(bytes, 'val0001.tfrecord');
    expect(videos.map((v) => v.id)).toEqual(['ok-1', 'short', 'ok-2']);
    expect(videos[1]).not.toHaveProperty('segments');
    expect(videos[0].segments).toHaveLength(1);
    expect(videos[2].segments).toEqual([{ class: 2, start: 0, score: 0 }]);
    expect(warnings).toEqual([
      'val0001.tfrecord: record 1 (id "short"): segment ratings ignored: the parallel lists differ in length (segment_labels 3, segment_start_times 2, segment_scores 3)',
    ]);
  });

  it('drops the entries with a negative start, a start past the end, no class id or no number, naming each kind of problem', () => {
    const bytes = writeTfRecordFeatures([
      rated('v', 12, { labels: [1, 2, 3, 4, 5, -7, 6], startTimes: [0, -5, 12, 400, 5, 0, 10], scores: [1, 1, 1, NaN, 0, 1, Infinity] }),
    ]);
    const { videos, warnings } = readTfRecordFeatures(bytes, 'bad.tfrecord');
    expect(videos[0].segments).toEqual([
      { class: 1, start: 0, score: 1 },
      { class: 5, start: 5, score: 0 },
    ]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^bad\.tfrecord: record 0 \(id "v"\): 5 segment ratings dropped \(entry 1: start -5 is negative; entry 2: start 12 is past the video's end \(12 frames\); entry 3: start 400 is past the video's end \(12 frames\); …\)$/,
    );
  });

  it("keeps the last of two ratings of one start and class (upstream's dict), and says so", () => {
    const got = checkSegmentRatings({ labels: [3, 3, 4], starts: [5, 5, 5], scores: [1, 0, 1] }, 10);
    expect(got.segments).toEqual([
      { class: 3, start: 5, score: 0 },
      { class: 4, start: 5, score: 1 },
    ]);
    expect(got.problem).toMatch(/1 segment rating given again for the same start and class: the last kept/);
  });

  it('judges the start against the frames in the file, not the frame cap (a rating past the cap is still a rating)', () => {
    const bytes = writeTfRecordFeatures([rated('long', 20, { labels: [1, 1], startTimes: [15, 20], scores: [1, 1] })]);
    const { videos, warnings } = readTfRecordFeatures(bytes, 'cap.tfrecord', { maxFrames: 10 });
    expect(videos[0].frames).toBe(10);
    expect(videos[0].segments).toEqual([{ class: 1, start: 15, score: 1 }]);
    expect(warnings[0]).toMatch(/start 20 is past the video's end \(20 frames\)/);
  });

  it('says which list is missing, or of the wrong kind, and still reads the video', () => {
    const cases: [string, [string, Feature][], RegExp][] = [
      [
        'one list alone',
        [['segment_labels', { kind: 'int64', values: [1] }]],
        /one of the three parallel lists, segment_start_times and segment_scores missing/,
      ],
      [
        'scores missing',
        [
          ['segment_labels', { kind: 'int64', values: [1] }],
          ['segment_start_times', { kind: 'int64', values: [0] }],
        ],
        /two of the three parallel lists, segment_scores missing/,
      ],
      [
        'scores as int64',
        [
          ['segment_labels', { kind: 'int64', values: [1] }],
          ['segment_start_times', { kind: 'int64', values: [0] }],
          ['segment_scores', { kind: 'int64', values: [1] }],
        ],
        /segment_scores is a int64 list, expected a float list/,
      ],
      [
        'starts as floats',
        [
          ['segment_labels', { kind: 'int64', values: [1] }],
          ['segment_start_times', { kind: 'float', values: [0] }],
          ['segment_scores', { kind: 'float', values: [1] }],
        ],
        /segment_start_times is a float list, expected an int64 list/,
      ],
      [
        'labels as bytes',
        [
          ['segment_labels', { kind: 'bytes', values: [new Uint8Array([1])] }],
          ['segment_start_times', { kind: 'int64', values: [0] }],
          ['segment_scores', { kind: 'float', values: [1] }],
        ],
        /segment_labels is a bytes list, expected an int64 list/,
      ],
      [
        'an empty feature',
        [
          ['segment_labels', { kind: 'empty' }],
          ['segment_start_times', { kind: 'int64', values: [0] }],
          ['segment_scores', { kind: 'float', values: [1] }],
        ],
        /segment_labels is an empty feature/,
      ],
    ];
    for (const [name, context, message] of cases) {
      const { video, notes } = bothReaders(recordWith(context));
      expect(video, name).not.toBeNull();
      expect(video!.frames, name).toBe(12);
      expect(video, name).not.toHaveProperty('segments');
      expect(notes, name).toHaveLength(1);
      expect(notes[0], name).toMatch(/^seg\.tfrecord: record 3 \(id "v"\): segment ratings ignored: /);
      expect(notes[0], name).toMatch(message);
    }
  });

  it('takes negative and huge class ids to the general decoder, which drops those entries', () => {
    const data = recordWith([
      ['segment_labels', { kind: 'int64', values: [-1, 2 ** 60, 7, 5000] }],
      ['segment_start_times', { kind: 'int64', values: [0, 0, -3, 5] }],
      ['segment_scores', { kind: 'float', values: [1, 1, 1, 1] }],
    ]);
    expect(readFrameLevelWire(data, 300)).toBeNull();
    const { video, notes } = bothReaders(data);
    // A class id past any model's classes is still a class id here: the metric and the fine-tune judge it against the model.
    expect(video!.segments).toEqual([{ class: 5000, start: 5, score: 1 }]);
    expect(notes[0]).toMatch(
      /3 segment ratings dropped \(entry 0: class -1 is not a class id; entry 1: class 1152921504606847000 is not a class id; entry 2: start -3 is negative\)/,
    );
  });

  it('reads a record with a million ratings, and names only a few of its bad entries', () => {
    const n = 1_000_000;
    const labels = Array.from({ length: n }, (_, i) => i % 1000);
    const startTimes = Array.from({ length: n }, (_, i) => (i % 2 ? 9999 : Math.floor(i / 1000) % 20));
    const scores = Array.from({ length: n }, (_, i) => (i % 3 ? 1 : 0));
    const bytes = writeTfRecordFeatures([rated('huge', 20, { labels, startTimes, scores })]);
    const { videos, warnings } = readTfRecordFeatures(bytes, 'huge.tfrecord');
    expect(videos[0].frames).toBe(20);
    // The odd entries start past the end; the even ones are 500 (class, start) pairs given 1,000 times each.
    expect(videos[0].segments!.length).toBe(500 * 20);
    expect(warnings[0]).toMatch(
      /500000 segment ratings dropped \(entry 1: start 9999 is past the video's end \(20 frames\); entry 3: .*; entry 5: .*; …\); 490000 segment ratings given again/,
    );
    expect(warnings[0].length).toBeLessThan(600);
  }, 60_000);

  it('never throws on damaged rating lists: cut and flipped bytes end in a video with or without ratings, or a skipped record', () => {
    const base = writeTfRecordFeatures([rated('d', 10, { labels: [1, 2, 3], startTimes: [0, 5, 9], scores: [1, 0, 0.5] })]);
    const records = (bytes: Uint8Array) => bytes.subarray(12, bytes.length - 4);
    const data = records(base);
    let seed = 1;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 2000; i++) {
      const d = data.slice();
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) d[Math.floor(rand() * d.length)] ^= 1 << Math.floor(rand() * 8);
      const { video, notes } = recordVideo(d, 'd.tfrecord', 0, 0);
      if (video?.segments) {
        for (const s of video.segments) {
          expect(Number.isSafeInteger(s.class) && s.class >= 0).toBe(true);
          expect(s.start >= 0 && s.start < (video.framesInFile ?? video.frames)).toBe(true);
          expect(Number.isFinite(s.score)).toBe(true);
        }
      }
      for (const n of notes) expect(n).toMatch(/^d\.tfrecord: record 0 /);
    }
  });

  it('streams the ratings too, and warns in the stream', async () => {
    const bytes = writeTfRecordFeatures([
      rated('s1', 10, { labels: [1], startTimes: [5], scores: [1] }),
      rated('s2', 10, { labels: [1, 2], startTimes: [5], scores: [1] }),
    ]);
    const items = [];
    for await (const item of streamFeatureFile(bytesSource('s.tfrecord', bytes), { chunkBytes: 100 }))
      if (item.kind !== 'progress') items.push(item);
    expect(items.map((i) => (i.kind === 'video' ? i.video.segments : i.message))).toEqual([
      [{ class: 1, start: 5, score: 1 }],
      expect.stringMatching(/^s\.tfrecord: record 1 \(id "s2"\): segment ratings ignored: the parallel lists differ/),
      undefined,
    ]);
  });
});
