/**
 * Seeded fuzzing of every input the command line reads, through its own code
 * paths in this process (predict's and evaluate's stream of feature files,
 * finetune's whole-file reader, convert's weight reader, predict's model
 * loader), and two real processes. Each mutated input must end in a result
 * without NaN, or in an InputError (one sentence, exit 2): anything else would
 * be a stack trace. A hang fails the test on its timeout.
 * ALSTM_FUZZ_SEED picks another seed; ALSTM_FUZZ_SCALE runs more cases.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SMALL_SIZES, randomPaddleParams, rng } from '../../tools/testing/random';
import {
  writeCheckpoint,
  writeCombinedFile,
  writeFluid1InferenceModel,
  writeInferenceModel,
  writeParamFolder,
  writeStaticDict,
} from '../../tools/testing/paddleFormats';
import { convertWeights } from '../core/convert/convert';
import { parseModelJson, decodeWeights } from '../core/convert/modelFormat';
import { EnvironmentError, InputError } from '../core/errors';
import { writeTfRecordFeatures } from '../core/features/tfrecordFeatures';
import { writeNpy } from '../core/containers/npy';
import { writePickledParams } from '../core/paddle/pdparamsPickle';
import { writePickle } from '../core/containers/pickle/writer';
import { PyBytes, PyDict } from '../core/containers/pickle/values';
import { predictWith, type StreamModel } from '../core/model/predictStream';
import { pathSources } from '../node/files';
import { readFeatureFiles, streamFeatureFiles } from './featureFiles';
import { loadPredictor } from './loadPredictor';
import { predictEach } from './predictEach';
import type { ProgressState } from './progressLine';

const SEED = Number(process.env.ALSTM_FUZZ_SEED ?? 2117);
const SCALE = Number(process.env.ALSTM_FUZZ_SCALE ?? 1);
const DEMO = path.resolve(__dirname, '../../public/models/demo');
const root = path.resolve(__dirname, '../..');

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);

/** One byte-level mutation: flips, special bytes, extreme integers, NaN floats, cuts, insertions, deletions, duplicated ranges. */
function mutateBytes(b: Uint8Array, r: Rand): { bytes: Uint8Array; how: string } {
  const out = b.slice();
  const at = int(r, Math.max(1, b.length));
  switch (int(r, 9)) {
    case 0: {
      const n = 1 + int(r, 8);
      for (let k = 0; k < n; k++) out[int(r, out.length)] ^= 1 << int(r, 8);
      return { bytes: out, how: `${n} bit flips` };
    }
    case 1:
      out.fill([0x00, 0xff, 0x7f, 0x80][int(r, 4)], at, Math.min(out.length, at + 1 + int(r, 16)));
      return { bytes: out, how: `special bytes at ${at}` };
    case 2: {
      const v = [0xffffffff, 0x7fffffff, 0x80000000, 0, 1 << 30][int(r, 5)];
      if (at + 4 <= out.length) new DataView(out.buffer).setUint32(at, v, true);
      return { bytes: out, how: `u32 ${v} at ${at}` };
    }
    case 3: {
      const f = [NaN, Infinity, -Infinity, 1e30, 1e6][int(r, 5)];
      const a = at & ~3;
      if (a + 4 <= out.length) new DataView(out.buffer).setFloat32(a, f, true);
      return { bytes: out, how: `float ${f} at ${a}` };
    }
    case 4:
      return { bytes: b.slice(0, at), how: `cut at ${at}` };
    case 5: {
      const n = 1 + int(r, 64);
      const ins = Uint8Array.from({ length: n }, () => int(r, 256));
      return { bytes: Uint8Array.from([...b.subarray(0, at), ...ins, ...b.subarray(at)]), how: `${n} bytes inserted at ${at}` };
    }
    case 6: {
      const n = 1 + int(r, 64);
      return { bytes: Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + n)]), how: `${n} bytes deleted at ${at}` };
    }
    case 7: {
      const n = 1 + int(r, 256);
      return {
        bytes: Uint8Array.from([...b.subarray(0, at + n), ...b.subarray(at, at + n), ...b.subarray(at + n)]),
        how: `${n} bytes repeated at ${at}`,
      };
    }
    default:
      return { bytes: Uint8Array.from({ length: int(r, 2 * b.length + 1) }, () => int(r, 256)), how: 'random bytes' };
  }
}

// 'deep' thrice: nesting is what overflowed stacks.
const HOSTILE_VALUES: unknown[] = [null, 0, -1, 1.5, 1e12, 2 ** 53 + 2, 'x', true, [], {}, [[[]]], [1, 'a'], NaN, 'deep', 'deep', 'deep'];

