import type { ByteSource } from '../core/io/byteSource';

/** A File (or any Blob) the user gave, read a slice at a time: the page's side of the core's ByteSource. */
export function blobSource(name: string, blob: Blob): ByteSource {
  return {
    name,
    size: blob.size,
    read: async (offset, length) => new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer()),
  };
}
