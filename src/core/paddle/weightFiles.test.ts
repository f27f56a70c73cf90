import { describe, expect, it } from 'vitest';
import type { Sizes } from '../model/architecture';
import { bytesSource } from '../io/byteSource';
import { randomPaddleParams } from '../../../tools/testing/random';
import {
  combinedRecord,
  optimizerState,
  writeCombinedFile,
  writeFluid1InferenceModel,
  writeInferenceModel,
  writeParamFolder,
  writeStaticDict,
} from '../../../tools/testing/paddleFormats';
import { convertOutcome, cuts, expectClear, flipped, flips } from '../../../tools/testing/hostile';
import { writePickledParams } from './pdparamsPickle';
import { indexWeightFiles, readWeightFiles } from './weightFiles';

const TINY: Sizes = { rgbDim: 3, audioDim: 2, embed: 2, lstm: 1, head1: 2, head2: 2, classes: 2 };
const params = randomPaddleParams('fluid1', TINY, 5);
const folder = writeParamFolder(params);
const FOLDER = 'pretrain';

describe('parameter folders (fluid.io.save_params(dirname): one record per file, named as the parameter)', () => {
  it('read every parameter from its file, in any order given', async () => {
    const shuffled = [...folder].reverse();
    const { format, params: back } = await readWeightFiles(shuffled.map((f) => bytesSource(f.name, f.bytes)));
    expect(format).toBe('param-folder');
    for (const [n, a] of params) expect(back.get(n)).toEqual(a);
    const index = await indexWeightFiles(
      shuffled.map((f) => bytesSource(f.name, f.bytes)),
      { name: FOLDER },
    );
    expect(index.name).toBe(FOLDER);
    expect(index.files.map((f) => f.src.name)).toEqual(folder.map((f) => f.name));
  });

  it('a missing file names the folder, the file and its role', async () => {
    const less = folder.filter((f) => f.name !== 'lstm_1.b_0');
    expectClear(
      await convertOutcome(less, { name: FOLDER }),
      [FOLDER],
      /^pretrain: the parameter folder has no file 'lstm_1\.b_0' \(rgb backward LSTM gate bias and peepholes\); it must hold one file per parameter of a fluid1 AttentionLSTM$/,
    );
    const fewer = folder.filter((f) => !f.name.startsWith('fc_1'));
    expectClear(
      await convertOutcome(fewer),
      ['parameter folder of 26 files'],
      /has no file 'fc_1\.w_0' \(rgb forward LSTM input weights\) and 3 more \('fc_1\.b_0', 'fc_10\.w_0', 'fc_10\.b_0'\)/,
    );
  });

  it('an extra file is refused, naming it, unless it is what Paddle writes beside parameters', async () => {
    const stray = { name: 'fc_11.w_0', bytes: combinedRecord(params.get('fc_10.w_0')!) };
    expectClear(
      await convertOutcome([...folder, stray], { name: FOLDER }),
      ['fc_11.w_0'],
      /^fc_11\.w_0: this file of the parameter folder is named as no parameter of a fluid1 AttentionLSTM, nor as optimizer state; it belongs to another model, or does not belong in the folder$/,
    );
    const text = { name: 'README.txt', bytes: new TextEncoder().encode('AttentionLSTM pretrained on YouTube-8M') };
    expectClear(
      await convertOutcome([...folder, text], { name: FOLDER }),
      ['README.txt'],
      /not a Paddle parameter file: it starts with bytes 41 74 74 65/,
    );
    const two = { name: 'extra.pdparams', bytes: writeCombinedFile(new Map([...params].slice(0, 2))) };
    expectClear(
      await convertOutcome([...folder, two], { name: FOLDER }),
      ['extra.pdparams'],
      /holds 2 tensors, where each file of a parameter folder holds one tensor record: it does not belong among the folder's files/,
    );
    const pickle = { name: 'model.pdparams', bytes: writePickledParams(params, { protocol: 2 }) };
    expectClear(
      await convertOutcome([...folder, pickle], { name: FOLDER }),
      ['model.pdparams'],
      /is a pickle, where each file of a parameter folder holds one tensor record/,
    );
    // Optimizer state, the learning rate and __model__ are noted, not refused.
    const byProducts = [...writeParamFolder(optimizerState(params, 'adam')), writeFluid1InferenceModel(params)[0]];
    expect(await convertOutcome([...folder, ...byProducts], { name: FOLDER })).toBe('ok');
  });

  it('a file named as a parameter but holding the wrong shape is named', async () => {
    const wrong = folder.map((f) =>
      f.name === 'fc_2.w_0' ? { name: f.name, bytes: combinedRecord({ dtype: 'float32', shape: [2, 5], data: new Float32Array(10) }) } : f,
    );
    expectClear(
      await convertOutcome(wrong, { name: FOLDER }),
      [FOLDER],
      /the tensor 'fc_2\.w_0' \(rgb backward LSTM input weights\) has shape \[2, 5\], expected \[2, 4\]/,
    );
  });

  it('one file of a folder alone says to give the whole folder', async () => {
    expectClear(
      await convertOutcome([folder[0]]),
      [folder[0].name],
      /holds a single tensor \(float32 \[2\]\), as each file of a parameter folder written by fluid\.io\.save_params\(dirname\) does: give all of the folder's files/,
    );
  });

  it('any file cut at any byte, or with a flipped byte: one sentence naming it', async () => {
    for (const victim of [0, 7, 29]) {
      const f = folder[victim];
      for (const n of cuts(f.bytes.length)) {
        const files = folder.map((g, i) => (i === victim ? { name: g.name, bytes: g.bytes.subarray(0, n) } : g));
        expectClear(await convertOutcome(files, { name: FOLDER }), [f.name, FOLDER]);
      }
      for (const [at, mask] of flips(f.bytes.length, 150, victim)) {
        const files = folder.map((g, i) => (i === victim ? { name: g.name, bytes: flipped(g.bytes, at, mask) } : g));
        const out = await convertOutcome(files, { name: FOLDER });
        if (out !== 'ok') expectClear(out, [f.name, FOLDER]);
      }
    }
  });
});