/** One structural mutation of a JSON value: a value somewhere replaced by a hostile one, deleted, or nested deep. */
function mutateJson(value: unknown, r: Rand): { value: unknown; how: string } {
  const copy = structuredClone(value);
  const containers: { parent: Record<string, unknown> | unknown[]; key: string | number; path: string }[] = [];
  const walk = (v: unknown, p: string, depth: number) => {
    if (depth > 6 || v === null || typeof v !== 'object') return;
    const entries = Array.isArray(v) ? v.slice(0, 6).map((x, i) => [i, x] as const) : Object.entries(v as object);
    for (const [k, x] of entries) {
      containers.push({ parent: v as Record<string, unknown>, key: k, path: `${p}.${k}` });
      walk(x, `${p}.${k}`, depth + 1);
    }
  };
  walk(copy, '$', 0);
  if (containers.length === 0) return { value: copy, how: 'unchanged' };
  const c = containers[int(r, containers.length)];
  const choice = int(r, HOSTILE_VALUES.length + 1);
  if (choice === HOSTILE_VALUES.length) {
    if (Array.isArray(c.parent)) c.parent.splice(c.key as number, 1);
    else delete c.parent[c.key as string];
    return { value: copy, how: `${c.path} deleted` };
  }
  const v = HOSTILE_VALUES[choice];
  (c.parent as Record<string | number, unknown>)[c.key] = v === 'deep' ? DEEP : v;
  return { value: copy, how: `${c.path} = ${v === 'deep' ? '100,000 nested arrays' : JSON.stringify(v)}` };
}

/** Stands for 100,000 nested arrays until serialized (building them as values would overflow the test's own stack). */
const DEEP = '\u0000deep\u0000';

function serialize(value: unknown): string {
  return JSON.stringify(value).replaceAll(JSON.stringify(DEEP), '['.repeat(100_000) + ']'.repeat(100_000));
}

/** What a mutated input must end in: a clean result (checked by the caller), or one sentence. */
async function endsCleanly(what: string, work: () => Promise<void>): Promise<'ok' | 'refused'> {
  try {
    await work();
    return 'ok';
  } catch (e) {
    if (e instanceof InputError || e instanceof EnvironmentError) {
      // One sentence: no newline, no "internal error", not empty.
      expect(e.message, `${what}: ${JSON.stringify(e.message)}`).not.toMatch(/\n|internal error|undefined|\[object Object\]/);
      expect(e.message.length, what).toBeGreaterThan(10);
      return 'refused';
    }
    throw new Error(`${what}: ${(e as Error)?.stack ?? String(e)}`, { cause: e });
  }
}

function finite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) throw new Error(`${what}: output ${i} is ${values[i]}`);
}

