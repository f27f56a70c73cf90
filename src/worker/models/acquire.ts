/**
 * Getting a model's weights into memory, from wherever the user's model is:
 * a URL, a dropped folder, a Paddle weight file (converted here, streaming),
 * or the browser's cache. No tfjs here: the result is canonical float32 arrays
 * that the engine uploads in the layout its backend is fast with. Everything
 * the page needs (fetch, the cache, progress) comes in through `LoaderDeps`,
 * so this runs under Node in the tests.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { convertWeights } from '../../core/convert/convert';
import { decodeWeights, type ModelJson, parseModelJson, totalStoredBytes } from '../../core/convert/modelFormat';
import { InputError, userMessage } from '../../core/errors';
import { blobSource } from '../blobSource';
import { FULL_SIZES, parameterCount } from '../../core/model/architecture';
import { classNamesFor } from '../../core/vocabulary';
import { ProgressReporter } from '../progressReporter';
import type { CachedModelInfo, ModelInfo, ModelSource, ProgressEvent, ProgressTask } from '../../protocol/protocol';
import type { ModelStore } from './cache/modelStore';

export interface LoaderDeps {
  /** null: nothing is cached (IndexedDB unavailable). */
  store: ModelStore | null;
  fetch: (url: string) => Promise<Response>;
  /** The YouTube-8M class names; called only when a model needs them. */
  vocabulary: () => Promise<string[]>;
  progress: (task: ProgressTask, e: ProgressEvent) => void;
  /** Something went wrong that does not stop the load (the cache is full). */
  warn: (message: string) => void;
}

export interface AcquiredModel {
  info: ModelInfo;
  json: ModelJson;
  weights: Map<string, Float32Array>;
}

export async function acquireModel(source: ModelSource, deps: LoaderDeps): Promise<AcquiredModel> {
  switch (source.kind) {
    case 'url':
      return fromUrl(source.url, deps);
    case 'files':
      return fromFiles(source.files, source.name, deps);
    case 'weights':
      return fromWeights(source.files, source.name, deps);
    case 'cached':
      return fromCache(source.id, deps);
  }
}

/** The folder a model.json URL sits in, as a short name ("demo" for .../models/demo/model.json). */
export function nameFromUrl(url: string): string {
  const parts = new URL(url).pathname.split('/').filter(Boolean);
  const file = parts.pop() ?? 'model.json';
  return parts.pop() ?? file;
}

async function describe(
  id: string,
  name: string,
  source: string,
  json: ModelJson,
  fromCache: boolean,
  deps: LoaderDeps,
): Promise<ModelInfo> {
  const meta = json.attentionLstm;
  let vocabulary: string[] | undefined;
  // A model with YouTube-8M's class count and no names of its own is named by the vocabulary.
  if (!meta.classNames && meta.sizes.classes === FULL_SIZES.classes) {
    vocabulary = await deps.vocabulary().catch((e) => {
      deps.warn(`the YouTube-8M class names could not be loaded (${userMessage(e)}); classes are shown by number`);
      return undefined;
    });
  }
  return {
    id,
    name,
    source,
    variant: meta.variant,
    sizes: meta.sizes,
    classNames: classNamesFor(meta.sizes.classes, meta.classNames ?? vocabulary),
    parameters: parameterCount(meta.variant, meta.sizes),
    bytes: totalStoredBytes(json),
    description: meta.description ?? null,
    fromCache,
  };
}

function cachedInfo(info: ModelInfo): CachedModelInfo {
  return { id: info.id, name: info.name, source: info.source, bytes: info.bytes, savedAt: Date.now() };
}

