import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs/light';
import { InputError } from '../errors';
import { decodeSequenceExample, encodeSequenceExample, isVideoLevelExample, type Feature, type SequenceExample } from './sequenceExample';

const bytes = (...v: number[]) => new Uint8Array(v);

const example: SequenceExample = {
  context: new Map<string, Feature>([
    ['id', { kind: 'bytes', values: [new TextEncoder().encode('vid1')] }],
    ['labels', { kind: 'int64', values: [0, 5, 3861, 2 ** 40] }],
    ['score', { kind: 'float', values: [0.5, -1.25] }],
  ]),
  featureLists: new Map<string, Feature[]>([
    [
      'rgb',
      [
        { kind: 'bytes', values: [bytes(1, 2, 3)] },
        { kind: 'bytes', values: [bytes(4, 5, 6)] },
      ],
    ],
    [
      'audio',
      [
        { kind: 'bytes', values: [bytes(7)] },
        { kind: 'bytes', values: [bytes(8)] },
      ],
    ],
  ]),
};

/** Writes a SequenceExample field by field, so tests can shape the wire format themselves. */
function handWritten(labels: number[], packed: boolean): Uint8Array {
  const w = protobuf.Writer.create();
  const entry = (key: string, feature: () => void) => {
    w.uint32((1 << 3) | 2).fork(); // map entry
    w.uint32((1 << 3) | 2).string(key);
    w.uint32((2 << 3) | 2).fork();
    feature();
    w.ldelim();
    w.ldelim();
  };
  w.uint32((1 << 3) | 2).fork(); // context
  entry('id', () => {
    w.uint32((1 << 3) | 2)
      .fork()
      .uint32((1 << 3) | 2)
      .bytes(bytes(0x61))
      .ldelim();
  });
  entry('labels', () => {
    w.uint32((3 << 3) | 2).fork(); // int64_list
    if (packed) {
      w.uint32((1 << 3) | 2).fork();
      for (const l of labels) w.int64(l);
      w.ldelim();
    } else {
      for (const l of labels) w.uint32(1 << 3).int64(l);
    }
    w.ldelim();
  });
  w.ldelim();
  w.uint32((2 << 3) | 2).fork(); // feature_lists
  w.uint32((1 << 3) | 2)
    .fork()
    .uint32((1 << 3) | 2)
    .string('rgb');
  w.uint32((2 << 3) | 2).fork(); // FeatureList
  w.uint32((1 << 3) | 2)
    .fork()
    .uint32((1 << 3) | 2)
    .fork()
    .uint32((1 << 3) | 2)
    .bytes(bytes(9, 9))
    .ldelim()
    .ldelim();
  w.ldelim().ldelim().ldelim();
  return w.finish();
}

describe('SequenceExample', () => {
  it('round-trips every feature kind', () => {
    const back = decodeSequenceExample(encodeSequenceExample(example));
    expect(back.context.get('id')).toEqual(example.context.get('id'));
    expect(back.context.get('labels')).toEqual(example.context.get('labels'));
    expect(back.context.get('score')).toEqual(example.context.get('score'));
    expect(back.featureLists).toEqual(example.featureLists);
    const b = back.context.get('id');
    expect(b?.kind === 'bytes' && b.values[0].constructor).toBe(Uint8Array);
  });

  it('reads int64 lists packed and unpacked alike', () => {
    for (const packed of [true, false]) {
      const ex = decodeSequenceExample(handWritten([1, 300, 3861], packed));
      expect(ex.context.get('labels')).toEqual({ kind: 'int64', values: [1, 300, 3861] });
      expect(ex.featureLists.get('rgb')).toEqual([{ kind: 'bytes', values: [bytes(9, 9)] }]);
    }
  });

  it('writes labels packed, as TensorFlow does', () => {
    const packed = handWritten([1, 2], true);
    const ours = encodeSequenceExample(decodeSequenceExample(packed));
    expect([...ours]).toEqual([...packed]);
  });

  it('tells a video-level tf.train.Example apart', () => {
    const videoLevel: SequenceExample = {
      context: new Map<string, Feature>([
        ['id', { kind: 'bytes', values: [bytes(1)] }],
        ['mean_rgb', { kind: 'float', values: [0.1, 0.2] }],
      ]),
      featureLists: new Map(),
    };
    expect(isVideoLevelExample(decodeSequenceExample(encodeSequenceExample(videoLevel)))).toBe(true);
    expect(isVideoLevelExample(example)).toBe(false);
  });

  it('turns malformed protobuf into an InputError', () => {
    for (const bad of [bytes(0x0a, 0x05, 1), bytes(0x0f), bytes(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)]) {
      expect(() => decodeSequenceExample(bad)).toThrow(InputError);
    }
    expect(() => decodeSequenceExample(bytes(0x0a, 0x05, 1))).toThrow(/not a tf\.train\.SequenceExample/);
  });
});
