import { describe, expect, it } from 'vitest';
import type { Sizes } from '../model/architecture';
import { bytesSource } from '../io/byteSource';
import { randomPaddleParams } from '../../../tools/testing/random';
import { optimizerState, tensorDescBytes, writeFluid1InferenceModel, writeStaticDict } from '../../../tools/testing/paddleFormats';
import { convertOutcome, cuts, expectClear, flipped, flips } from '../../../tools/testing/hostile';
import { DETECT_BYTES, detectLayout } from './detect';
import { scanStaticDict } from './staticDict';
import { readWeightFiles } from './weightFiles';

const TINY: Sizes = { rgbDim: 3, audioDim: 2, embed: 2, lstm: 1, head1: 2, head2: 2, classes: 2 };
const params = randomPaddleParams('fluid1', TINY, 1);
const file = writeStaticDict(params);
const NAME = 'AttentionLSTM.pdparams';

/** Byte offset of the first record's u64 name length, after the reserve, TNUM, count and NAME. */
const FIRST_NAME_LENGTH = 256 + 4 + 8 + 4;

function patched(at: number, write: (v: DataView) => void, bytes = file): Uint8Array {
  const out = bytes.slice();
  write(new DataView(out.buffer, at));
  return out;
}

describe('Paddle 1.6 fluid.save files (TNUM at byte 256)', () => {
  it('are told apart by TNUM before anything else, whatever the reserved bytes hold', () => {
    for (const first of [0x00, 0x80, 0x28, 0x7d, 0x0a, 0x50]) {
      const reserved = new Uint8Array(256).fill(first);
      expect(detectLayout(writeStaticDict(params, reserved).subarray(0, DETECT_BYTES), 'x')).toBe('static-dict');
    }
  });

  it('read every tensor with its name, in order', async () => {
    const recs = await scanStaticDict(bytesSource(NAME, file));
    expect(recs.map((r) => r.name)).toEqual([...params.keys()]);
    const { format, params: back } = await readWeightFiles(bytesSource(NAME, file));
    expect(format).toBe('static-dict');
    for (const [n, a] of params) expect(back.get(n)).toEqual(a);
  });

  it('cut at any byte: one sentence naming the file', async () => {
    for (const n of cuts(file.length)) expectClear(await convertOutcome([{ name: NAME, bytes: file.subarray(0, n) }]), [NAME]);
  });

  it('a flipped byte anywhere: the same weights or one sentence naming the file, never another error', async () => {
    let errors = 0;
    for (const [at, mask] of flips(file.length, 600, 3)) {
      const out = await convertOutcome([{ name: NAME, bytes: flipped(file, at, mask) }]);
      if (out !== 'ok') {
        expectClear(out, [NAME]);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(50);
  });

  it('absurd counts, lengths and dims are refused without allocating them', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [
        patched(260, (v) => v.setBigUint64(0, 0xffff_ffff_ffff_ffffn, true)),
        /claims 18446744073709552000 tensors, more than its \d+ bytes can hold/,
      ],
      [patched(260, (v) => v.setBigUint64(0, 0n, true)), /holds no tensors/],
      [
        patched(FIRST_NAME_LENGTH, (v) => v.setBigUint64(0, 1n << 40n, true)),
        /tensor 0 at byte 268 declares a name of 1099511627776 bytes/,
      ],
      [patched(256 + 12, (v) => v.setUint8(0, 0x4e ^ 1)), /tensor 0 at byte 268 does not start with the mark 'NAME'/],
    ];
    // The first record's name, version and desc size follow its name length.
    const nameLength = Number(new DataView(file.buffer).getBigUint64(FIRST_NAME_LENGTH, true));
    const version = FIRST_NAME_LENGTH + 8 + nameLength;
    cases.push([patched(version, (v) => v.setUint32(0, 7, true)), /the tensor 'fc_0\.b_0' has version 7, expected 0/]);
    cases.push([patched(version + 4, (v) => v.setInt32(0, -1, true)), /the tensor 'fc_0\.b_0' declares a -1-byte tensor description/]);
    cases.push([patched(FIRST_NAME_LENGTH + 8, (v) => v.setUint8(0, 0xff)), /the name of tensor 0 at byte 280 is not valid UTF-8/]);
    // One tensor whose description declares 2^40 x 2^40 floats.
    const single = writeStaticDict(new Map([['x', { dtype: 'float32', shape: [1], data: new Float32Array(1) }]]));
    const hugeDesc = tensorDescBytes('float32', [2 ** 40, 2 ** 40]);
    const descAt = 268 + 4 + 8 + 1 + 4 + 4;
    const huge = new Uint8Array([
      ...single.subarray(0, descAt - 4),
      ...new Uint8Array(new Int32Array([hugeDesc.length]).buffer),
      ...hugeDesc,
      ...single.subarray(descAt + 4),
    ]);
    cases.push([
      huge,
      /the tensor 'x' \(float32 \[1099511627776, 1099511627776\]\) needs 4\.835703278458517e\+24 bytes of data but only 4 remain; the file is truncated/,
    ]);
    cases.push([new Uint8Array([...file, 0, 0]), /2 bytes follow the last of its 30 tensors/]);
    for (const [bytes, pattern] of cases) expectClear(await convertOutcome([{ name: NAME, bytes }]), [NAME], pattern);
  });

  it('a tensor named twice is refused', async () => {
    const b = params.get('fc_0.b_0')!;
    const bytes = writeStaticDict(
      new Map([
        ['fc_0.b_0', b],
        ['fc_0.b_1', b],
      ]),
    );
    const at = new TextDecoder('latin1').decode(bytes).indexOf('fc_0.b_1');
    bytes[at + 7] = 0x30; // 'fc_0.b_1' -> 'fc_0.b_0'
    expectClear(await convertOutcome([{ name: NAME, bytes }]), [NAME], /the tensor 'fc_0\.b_0' appears twice/);
  });

  it('a .pdopt alone says it holds optimizer state; beside its .pdparams and .pdmodel it is ignored', async () => {
    const pdopt = { name: 'AttentionLSTM.pdopt', bytes: writeStaticDict(optimizerState(params, 'adam')) };
    expectClear(
      await convertOutcome([pdopt]),
      ['AttentionLSTM.pdopt'],
      /holds only optimizer state \('@LR_DECAY_COUNTER@', 'fc_0\.b_0_beta1_pow_acc_0' and \d+ more\), as the \.pdopt that Paddle 1\.6's fluid\.save writes beside the \.pdparams does; convert the \.pdparams/,
    );
    const all = [{ name: NAME, bytes: file }, pdopt, { name: 'AttentionLSTM.pdmodel', bytes: writeFluid1InferenceModel(params)[0].bytes }];
    expect(await convertOutcome(all)).toBe('ok');
    const { warnings } = await readWeightFiles(all.map((f) => bytesSource(f.name, f.bytes)));
    expect(warnings).toEqual([
      `${NAME}: ignored AttentionLSTM.pdopt, which holds only optimizer state`,
      `${NAME}: ignored AttentionLSTM.pdmodel, a program, which holds no weights`,
    ]);
  });

  it('a tensor missing or of the wrong shape is named', async () => {
    const short = new Map(params);
    short.delete('lstm_1.b_0');
    expectClear(
      await convertOutcome([{ name: NAME, bytes: writeStaticDict(short) }]),
      [NAME],
      /the tensor 'lstm_1\.b_0' \(rgb backward LSTM gate bias and peepholes\) is missing/,
    );
    const wrong = new Map(params);
    wrong.set('fc_5.w_0', { dtype: 'float32', shape: [3, 4], data: new Float32Array(12) });
    expectClear(
      await convertOutcome([{ name: NAME, bytes: writeStaticDict(wrong) }]),
      [NAME],
      /the tensor 'fc_5\.w_0' \(audio forward LSTM input weights\) has shape \[3, 4\], expected \[2, 4\]/,
    );
  });
});
