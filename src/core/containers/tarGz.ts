/**
 * Files out of a tar archive, gzipped or not, held in memory: the published
 * extractor files come as `.tgz` (`inception-2015-12-05.tgz`, `yt8m_pca.tgz`).
 * fflate inflates, modern-tar reads the tar in its strict mode (header
 * checksums, truncation), so a damaged archive is an error, never a silently
 * shorter file.
 */
import { gunzipSync } from 'fflate';
import { unpackTar } from 'modern-tar';
import { fail, InputError } from '../errors';

/** No published file comes near this; a gzip header claiming more is damaged or hostile. */
const MAX_UNCOMPRESSED = 1 << 30;

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** A POSIX (ustar) or GNU tar header: "ustar" at byte 257. */
export function isTar(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 512 && bytes[257] === 0x75 && bytes[258] === 0x73 && bytes[259] === 0x74 && bytes[260] === 0x61 && bytes[261] === 0x72
  );
}

function why(e: unknown): string {
  return e instanceof Error ? e.message.replace(/\.$/, '') : String(e);
}

/** The bytes of a gzip file, inflated; an InputError naming the file when they are not gzip or are cut off. */
export function gunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes.length < 18) fail(file, `it is cut off: ${bytes.length} bytes cannot hold a gzip file`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset + bytes.length - 4, 4).getUint32(0, true);
  if (declared > MAX_UNCOMPRESSED)
    fail(file, `its gzip trailer declares ${declared} bytes uncompressed, more than any extractor file holds: it is damaged`);
  try {
    return gunzipSync(bytes);
  } catch (e) {
    return fail(file, `the gzip data is damaged or cut off (${why(e)})`);
  }
}

/**
 * The regular files of a tar (or gzipped tar) archive whose path `wanted`
 * accepts, by their path inside the archive (a leading "./" removed).
 */
export async function readTarFiles(bytes: Uint8Array, file: string, wanted: (path: string) => boolean): Promise<Map<string, Uint8Array>> {
  const tar = isGzip(bytes) ? gunzip(bytes, file) : bytes;
  if (!isTar(tar)) fail(file, `not a tar archive${isGzip(bytes) ? ' inside the gzip' : ''}: expected the published .tgz as downloaded`);
  const out = new Map<string, Uint8Array>();
  try {
    const entries = await unpackTar(tar, {
      strict: true,
      filter: (h) => h.type === 'file' && wanted(clean(h.name)),
    });
    for (const e of entries) if (e.data) out.set(clean(e.header.name), e.data);
  } catch (e) {
    if (e instanceof InputError) throw e;
    fail(file, `the tar archive is damaged or cut off (${why(e)})`);
  }
  return out;
}

function clean(name: string): string {
  return name.replace(/^(\.\/)+/, '');
}

/** The last part of a path inside an archive. */
export function entryBaseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
