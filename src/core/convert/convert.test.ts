import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { bytesSource } from '../io/byteSource';
import { SMALL_SIZES, randomPaddleParams } from '../../../tools/testing/random';
import { writeCombined } from '../formats/combined';
import { writePickledParams } from '../formats/pdparamsPickle';
import { fluid1CombinedOrder } from '../model/paddleLayout';
import { canonicalTensors } from '../model/architecture';
import { type ConvertProgress, convertWeights } from './convert';
import { decodeWeights, parseModelJson, SHARD_BYTES, storedBytes } from './modelFormat';
import type { NdArray } from '../ndarray';
import { paddleTensors } from '../export/toPaddle';

const combinedOf = (p: Map<string, NdArray>) => writeCombined(fluid1CombinedOrder().map((n) => p.get(n)!));

async function convertInMemory(file: string, bytes: Uint8Array, opts = {}) {
  const shards = new Map<string, Uint8Array>();
  const events: ConvertProgress[] = [];
  const res = await convertWeights(bytesSource(file, bytes), async (p, b) => void shards.set(p, b.slice()), { ...opts, onProgress: (e) => events.push(e) });
  return { ...res, shards, events };
}

async function expectInputError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(InputError);
  expect((err as Error).message).toMatch(pattern);
}

describe('convertWeights', () => {
  it('writes a model.json that parses, with every canonical tensor, and progress that only grows to 100%', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 1);
    const bytes = combinedOf(params);
    const { modelJson, shards, events, tensors } = await convertInMemory('AttentionLSTM_final.pdparams', bytes);
    const json = parseModelJson(JSON.stringify(modelJson), 'model.json');
    expect(json.attentionLstm.variant).toBe('fluid1');
    expect(json.attentionLstm.sizes).toEqual(SMALL_SIZES);
    expect(json.attentionLstm.source).toMatchObject({ file: 'AttentionLSTM_final.pdparams', bytes: bytes.length, format: 'combined' });
    expect(json.attentionLstm.source!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(tensors.map((t) => t.name))).toEqual(new Set(canonicalTensors('fluid1', SMALL_SIZES).map((t) => t.name)));
    expect(events[0].kind).toBe('start');
    expect(events.at(-1)!.kind).toBe('done');
    const done = events.filter((e) => e.kind === 'progress').map((e) => (e as { bytesDone: number }).bytesDone);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(bytes.length);
    const weights = await decodeWeights(json, 'model.json', async (_g, _i, p) => shards.get(p)!);
    expect(weights.size).toBe(tensors.length);
  });

  it('hashes the file exactly (sha256 of the bytes, streaming or not)', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 2);
    const bytes = combinedOf(params);
    const { modelJson } = await convertInMemory('a.pdparams', bytes);
    const { sha256 } = await import('@noble/hashes/sha2.js');
    const { bytesToHex } = await import('@noble/hashes/utils.js');
    expect(modelJson.attentionLstm.source!.sha256).toBe(bytesToHex(sha256(bytes)));
  });

  it('splits weights into shards of at most 4 MB', async () => {
    const sizes = { ...SMALL_SIZES, head1: 1024, head2: 1100 }; // fc2 alone is 4.5 MB
    const params = randomPaddleParams('fluid1', sizes, 3, 0.1);
    const { modelJson, shards } = await convertInMemory('big.pdparams', combinedOf(params));
    const paths = modelJson.weightsManifest[0].paths;
    expect(paths.length).toBeGreaterThan(1);
    for (const p of paths) expect(shards.get(p)!.length).toBeLessThanOrEqual(SHARD_BYTES);
    const total = modelJson.weightsManifest[0].weights.reduce((n, e) => n + storedBytes(e), 0);
    expect([...shards.values()].reduce((n, s) => n + s.length, 0)).toBe(total);
  });

  it('stores float16 and widens it on load to within float16 precision', async () => {
    const params = randomPaddleParams('paddlevideo2', SMALL_SIZES, 4);
    const f32 = await convertInMemory('m.pdparams', writePickledParams(params, { protocol: 4 }));
    const f16 = await convertInMemory('m.pdparams', writePickledParams(params, { protocol: 4 }), { dtype: 'float16' });
    const total = (r: typeof f32) => [...r.shards.values()].reduce((n, s) => n + s.length, 0);
    expect(total(f16)).toBe(total(f32) / 2);
    const a = await decodeWeights(f32.modelJson, 'm', async (_g, _i, p) => f32.shards.get(p)!);
    const b = await decodeWeights(f16.modelJson, 'm', async (_g, _i, p) => f16.shards.get(p)!);
    for (const [name, w] of a) {
      const h = b.get(name)!;
      for (let i = 0; i < w.length; i++) expect(Math.abs(h[i] - w[i])).toBeLessThanOrEqual(Math.abs(w[i]) * 1e-3 + 1e-7);
    }
  });

  it('infers every size from the shapes and checks every shape, naming the tensor', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 5);
    const bad = new Map(params);
    const w = bad.get('fc_5.w_0')!;
    bad.set('fc_5.w_0', { ...w, shape: [w.shape[0] + 1, w.shape[1]], data: new Float32Array((w.shape[0] + 1) * w.shape[1]) });
    await expectInputError(convertInMemory('bad.pdparams', writePickledParams(bad, { protocol: 2 })), /bad\.pdparams: the tensor 'fc_5\.w_0' \(audio forward LSTM input weights\) has shape \[7, 16\], expected \[6, 16\]/);
  });

  it('names a missing tensor', async () => {
    const params = randomPaddleParams('paddlevideo2', SMALL_SIZES, 6);
    params.delete('head.bi_lstm1.0.cell_bw.bias_hh');
    await expectInputError(convertInMemory('pv.pdparams', writePickledParams(params, { protocol: 4 })), /the tensor 'head\.bi_lstm1\.0\.cell_bw\.bias_hh' \(audio backward LSTM recurrent bias\) is missing/);
  });

  it('ignores alias keys and the name table of PaddleVideo 2 files, and warns about unknown tensors', async () => {
    const params = randomPaddleParams('paddlevideo2', SMALL_SIZES, 7);
    params.set('head.bi_lstm0.weight_ih_l0', params.get('head.bi_lstm0.0.cell_fw.weight_ih')!);
    params.set('head.bi_lstm0.weight_ih_l0_reverse', params.get('head.bi_lstm0.0.cell_bw.weight_ih')!);
    params.set('something.else', { dtype: 'float32', shape: [1], data: new Float32Array(1) });
    const { warnings } = await convertInMemory('pv.pdparams', writePickledParams(params, { protocol: 4 }));
    expect(warnings).toEqual(["pv.pdparams: ignored the tensor 'something.else', which is not part of a paddlevideo2 AttentionLSTM"]);
  });

  it('refuses a --variant that contradicts the file', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 8);
    await expectInputError(convertInMemory('c.pdparams', combinedOf(params), { variant: 'paddlevideo2' }), /--variant paddlevideo2 was asked for, but the file holds a fluid1 model/);
  });

  it('stores class names when the vocabulary matches the class count, and only then', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 9);
    const names = Array.from({ length: SMALL_SIZES.classes }, (_, i) => `c${i}`);
    expect((await convertInMemory('a', combinedOf(params), { vocabulary: names })).modelJson.attentionLstm.classNames).toEqual(names);
    expect((await convertInMemory('a', combinedOf(params), { vocabulary: names.slice(1) })).modelJson.attentionLstm.classNames).toBeNull();
  });

  it('round-trips Paddle tensors: canonical weights export back to the same bytes', async () => {
    for (const variant of ['fluid1', 'paddlevideo2'] as const) {
      const params = randomPaddleParams(variant, SMALL_SIZES, 10);
      const { modelJson, shards } = await convertInMemory('a', writePickledParams(params, { protocol: 4 }));
      const weights = await decodeWeights(modelJson, 'm', async (_g, _i, p) => shards.get(p)!);
      const back = paddleTensors(variant, SMALL_SIZES, weights);
      for (const [name, t] of params) expect(back.get(name)!.data).toEqual(t.data);
    }
  });
});

