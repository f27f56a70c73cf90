import { beforeAll, describe, expect, it } from 'vitest';
import { convertWeights } from '../../core/convert/convert';
import { bytesSource } from '../../core/io/byteSource';
import { paddleTensors, toCombinedPdparams } from '../../core/export/toPaddle';
import { writeParamFolder } from '../../../tools/testing/paddleFormats';
import { initialWeights } from '../../core/training/init';
import type { Sizes } from '../../core/model/architecture';
import { acquireModel, type LoaderDeps, nameFromUrl } from './acquire';
import { progressViolations } from '../../../tools/testing/progressOracle';
import type { ProgressEvent, ProgressTask } from '../../protocol/protocol';
import { MemoryModelStore, type ModelStore } from './cache/modelStore';

// Two shards' worth would need 4 MB; a handful of small tensors keeps the test fast.
const SIZES: Sizes = { rgbDim: 12, audioDim: 5, embed: 6, lstm: 4, head1: 10, head2: 8, classes: 7 };
const BASE = 'https://models.example/zoo/tiny/';

let pdparams: Uint8Array;
let weights: Map<string, Float32Array>;
let modelJsonText: string;
let shards: Map<string, Uint8Array>;

beforeAll(async () => {
  weights = initialWeights('fluid1', SIZES, 3);
  pdparams = toCombinedPdparams(SIZES, weights);
  shards = new Map();
  const { modelJson } = await convertWeights(bytesSource('tiny.pdparams', pdparams), async (p, b) => void shards.set(p, b.slice()));
  modelJsonText = JSON.stringify(modelJson);
});

/** A server with model.json and its shards; bodies arrive in 100-byte chunks so progress has steps. */
function server(files: Map<string, Uint8Array | string>) {
  const calls: string[] = [];
  const fetch = async (url: string): Promise<Response> => {
    calls.push(url);
    const name = url.startsWith(BASE) ? url.slice(BASE.length) : null;
    const body = name !== null ? files.get(name) : undefined;
    if (body === undefined) return new Response('not found', { status: 404, statusText: 'Not Found' });
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 100) c.enqueue(bytes.slice(i, i + 100));
        c.close();
      },
    });
    return new Response(stream, { status: 200 });
  };
  return { fetch, calls };
}

function deps(fetch: LoaderDeps['fetch'], store: ModelStore | null = new MemoryModelStore()) {
  const events: { task: ProgressTask; e: ProgressEvent }[] = [];
  const warnings: string[] = [];
  const d: LoaderDeps = {
    store,
    fetch,
    vocabulary: async () => {
      throw new Error('not needed');
    },
    progress: (task, e) => events.push({ task, e }),
    warn: (m) => warnings.push(m),
  };
  return { d, events, warnings };
}

/** Splits the events into one stream per task run (each starts with `initiate`) and checks each. */
function checkStreams(events: { task: ProgressTask; e: ProgressEvent }[]): Record<ProgressTask, number> {
  const streams: { task: ProgressTask; events: ProgressEvent[] }[] = [];
  for (const { task, e } of events) {
    if (e.status === 'initiate') streams.push({ task, events: [] });
    streams
      .filter((s) => s.task === task)
      .at(-1)!
      .events.push(e);
  }
  for (const s of streams) expect(progressViolations(s.events), `${s.task} stream`).toEqual([]);
  return { load: streams.filter((s) => s.task === 'load').length, convert: streams.filter((s) => s.task === 'convert').length };
}

function expectSameWeights(got: Map<string, Float32Array>) {
  expect([...got.keys()].sort()).toEqual([...weights.keys()].sort());
  for (const [k, v] of weights) expect(Array.from(got.get(k)!), k).toEqual(Array.from(v));
}

function files() {
  return new Map<string, Uint8Array | string>([['model.json', modelJsonText], ...shards]);
}

