/**
 * The same random weights written in every format the converter reads give the
 * same predictions: each format is held against the pickle of protocol 4 (itself
 * held against the float64 reference), within 1e-6.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import { SMALL_SIZES, randomPaddleParams, randomVideo, toRefParams } from '../../../tools/testing/random';
import { convertFilesAndLoad } from '../../../tools/testing/memoryModel';
import {
  type NamedBytes,
  optimizerState,
  withDType,
  writeCheckpoint,
  writeCombinedFile,
  writeFluid1InferenceModel,
  writeInferenceModel,
  writeParamFolder,
  writeStaticDict,
} from '../../../tools/testing/paddleFormats';
import { maxDiff } from '../../../tools/testing/compare';
import { writePickledParams } from '../paddle/pdparamsPickle';
import { floatToHalf, type NdArray } from '../ndarray';
import type { Variant } from '../model/architecture';
import { predictVideos, type VideoPrediction } from '../model/model';
import { referenceForward } from '../../../tools/testing/referenceModel';
import { bytesSource } from '../io/byteSource';
import { convertWeights } from './convert';

type Params = Map<string, NdArray>;
interface Format {
  name: string;
  variants: Variant[];
  format: string;
  files: (p: Params, v: Variant) => NamedBytes[];
}

const one = (name: string, bytes: Uint8Array): NamedBytes[] => [{ name, bytes }];
const pickleLooking = Uint8Array.from({ length: 256 }, (_, i) => (i === 0 ? 0x80 : i === 1 ? 0x02 : (i * 37) & 0xff));

const FORMATS: Format[] = [
  { name: 'combined', variants: ['fluid1'], format: 'combined', files: (p) => one('AttentionLSTM_final.pdparams', writeCombinedFile(p)) },
  {
    name: 'pickle, protocol 2',
    variants: ['fluid1', 'paddlevideo2'],
    format: 'pickle',
    files: (p) => one('a.pdparams', writePickledParams(p, { protocol: 2 })),
  },
  {
    name: 'Paddle 1.6 fluid.save, zeros reserved',
    variants: ['fluid1'],
    format: 'static-dict',
    files: (p) => one('AttentionLSTM.pdparams', writeStaticDict(p)),
  },
  {
    name: 'Paddle 1.6 fluid.save, reserved bytes that look like a pickle',
    variants: ['fluid1'],
    format: 'static-dict',
    files: (p) => one('AttentionLSTM.pdparams', writeStaticDict(p, pickleLooking)),
  },
  {
    name: 'Paddle 1.6 fluid.save with its .pdopt and .pdmodel',
    variants: ['fluid1'],
    format: 'static-dict',
    files: (p) => [
      { name: 'AttentionLSTM.pdparams', bytes: writeStaticDict(p) },
      { name: 'AttentionLSTM.pdopt', bytes: writeStaticDict(optimizerState(p, 'adam')) },
      { name: 'AttentionLSTM.pdmodel', bytes: writeFluid1InferenceModel(p)[0].bytes },
    ],
  },
  { name: 'parameter folder', variants: ['fluid1'], format: 'param-folder', files: (p) => writeParamFolder(p) },
  {
    name: 'parameter folder with optimizer state and __model__',
    variants: ['fluid1'],
    format: 'param-folder',
    files: (p) => [...writeParamFolder(new Map([...p, ...optimizerState(p, 'rmsprop')])), writeFluid1InferenceModel(p)[0]],
  },
  {
    name: 'checkpoint, RMSProp with a learning-rate schedule',
    variants: ['fluid1'],
    format: 'checkpoint',
    files: (p) => one('AttentionLSTM.pdckpt', writeCheckpoint(p, 'rmsprop')),
  },
  {
    name: 'checkpoint, Adam without a schedule',
    variants: ['fluid1'],
    format: 'checkpoint',
    files: (p) => one('AttentionLSTM.pdckpt', writeCheckpoint(p, 'adam', { counter: false })),
  },
  {
    name: 'checkpoint, Momentum',
    variants: ['fluid1'],
    format: 'checkpoint',
    files: (p) => one('AttentionLSTM.pdckpt', writeCheckpoint(p, 'momentum')),
  },
  {
    name: 'fluid1 inference model (__model__ + __params__)',
    variants: ['fluid1'],
    format: 'inference-model',
    files: (p) => writeFluid1InferenceModel(p),
  },
  {
    name: 'inference model',
    variants: ['paddlevideo2'],
    format: 'inference-model',
    files: (p) => {
      const m = writeInferenceModel(p, SMALL_SIZES);
      return [m.pdmodel, m.pdiparams];
    },
  },
  {
    name: 'inference model folder (with .pdiparams.info), files in another order',
    variants: ['paddlevideo2'],
    format: 'inference-model',
    files: (p) => {
      const m = writeInferenceModel(p, SMALL_SIZES);
      return [m.info, m.pdiparams, m.pdmodel];
    },
  },
  {
    name: 'inference model with scrambled parameter names',
    variants: ['paddlevideo2'],
    format: 'inference-model',
    files: (p) => {
      const m = writeInferenceModel(p, SMALL_SIZES, { names: 'scrambled' });
      return [m.pdmodel, m.pdiparams];
    },
  },
  {
    name: 'float64 Paddle 1.6 fluid.save',
    variants: ['fluid1'],
    format: 'static-dict',
    files: (p) => one('f64.pdparams', writeStaticDict(withDType(p, 'float64', floatToHalf))),
  },
  {
    name: 'float64 inference model',
    variants: ['paddlevideo2'],
    format: 'inference-model',
    files: (p) => {
      const m = writeInferenceModel(withDType(p, 'float64', floatToHalf), SMALL_SIZES);
      return [m.pdmodel, m.pdiparams];
    },
  },
  {
    name: 'float64 checkpoint',
    variants: ['fluid1'],
    format: 'checkpoint',
    files: (p) =>
      one(
        'f64.pdckpt',
        writeCombinedFile(
          new Map([...withDType(p, 'float64', floatToHalf), ...optimizerState(withDType(p, 'float64', floatToHalf), 'rmsprop')]),
        ),
      ),
  },
];

const VIDEOS = [7, 3, 1, 5].map((n, i) => randomVideo(SMALL_SIZES, n, 300 + i));

async function predict(files: NamedBytes[]): Promise<{ got: VideoPrediction[]; format: string | undefined; variant: Variant }> {
  const model = await convertFilesAndLoad(files);
  try {
    return { got: await predictVideos(model, VIDEOS, { batchSize: 4 }), format: model.meta.source?.format, variant: model.meta.variant };
  } finally {
    model.dispose();
  }
}

function worst(a: VideoPrediction[], b: VideoPrediction[]): number {
  return Math.max(
    ...a.map((p, i) =>
      Math.max(
        maxDiff(p.probabilities, b[i].probabilities),
        maxDiff(p.attention.rgb, b[i].attention.rgb),
        maxDiff(p.attention.audio, b[i].attention.audio),
      ),
    ),
  );
}

describe('every weight format gives the same predictions (wasm)', () => {
  beforeAll(() => useBackend('wasm'));

  for (const variant of ['fluid1', 'paddlevideo2'] as const) {
    const params = randomPaddleParams(variant, SMALL_SIZES, 41);
    let reference: VideoPrediction[];

    it(`${variant}: the pickle of protocol 4, against the float64 reference`, async () => {
      ({ got: reference } = await predict(one('ref.pdparams', writePickledParams(params, { protocol: 4 }))));
      const ref = toRefParams(params);
      VIDEOS.forEach((v, i) => {
        const want = referenceForward(ref, variant, Float64Array.from(v.rgb), Float64Array.from(v.audio), v.frames);
        expect(maxDiff(reference[i].probabilities, want.probabilities)).toBeLessThanOrEqual(1e-5);
      });
    });

    for (const f of FORMATS.filter((f) => f.variants.includes(variant))) {
      it(`${variant}: ${f.name}`, async () => {
        const { got, format, variant: read } = await predict(f.files(params, variant));
        expect(read).toBe(variant);
        expect(format).toBe(f.format);
        expect(worst(got, reference)).toBeLessThanOrEqual(1e-6);
      });
    }
  }

  it('float16 files read as the same float16 values in a pickle', async () => {
    for (const variant of ['fluid1', 'paddlevideo2'] as const) {
      const half = withDType(randomPaddleParams(variant, SMALL_SIZES, 42), 'float16', floatToHalf);
      const { got: want } = await predict(one('half.pdparams', writePickledParams(half, { protocol: 4 })));
      const sets =
        variant === 'fluid1'
          ? [writeParamFolder(half), one('h.pdparams', writeStaticDict(half)), one('h.pdckpt', writeCheckpoint(half, 'sgd'))]
          : [
              (() => {
                const m = writeInferenceModel(half, SMALL_SIZES);
                return [m.pdmodel, m.pdiparams];
              })(),
            ];
      for (const files of sets) expect(worst((await predict(files)).got, want)).toBeLessThanOrEqual(1e-6);
    }
  });
});

describe('what the converter says about the files it read', () => {
  const params = randomPaddleParams('fluid1', SMALL_SIZES, 43);
  const run = async (files: NamedBytes[], opts = {}) => {
    const srcs = files.map((f) => bytesSource(f.name, f.bytes));
    return convertWeights(srcs.length === 1 ? srcs[0] : srcs, async () => {}, opts);
  };

  it('a checkpoint: the optimizer it recognised and what it skipped', async () => {
    const { warnings, modelJson } = await run(one('AttentionLSTM.pdckpt', writeCheckpoint(params, 'rmsprop')));
    expect(warnings).toEqual([
      'AttentionLSTM.pdckpt: a training checkpoint: skipped the RMSProp state (momentum, mean_square, mean_grad of every parameter) and learning_rate_0, @LR_DECAY_COUNTER@, 92 tensors in all, and converted its 30 parameters',
    ]);
    expect(modelJson.attentionLstm.source).toMatchObject({ file: 'AttentionLSTM.pdckpt', format: 'checkpoint' });
    const adam = await run(one('a.pdckpt', writeCheckpoint(params, 'adam', { learningRate: true, counter: false })));
    expect(adam.warnings[0]).toMatch(
      /skipped the Adam state \(moment1, moment2, beta1_pow_acc, beta2_pow_acc of every parameter\) and learning_rate_0, 121 tensors/,
    );
  });

  it('a parameter folder: the files it ignored; the set named as asked, each file hashed', async () => {
    const files = [...writeParamFolder(new Map([...params, ...optimizerState(params, 'rmsprop')])), writeFluid1InferenceModel(params)[0]];
    const { warnings, modelJson } = await run(files, { name: 'pretrain' });
    expect(warnings).toEqual([
      'pretrain: ignored __model__, an inference program (such as the __model__ of a saved model folder), which holds no weights',
      "pretrain: ignored 92 files that hold no parameter: the learning-rate schedule's counter (1), RMSProp state (90), the learning rate (1)",
    ]);
    const source = modelJson.attentionLstm.source!;
    expect(source.file).toBe('pretrain');
    expect(source.format).toBe('param-folder');
    expect(source.files!.map((f) => f.name)).toEqual(writeParamFolder(params).map((f) => f.name));
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const { bytesToHex } = await import('@noble/hashes/utils.js');
    const folder = writeParamFolder(params);
    expect(source.files!.map((f) => f.sha256)).toEqual(folder.map((f) => bytesToHex(sha256(f.bytes))));
    const listing = folder.map((f) => `${bytesToHex(sha256(f.bytes))}  ${f.name}\n`).join('');
    expect(source.sha256).toBe(bytesToHex(sha256(new TextEncoder().encode(listing))));
    expect(source.bytes).toBe(folder.reduce((n, f) => n + f.bytes.length, 0));
  });

  it('an inference model: the table names its program variables; progress covers both files and only grows', async () => {
    const pv = randomPaddleParams('paddlevideo2', SMALL_SIZES, 44);
    const m = writeInferenceModel(pv, SMALL_SIZES, { extraPersistable: true });
    const events: { kind: string; bytesDone?: number; bytesTotal?: number }[] = [];
    const { tensors, warnings, modelJson } = await run([m.pdmodel, m.pdiparams, m.info], {
      onProgress: (e: (typeof events)[number]) => events.push(e),
    });
    expect(tensors.find((t) => t.name === 'rgb.embed.w')!.paddle).toBe('linear_0.w_0');
    expect(tensors.find((t) => t.name === 'audio.bw.wh')!.paddle).toBe('lstm_cell_3.w_1');
    expect(warnings).toEqual([
      'AttentionLSTM.pdmodel + AttentionLSTM.pdiparams: ignored AttentionLSTM.pdiparams.info, a pickle such as the .pdiparams.info Paddle writes beside an inference model',
      "AttentionLSTM.pdmodel: ignored the persistable variable 'global_step_0', which is no parameter of an AttentionLSTM",
    ]);
    const total = m.pdmodel.bytes.length + m.pdiparams.bytes.length;
    expect(modelJson.attentionLstm.source).toMatchObject({
      file: 'AttentionLSTM.pdmodel + AttentionLSTM.pdiparams',
      bytes: total,
      format: 'inference-model',
    });
    expect(events[0]).toMatchObject({ kind: 'start', bytesTotal: total });
    const done = events.filter((e) => e.kind === 'progress').map((e) => e.bytesDone!);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(total);
  });

  it('a --variant that contradicts an inference model says why', async () => {
    const m = writeInferenceModel(randomPaddleParams('paddlevideo2', SMALL_SIZES, 45), SMALL_SIZES);
    await expect(run([m.pdmodel, m.pdiparams], { variant: 'fluid1' })).rejects.toThrow(
      'AttentionLSTM.pdmodel + AttentionLSTM.pdiparams: --variant fluid1 was asked for, but the file holds a paddlevideo2 model (its program is a paddlevideo2 AttentionLSTM)',
    );
  });
});