describe('parseModelJson', () => {
  it('rejects a model.json of another kind with a hint', () => {
    expect(() => parseModelJson('{"format":"layers-model","modelTopology":{}}', 'dir/model.json')).toThrow(/dir\/model\.json: not an AttentionLSTM model\.json/);
    expect(() => parseModelJson('{', 'm.json')).toThrow(/m\.json: not valid JSON/);
  });

  it('rejects shard paths that leave the model folder', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 1);
    const { modelJson } = await convertInMemory('a', combinedOf(params));
    modelJson.weightsManifest[0].paths[0] = '../../etc/passwd';
    expect(() => parseModelJson(JSON.stringify(modelJson), 'model.json')).toThrow(/must be a plain file name/);
  });

  it('reports shards that are too short or too long', async () => {
    const params = randomPaddleParams('fluid1', SMALL_SIZES, 1);
    const { modelJson, shards } = await convertInMemory('a', combinedOf(params));
    const short = async (_g: number, _i: number, p: string) => shards.get(p)!.subarray(0, 10);
    await expectInputError(decodeWeights(modelJson, 'model.json', short), /fewer bytes than the weightsManifest describes/);
    const long = async (_g: number, _i: number, p: string) => new Uint8Array([...shards.get(p)!, 1, 2, 3]);
    await expectInputError(decodeWeights(modelJson, 'model.json', long), /more bytes than the weightsManifest describes/);
  });
});
