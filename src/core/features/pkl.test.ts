import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import type { NdArray } from '../ndarray';
import { PyBytes, PyDict, type PyValue } from '../containers/pickle/values';
import { writePickle } from '../containers/pickle/writer';
import { dequantize } from './dequantize';
import { readPklFeatures } from './pkl';
import { MAX_FRAMES } from './featureTypes';

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/**
 * CPython 3.11 + numpy 2.4, protocol 2, as tf2pkl.py writes (bytes ids) and as already
 * dequantized data would be stored (float arrays, numpy ints):
 * ```python
 * [{'video': b'vid0', 'feature': (np.arange(40) % 256).astype(np.uint8).reshape(5, 8),
 *   'audio': np.full((5, 4), 255, np.uint8), 'label': [1, 3], 'nframes': 5},
 *  {'video': 'vid1', 'feature': np.arange(24, dtype=np.float32).reshape(3, 8) / np.float32(8),
 *   'audio': np.ones((3, 4), np.float32), 'label': np.array([2]), 'nframes': np.int64(2)}]
 * ```
 */
const PKL_LIST_P2 =
  'gAJdcQAofXEBKFgFAAAAdmlkZW9xAmNfY29kZWNzCmVuY29kZQpxA1gEAAAAdmlkMHEEWAYAAABsYXRpbjFxBYZxBlJxB1gHAAAAZmVhdHVyZXEIY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKX3JlY29uc3RydWN0CnEJY251bXB5Cm5kYXJyYXkKcQpLAIVxC2gDWAEAAABicQxoBYZxDVJxDodxD1JxEChLAUsFSwiGcRFjbnVtcHkKZHR5cGUKcRJYAgAAAHUxcROJiIdxFFJxFShLA1gBAAAAfHEWTk5OSv////9K/////0sAdHEXYoloA1goAAAAAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJ3EYaAWGcRlScRp0cRtiWAUAAABhdWRpb3EcaAloCksAhXEdaA6HcR5ScR8oSwFLBUsEhnEgaBWJaANYKAAAAMO/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w79xIWgFhnEiUnEjdHEkYlgFAAAAbGFiZWxxJV1xJihLAUsDZVgHAAAAbmZyYW1lc3EnSwV1fXEoKGgCWAQAAAB2aWQxcSloCGgJaApLAIVxKmgOh3ErUnEsKEsBSwNLCIZxLWgSWAIAAABmNHEuiYiHcS9ScTAoSwNYAQAAADxxMU5OTkr/////Sv////9LAHRxMmKJaANYagAAAAAAAAAAAAA+AADCgD4AAMOAPgAAAD8AACA/AABAPwAAYD8AAMKAPwAAwpA/AADCoD8AAMKwPwAAw4A/AADDkD8AAMOgPwAAw7A/AAAAQAAACEAAABBAAAAYQAAAIEAAAChAAAAwQAAAOEBxM2gFhnE0UnE1dHE2YmgcaAloCksAhXE3aA6HcThScTkoSwFLA0sEhnE6aDCJaANYPAAAAAAAwoA/AADCgD8AAMKAPwAAwoA/AADCgD8AAMKAPwAAwoA/AADCgD8AAMKAPwAAwoA/AADCgD8AAMKAP3E7aAWGcTxScT10cT5iaCVoCWgKSwCFcT9oDodxQFJxQShLAUsBhXFCaBJYAgAAAGk4cUOJiIdxRFJxRShLA2gxTk5OSv////9K/////0sAdHFGYoloA1gIAAAAAgAAAAAAAABxR2gFhnFIUnFJdHFKYmgnY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKc2NhbGFyCnFLaEVoA1gIAAAAAgAAAAAAAABxTGgFhnFNUnFOhnFPUnFQdWUu';

/** `{b'video': b'solo', b'feature': np.zeros((2, 8), np.uint8), b'audio': np.zeros((2, 4), np.uint8), b'label': [7], b'nframes': 2}`, bytes keys as from Python 2. */
const PKL_BYTES_KEYS_P2 =
  'gAJ9cQAoY19jb2RlY3MKZW5jb2RlCnEBWAUAAAB2aWRlb3ECWAYAAABsYXRpbjFxA4ZxBFJxBWgBWAQAAABzb2xvcQZoA4ZxB1JxCGgBWAcAAABmZWF0dXJlcQloA4ZxClJxC2NudW1weS5fY29yZS5tdWx0aWFycmF5Cl9yZWNvbnN0cnVjdApxDGNudW1weQpuZGFycmF5CnENSwCFcQ5oAVgBAAAAYnEPaAOGcRBScRGHcRJScRMoSwFLAksIhnEUY251bXB5CmR0eXBlCnEVWAIAAAB1MXEWiYiHcRdScRgoSwNYAQAAAHxxGU5OTkr/////Sv////9LAHRxGmKJaAFYEAAAAAAAAAAAAAAAAAAAAAAAAABxG2gDhnEcUnEddHEeYmgBWAUAAABhdWRpb3EfaAOGcSBScSFoDGgNSwCFcSJoEYdxI1JxJChLAUsCSwSGcSVoGIloAVgIAAAAAAAAAAAAAABxJmgDhnEnUnEodHEpYmgBWAUAAABsYWJlbHEqaAOGcStScSxdcS1LB2FoAVgHAAAAbmZyYW1lc3EuaAOGcS9ScTBLAnUu';

