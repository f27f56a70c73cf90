import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { dequantize } from './dequantize';
import { readJsonFeatures } from './json';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));
const clip = {
  id: 'v1',
  rgb: [
    [0.5, -1, 2],
    [1, 1, 1],
  ],
  audio: [[0.25], [3]],
  labels: [4, 2],
};

describe('JSON features', () => {
  it('reads one video object, floats as they are', () => {
    const { videos, warnings } = readJsonFeatures(enc(clip), 'clip.json');
    expect(warnings).toEqual([]);
    expect(videos).toEqual([
      {
        file: 'clip.json',
        index: 0,
        id: 'v1',
        frames: 2,
        rgbDim: 3,
        audioDim: 1,
        rgb: Float32Array.from([0.5, -1, 2, 1, 1, 1]),
        audio: Float32Array.from([0.25, 3]),
        labels: [4, 2],
      },
    ]);
  });

  it('reads an array of videos, deriving missing ids, skipping broken ones with a warning', () => {
    const { videos, warnings } = readJsonFeatures(enc([clip, { rgb: [[1]], audio: [[2]] }, { rgb: [[1]], audio: [] }]), 'set.json');
    expect(videos.map((v) => [v.id, v.index, v.labels])).toEqual([
      ['v1', 0, [4, 2]],
      ['set#1', 1, undefined],
    ]);
    expect(warnings).toEqual(['set.json: video 2 skipped: "rgb" has 1 frames but "audio" has 0']);
  });

  it('dequantizes only when told the values are quantized', () => {
    const q = { rgb: [[0, 128, 255]], audio: [[7]] };
    expect(readJsonFeatures(enc(q), 'q.json').videos[0].rgb).toEqual(Float32Array.from([0, 128, 255]));
    const v = readJsonFeatures(enc({ ...q, quantized: true }), 'q.json').videos[0];
    expect(v.rgb).toEqual(dequantize(Uint8Array.from([0, 128, 255])));
    expect(v.audio).toEqual(dequantize(Uint8Array.from([7])));
    expect(v.id).toBe('q');
  });

  it('clips to 300 frames', () => {
    const long = { rgb: Array.from({ length: 301 }, (_, t) => [t]), audio: Array.from({ length: 301 }, () => [0]) };
    const v = readJsonFeatures(enc(long), 'l.json').videos[0];
    expect(v.frames).toBe(300);
    expect(v.rgb[299]).toBe(299);
  });

  const invalid: [string, unknown, string][] = [
    ['not JSON', '{"rgb": [', 'c.json: not valid JSON'],
    ['a number', 42, 'c.json: expected an object with "rgb" and "audio", got 42'],
    ['no rgb', { audio: [[1]] }, 'c.json: "rgb" is missing, expected an array of frames'],
    ['no frames', { rgb: [], audio: [] }, 'c.json: "rgb" has no frames'],
    ['ragged', { rgb: [[1, 2], [3]], audio: [[1], [1]] }, 'c.json: rgb[1] has 1 values, expected 2 (as rgb[0])'],
    ['empty row', { rgb: [[]], audio: [[1]] }, 'c.json: rgb[0] is [], expected a non-empty array of numbers'],
    ['a string value', { rgb: [[1]], audio: [['x']] }, 'c.json: audio[0][0] is "x", expected a finite number'],
    ['a float32 overflow', { rgb: [[1e300]], audio: [[1]] }, 'c.json: rgb[0][0] is 1e+300, expected a finite number'],
    ['a null row', { rgb: [[1], null], audio: [[1], [1]] }, 'c.json: rgb[1] is null, expected an array of numbers'],
    ['unequal frames', { rgb: [[1], [2]], audio: [[1]] }, 'c.json: "rgb" has 2 frames but "audio" has 1'],
    [
      'bad quantized codes',
      { quantized: true, rgb: [[1.5]], audio: [[1]] },
      'c.json: "quantized" is true but rgb[0][0] = 1.5 is not an integer in 0..255',
    ],
    [
      'codes out of range',
      { quantized: true, rgb: [[1]], audio: [[256]] },
      'c.json: "quantized" is true but audio[0][0] = 256 is not an integer in 0..255',
    ],
    ['quantized not a boolean', { quantized: 'yes', rgb: [[1]], audio: [[1]] }, 'c.json: "quantized" is "yes", expected true or false'],
    ['numeric id', { id: 5, rgb: [[1]], audio: [[1]] }, 'c.json: "id" is 5, expected a string'],
    ['bad label', { rgb: [[1]], audio: [[1]], labels: [1, -2] }, 'c.json: labels[1] is -2, expected a class index (an integer >= 0)'],
    ['labels not a list', { rgb: [[1]], audio: [[1]], labels: 3 }, 'c.json: "labels" is 3, expected an array of class indices'],
    ['empty array', [], 'c.json: the JSON array holds no videos'],
    ['all broken', [{ rgb: [[1]] }, 7], 'c.json: no video could be read: video 0 skipped: "audio" is missing, expected an array of frames'],
  ];
  for (const [name, content, message] of invalid) {
    it(`rejects ${name}`, () => {
      expect(() => readJsonFeatures(enc(content), 'c.json')).toThrow(InputError);
      expect(() => readJsonFeatures(enc(content), 'c.json')).toThrow(message);
    });
  }
});

describe('hostile JSON features', () => {
  it('refuses 300,000 nested arrays with a sentence, not a stack overflow', () => {
    const deep = new TextEncoder().encode('['.repeat(300_000) + ']'.repeat(300_000));
    expect(() => readJsonFeatures(deep, 'deep.json')).toThrow(
      new InputError(
        'deep.json: no video could be read: video 0 skipped: expected an object with "rgb" and "audio", got an array nested too deep to show',
      ),
    );
  });
});
