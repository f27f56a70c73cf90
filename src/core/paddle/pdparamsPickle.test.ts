import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import type { NdArray } from '../ndarray';
import { readPickledParams, writePickledParams } from './pdparamsPickle';
import { readPickle } from '../containers/pickle/reader';
import { PyBytes, PyDict, PyTuple } from '../containers/pickle/values';
import { writePickle } from '../containers/pickle/writer';

const fromBase64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

/**
 * What Paddle 2.x saves, written by CPython 3.11 + numpy 2.4 (protocol 2, then 4):
 * ```python
 * params = {
 *   'fc_0.w_0': np.arange(6, dtype=np.float32).reshape(2, 3) / np.float32(4),
 *   'fc_0.b_0': np.array([0.5, -0.5], np.float32),
 *   'StructuredToParameterName@@': {'fc.weight': 'fc_0.w_0', 'fc.bias': 'fc_0.b_0'},
 *   'big@@.0': np.arange(0, 4, dtype=np.float32),
 *   'big@@.1': np.arange(4, 6, dtype=np.float32),
 *   'UnpackBigParamInfor@@': {'big': {'OriginShape': (2, 3), 'slices': ['big@@.0', 'big@@.1']}},
 * }
 * ```
 */
const PADDLE_P2 =
  'gAJ9cQAoWAgAAABmY18wLndfMHEBY251bXB5Ll9jb3JlLm11bHRpYXJyYXkKX3JlY29uc3RydWN0CnECY251bXB5Cm5kYXJyYXkKcQNLAIVxBGNfY29kZWNzCmVuY29kZQpxBVgBAAAAYnEGWAYAAABsYXRpbjFxB4ZxCFJxCYdxClJxCyhLAUsCSwOGcQxjbnVtcHkKZHR5cGUKcQ1YAgAAAGY0cQ6JiIdxD1JxEChLA1gBAAAAPHERTk5OSv////9K/////0sAdHESYoloBVgbAAAAAAAAAAAAwoA+AAAAPwAAQD8AAMKAPwAAwqA/cRNoB4ZxFFJxFXRxFmJYCAAAAGZjXzAuYl8wcRdoAmgDSwCFcRhoCYdxGVJxGihLAUsChXEbaBCJaAVYCQAAAAAAAD8AAADCv3EcaAeGcR1ScR50cR9iWBsAAABTdHJ1Y3R1cmVkVG9QYXJhbWV0ZXJOYW1lQEBxIH1xIShYCQAAAGZjLndlaWdodHEiaAFYBwAAAGZjLmJpYXNxI2gXdVgHAAAAYmlnQEAuMHEkaAJoA0sAhXElaAmHcSZScScoSwFLBIVxKGgQiWgFWBEAAAAAAAAAAADCgD8AAABAAABAQHEpaAeGcSpScSt0cSxiWAcAAABiaWdAQC4xcS1oAmgDSwCFcS5oCYdxL1JxMChLAUsChXExaBCJaAVYCgAAAAAAwoBAAADCoEBxMmgHhnEzUnE0dHE1YlgVAAAAVW5wYWNrQmlnUGFyYW1JbmZvckBAcTZ9cTdYAwAAAGJpZ3E4fXE5KFgLAAAAT3JpZ2luU2hhcGVxOksCSwOGcTtYBgAAAHNsaWNlc3E8XXE9KGgkaC1ldXN1Lg==';
const PADDLE_P4 =
  'gASV0QEAAAAAAAB9lCiMCGZjXzAud18wlIwWbnVtcHkuX2NvcmUubXVsdGlhcnJheZSMDF9yZWNvbnN0cnVjdJSTlIwFbnVtcHmUjAduZGFycmF5lJOUSwCFlEMBYpSHlFKUKEsBSwJLA4aUaAWMBWR0eXBllJOUjAJmNJSJiIeUUpQoSwOMATyUTk5OSv////9K/////0sAdJRiiUMYAAAAAAAAgD4AAAA/AABAPwAAgD8AAKA/lHSUYowIZmNfMC5iXzCUaARoB0sAhZRoCYeUUpQoSwFLAoWUaBGJQwgAAAA/AAAAv5R0lGKMG1N0cnVjdHVyZWRUb1BhcmFtZXRlck5hbWVAQJR9lCiMCWZjLndlaWdodJRoAYwHZmMuYmlhc5RoFnWMB2JpZ0BALjCUaARoB0sAhZRoCYeUUpQoSwFLBIWUaBGJQxAAAAAAAACAPwAAAEAAAEBAlHSUYowHYmlnQEAuMZRoBGgHSwCFlGgJh5RSlChLAUsChZRoEYlDCAAAgEAAAKBAlHSUYowVVW5wYWNrQmlnUGFyYW1JbmZvckBAlH2UjANiaWeUfZQojAtPcmlnaW5TaGFwZZRLAksDhpSMBnNsaWNlc5RdlChoIWgoZXVzdS4=';

const f32 = (shape: number[], values: number[]): NdArray => ({ dtype: 'float32', shape, data: Float32Array.from(values) });