const u8 = (frames: number, dim: number, fill = 0): NdArray => ({
  dtype: 'uint8',
  shape: [frames, dim],
  data: new Uint8Array(frames * dim).fill(fill),
});

function record(o: { frames?: number; audioFrames?: number; nframes?: number; id?: string; label?: PyValue }): PyDict {
  const d = new PyDict([
    ['video', PyBytes.fromText(o.id ?? 'v')],
    ['feature', u8(o.frames ?? 4, 8, 10)],
    ['audio', u8(o.audioFrames ?? o.frames ?? 4, 4, 20)],
  ]);
  if (o.label !== undefined) d.set('label', o.label);
  if (o.nframes !== undefined) d.set('nframes', o.nframes);
  return d;
}

const pkl = (v: PyValue, protocol: 2 | 4 = 2) => writePickle(v, { protocol });

describe('dequantize', () => {
  it('maps q to q * 4/255 + 4/512 - 2 computed in float64, as float32 (values from numpy)', () => {
    const x = dequantize(Uint8Array.from([0, 1, 128, 254, 255]));
    // np.float32(np.float64(q) * (4/255.0) + (4/512.0 - 2)) for q = 0, 1, 128, 254, 255:
    expect(Array.from(x)).toEqual([-1.9921875, -1.976501226425171, 0.01565563678741455, 1.992126226425171, 2.0078125]);
  });
});

