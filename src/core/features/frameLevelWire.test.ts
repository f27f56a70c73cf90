import protobuf from 'protobufjs/light';
import { describe, expect, it } from 'vitest';
import { decodeSequenceExample, encodeSequenceExample, type Feature } from '../containers/sequenceExample';
import { seededRandom } from '../training/seeded';
import { readFrameLevelWire } from './frameLevelWire';
import { recordVideo } from './tfrecordFeatures';

/** A frame-level record encoded by protobufjs, with what the general decoder makes of it. */
function record(opts: {
  frames: number;
  id?: string;
  labels?: number[];
  rgbDim?: number;
  extraContext?: boolean;
  seed: number;
}): Uint8Array {
  const rand = seededRandom(opts.seed);
  const frame = (dim: number): Feature => ({ kind: 'bytes', values: [Uint8Array.from({ length: dim }, () => (rand() * 256) | 0)] });
  const context = new Map<string, Feature>();
  if (opts.id !== undefined) context.set('id', { kind: 'bytes', values: [new TextEncoder().encode(opts.id)] });
  if (opts.labels) context.set('labels', { kind: 'int64', values: opts.labels });
  if (opts.extraContext) context.set('mean_audio', { kind: 'float', values: [0.5, 0.25] });
  return encodeSequenceExample({
    context,
    featureLists: new Map([
      ['rgb', Array.from({ length: opts.frames }, () => frame(opts.rgbDim ?? 16))],
      ['audio', Array.from({ length: opts.frames }, () => frame(4))],
    ]),
  });
}

/** The video as the general decoder (protobufjs) reads it. */
function general(data: Uint8Array, cap: number) {
  const ex = decodeSequenceExample(data);
  const join = (name: string) => {
    const list = ex.featureLists
      .get(name)!
      .slice(0, cap)
      .map((f) => (f.kind === 'bytes' ? f.values[0] : new Uint8Array(0)));
    const out = new Uint8Array(list.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of list) {
      out.set(b, at);
      at += b.length;
    }
    return out;
  };
  const id = ex.context.get('id');
  const labels = ex.context.get('labels');
  return {
    id: id?.kind === 'bytes' ? new TextDecoder().decode(id.values[0]) : null,
    labels: labels?.kind === 'int64' ? labels.values : null,
    rgb: join('rgb'),
    audio: join('audio'),
  };
}

describe('frame-level records read off the wire', () => {
  it.each([
    { frames: 5, id: 'abc', labels: [3, 1, 3000], seed: 1 },
    { frames: 1, seed: 2 },
    { frames: 12, id: 'ünïcode ✓', labels: [], seed: 3 },
    { frames: 7, id: 'x', labels: [0], extraContext: true, seed: 4 },
    { frames: 400, id: 'long', labels: [9], seed: 5 },
  ])('read as the general decoder reads them (%o)', (opts) => {
    const data = record(opts);
    const fast = readFrameLevelWire(data, 300)!;
    expect(fast).not.toBeNull();
    const want = general(data, 300);
    expect({ id: fast.id, labels: fast.labels, rgb: fast.rgb, audio: fast.audio }).toEqual(want);
    expect(fast.count).toBe(opts.frames);
    expect(fast.frames).toBe(Math.min(300, opts.frames));
  });

  it('reads labels written one tag each (unpacked), as TensorFlow may', () => {
    const w = protobuf.Writer.create();
    w.uint32(10).fork(); // context
    w.uint32(10).fork().uint32(10).string('labels').uint32(18).fork().uint32(26).fork();
    for (const l of [4, 3000]) w.uint32(8).int64(l);
    w.ldelim().ldelim().ldelim();
    w.ldelim();
    w.uint32(18).fork();
    for (const [key, dim] of [
      ['rgb', 3],
      ['audio', 2],
    ] as const) {
      w.uint32(10).fork().uint32(10).string(key).uint32(18).fork();
      for (let t = 0; t < 2; t++)
        w.uint32(10)
          .fork()
          .uint32(10)
          .fork()
          .uint32(10)
          .bytes(new Uint8Array(dim).fill(t + 1))
          .ldelim()
          .ldelim();
      w.ldelim().ldelim();
    }
    w.ldelim();
    const fast = readFrameLevelWire(w.finish(), 300)!;
    expect(fast).toMatchObject({ labels: [4, 3000], frames: 2, rgbDim: 3, audioDim: 2 });
    expect([...fast.rgb]).toEqual([1, 1, 1, 2, 2, 2]);
  });

  it('leaves every other layout to the general decoder', () => {
    const ragged = encodeSequenceExample({
      context: new Map(),
      featureLists: new Map([
        [
          'rgb',
          [
            { kind: 'bytes', values: [new Uint8Array(4)] },
            { kind: 'bytes', values: [new Uint8Array(3)] },
          ],
        ],
        [
          'audio',
          [
            { kind: 'bytes', values: [new Uint8Array(2)] },
            { kind: 'bytes', values: [new Uint8Array(2)] },
          ],
        ],
      ]),
    });
    const floats = encodeSequenceExample({
      context: new Map(),
      featureLists: new Map([
        ['rgb', [{ kind: 'float', values: [1] }]],
        ['audio', [{ kind: 'float', values: [1] }]],
      ]),
    });
    const videoLevel = encodeSequenceExample({
      context: new Map([['mean_rgb', { kind: 'float', values: [0.1] }]]),
      featureLists: new Map(),
    });
    const negative = encodeSequenceExample({
      context: new Map([['labels', { kind: 'int64', values: [-1] }]]),
      featureLists: new Map([
        ['rgb', [{ kind: 'bytes', values: [new Uint8Array(2)] }]],
        ['audio', [{ kind: 'bytes', values: [new Uint8Array(2)] }]],
      ]),
    });
    for (const data of [ragged, floats, videoLevel, negative, new Uint8Array([0xff, 0xff, 0xff])])
      expect(readFrameLevelWire(data, 300)).toBeNull();
    // ...which explains each, as before.
    expect(recordVideo(negative, 'n.tfrecord', 0, 0).notes[0]).toMatch(/labels ignored: -1 is not a class index/);
    expect(recordVideo(ragged, 'r.tfrecord', 0, 0).notes[0]).toMatch(/rgb frame 1 has 3 bytes, expected 4/);
  });

  it('never throws on damaged records: flipped and cut bytes end in null or the same video as the general decoder', () => {
    const base = record({ frames: 6, id: 'v', labels: [1, 2], seed: 9 });
    const rand = seededRandom(10);
    for (let i = 0; i < 3000; i++) {
      const data = base.slice(0, rand() < 0.3 ? Math.floor(rand() * base.length) : base.length);
      for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) data[Math.floor(rand() * data.length)] ^= 1 << Math.floor(rand() * 8);
      const fast = readFrameLevelWire(data, 300);
      if (!fast) continue;
      let want;
      try {
        want = general(data, 300);
      } catch {
        continue; // protobufjs refuses what the wire reader took: only the layout's fields were checked
      }
      expect({ rgb: fast.rgb, audio: fast.audio }).toEqual({ rgb: want.rgb, audio: want.audio });
    }
  });
});
