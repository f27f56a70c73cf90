import { open, readFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ByteSource } from '../core/io/byteSource';
import { InputError } from '../core/errors';
import { decodeWeights, parseModelJson, type ModelJson } from '../core/convert/modelFormat';

/** A file on disk as a ByteSource; the handle is opened per read so nothing leaks. */
export async function fileSource(file: string): Promise<ByteSource> {
  let size: number;
  const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`${file}: cannot open (${e.code === 'ENOENT' ? 'no such file' : (e.code ?? e.message)})`);
  });
  try {
    const s = await fh.stat();
    // A folder opens for reading too; its first read fails with EISDIR.
    if (s.isDirectory()) throw new InputError(`${file}: is a folder, expected a file`);
    size = s.size;
  } finally {
    await fh.close();
  }
  return {
    name: path.basename(file),
    size,
    read: async (offset, length) => {
      const h = await open(file, 'r');
      try {
        const buf = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
        let got = 0;
        while (got < buf.length) {
          const { bytesRead } = await h.read(buf, got, buf.length - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        return buf.subarray(0, got);
      } finally {
        await h.close();
      }
    },
  };
}

/**
 * The files of a folder as ByteSources, sorted by name: what a parameter folder
 * (one file per tensor) or an exported inference model (.pdmodel, .pdiparams)
 * is made of. Hidden files (a leading dot) and subfolders are left out.
 */
async function folderSources(dir: string): Promise<ByteSource[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new InputError(
      `${dir}: cannot read the folder (${e.code === 'ENOENT' ? 'no such folder' : e.code === 'ENOTDIR' ? 'it is a file' : (e.code ?? e.message)})`,
    );
  });
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = path.join(dir, e.name);
    if (
      e.isFile() ||
      (e.isSymbolicLink() &&
        (await stat(full).then(
          (s) => s.isFile(),
          () => false,
        )))
    )
      files.push(e.name);
  }
  if (files.length === 0) throw new InputError(`${dir}: the folder holds no files`);
  files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return Promise.all(files.map((f) => fileSource(path.join(dir, f))));
}

/** A path the user gave: a file, or a folder standing for its files. */
export async function pathSources(p: string): Promise<{ sources: ByteSource[]; folder: boolean }> {
  const s = await stat(p).catch((e: NodeJS.ErrnoException) => {
    throw new InputError(`${p}: cannot open (${e.code === 'ENOENT' ? 'no such file or folder' : (e.code ?? e.message)})`);
  });
  if (s.isDirectory()) return { sources: await folderSources(p), folder: true };
  return { sources: [await fileSource(p)], folder: false };
}

export async function readUserFile(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new InputError(
      `${file}: cannot read (${err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a folder, expected a file' : err.code === 'ENOTDIR' ? 'a folder on its path is a file' : (err.code ?? err.message)})`,
    );
  }
}

/** A converted model's model.json (the folder's, or the file given), checked. */
export async function readModelJson(dir: string): Promise<{ json: ModelJson; jsonPath: string }> {
  const jsonPath = dir.endsWith('.json') ? dir : path.join(dir, 'model.json');
  const text = new TextDecoder().decode(await readUserFile(jsonPath));
  return { json: parseModelJson(text, jsonPath), jsonPath };
}

/** Reads a converted model folder (model.json and its shards). */
export async function readModelDir(dir: string): Promise<{ json: ModelJson; weights: Map<string, Float32Array> }> {
  const { json, jsonPath } = await readModelJson(dir);
  const base = path.dirname(jsonPath);
  const weights = await decodeWeights(json, jsonPath, (_g, _i, p) => readUserFile(path.join(base, p)));
  return { json, weights };
}

export async function writeModelDir(dir: string, json: ModelJson, shards: Map<string, Uint8Array> | null): Promise<void> {
  const failed = (e: NodeJS.ErrnoException) => {
    const why = e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'it, or a part of its path, is a file, not a folder' : (e.code ?? e.message);
    return new InputError(`${dir}: cannot write the model folder (${why})`);
  };
  await mkdir(dir, { recursive: true }).catch((e) => {
    throw failed(e);
  });
  try {
    if (shards) for (const [p, bytes] of shards) await writeFile(path.join(dir, p), bytes);
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json, null, 1) + '\n');
  } catch (e) {
    throw failed(e as NodeJS.ErrnoException);
  }
}