function inputError(f: () => unknown): InputError {
  try {
    f();
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('expected an InputError');
}

describe('readPickledParams', () => {
  for (const [name, b64] of [
    ['protocol 2', PADDLE_P2],
    ['protocol 4', PADDLE_P4],
  ]) {
    it(`reads a Paddle 2.x file of ${name}: tables ignored, slices joined in place of the first`, () => {
      const params = readPickledParams(fromBase64(b64), 'AttentionLSTM_yt8.pdparams');
      expect([...params.keys()]).toEqual(['fc_0.w_0', 'fc_0.b_0', 'big']);
      expect(params.get('fc_0.w_0')).toEqual(f32([2, 3], [0, 0.25, 0.5, 0.75, 1, 1.25]));
      expect(params.get('fc_0.b_0')).toEqual(f32([2], [0.5, -0.5]));
      expect(params.get('big')).toEqual(f32([2, 3], [0, 1, 2, 3, 4, 5]));
    });
  }

  it('round-trips through writePickledParams in order, protocols 2 and 4, numpy 1 and 2', () => {
    const params = new Map<string, NdArray>([
      ['lstm_0.b_0', f32([1, 7], [1, 2, 3, 4, 5, 6, 7])],
      ['fc_10.w_0', { dtype: 'float64', shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) }],
      ['fc_1.w_0', { dtype: 'float16', shape: [2], data: Uint16Array.from([0x3c00, 0xc000]) }],
    ]);
    for (const protocol of [2, 4] as const) {
      for (const numpy of [1, 2] as const) {
        expect(readPickledParams(writePickledParams(params, { protocol, numpy }), 'p.pdparams')).toEqual(params);
      }
    }
    expect(readPickledParams(writePickledParams([...params], { protocol: 4 }), 'p.pdparams')).toEqual(params);
  });

  it('cuts big arrays into slices under protocol 2 as paddle.save does, and joins them on load', () => {
    const big = f32(
      [3, 4],
      Array.from({ length: 12 }, (_, i) => i),
    );
    const bytes = writePickledParams(
      new Map([
        ['big', big],
        ['small', f32([1], [7])],
      ]),
      { protocol: 2, sliceBytes: 20 },
    );
    expect((readPickle(bytes, 'sliced.pdparams') as PyDict).keys()).toEqual([
      'small',
      'big@@.0',
      'big@@.1',
      'big@@.2',
      'UnpackBigParamInfor@@',
    ]);
    const back = readPickledParams(bytes, 'sliced.pdparams');
    expect([...back.keys()]).toEqual(['small', 'big']);
    expect(back.get('big')).toEqual(big);
    // Protocol 4 has no 4 GiB limit, so nothing is cut.
    expect(
      (readPickle(writePickledParams(new Map([['big', big]]), { protocol: 4, sliceBytes: 20 }), 'p4.pdparams') as PyDict).keys(),
    ).toEqual(['big']);
  });

  it('accepts bytes keys (Python 2), an OrderedDict, and (name, array) tuples of a pickled Tensor', () => {
    const d = new PyDict(
      [
        [PyBytes.fromText('w'), f32([1], [1])],
        ['t', new PyTuple(['linear_0.w_0', f32([1], [2])])],
      ],
      true,
    );
    const back = readPickledParams(writePickle(d, { protocol: 2 }), 'old.pdparams');
    expect(back).toEqual(
      new Map([
        ['w', f32([1], [1])],
        ['t', f32([1], [2])],
      ]),
    );
  });

  it('names the file and the key of anything that is not a dict of arrays', () => {
    const write = (v: PyDict | unknown[]) => writePickle(v as PyDict, { protocol: 2 });
    expect(inputError(() => readPickledParams(write(new PyDict([['fc_0.w_0', [1, 2]]])), 'm.pdparams')).message).toBe(
      "m.pdparams: the entry 'fc_0.w_0' holds a list, not a numpy array; this is not a Paddle parameter file",
    );
    expect(inputError(() => readPickledParams(write([f32([1], [1])]), 'm.pdparams')).message).toBe(
      'm.pdparams: the pickle holds a list, not a dict of parameter names to arrays; this is not a Paddle parameter file',
    );
    expect(inputError(() => readPickledParams(write(new PyDict([[3, f32([1], [1])]])), 'm.pdparams')).message).toMatch(/a key of type int/);
    expect(inputError(() => readPickledParams(new Uint8Array([0x80, 0x02]), 'm.pdparams')).message).toMatch(
      /^m\.pdparams: the pickle ends at byte 2/,
    );
  });

  it('checks the slice table', () => {
    const table = (shape: number[], slices: string[]) =>
      new PyDict([
        [
          'big',
          new PyDict([
            ['OriginShape', shape],
            ['slices', slices],
          ]),
        ],
      ]);
    const file = (entries: [string, unknown][]) => writePickle(new PyDict(entries as [string, PyDict][]), { protocol: 4 });
    const s0 = f32([2], [1, 2]);
    expect(
      inputError(() =>
        readPickledParams(
          file([
            ['big@@.0', s0],
            ['UnpackBigParamInfor@@', table([3], ['big@@.0'])],
          ]),
          'm.pdparams',
        ),
      ).message,
    ).toBe("m.pdparams: the slices of 'big' hold 2 values but its OriginShape [3] needs 3");
    expect(inputError(() => readPickledParams(file([['UnpackBigParamInfor@@', table([2], ['big@@.0'])]]), 'm.pdparams')).message).toBe(
      "m.pdparams: the slice 'big@@.0' of 'big' is missing",
    );
    expect(inputError(() => readPickledParams(file([['UnpackBigParamInfor@@', [1]]]), 'm.pdparams')).message).toBe(
      "m.pdparams: the 'UnpackBigParamInfor@@' table is a list, not a dict",
    );
  });
});
