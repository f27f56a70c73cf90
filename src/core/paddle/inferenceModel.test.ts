import { describe, expect, it } from 'vitest';
import type { Sizes } from '../model/architecture';
import { randomPaddleParams } from '../../../tools/testing/random';
import {
  type InferenceModelOptions,
  encodeProgram,
  writeCombinedFile,
  writeConvNetProgram,
  writeInferenceModel,
  writeStaticDict,
} from '../../../tools/testing/paddleFormats';
import { convertOutcome, cuts, expectClear, flipped, flips } from '../../../tools/testing/hostile';
import { decodeProgram, opSummary } from './programDesc';
import { inferenceLayout } from './inferenceModel';

const TINY: Sizes = { rgbDim: 3, audioDim: 2, embed: 2, lstm: 1, head1: 2, head2: 2, classes: 2 };
const params = randomPaddleParams('paddlevideo2', TINY, 3);
const model = (opts: InferenceModelOptions = {}) => writeInferenceModel(params, TINY, opts);
const { pdmodel, pdiparams, info } = model();
const BOTH = [pdmodel.name, pdiparams.name, `${pdmodel.name} + ${pdiparams.name}`];

describe('inference programs (.pdmodel, a ProgramDesc protobuf)', () => {
  it('decode to blocks of variables and ops', () => {
    const program = decodeProgram(pdmodel.bytes, pdmodel.name);
    const rnn = program.blocks[0].ops.find((o) => o.type === 'rnn')!;
    expect(rnn.attrs.get('mode')).toBe('LSTM');
    expect(rnn.attrs.get('is_bidirec')).toBe(true);
    expect(rnn.attrs.get('hidden_size')).toBe(TINY.lstm);
    expect(rnn.inputs.get('WeightList')).toEqual([
      'lstm_cell_0.w_0',
      'lstm_cell_0.w_1',
      'lstm_cell_1.w_0',
      'lstm_cell_1.w_1',
      'lstm_cell_0.b_0',
      'lstm_cell_0.b_1',
      'lstm_cell_1.b_0',
      'lstm_cell_1.b_1',
    ]);
    const w = program.blocks[0].vars.find((v) => v.name === 'linear_0.w_0')!;
    expect(w).toEqual({ name: 'linear_0.w_0', type: 7, persistable: true, dtype: 'float32', shape: [TINY.rgbDim, TINY.embed] });
    expect(program.blocks[0].vars.find((v) => v.name === 'rgb_data')!.shape).toEqual([-1, -1, TINY.rgbDim]);
    expect(opSummary(program)).toMatch(
      /^feed x6, matmul_v2 x7, elementwise_add x7, tanh x3, fill_constant x4, transpose2 x4, rnn x2, dropout x2, exp x2, /,
    );
  });

  it('map every parameter to its role through the ops, whatever the names', () => {
    for (const names of ['paddle', 'scrambled'] as const) {
      const m = model({ names });
      const layout = inferenceLayout(decodeProgram(m.pdmodel.bytes, 'm'), 'm');
      expect(layout.variant).toBe('paddlevideo2');
      expect(layout.roles).toEqual(m.roles);
      expect(layout.persistables.map((v) => v.name)).toEqual([...m.roles.keys()].sort());
    }
  });

  it('a program that is not an AttentionLSTM names the op types it found', async () => {
    const conv = { name: 'resnet.pdmodel', bytes: writeConvNetProgram() };
    expectClear(
      await convertOutcome([conv, pdiparams]),
      ['resnet.pdmodel'],
      /^resnet\.pdmodel: the program is not a PaddleVideo AttentionLSTM: it has no LSTM \(rnn\) op; its ops are feed, conv2d, batch_norm, relu, pool2d, matmul_v2, elementwise_add, softmax, fetch$/,
    );
    const cases: [InferenceModelOptions, RegExp][] = [
      [{ rnnMode: 'GRU' }, /its rnn op 0 is a GRU, not an LSTM; its ops are feed x6, matmul_v2 x7/],
      [{ rnnLayers: 2 }, /its rnn op 0 has 2 layers, not 1/],
      [{ bidirectional: false }, /its rnn op 0 is not bidirectional/],
      [
        { dropoutImplementation: 'downgrade_in_infer' },
        /its dropout op scales by 0\.5 at inference \(downgrade_in_infer\), which PaddleVideo 2's AttentionLSTM does not/,
      ],
    ];
    for (const [opts, pattern] of cases) {
      const m = model(opts);
      expectClear(await convertOutcome([m.pdmodel, m.pdiparams]), [m.pdmodel.name], pattern);
    }
  });

  it('a .pdiparams without its .pdmodel, or a .pdmodel without its .pdiparams, says what to add', async () => {
    expectClear(
      await convertOutcome([pdiparams]),
      [pdiparams.name],
      /^AttentionLSTM\.pdiparams: holds 30 tensors shaped as the parameters of a PaddleVideo 2 inference model \(\.pdiparams\), which store no names: give its \.pdmodel with it$/,
    );
    expectClear(
      await convertOutcome([pdmodel]),
      [pdmodel.name],
      /an inference program \(\.pdmodel\) describes the model but holds no weights: give its \.pdiparams with it/,
    );
    expectClear(
      await convertOutcome([pdmodel, info]),
      [pdmodel.name],
      /an inference program needs its parameters \(\.pdiparams, a file in the combined layout\), which are not among the files given/,
    );
  });

  it('files of two different models do not pair', async () => {
    const other = writeInferenceModel(randomPaddleParams('paddlevideo2', { ...TINY, classes: 3 }, 4), { ...TINY, classes: 3 });
    expectClear(
      await convertOutcome([pdmodel, other.pdiparams]),
      [pdiparams.name],
      /^AttentionLSTM\.pdiparams: tensor record 12 \('linear_6\.b_0' in sorted order\) is float32 \[3\], but AttentionLSTM\.pdmodel declares \[2\]; the two files do not belong together$/,
    );
    const fewer = new Map(params);
    fewer.delete('head.fc_logit.bias');
    expectClear(
      await convertOutcome([pdmodel, { name: pdiparams.name, bytes: writeCombinedFile(fewer) }]),
      [pdiparams.name],
      /holds 29 tensors, but its program AttentionLSTM\.pdmodel lists 30 persistable variables for it to hold; the two files do not belong together/,
    );
  });

  it('absurd declared shapes are checked like any other', async () => {
    const huge = model({ declaredShapes: { 'head.fc_out1.weight': [2 ** 50, 2] } });
    expectClear(
      await convertOutcome([huge.pdmodel, pdiparams]),
      BOTH,
      /tensor record \d+ \('linear_4\.w_0' in sorted order\) is float32 \[4, 2\], but AttentionLSTM\.pdmodel declares \[1125899906842624, 2\]/,
    );
    const negative = model({ declaredShapes: { 'head.fc_out1.weight': [-7, 2] } });
    expectClear(
      await convertOutcome([negative.pdmodel, pdiparams]),
      [pdmodel.name],
      /the Paddle program is malformed: the variable 'linear_4\.w_0' has an invalid dimension in \[-7, 2\]/,
    );
    // Consistent files of the wrong sizes get the usual shape message, with the program's names.
    const wrong = new Map(params);
    wrong.set('head.att_fc1.weight', { dtype: 'float32', shape: [2, 2], data: new Float32Array(4) });
    const w = writeInferenceModel(wrong, TINY);
    expectClear(
      await convertOutcome([w.pdmodel, w.pdiparams]),
      BOTH,
      /the tensor 'linear_3\.w_0' \(audio attention weights\) has shape \[2, 2\], expected \[2, 1\]/,
    );
  });

  it('extra files beside the pair: the .pdiparams.info is ignored, anything else refused', async () => {
    expect(await convertOutcome([info, pdiparams, pdmodel])).toBe('ok');
    const stray = { name: 'notes.pdparams', bytes: writeStaticDict(new Map([['x', params.get('head.fc_logit.bias')!]])) };
    expectClear(
      await convertOutcome([pdmodel, pdiparams, stray]),
      ['notes.pdparams'],
      /an extra file beside the inference model AttentionLSTM\.pdmodel \+ AttentionLSTM\.pdiparams: give only its \.pdmodel and \.pdiparams/,
    );
    const text = { name: 'README.md', bytes: new TextEncoder().encode('# exported with PaddleVideo\n') };
    expectClear(
      await convertOutcome([pdmodel, pdiparams, text]),
      ['README.md'],
      /not a Paddle parameter file: it starts with bytes 23 20 65 78/,
    );
    const second = model({ stem: 'B' });
    const renamed = { name: 'C.pdiparams', bytes: second.pdiparams.bytes };
    expectClear(
      await convertOutcome([pdmodel, second.pdmodel, renamed, { name: 'D.pdiparams', bytes: pdiparams.bytes }]),
      ['AttentionLSTM.pdmodel, B.pdmodel, C.pdiparams, D.pdiparams'],
      /give one inference program \(\.pdmodel\) and its parameters \(\.pdiparams\): the programs AttentionLSTM\.pdmodel, B\.pdmodel and the parameter files C\.pdiparams, D\.pdiparams cannot be paired by name/,
    );
    // Two pairs in one folder pair by name.
    expect(await convertOutcome([pdmodel, pdiparams, second.pdmodel, second.pdiparams].slice(0, 2))).toBe('ok');
  });

  it('either file cut at any byte: one sentence naming it, or (for a program cut after its last op) the same weights', async () => {
    for (const n of cuts(pdmodel.bytes.length, 1200)) {
      const out = await convertOutcome([{ name: pdmodel.name, bytes: pdmodel.bytes.subarray(0, n) }, pdiparams]);
      if (out !== 'ok') expectClear(out, BOTH);
    }
    for (const n of cuts(pdiparams.bytes.length, 1200)) {
      expectClear(await convertOutcome([pdmodel, { name: pdiparams.name, bytes: pdiparams.bytes.subarray(0, n) }]), BOTH);
    }
  });

  it('a flipped byte in either file: the same weights or one sentence naming a file', async () => {
    let errors = 0;
    for (const [at, mask] of flips(pdmodel.bytes.length, 800, 6)) {
      const out = await convertOutcome([{ name: pdmodel.name, bytes: flipped(pdmodel.bytes, at, mask) }, pdiparams]);
      if (out !== 'ok') {
        expectClear(out, BOTH);
        errors++;
      }
    }
    for (const [at, mask] of flips(pdiparams.bytes.length, 400, 7)) {
      const out = await convertOutcome([pdmodel, { name: pdiparams.name, bytes: flipped(pdiparams.bytes, at, mask) }]);
      if (out !== 'ok') expectClear(out, BOTH);
    }
    expect(errors).toBeGreaterThan(100);
  });

  it('a program that is not protobuf at all, or an empty one', async () => {
    const garbage = {
      name: pdmodel.name,
      bytes: Uint8Array.from([0x0a, 0x05, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
    };
    expectClear(await convertOutcome([garbage, pdiparams]), [pdmodel.name], /not a valid Paddle program \(ProgramDesc protobuf\)/);
    const empty = { name: pdmodel.name, bytes: encodeProgram({ vars: [], ops: [] }) };
    expectClear(
      await convertOutcome([empty, pdiparams]),
      BOTH,
      /no LSTM \(rnn\) op; its ops are no ops at all|lists 0 persistable variables/,
    );
  });
});