describe('sets of files', () => {
  it('no files, or one file given twice', async () => {
    expectClear(await convertOutcome([]), ['weights'], /no weight files were given/);
    expectClear(await convertOutcome([folder[0], folder[0]]), [folder[0].name], /the file is given twice/);
  });

  it('two weight files at once are refused, listing them', async () => {
    const a = { name: 'a.pdparams', bytes: writeCombinedFile(params) };
    const b = { name: 'b.pdparams', bytes: writePickledParams(params, { protocol: 4 }) };
    expectClear(
      await convertOutcome([a, b]),
      ['a.pdparams, b.pdparams'],
      /give one weight file, the files of one parameter folder, or an inference model's \.pdmodel and \.pdiparams; these 2 files each hold weights: a\.pdparams, b\.pdparams/,
    );
  });

  it('a fluid.save (1.7+) pickle beside its .pdmodel is read; the program is noted', async () => {
    const files = [
      { name: 'm.pdparams', bytes: writePickledParams(params, { protocol: 2 }) },
      { name: 'm.pdmodel', bytes: writeFluid1InferenceModel(params)[0].bytes },
    ];
    const { warnings, format } = await readWeightFiles(files.map((f) => bytesSource(f.name, f.bytes)));
    expect(format).toBe('pickle');
    expect(warnings).toEqual(['m.pdparams: ignored m.pdmodel, a program, which holds no weights']);
  });

  it('a .pdiparams cut down to one record beside its .pdmodel is still taken as their pair', async () => {
    const pv = writeInferenceModel(randomPaddleParams('paddlevideo2', TINY, 6), TINY);
    const first = pv.pdiparams.bytes.subarray(0, combinedRecord({ dtype: 'float32', shape: [2], data: new Float32Array(2) }).length);
    expectClear(
      await convertOutcome([pv.pdmodel, { name: pv.pdiparams.name, bytes: first }]),
      [pv.pdiparams.name],
      /holds 1 tensors, but its program AttentionLSTM\.pdmodel lists 30 persistable variables/,
    );
  });

  it('a static dict, a pickle and a combined file in a folder of single records are refused by name', async () => {
    const dict = { name: 'AttentionLSTM.pdparams', bytes: writeStaticDict(params) };
    expectClear(
      await convertOutcome([...folder, dict]),
      ['AttentionLSTM.pdparams'],
      /is a Paddle 1\.6 fluid\.save file, where each file of a parameter folder holds one tensor record/,
    );
  });
});
