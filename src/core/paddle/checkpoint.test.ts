import { describe, expect, it } from 'vitest';
import type { Sizes } from '../model/architecture';
import type { NdArray } from '../ndarray';
import { bytesSource } from '../io/byteSource';
import { randomPaddleParams } from '../../../tools/testing/random';
import { optimizerState, pySorted, writeCheckpoint, writeCombinedFile } from '../../../tools/testing/paddleFormats';
import { convertOutcome, cuts, expectClear, flipped, flips } from '../../../tools/testing/hostile';
import { combinedLayout } from './checkpoint';
import { readWeightFiles } from './weightFiles';

const TINY: Sizes = { rgbDim: 3, audioDim: 2, embed: 2, lstm: 1, head1: 2, head2: 2, classes: 2 };
const params = randomPaddleParams('fluid1', TINY, 2);
const NAME = 'AttentionLSTM.pdckpt';

describe('training checkpoints (.pdckpt: parameters and optimizer state in the combined layout)', () => {
  it('name every record as Python sorts the persistables, for each optimizer, with and without a schedule', () => {
    for (const optimizer of ['sgd', 'momentum', 'rmsprop', 'adam'] as const) {
      for (const [learningRate, counter] of [
        [true, true],
        [true, false],
        [false, false],
      ]) {
        if (optimizer === 'sgd' && !learningRate) continue; // that is a plain combined file
        const all = new Map([...params, ...optimizerState(params, optimizer, { learningRate, counter })]);
        const names = pySorted(all.keys());
        const layout = combinedLayout(
          names.map((n) => all.get(n)!),
          NAME,
        );
        expect(layout.names).toEqual(names);
        expect(layout.names.filter((_, i) => layout.isParam[i])).toEqual(pySorted(params.keys()));
        expect(layout.optimizer!.label).toBe({ sgd: 'SGD', momentum: 'Momentum', rmsprop: 'RMSProp', adam: 'Adam' }[optimizer]);
      }
    }
  });

  it('read the parameters and skip the rest, saying which optimizer it was', async () => {
    const {
      format,
      params: back,
      warnings,
    } = await readWeightFiles(bytesSource(NAME, writeCheckpoint(params, 'momentum', { counter: false })));
    expect(format).toBe('checkpoint');
    expect([...back.keys()]).toEqual(pySorted(params.keys()));
    for (const [n, a] of params) expect(back.get(n)).toEqual(a);
    expect(warnings).toEqual([
      `${NAME}: a training checkpoint: skipped the Momentum state (velocity of every parameter) and learning_rate_0, 31 tensors in all, and converted its 30 parameters`,
    ]);
  });

  it('a record count that fits no optimizer says what was expected', async () => {
    const all = new Map([...params, ...[...optimizerState(params, 'momentum')].slice(0, 17)]);
    expectClear(
      await convertOutcome([{ name: NAME, bytes: writeCombinedFile(all) }]),
      [NAME],
      /^AttentionLSTM\.pdckpt: holds 47 tensors, which fits neither a combined fluid1 AttentionLSTM file \(30\) nor a training checkpoint of one/,
    );
  });

  it('an accumulator of the wrong shape, or a counter that is not an integer, names the record', async () => {
    const state = optimizerState(params, 'rmsprop');
    const bad = new Map(state);
    bad.set('fc_1.w_0_momentum_0', { dtype: 'float32', shape: [3, 4], data: new Float32Array(12) });
    expectClear(
      await convertOutcome([{ name: NAME, bytes: writeCombinedFile(new Map([...params, ...bad])) }]),
      [NAME],
      /holds 122 tensors, as a training checkpoint of a fluid1 AttentionLSTM with RMSProp does, but its tensor record 16 \(float32 \[3, 4\]\) does not fit 'fc_1\.w_0_momentum_0', floating point of shape \[2, 4\]/,
    );
    const counter = new Map(state);
    counter.set('@LR_DECAY_COUNTER@', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    expectClear(
      await convertOutcome([{ name: NAME, bytes: writeCombinedFile(new Map([...params, ...counter])) }]),
      [NAME],
      /its tensor record 0 \(float32 \[1\]\) does not fit '@LR_DECAY_COUNTER@', one integer/,
    );
  });

  it('a parameter of the wrong shape is named as in any combined file', async () => {
    const wrong = new Map<string, NdArray>(params);
    wrong.set('fc_6.w_0', { dtype: 'float32', shape: [2, 5], data: new Float32Array(10) });
    expectClear(
      await convertOutcome([{ name: NAME, bytes: writeCheckpoint(wrong, 'adam') }]),
      [NAME],
      /the tensor 'fc_6\.w_0' \(audio backward LSTM input weights\) has shape \[2, 5\], expected \[2, 4\]/,
    );
  });

  it('cut at any byte: one sentence naming the file', async () => {
    const file = writeCheckpoint(params, 'rmsprop');
    for (const n of cuts(file.length, 2500)) expectClear(await convertOutcome([{ name: NAME, bytes: file.subarray(0, n) }]), [NAME]);
  });

  it('a flipped byte anywhere: the same weights or one sentence naming the file', async () => {
    const file = writeCheckpoint(params, 'adam');
    for (const [at, mask] of flips(file.length, 600, 4)) {
      const out = await convertOutcome([{ name: NAME, bytes: flipped(file, at, mask) }]);
      if (out !== 'ok') expectClear(out, [NAME]);
    }
  });
});
