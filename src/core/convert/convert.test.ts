import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { bytesSource } from '../io/byteSource';
import { SMALL_SIZES, randomPaddleParams } from '../../../tools/testing/random';
import { writeCombined } from '../paddle/combined';
import { writePickledParams } from '../paddle/pdparamsPickle';
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
  const res = await convertWeights(bytesSource(file, bytes), async (p, b) => void shards.set(p, b.slice()), {
    ...opts,
    onProgress: (e) => events.push(e),
  });
  return { ...res, shards, events };
}

async function expectInputError(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
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
    await expectInputError(
      convertInMemory('bad.pdparams', writePickledParams(bad, { protocol: 2 })),
      /bad\.pdparams: the tensor 'fc_5\.w_0' \(audio forward LSTM input weights\) has shape \[7, 16\], expected \[6, 16\]/,
    );
  });

  it('names a missing tensor', async () => {
    const params = randomPaddleParams('paddlevideo2', SMALL_SIZES, 6);
    params.delete('head.bi_lstm1.0.cell_bw.bias_hh');
    await expectInputError(
      convertInMemory('pv.pdparams', writePickledParams(params, { protocol: 4 })),
      /the tensor 'head\.bi_lstm1\.0\.cell_bw\.bias_hh' \(audio backward LSTM recurrent bias\) is missing/,
    );
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
    await expectInputError(
      convertInMemory('c.pdparams', combinedOf(params), { variant: 'paddlevideo2' }),
      /--variant paddlevideo2 was asked for, but the file holds a fluid1 model/,
    );
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
    expect(() => parseModelJson('{"format":"layers-model","modelTopology":{}}', 'dir/model.json')).toThrow(
      /dir\/model\.json: not an AttentionLSTM model\.json/,
    );
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

describe('convertWeights on damaged and unusual files', () => {
  const params = randomPaddleParams('fluid1', SMALL_SIZES, 5);

  /** The combined file with `levels` LoD levels of `bytes` bytes each spliced into record `record` (Paddle writes none for parameters; the spec says skip them). */
  function withLod(record: number, levels: number, bytes: number): Uint8Array {
    const order = fluid1CombinedOrder();
    const before = writeCombined(order.slice(0, record).map((n) => params.get(n)!));
    const rec = writeCombined([params.get(order[record])!]);
    const after = writeCombined(order.slice(record + 1).map((n) => params.get(n)!));
    const lod = new Uint8Array(levels * (8 + bytes));
    const v = new DataView(lod.buffer);
    for (let l = 0; l < levels; l++) {
      v.setUint32(l * (8 + bytes), bytes, true);
      lod.fill(0x5a, l * (8 + bytes) + 8, (l + 1) * (8 + bytes));
    }
    const head = rec.slice(0, 12);
    new DataView(head.buffer).setUint32(4, levels, true);
    return Uint8Array.from([...before, ...head, ...lod, ...rec.subarray(12), ...after]);
  }

  it.each([
    [0, 1, 16],
    [3, 1, 16],
    [0, 2, 8],
  ])('accepts a record (number %i) with %i LoD level(s) of %i bytes, skipping them as the spec says', async (record, levels, bytes) => {
    const plain = await convertInMemory('a.pdparams', combinedOf(params));
    const lod = await convertInMemory('a.pdparams', withLod(record, levels, bytes));
    expect([...lod.shards.keys()]).toEqual([...plain.shards.keys()]);
    for (const [p, b] of plain.shards) expect(lod.shards.get(p)).toEqual(b);
  });

  it.each([NaN, Infinity, -Infinity])('refuses a weight of %s, naming the tensor', async (bad) => {
    const broken = new Map(params);
    const t = broken.get('fc_1.w_0')!;
    const data = Float32Array.from(t.data as Float32Array);
    data[3] = bad;
    broken.set('fc_1.w_0', { ...t, data });
    await expectInputError(
      convertInMemory('nan.pdparams', combinedOf(broken)),
      new RegExp(`^nan\\.pdparams: the tensor 'fc_1\\.w_0' holds ${bad}: weights must be finite numbers`),
    );
  });

  it("refuses --dtype float16 for a weight beyond float16's range, naming the tensor, and converts it as float32", async () => {
    const big = new Map(params);
    const t = big.get('fc_2.b_0')!;
    const data = Float32Array.from(t.data as Float32Array);
    data[1] = 1e6;
    big.set('fc_2.b_0', { ...t, data });
    await expectInputError(
      convertInMemory('big.pdparams', combinedOf(big), { dtype: 'float16' }),
      /^big\.pdparams: the tensor 'fc_2\.b_0' holds 1000000, outside float16's range \(±65504\), where it would become infinity: convert with --dtype float32$/,
    );
    const ok = await convertInMemory('big.pdparams', combinedOf(big));
    const json = parseModelJson(JSON.stringify(ok.modelJson), 'model.json');
    const w = await decodeWeights(json, 'model.json', async (_g, _i, p) => ok.shards.get(p)!);
    expect([...w.values()].some((x) => x.includes(1e6))).toBe(true);
  });
});

/** A model.json as the hostile edits see it: any member may be set to anything, or deleted. */
interface LooseModelJson {
  attentionLstm: { sizes?: Record<string, unknown> | null; classNames?: unknown };
  weightsManifest: ({ weights: ({ shape?: unknown } | null)[] } | null)[];
}

describe('parseModelJson and decodeWeights on hostile model.json files', () => {
  const params = randomPaddleParams('fluid1', SMALL_SIZES, 6);
  let good: { json: Record<string, unknown>; shards: Map<string, Uint8Array> };
  const load = async (edit: (j: LooseModelJson) => void, shards?: Map<string, Uint8Array>) => {
    const j = structuredClone(good.json) as unknown as LooseModelJson;
    edit(j);
    const json = parseModelJson(JSON.stringify(j), 'm/model.json');
    return decodeWeights(json, 'm/model.json', async (_g, _i, p) => (shards ?? good.shards).get(p)!);
  };
  const refused = async (edit: (j: LooseModelJson) => void, pattern: RegExp) => {
    const err = await load(edit).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(pattern);
  };

  it('loads the model as written', async () => {
    const res = await convertInMemory('a.pdparams', combinedOf(params));
    good = { json: res.modelJson as unknown as Record<string, unknown>, shards: res.shards };
    expect((await load(() => {})).size).toBe(canonicalTensors('fluid1', SMALL_SIZES).length);
  });

  it.each([
    [
      'sizes missing',
      (j: LooseModelJson) => delete j.attentionLstm.sizes,
      /^m\/model\.json: "attentionLstm"\."sizes" is missing, expected \{"rgbDim", /,
    ],
    ['sizes null', (j: LooseModelJson) => (j.attentionLstm.sizes = null), /"sizes" is null, expected/],
    [
      'a size a string',
      (j: LooseModelJson) => (j.attentionLstm.sizes!.embed = '6'),
      /sizes\.embed is "6", expected a positive whole number/,
    ],
    [
      '10^12 classes',
      (j: LooseModelJson) => (j.attentionLstm.sizes!.classes = 1e12),
      /sizes\.classes is 1000000000000, more than any model this program can hold/,
    ],
    [
      '2^53+2 classes',
      (j: LooseModelJson) => (j.attentionLstm.sizes!.classes = 2 ** 53 + 2),
      /sizes\.classes is 9007199254740994, expected a positive whole number/,
    ],
    [
      'sizes making 4 GiB of weights',
      (j: LooseModelJson) => (j.attentionLstm.sizes!.head1 = 2 ** 29),
      /its sizes make .* weights, more than any model this program can hold/,
    ],
    [
      'a weight shape a number',
      (j: LooseModelJson) => (j.weightsManifest[0]!.weights[0]!.shape = 5),
      /the weight '[^']+' has shape 5, expected \[/,
    ],
    [
      'a weight shape null',
      (j: LooseModelJson) => (j.weightsManifest[0]!.weights[0]!.shape = null),
      /the weight '[^']+' has shape null, expected \[/,
    ],
    [
      'a null weights entry',
      (j: LooseModelJson) => (j.weightsManifest[0]!.weights[2] = null),
      /a weightsManifest entry is null, expected \{"name", "shape", "dtype"\}/,
    ],
    ['a null group', (j: LooseModelJson) => (j.weightsManifest[0] = null), /a weightsManifest group lacks "paths" or "weights"/],
    [
      'class names that are numbers',
      (j: LooseModelJson) => (j.attentionLstm.classNames = Array.from({ length: SMALL_SIZES.classes }, (_, i) => i)),
      /classNames\[0\] is 0, expected a name in quotes \(a string\)/,
    ],
    [
      'class names an object',
      (j: LooseModelJson) => (j.attentionLstm.classNames = { a: 1 }),
      /"classNames" is \{"a":1\}, expected a list of names or null/,
    ],
  ])('refuses %s with one sentence naming the file', async (_what, edit, pattern) => {
    await refused(edit, pattern);
  });

  it.each([NaN, Infinity])('refuses shards whose bytes hold %s, naming the weight', async (bad) => {
    const shards = new Map([...good.shards].map(([p, b]) => [p, b.slice()]));
    const first = [...shards.values()][0];
    new DataView(first.buffer).setFloat32(8, bad, true);
    const err = await load(() => {}, shards).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(
      new RegExp(`^m/model\\.json: the weight '[^']+' holds ${bad} at element 2: weights must be finite numbers`),
    );
  });
});