/** A response body, counted as it arrives. */
async function readBody(r: Response, onChunk: (n: number) => void): Promise<Uint8Array> {
  if (!r.body) {
    const b = new Uint8Array(await r.arrayBuffer());
    onChunk(b.length);
    return b;
  }
  const reader = r.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
    onChunk(value.length);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Writes shards to the cache while they pass by; if the cache refuses one (quota),
 * it warns once and keeps the rest in memory so the model still loads.
 */
class ShardKeeper {
  private readonly memory = new Map<string, Uint8Array>();
  private storeOk: boolean;

  constructor(
    private readonly id: string,
    private readonly deps: LoaderDeps,
    private readonly keepAll: boolean,
  ) {
    this.storeOk = deps.store !== null;
  }

  get cached(): boolean {
    return this.storeOk;
  }

  async put(path: string, bytes: Uint8Array): Promise<void> {
    if (this.storeOk) {
      try {
        await this.deps.store!.putShard(this.id, path, bytes);
        if (!this.keepAll) return;
      } catch (e) {
        this.storeOk = false;
        this.deps.warn(
          `the model could not be saved in the browser's cache (${(e as Error)?.message ?? e}); it is loaded but will not be remembered`,
        );
        await this.deps.store!.delete(this.id).catch(() => {});
      }
    }
    this.memory.set(path, bytes);
  }

  async get(path: string): Promise<Uint8Array | null> {
    return this.memory.get(path) ?? (this.deps.store ? await this.deps.store.getShard(this.id, path) : null);
  }

  async commit(info: ModelInfo, json: string): Promise<void> {
    if (!this.storeOk) return;
    try {
      await this.deps.store!.put(cachedInfo(info), json);
    } catch (e) {
      this.deps.warn(`the model could not be saved in the browser's cache (${(e as Error)?.message ?? e})`);
    }
  }
}

async function fromUrl(url: string, deps: LoaderDeps): Promise<AcquiredModel> {
  const name = nameFromUrl(url);
  let text: string | null = null;
  let failure: unknown = null;
  try {
    const r = await deps.fetch(url);
    if (!r.ok) throw new InputError(`${url}: the server answered ${r.status} ${r.statusText}`.trim());
    if ((r.headers.get('content-type') ?? '').includes('text/html')) {
      throw new InputError(`${url}: the server answered with a web page, not a model.json; check the URL`);
    }
    text = await r.text();
  } catch (e) {
    failure = e;
  }
  const cached = deps.store ? await deps.store.get(url).catch(() => null) : null;
  if (text === null) {
    // Offline, or the server is gone: a cached copy still serves.
    if (cached) return fromStoreEntry(url, cached.info.name, cached.info.source, cached.json, deps);
    if (failure instanceof InputError) throw failure;
    throw new InputError(`${url}: the model could not be fetched (${(failure as Error)?.message ?? failure})`);
  }
  const json = parseModelJson(text, url);
  if (cached && cached.json === text) return fromStoreEntry(url, cached.info.name, cached.info.source, text, deps);
  if (cached) await deps.store!.delete(url).catch(() => {});

  return loadShards({ id: url, name, source: url, label: url, text, json }, deps, async (path, advance) => {
    const shardUrl = new URL(path, url).href;
    const r = await deps.fetch(shardUrl);
    if (!r.ok) throw new InputError(`${shardUrl}: the server answered ${r.status} ${r.statusText} (a shard of ${name})`.trim());
    return readBody(r, advance);
  });
}

/** A picked or dropped model folder: model.json and the shards it names. */
async function fromFiles(files: readonly File[], name: string | undefined, deps: LoaderDeps): Promise<AcquiredModel> {
  const jsonFile = files.find((f) => f.name === 'model.json') ?? files.find((f) => f.name.endsWith('.json'));
  if (!jsonFile) {
    throw new InputError(
      `no model.json among the ${files.length} file${files.length === 1 ? '' : 's'} given: pick the folder that 'npm run convert' wrote (model.json and its .bin shards)`,
    );
  }
  const folder = name ?? 'dropped model';
  const text = await jsonFile.text();
  const json = parseModelJson(text, `${folder}/${jsonFile.name}`);
  const id = `local:${folder}:${bytesToHex(sha256(new TextEncoder().encode(text))).slice(0, 16)}`;
  const byName = new Map(files.map((f) => [f.name, f]));
  const cached = deps.store ? await deps.store.get(id).catch(() => null) : null;
  if (cached && cached.json === text) return fromStoreEntry(id, cached.info.name, cached.info.source, text, deps);

  return loadShards(
    { id, name: folder, source: `${folder}/model.json`, label: `${folder}/model.json`, text, json },
    deps,
    async (path, advance) => {
      const f = byName.get(path);
      if (!f) throw new InputError(`${folder}: the shard '${path}' that model.json names is missing; pick or drop the whole folder`);
      const bytes = new Uint8Array(await f.arrayBuffer());
      advance(bytes.length);
      return bytes;
    },
  );
}

/**
 * A model not in the cache yet: its shards are read through `read` (which
 * reports the bytes as they arrive), decoded, and kept in the cache on the way.
 */
async function loadShards(
  m: { id: string; name: string; source: string; label: string; text: string; json: ModelJson },
  deps: LoaderDeps,
  read: (path: string, advance: (bytes: number) => void) => Promise<Uint8Array>,
): Promise<AcquiredModel> {
  const info = await describe(m.id, m.name, m.source, m.json, false, deps);
  const reporter = new ProgressReporter(m.name, info.bytes, (e) => deps.progress('load', e));
  const keeper = new ShardKeeper(m.id, deps, false);
  const weights = await decodeWeights(m.json, m.label, async (_g, _i, path) => {
    reporter.begin(path);
    const bytes = await read(path, (n) => reporter.advance(path, n));
    reporter.end(path);
    await keeper.put(path, bytes);
    return bytes;
  });
  await keeper.commit(info, m.text);
  reporter.ready();
  return { info, json: m.json, weights };
}

/**
 * Paddle weights (one file, a parameter folder's files, or a .pdmodel +
 * .pdiparams pair, told apart by content): converted here, shard by shard
 * into the cache, then loaded from there.
 */
async function fromWeights(files: readonly File[], folder: string | undefined, deps: LoaderDeps): Promise<AcquiredModel> {
  if (files.length === 0) throw new InputError('no weight file was given');
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const label = folder ?? (sorted.length <= 2 ? sorted.map((f) => f.name).join(' + ') : `${sorted.length} parameter files`);
  const id = `weights:${sorted.map((f) => `${f.name}:${f.size}:${f.lastModified}`).join('|')}`;
  const cached = deps.store ? await deps.store.get(id).catch(() => null) : null;
  if (cached) return fromStoreEntry(id, cached.info.name, cached.info.source, cached.json, deps);

  const vocabulary = await deps.vocabulary().catch(() => undefined);
  const keeper = new ShardKeeper(id, deps, false);
  let reporter: ProgressReporter | null = null;
  const sources = sorted.map((f) => blobSource(f.name, f));
  const { modelJson, warnings } = await convertWeights(
    sources.length === 1 ? sources[0] : sources,
    (path, bytes) => keeper.put(path, bytes),
    {
      vocabulary,
      ...(folder || sorted.length > 2 ? { name: label } : {}),
      description: `Converted in the browser from ${label}`,
      onProgress: (p) => {
        if (p.kind === 'start') reporter = new ProgressReporter(label, p.bytesTotal, (e) => deps.progress('convert', e));
        else if (p.kind === 'progress') reporter?.reach(p.tensor, p.bytesDone);
        else reporter?.ready();
      },
    },
  );
  warnings.forEach((w) => deps.warn(w));
  const text = JSON.stringify(modelJson);
  const name = folder ?? (sorted.length > 2 ? 'parameter folder' : sorted[0].name.replace(/\.(pdparams|pdckpt|pdmodel|pdiparams)$/i, ''));
  const info = await describe(id, name, label, modelJson, false, deps);
  const weights = await readShards(name, modelJson, (path) => keeper.get(path), deps);
  await keeper.commit(info, text);
  return { info, json: modelJson, weights };
}

async function fromCache(id: string, deps: LoaderDeps): Promise<AcquiredModel> {
  const entry = deps.store ? await deps.store.get(id) : null;
  if (!entry) throw new InputError(`the model '${id}' is not in this browser's cache (it may have been deleted); load it again`);
  return fromStoreEntry(id, entry.info.name, entry.info.source, entry.json, deps);
}

async function fromStoreEntry(id: string, name: string, source: string, text: string, deps: LoaderDeps): Promise<AcquiredModel> {
  const json = parseModelJson(text, `${name} (cached)`);
  const info = await describe(id, name, source, json, true, deps);
  const weights = await readShards(name, json, async (path) => deps.store!.getShard(id, path), deps);
  return { info, json, weights };
}

async function readShards(
  name: string,
  json: ModelJson,
  shard: (path: string) => Promise<Uint8Array | null>,
  deps: LoaderDeps,
): Promise<Map<string, Float32Array>> {
  const reporter = new ProgressReporter(name, totalStoredBytes(json), (e) => deps.progress('load', e));
  const weights = await decodeWeights(json, name, async (_g, _i, path) => {
    reporter.begin(path);
    const bytes = await shard(path);
    if (!bytes)
      throw new InputError(`${name}: the cached copy lacks the shard '${path}'; delete it from the models panel and load the model again`);
    reporter.advance(path, bytes.length);
    reporter.end(path);
    return bytes;
  });
  reporter.ready();
  return weights;
}