describe("fuzzing every input kind through the command line's code paths", () => {
  let dir: string;
  let model: StreamModel;
  let n = 0;
  const file = async (name: string, bytes: Uint8Array | string) => {
    const p = path.join(dir, `${n++}-${name}`);
    await writeFile(p, bytes);
    return p;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'alstm-fuzz-'));
    model = (await loadPredictor(DEMO, 'wasm')).model;
    // The warnings every mutated file brings stay out of the test's output.
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  }, 60_000);
  afterAll(async () => {
    vi.restoreAllMocks();
    (model as { dispose?: () => void })?.dispose?.();
    await rm(dir, { recursive: true, force: true });
  });

  // Feature files of the demo model's widths, small: two videos of a few frames.
  const r0 = rng(SEED);
  const frames = (t: number, dim: number) => Array.from({ length: t }, () => Uint8Array.from({ length: dim }, () => int(r0, 256)));
  const yt = [
    { id: 'a', labels: [1, 3], rgb: frames(3, 1024), audio: frames(3, 128) },
    { id: 'b', labels: [2], rgb: frames(2, 1024), audio: frames(2, 128) },
  ];
  const u8 = (a: Uint8Array[], dim: number) => ({
    dtype: 'uint8' as const,
    shape: [a.length, dim],
    data: Uint8Array.from(a.flatMap((x) => [...x])),
  });
  const FEATURES: Record<string, Uint8Array> = {
    'v.tfrecord': writeTfRecordFeatures(yt),
    'v.pkl': writePickle(
      yt.map(
        (v) =>
          new PyDict([
            ['video', PyBytes.fromText(v.id)],
            ['feature', u8(v.rgb, 1024)],
            ['audio', u8(v.audio, 128)],
            ['label', v.labels],
            ['nframes', v.rgb.length],
          ]),
      ),
      { protocol: 2 },
    ),
    'v.npy': writeNpy({ dtype: 'uint8', shape: [3, 1152], data: Uint8Array.from({ length: 3 * 1152 }, () => int(r0, 256)) }),
    'v.json': new TextEncoder().encode(
      JSON.stringify(
        yt.map((v) => ({ id: v.id, labels: v.labels, quantized: true, rgb: v.rgb.map((f) => [...f]), audio: v.audio.map((f) => [...f]) })),
      ),
    ),
  };
  const featureCases = Math.round(60 * SCALE);

  it.each(Object.keys(FEATURES))(
    `feature files: ${featureCases} mutations of %s through predict's stream and the model, and finetune's reader`,
    async (name) => {
      const r = rng(SEED + name.length * 7919 + name.charCodeAt(2));
      const tally = { ok: 0, refused: 0 };
      for (let k = 0; k < featureCases; k++) {
        const structural = name.endsWith('.json') && k % 2 === 0;
        const m = structural
          ? (() => {
              const j = mutateJson(JSON.parse(new TextDecoder().decode(FEATURES[name])), r);
              return { bytes: new TextEncoder().encode(serialize(j.value)), how: j.how };
            })()
          : mutateBytes(FEATURES[name], r);
        const p = await file(name, m.bytes);
        const what = `${name} case ${k} (${m.how})`;
        const progress: ProgressState = { bytesRead: 0, bytesTotal: 0, videosRead: 0, videosDone: 0, failed: 0 };
        tally[
          await endsCleanly(what, () =>
            predictEach('predict', model, streamFeatureFiles([p], progress), progress, undefined, (item, prediction) => {
              finite(prediction.probabilities, what);
              finite(prediction.attention.rgb, what);
              expect(item.video.frames, what).toBeGreaterThan(0);
            }),
          )
        ]++;
        await endsCleanly(`${what}, read whole`, async () => {
          for (const v of await readFeatureFiles([p])) finite(v.rgb, what);
        });
      }
      // The mutations reach both ends: some files still read, some are refused.
      expect(tally.ok + tally.refused).toBe(featureCases);
      if (!name.endsWith('.npy')) expect(tally.refused).toBeGreaterThan(0);
    },
    300_000,
  );

  // Weights in every format, of a small random model.
  const fluid1 = randomPaddleParams('fluid1', SMALL_SIZES, SEED);
  const pv2 = randomPaddleParams('paddlevideo2', SMALL_SIZES, SEED + 1);
  const inference = writeInferenceModel(pv2, SMALL_SIZES);
  const WEIGHTS: Record<string, { name: string; bytes: Uint8Array }[]> = {
    combined: [{ name: 'w.pdparams', bytes: writeCombinedFile(fluid1) }],
    'pickle protocol 2': [{ name: 'w.pdparams', bytes: writePickledParams(fluid1, { protocol: 2 }) }],
    'pickle protocol 4': [{ name: 'w.pdparams', bytes: writePickledParams(pv2, { protocol: 4 }) }],
    'fluid.save (1.6)': [{ name: 'w.pdparams', bytes: writeStaticDict(fluid1) }],
    checkpoint: [{ name: 'w.pdckpt', bytes: writeCheckpoint(fluid1, 'adam') }],
    'parameter folder': writeParamFolder(fluid1),
    'inference model': [inference.pdmodel, inference.pdiparams],
    'fluid1 inference model': writeFluid1InferenceModel(fluid1),
  };
  const weightCases = Math.round(30 * SCALE);

  it.each(Object.keys(WEIGHTS))(
    `weights: ${weightCases} mutations of a %s through convert, its model.json and shards decoded`,
    async (kind) => {
      const r = rng(SEED + kind.length * 104729);
      let refused = 0;
      for (let k = 0; k < weightCases; k++) {
        const files = WEIGHTS[kind];
        const victim = int(r, files.length);
        const m = mutateBytes(files[victim].bytes, r);
        const what = `${kind} case ${k} (${files[victim].name}: ${m.how})`;
        const folder = path.join(dir, `w${n++}`);
        await mkdir(folder);
        for (const [i, f] of files.entries()) await writeFile(path.join(folder, f.name), i === victim ? m.bytes : f.bytes);
        const given = files.length > 2 ? [folder] : files.map((f) => path.join(folder, f.name));
        const result = await endsCleanly(what, async () => {
          const sources = (await Promise.all(given.map(pathSources))).flatMap((g) => g.sources);
          const shards = new Map<string, Uint8Array>();
          const { modelJson } = await convertWeights(
            sources.length === 1 ? sources[0] : sources,
            async (p, b) => void shards.set(p, b.slice()),
          );
          const json = parseModelJson(JSON.stringify(modelJson), 'model.json');
          for (const w of (await decodeWeights(json, 'model.json', async (_g, _i, p) => shards.get(p)!)).values()) finite(w, what);
        });
        if (result === 'refused') refused++;
      }
      expect(refused).toBeGreaterThan(0);
    },
    300_000,
  );

  const modelCases = Math.round(80 * SCALE);

  it(`converted models: ${modelCases} mutations of model.json and its shard through predict's loader and a prediction`, async () => {
    const json = JSON.parse(await readFile(path.join(DEMO, 'model.json'), 'utf8'));
    const shard = new Uint8Array(await readFile(path.join(DEMO, json.weightsManifest[0].paths[0])));
    const video = {
      file: 'f',
      index: 0,
      id: 'v',
      frames: 2,
      rgbDim: 1024,
      audioDim: 128,
      rgb: new Float32Array(2048).fill(0.5),
      audio: new Float32Array(256).fill(-0.5),
    };
    const r = rng(SEED + 31);
    let refused = 0;
    for (let k = 0; k < modelCases; k++) {
      const folder = path.join(dir, `m${n++}`);
      await mkdir(folder);
      let how: string;
      if (k % 2 === 0) {
        const m = mutateJson(json, r);
        how = `model.json: ${m.how}`;
        await writeFile(path.join(folder, 'model.json'), serialize(m.value));
        await writeFile(path.join(folder, json.weightsManifest[0].paths[0]), shard);
      } else {
        // Shards: mostly values (NaN, infinity, huge) at random places, sometimes cut or grown.
        const m = mutateBytes(shard, r);
        how = `shard: ${m.how}`;
        await writeFile(path.join(folder, 'model.json'), JSON.stringify(json));
        await writeFile(path.join(folder, json.weightsManifest[0].paths[0]), m.bytes);
      }
      const what = `model case ${k} (${how})`;
      for (const backend of ['wasm', 'cpu'] as const) {
        if (backend === 'cpu' && k % 8 !== 1) continue; // tfjs's cpu backend is slower: a share of the cases
        const result = await endsCleanly(`${what} on ${backend}`, async () => {
          const loaded = await loadPredictor(folder, backend);
          try {
            const [p] = await predictWith(loaded.model, [video]);
            finite(p.probabilities, `${what} on ${backend}`);
            expect(
              loaded.classNames.every((c) => typeof c === 'string'),
              what,
            ).toBe(true);
          } finally {
            (loaded.model as { dispose?: () => void }).dispose?.();
          }
        });
        if (result === 'refused') refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
  }, 300_000);

  it('real processes: a mutated feature file and a mutated model end in results or one sentence, never a stack trace', async () => {
    const run = promisify(execFile);
    const cli = async (args: string[]) => {
      try {
        const { stdout, stderr } = await run(process.execPath, [path.join(root, 'scripts/cli.mjs'), ...args], {
          cwd: root,
          maxBuffer: 64 << 20,
          timeout: 120_000,
        });
        return { stdout, stderr, code: 0 };
      } catch (e) {
        return e as { stdout: string; stderr: string; code: number };
      }
    };
    const r = rng(SEED + 5);
    const feature = await file('p.tfrecord', mutateBytes(FEATURES['v.tfrecord'], r).bytes);
    const folder = path.join(dir, 'pm');
    await mkdir(folder);
    const json = JSON.parse(await readFile(path.join(DEMO, 'model.json'), 'utf8'));
    const shard = new Uint8Array(await readFile(path.join(DEMO, json.weightsManifest[0].paths[0])));
    new DataView(shard.buffer).setFloat32(4 * 1000, NaN, true);
    await writeFile(path.join(folder, 'model.json'), JSON.stringify(json));
    await writeFile(path.join(folder, json.weightsManifest[0].paths[0]), shard);
    for (const args of [
      ['predict', '--model', DEMO, feature],
      ['predict', '--model', folder, feature],
    ]) {
      const res = await cli(args);
      expect(res.stderr).not.toMatch(/^\s+at /m);
      expect([0, 2, 3]).toContain(res.code);
      if (res.code !== 2) for (const v of JSON.parse(res.stdout).videos) finite(v.probabilities, args.join(' '));
    }
    const nan = await cli(['predict', '--model', folder, await file('clean.tfrecord', FEATURES['v.tfrecord'])]);
    expect(nan.code).toBe(2);
    expect(nan.stderr).toMatch(/^error: .*model\.json: the weight '[^']+' holds NaN at element \d+: weights must be finite numbers/m);
  }, 300_000);
});
