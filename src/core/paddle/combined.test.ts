import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { bytesSource } from '../io/byteSource';
import type { NdArray } from '../ndarray';
import { rng } from '../../../tools/testing/random';
import { readCombinedTensor, scanCombined, writeCombined } from './combined';
import { encodeTensorDesc } from './tensorDesc';
import { readWeightFiles } from './weightFiles';
import { SMALL_SIZES, randomPaddleParams } from '../../../tools/testing/random';
import { fluid1CombinedOrder } from '../model/paddleLayout';

const f32 = (shape: number[], seed: number): NdArray => {
  const r = rng(seed);
  return { dtype: 'float32', shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, r) };
};

async function expectInputError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(pattern);
}

describe('combined parameter files', () => {
  it('round-trips tensors with their shapes and data', async () => {
    const tensors = [f32([3, 4], 1), f32([7], 2), f32([1, 14], 3)];
    const src = bytesSource('w.pdparams', writeCombined(tensors));
    const recs = await scanCombined(src);
    expect(recs.map((r) => r.shape)).toEqual([[3, 4], [7], [1, 14]]);
    for (let i = 0; i < 3; i++) expect((await readCombinedTensor(src, recs[i])).data).toEqual(tensors[i].data);
  });

  it('writes records exactly as Paddle does: version, lod levels, tensor version, desc size, desc, data', () => {
    const bytes = writeCombined([{ dtype: 'float32', shape: [2], data: new Float32Array([1, -2]) }]);
    const desc = encodeTensorDesc({ dtype: 'float32', shape: [2] });
    // TensorDesc{data_type: FP32 (5), dims: 2} with dims unpacked: 08 05 10 02
    expect(Array.from(desc)).toEqual([0x08, 0x05, 0x10, 0x02]);
    expect(Array.from(bytes.subarray(0, 20))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0]);
    expect(bytes.length).toBe(20 + 4 + 8);
    expect(Array.from(new Float32Array(bytes.slice(24).buffer))).toEqual([1, -2]);
  });

  it('skips LoD levels and reads packed dims', async () => {
    const desc = new Uint8Array([0x08, 0x05, 0x12, 0x02, 0x02, 0x03]); // dims packed: [2, 3]
    const lod = new Uint8Array(8 + 8 + 16);
    const v = new DataView(lod.buffer);
    v.setUint32(0, 0, true); // version
    v.setUint32(4, 1, true); // one lod level
    v.setUint32(12, 16, true); // of 16 bytes
    const head = new Uint8Array(8);
    new DataView(head.buffer).setInt32(4, desc.length, true);
    const data = new Uint8Array(new Float32Array(6).fill(2.5).buffer);
    const file = new Uint8Array([
      ...lod.subarray(0, 4),
      ...lod.subarray(4, 12),
      ...lod.subarray(12, 20),
      ...new Uint8Array(16),
      ...head,
      ...desc,
      ...data,
    ]);
    const src = bytesSource('lod.pdparams', file);
    const [rec] = await scanCombined(src);
    expect(rec.shape).toEqual([2, 3]);
    expect(Array.from((await readCombinedTensor(src, rec)).data as Float32Array)).toEqual([2.5, 2.5, 2.5, 2.5, 2.5, 2.5]);
  });

  it('reads float16 and float64 records', async () => {
    const half: NdArray = { dtype: 'float16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) };
    const dbl: NdArray = { dtype: 'float64', shape: [1], data: new Float64Array([0.1]) };
    const src = bytesSource('mixed.pdparams', writeCombined([half, dbl]));
    const recs = await scanCombined(src);
    expect(recs.map((r) => r.dtype)).toEqual(['float16', 'float64']);
    expect(Array.from((await readCombinedTensor(src, recs[1])).data as Float64Array)).toEqual([0.1]);
  });

  it('names the record and what is wrong for every truncation of a file', async () => {
    const first = writeCombined([f32([2, 3], 1)]).length;
    const bytes = writeCombined([f32([2, 3], 1), f32([5], 2)]);
    for (let n = 1; n < bytes.length; n++) {
      const cut = scanCombined(bytesSource('cut.pdparams', bytes.subarray(0, n)));
      // Cut exactly after a whole record, the file is a valid one-tensor file; the model layer counts tensors.
      if (n === first) expect((await cut).length).toBe(1);
      else await expectInputError(cut, /^cut\.pdparams: .*(truncated|corrupted|record)/);
    }
  });

  it('rejects corrupted headers with a clear error and never runs past the file', async () => {
    const good = writeCombined([f32([2, 3], 1), f32([5], 2)]);
    const r = rng(99);
    let errors = 0;
    for (let k = 0; k < 300; k++) {
      const bad = good.slice();
      const at = Math.floor(r() * 40);
      bad[at] ^= 1 + Math.floor(r() * 255);
      const result = await scanCombined(bytesSource('bad.pdparams', bad)).then(
        () => 'ok',
        (e: unknown) => e,
      );
      if (result !== 'ok') {
        expect(result).toBeInstanceOf(InputError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(100);
  });

  it('rejects a huge declared shape without allocating it', async () => {
    const bytes = writeCombined([f32([2], 1)]);
    const desc = encodeTensorDesc({ dtype: 'float32', shape: [1 << 30, 1 << 20] });
    const head = new Uint8Array(20);
    new DataView(head.buffer).setInt32(16, desc.length, true);
    await expectInputError(
      scanCombined(bytesSource('huge.pdparams', new Uint8Array([...head, ...desc, ...bytes.subarray(24)]))),
      /needs .* bytes of data but only .* remain/,
    );
  });

  it('a file with a tensor too few says how many it holds and how many a fluid1 model has', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 3);
    const names = fluid1CombinedOrder();
    const bytes = writeCombined(names.slice(0, -1).map((n) => params.get(n)!));
    await expectInputError(
      readWeightFiles(bytesSource('short.pdparams', bytes)),
      /short\.pdparams: holds 29 tensors, but a combined fluid1 AttentionLSTM file holds 30/,
    );
  });

  it('rejects files that are not parameter files by their first bytes', async () => {
    await expectInputError(
      readWeightFiles(bytesSource('x.zip', new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]))),
      /x\.zip: not a Paddle parameter file: .*zip archive/,
    );
    await expectInputError(
      readWeightFiles(bytesSource('empty.pdparams', new Uint8Array(0))),
      /empty\.pdparams: not a Paddle parameter file/,
    );
    await expectInputError(
      readWeightFiles(bytesSource('text.pdparams', new TextEncoder().encode('hello world, not weights'))),
      /starts with bytes 68 65 6c 6c/,
    );
  });
});