describe('acquireModel from a URL', () => {
  it('downloads with byte progress, caches, and reads the cache the next time', async () => {
    const srv = server(files());
    const store = new MemoryModelStore();
    const first = deps(srv.fetch, store);
    const a = await acquireModel({ kind: 'url', url: `${BASE}model.json` }, first.d);
    expectSameWeights(a.weights);
    expect(a.info).toMatchObject({ id: `${BASE}model.json`, name: 'tiny', fromCache: false, variant: 'fluid1' });
    expect(a.info.classNames).toEqual(Array.from({ length: 7 }, (_, i) => `class ${i}`));
    expect(checkStreams(first.events)).toEqual({ load: 1, convert: 0 });
    expect(first.events.filter((x) => x.e.status === 'progress').length).toBeGreaterThan(3);
    expect((await store.list()).map((m) => m.id)).toEqual([`${BASE}model.json`]);

    srv.calls.length = 0;
    const second = deps(srv.fetch, store);
    const b = await acquireModel({ kind: 'url', url: `${BASE}model.json` }, second.d);
    expect(b.info.fromCache).toBe(true);
    expectSameWeights(b.weights);
    expect(srv.calls).toEqual([`${BASE}model.json`]); // model.json only, to see whether it changed
    checkStreams(second.events);
  });

  it('falls back to the cached copy when the server is unreachable', async () => {
    const store = new MemoryModelStore();
    await acquireModel({ kind: 'url', url: `${BASE}model.json` }, deps(server(files()).fetch, store).d);
    const offline = deps(async () => {
      throw new TypeError('Failed to fetch');
    }, store);
    const m = await acquireModel({ kind: 'url', url: `${BASE}model.json` }, offline.d);
    expect(m.info.fromCache).toBe(true);
  });

  it('says what went wrong: unreachable, 404, or a missing shard', async () => {
    const offline = deps(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(acquireModel({ kind: 'url', url: `${BASE}model.json` }, offline.d)).rejects.toThrow(
      /could not be fetched \(Failed to fetch\)/,
    );
    await expect(acquireModel({ kind: 'url', url: `${BASE}nothing.json` }, deps(server(files()).fetch).d)).rejects.toThrow(/404/);
    const noShard = files();
    noShard.delete([...shards.keys()][0]);
    await expect(acquireModel({ kind: 'url', url: `${BASE}model.json` }, deps(server(noShard).fetch).d)).rejects.toThrow(
      /group1-shard1of1\.bin: the server answered 404/,
    );
  });

  it('says so when the URL gives a web page instead of a model.json', async () => {
    const html = async () => new Response('<!doctype html><p>hi</p>', { status: 200, headers: { 'content-type': 'text/html' } });
    await expect(acquireModel({ kind: 'url', url: `${BASE}model.json` }, deps(html).d)).rejects.toThrow(
      /answered with a web page, not a model.json; check the URL/,
    );
  });

  it('still loads when the cache refuses to store, and warns once', async () => {
    const full: ModelStore = Object.assign(new MemoryModelStore(), {
      putShard: async () => {
        throw new Error('QuotaExceededError');
      },
    });
    const x = deps(server(files()).fetch, full);
    const m = await acquireModel({ kind: 'url', url: `${BASE}model.json` }, x.d);
    expectSameWeights(m.weights);
    expect(x.warnings).toHaveLength(1);
    expect(x.warnings[0]).toMatch(/could not be saved.*QuotaExceededError/);
    expect(await full.list()).toEqual([]);
  });
});

describe('acquireModel from files', () => {
  const asFiles = (m: Map<string, Uint8Array | string>) => [...m].map(([name, b]) => new File([b as BlobPart], name));

  it('loads a dropped folder and caches it', async () => {
    const store = new MemoryModelStore();
    const x = deps(server(new Map()).fetch, store);
    const m = await acquireModel({ kind: 'files', files: asFiles(files()) }, x.d);
    expectSameWeights(m.weights);
    expect(m.info.id).toMatch(/^local:dropped model:[0-9a-f]{16}$/);
    checkStreams(x.events);
    expect(await store.list()).toHaveLength(1);
  });

  it('names a folder as the page names it', async () => {
    const x = deps(server(new Map()).fetch);
    const m = await acquireModel({ kind: 'files', files: asFiles(files()), name: 'my-model' }, x.d);
    expect(m.info.name).toBe('my-model');
    expect(m.info.id).toMatch(/^local:my-model:[0-9a-f]{16}$/);
  });

  it('names the missing piece', async () => {
    const x = deps(server(new Map()).fetch);
    await expect(acquireModel({ kind: 'files', files: asFiles(new Map([...shards])) }, x.d)).rejects.toThrow(
      /no model.json among the 1 file given/,
    );
    await expect(acquireModel({ kind: 'files', files: asFiles(new Map([['model.json', modelJsonText]])) }, x.d)).rejects.toThrow(
      /the shard 'group1-shard1of1.bin' that model.json names is missing/,
    );
  });
});

describe('acquireModel from Paddle weights', () => {
  it('converts with progress into the cache, then loads from it', async () => {
    const store = new MemoryModelStore();
    const x = deps(server(new Map()).fetch, store);
    const file = new File([pdparams as BlobPart], 'tiny.pdparams', { lastModified: 1 });
    const m = await acquireModel({ kind: 'weights', files: [file] }, x.d);
    expectSameWeights(m.weights);
    expect(m.info).toMatchObject({ name: 'tiny', source: 'tiny.pdparams', fromCache: false });
    expect(checkStreams(x.events)).toEqual({ load: 1, convert: 1 });
    const convert = x.events.filter((e) => e.task === 'convert').map((e) => e.e);
    expect(convert.at(-1)).toMatchObject({ status: 'ready', loaded: pdparams.length, total: pdparams.length, progress: 100 });
    expect(await store.list()).toHaveLength(1);

    const again = deps(server(new Map()).fetch, store);
    const n = await acquireModel({ kind: 'weights', files: [file] }, again.d);
    expect(n.info.fromCache).toBe(true);
    expect(checkStreams(again.events)).toEqual({ load: 1, convert: 0 });
  });

  it('rejects a file that is not Paddle weights with the reader’s message', async () => {
    const x = deps(server(new Map()).fetch);
    const file = new File([new TextEncoder().encode('PK\u0003\u0004 not weights at all')], 'w.pdparams');
    await expect(acquireModel({ kind: 'weights', files: [file] }, x.d)).rejects.toThrow(
      /w\.pdparams: not a Paddle parameter file.*zip archive/,
    );
  });

  it('converts a dropped parameter folder, named after the folder', async () => {
    const x = deps(server(new Map()).fetch);
    const files = writeParamFolder(paddleTensors('fluid1', SIZES, weights)).map(
      (f) => new File([f.bytes as BlobPart], f.name, { lastModified: 2 }),
    );
    const m = await acquireModel({ kind: 'weights', files, name: 'pretrain' }, x.d);
    expectSameWeights(m.weights);
    expect(m.info).toMatchObject({ name: 'pretrain', source: 'pretrain', fromCache: false });
    expect(checkStreams(x.events)).toEqual({ load: 1, convert: 1 });
  });
});

describe('acquireModel from the cache', () => {
  it('explains a model that is gone', async () => {
    await expect(acquireModel({ kind: 'cached', id: 'nope' }, deps(server(new Map()).fetch).d)).rejects.toThrow(
      /not in this browser's cache/,
    );
  });
});

it('names a model after its folder', () => {
  expect(nameFromUrl('https://x.org/models/demo/model.json')).toBe('demo');
  expect(nameFromUrl('https://x.org/model.json')).toBe('model.json');
});
