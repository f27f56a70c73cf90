import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { writeNpy } from '../containers/npy';
import { writeTfRecords } from '../containers/tfrecord';
import { detectFeatureFileKind, FEATURE_FILE_EXTENSIONS, readFeatureFile } from './read';
import { writeTfRecordFeatures } from './tfrecordFeatures';

const enc = (s: string) => new TextEncoder().encode(s);

/**
 * Python 3 `pickle.dumps([{'video': b'vidA', 'feature': np.zeros((1, 1024), np.uint8),
 * 'audio': np.full((1, 128), 255, np.uint8), 'label': [3, 5], 'nframes': 1}], protocol=2)`.
 */
const PKL = Uint8Array.from(
  atob(
    'gAJdcQB9cQEoWAUAAAB2aWRlb3ECY19jb2RlY3MKZW5jb2RlCnEDWAQAAAB2aWRBcQRYBgAAAGxhdGluMXEFhnEGUnEHWAcAAABmZWF0dXJlcQhjbnVtcHkuX2NvcmUubXVsdGlhcnJheQpfcmVjb25zdHJ1Y3QKcQljbnVtcHkKbmRhcnJheQpxCksAhXELaANYAQAAAGJxDGgFhnENUnEOh3EPUnEQKEsBSwFNAASGcRFjbnVtcHkKZHR5cGUKcRJYAgAAAHUxcROJiIdxFFJxFShLA1gBAAAAfHEWTk5OSv////9K/////0sAdHEXYoloA1gABAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAHEYaAWGcRlScRp0cRtiWAUAAABhdWRpb3EcaAloCksAhXEdaA6HcR5ScR8oSwFLAUuAhnEgaBWJaANYAAEAAMO/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w7/Dv8O/w79xIWgFhnEiUnEjdHEkYlgFAAAAbGFiZWxxJV1xJihLA0sFZVgHAAAAbmZyYW1lc3EnSwF1YS4=',
  ),
  (c) => c.charCodeAt(0),
);

const tfrecord = writeTfRecordFeatures([{ id: 'yt', labels: [1], rgb: [new Uint8Array(8)], audio: [new Uint8Array(2)] }]);
const npy = writeNpy({ dtype: 'uint8', shape: [1, 1152], data: new Uint8Array(1152) });
const json = enc(' \n{"id": "j", "rgb": [[0.5]], "audio": [[1]]}');

describe('readFeatureFile', () => {
  it('lists the extensions a file input should accept', () => {
    expect([...FEATURE_FILE_EXTENSIONS]).toEqual(['.tfrecord', '.tfrec', '.pkl', '.npy', '.json']);
  });

  it('tells formats apart by content whatever the name', () => {
    expect(detectFeatureFileKind(tfrecord, 'train0001.bin')).toBe('tfrecord');
    expect(detectFeatureFileKind(npy, 'clip.tfrecord')).toBe('npy');
    expect(detectFeatureFileKind(PKL, 'x.dat')).toBe('pkl');
    for (const first of ['(', ']', '}']) {
      expect(detectFeatureFileKind(enc(first + 'lp0'), 'x.pdparams')).toBe('pkl');
      expect(detectFeatureFileKind(enc(first + 'lp0'), 'damaged.tfrecord')).toBe('tfrecord');
    }
    expect(detectFeatureFileKind(PKL, 'renamed.tfrecord')).toBe('pkl');
    // A record of 128 bytes starts with 0x80, the pickle PROTO opcode: the checked header wins.
    expect(detectFeatureFileKind(writeTfRecords([new Uint8Array(128)]), 'x')).toBe('tfrecord');
    expect(detectFeatureFileKind(json, 'v.json')).toBe('json');
    expect(detectFeatureFileKind(json, 'v.txt')).toBe(null);
    expect(detectFeatureFileKind(enc('\ufeff[]'), 'v.JSON')).toBe('json');
  });

  it('reads every kind', () => {
    expect(readFeatureFile(tfrecord, 'train0001.tfrecord').videos[0]).toMatchObject({ id: 'yt', labels: [1], rgbDim: 8 });
    expect(readFeatureFile(npy, 'clip.npy').videos[0]).toMatchObject({ id: 'clip', frames: 1, rgbDim: 1024 });
    expect(readFeatureFile(json, 'v.json').videos[0]).toMatchObject({ id: 'j', rgbDim: 1, audioDim: 1 });
  });

  it('reads a PaddleVideo pkl through the pkl reader', () => {
    const v = readFeatureFile(PKL, 'train.pkl').videos[0];
    expect(v).toMatchObject({ id: 'vidA', frames: 1, rgbDim: 1024, audioDim: 128, labels: [3, 5] });
    expect(v.rgb[0]).toBe(Math.fround(4 / 512 - 2));
    expect(v.audio[0]).toBe(Math.fround(255 * (4 / 255) + 4 / 512 - 2));
  });

  it('falls back on the extension, so the right reader explains what is wrong', () => {
    expect(() => readFeatureFile(enc('garbage, not a record'), 'train.tfrecord')).toThrow(/^train\.tfrecord: this is not a TFRecord file/);
    expect(() => readFeatureFile(enc('garbage'), 'clip.npy')).toThrow(/^clip\.npy: not a \.npy file/);
    expect(() => readFeatureFile(enc('nope'), 'v.json')).toThrow(/^v\.json: not valid JSON/);
    expect(() => readFeatureFile(json, 'clip.tfrecord')).toThrow(InputError);
  });

  it('refuses anything else', () => {
    expect(() => readFeatureFile(enc('just some notes'), 'notes.txt')).toThrow(
      'notes.txt: not a feature file: expected a YouTube-8M TFRecord, a PaddleVideo .pkl, a .npy or a .json',
    );
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
    expect(() => readFeatureFile(png, 'cat.png')).toThrow(/^cat\.png: not a feature file/);
    expect(() => readFeatureFile(new Uint8Array(0), 'e.npy')).toThrow('e.npy: the file is empty');
  });
});
