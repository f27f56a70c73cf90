import { floatToHalf } from '../ndarray';
import { SHARD_BYTES, type StoredDType, shardName } from './modelFormat';

/** Where converted shards go: files in Node, IndexedDB in the page, memory in tests. */
export type ShardSink = (path: string, bytes: Uint8Array) => Promise<void>;

/**
 * Packs tensors back to back into fixed-size shards, emitting each shard as soon
 * as it is full, so a conversion holds at most one shard and one tensor.
 */
export class ShardWriter {
  private buf: Uint8Array;
  private fill = 0;
  private emitted = 0;
  readonly paths: string[];

  constructor(
    totalBytes: number,
    private readonly sink: ShardSink,
    private readonly dtype: StoredDType,
    shardBytes = SHARD_BYTES,
  ) {
    const n = Math.max(1, Math.ceil(totalBytes / shardBytes));
    this.paths = Array.from({ length: n }, (_, i) => shardName(i, n));
    this.buf = new Uint8Array(Math.min(shardBytes, Math.max(totalBytes, 1)));
    this.shardBytes = shardBytes;
    this.remaining = totalBytes;
  }

  private readonly shardBytes: number;
  private remaining: number;

  async write(values: Float32Array): Promise<void> {
    const bytes = this.dtype === 'float16' ? halfBytes(values) : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    let at = 0;
    while (at < bytes.length) {
      const k = Math.min(bytes.length - at, this.buf.length - this.fill);
      this.buf.set(bytes.subarray(at, at + k), this.fill);
      this.fill += k;
      at += k;
      this.remaining -= k;
      if (this.fill === this.buf.length) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.emitted >= this.paths.length) throw new Error('ShardWriter: more bytes than announced');
    await this.sink(this.paths[this.emitted++], this.buf);
    this.fill = 0;
    this.buf = new Uint8Array(Math.min(this.shardBytes, Math.max(this.remaining, 1)));
  }

  async finish(): Promise<void> {
    if (this.remaining !== 0 || this.emitted !== this.paths.length) {
      throw new Error(`ShardWriter: ${this.remaining} bytes short, ${this.emitted} of ${this.paths.length} shards written`);
    }
  }
}

function halfBytes(values: Float32Array): Uint8Array {
  const h = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) h[i] = floatToHalf(values[i]);
  return new Uint8Array(h.buffer);
}
