/**
 * Random access to a file's bytes without holding the whole file: weight files
 * are 435 MB, so the converter reads headers and one tensor at a time. Node wraps
 * a file handle (node/files.ts), the page a Blob (worker/blobSource.ts), tests an
 * in-memory array.
 */
export interface ByteSource {
  /** The file's name as the user knows it, for error messages. */
  readonly name: string;
  readonly size: number;
  /** Exactly `length` bytes from `offset`, or fewer only at the end of the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.length,
    read: async (offset, length) => bytes.subarray(offset, Math.min(bytes.length, offset + length)),
  };
}

/** The whole source in memory (for formats that cannot be streamed, such as pickles). */
export async function readAll(src: ByteSource): Promise<Uint8Array> {
  const out = new Uint8Array(src.size);
  const chunk = 16 << 20;
  for (let off = 0; off < src.size; off += chunk) {
    out.set(await src.read(off, Math.min(chunk, src.size - off)), off);
  }
  return out;
}