describe('readPklFeatures', () => {
  it('reads a CPython list of records: uint8 dequantized, floats as they are, nframes honoured', () => {
    const { videos, warnings } = readPklFeatures(fromBase64(PKL_LIST_P2), 'train.pkl');
    expect(warnings).toEqual([]);
    expect(videos.map((v) => [v.file, v.index, v.id, v.frames, v.rgbDim, v.audioDim, v.labels])).toEqual([
      ['train.pkl', 0, 'vid0', 5, 8, 4, [1, 3]],
      ['train.pkl', 1, 'vid1', 2, 8, 4, [2]],
    ]);
    expect(videos[0].rgb).toEqual(dequantize(Uint8Array.from({ length: 40 }, (_, i) => i)));
    expect(videos[0].audio).toEqual(new Float32Array(20).fill(2.0078125));
    expect(videos[1].rgb).toEqual(Float32Array.from({ length: 16 }, (_, i) => i / 8));
    expect(videos[1].audio).toEqual(new Float32Array(8).fill(1));
  });

  it('reads a single record with bytes keys (PaddleVideo 2.x, Python 2)', () => {
    const { videos } = readPklFeatures(fromBase64(PKL_BYTES_KEYS_P2), 'solo.pkl');
    expect(videos).toHaveLength(1);
    expect(videos[0]).toMatchObject({ index: 0, id: 'solo', frames: 2, rgbDim: 8, audioDim: 4, labels: [7] });
    expect(videos[0].rgb).toEqual(new Float32Array(16).fill(-1.9921875));
  });

  it('uses only the first nframes frames and at most MAX_FRAMES', () => {
    const { videos } = readPklFeatures(
      pkl(
        [
          record({ frames: 10, nframes: 3 }),
          record({ frames: MAX_FRAMES + 17 }),
          record({ frames: MAX_FRAMES + 17, nframes: MAX_FRAMES + 5 }),
        ],
        4,
      ),
      'v.pkl',
    );
    expect(videos.map((v) => [v.frames, v.rgb.length, v.audio.length])).toEqual([
      [3, 24, 12],
      [MAX_FRAMES, MAX_FRAMES * 8, MAX_FRAMES * 4],
      [MAX_FRAMES, MAX_FRAMES * 8, MAX_FRAMES * 4],
    ]);
  });

  it('skips a broken record with a warning and keeps the others', () => {
    const { videos, warnings } = readPklFeatures(
      pkl([record({ id: 'a' }), record({ id: 'b', frames: 40, audioFrames: 12 }), record({ id: 'c' })]),
      'videos.pkl',
    );
    expect(videos.map((v) => [v.id, v.index])).toEqual([
      ['a', 0],
      ['c', 2],
    ]);
    expect(warnings).toEqual(["videos.pkl: record 1 skipped: 'audio' has 12 frames but 'feature' has 40"]);
  });

  it('explains each kind of broken record', () => {
    const noAudio = record({});
    noAudio.set('audio', null);
    const listFeature = record({});
    listFeature.set('feature', [1, 2]);
    const flat = record({});
    flat.set('feature', { dtype: 'uint8', shape: [8], data: new Uint8Array(8) } as NdArray);
    const ints = record({});
    ints.set('feature', { dtype: 'int32', shape: [4, 8], data: new Int32Array(32) } as NdArray);
    const nan = record({});
    nan.set('audio', { dtype: 'float32', shape: [4, 4], data: new Float32Array(16).fill(NaN) } as NdArray);
    const withoutAudio = new PyDict([['feature', u8(2, 8)]]);
    const { warnings } = readPklFeatures(
      pkl([
        record({ frames: 4, nframes: 9 }),
        noAudio,
        listFeature,
        flat,
        ints,
        nan,
        withoutAudio,
        record({ frames: 0 }),
        [1],
        record({ id: 'ok' }),
      ]),
      'x.pkl',
    );
    expect(warnings).toEqual([
      "x.pkl: record 0 skipped: 'nframes' is 9 but 'feature' has only 4 frames",
      "x.pkl: record 1 skipped: 'audio' is None, not a numpy array",
      "x.pkl: record 2 skipped: 'feature' is a list, not a numpy array",
      "x.pkl: record 3 skipped: 'feature' has shape [8], expected [frames, features]",
      "x.pkl: record 4 skipped: 'feature' holds int32, expected uint8 (quantized) or float features",
      "x.pkl: record 5 skipped: 'audio' frame 0 holds NaN: features must be finite numbers",
      "x.pkl: record 6 skipped: it has no 'audio' (it has 'feature')",
      'x.pkl: record 7 skipped: it has no frames',
      'x.pkl: record 8 skipped: it is a list, not a dict',
    ]);
  });

  it('keeps a video whose labels are unusable, with a warning, and names videos without an id', () => {
    const noId = record({ label: [1, 'x'] });
    noId.set('video', null);
    const { videos, warnings } = readPklFeatures(pkl([record({ label: 5 }), noId]), 'clips/set.pkl');
    expect(videos.map((v) => [v.id, v.labels])).toEqual([
      ['v', [5]],
      ['set#1', undefined],
    ]);
    expect(warnings).toEqual(['clips/set.pkl: record 1: labels ignored: x is not a class index']);
  });

  it('throws an InputError when no video can be read', () => {
    expect(() => readPklFeatures(pkl([record({ frames: 3, audioFrames: 2 })]), 'bad.pkl')).toThrow(
      new InputError("bad.pkl: no video could be read: record 0 skipped: 'audio' has 2 frames but 'feature' has 3"),
    );
    expect(() => readPklFeatures(pkl([]), 'empty.pkl')).toThrow(
      new InputError('empty.pkl: no video could be read: the pickle holds no records'),
    );
    expect(() => readPklFeatures(pkl('text'), 's.pkl')).toThrow(/^s\.pkl: the pickle holds a str, not a list of PaddleVideo records/);
    expect(() => readPklFeatures(new Uint8Array([0x80, 0x02, 0x5d]), 't.pkl')).toThrow(/^t\.pkl: the pickle ends at byte 3/);
  });
});

describe('hostile PaddleVideo pkl', () => {
  /** A record whose `key` is `depth` lists nested in each other, spliced in as opcodes (a writer would recurse). */
  function nested(key: 'label' | 'nframes', depth: number): Uint8Array {
    const bytes = pkl([record({ [key]: 'SENTINEL' })]);
    const sentinel = [0x58, 8, 0, 0, 0, ...new TextEncoder().encode('SENTINEL')];
    const at = bytes.findIndex((_, i) => sentinel.every((b, j) => bytes[i + j] === b));
    expect(at).toBeGreaterThan(0);
    const lists = new Uint8Array(2 * depth - 1);
    lists.fill(0x5d, 0, depth); // EMPTY_LIST
    lists.fill(0x61, depth); // APPEND each into the one before
    return Uint8Array.from([...bytes.subarray(0, at), ...lists, ...bytes.subarray(at + sentinel.length)]);
  }

  it('reads a record whose label is 100,000 nested lists, ignoring the label, without overflowing the stack', () => {
    const { videos, warnings } = readPklFeatures(nested('label', 100_000), 'deep.pkl');
    expect(videos).toHaveLength(1);
    expect(videos[0].labels).toBeUndefined();
    expect(warnings).toEqual(['deep.pkl: record 0: labels ignored: a list is not a class index']);
  });

  it('skips a record whose nframes is 100,000 nested lists, saying what it is', () => {
    expect(() => readPklFeatures(nested('nframes', 100_000), 'deep.pkl')).toThrow(
      /^deep\.pkl: no video could be read: record 0 skipped: 'nframes' is a list, not a frame count$/,
    );
  });
});
