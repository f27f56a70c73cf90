/**
 * The pickle writer's byte sink: small opcodes gather in one growing buffer,
 * large payloads (array data) are kept by reference as their own chunks, and
 * everything is joined by a single copy at the end. Under protocol 4 and up it
 * also cuts the output into FRAMEs the way CPython does: a frame is closed once
 * it holds 64 KiB, and large payloads sit between frames.
 */
import { Op } from './opcodes';

/** CPython's _FRAME_SIZE_TARGET: frames close past it, and payloads of this size stay out of frames. */
const FRAME_SIZE_TARGET = 64 * 1024;
/** CPython's _FRAME_SIZE_MIN: shorter frames are written without a FRAME header. */
const FRAME_SIZE_MIN = 4;

export class PickleOutput {
  private readonly chunks: Uint8Array[] = [];
  private buf = new Uint8Array(2 * FRAME_SIZE_TARGET);
  private len = 0;
  private framing = false;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  /** Flushes what was written so far unframed (the PROTO opcode) and frames from here on. */
  startFraming(): void {
    this.flush();
    this.framing = true;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  bytes(b: ArrayLike<number>): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  ascii(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.len++] = s.charCodeAt(i);
  }

  u16(v: number): void {
    this.scratch.setUint16(0, v, true);
    this.bytes(new Uint8Array(this.scratch.buffer, 0, 2));
  }

  u32(v: number): void {
    this.scratch.setUint32(0, v, true);
    this.bytes(new Uint8Array(this.scratch.buffer, 0, 4));
  }

  i32(v: number): void {
    this.scratch.setInt32(0, v, true);
    this.bytes(new Uint8Array(this.scratch.buffer, 0, 4));
  }

  u64(v: number): void {
    this.scratch.setUint32(0, v % 2 ** 32, true);
    this.scratch.setUint32(4, Math.floor(v / 2 ** 32), true);
    this.bytes(new Uint8Array(this.scratch.buffer, 0, 8));
  }

  f64be(v: number): void {
    this.scratch.setFloat64(0, v, false);
    this.bytes(new Uint8Array(this.scratch.buffer, 0, 8));
  }

  /**
   * An opcode with its header (opcode and length) and data. Large data is kept
   * by reference, not copied, so the caller must not change it before finish().
   */
  withPayload(header: ArrayLike<number>, data: Uint8Array): void {
    if (data.length < FRAME_SIZE_TARGET) {
      this.bytes(header);
      this.bytes(data);
      return;
    }
    // As CPython does: the frame ends here, and header and data follow outside any frame.
    this.flush();
    this.chunks.push(Uint8Array.from(header), data);
  }

  /** Called where Python's pickler starts saving an object: closes a frame that is full. */
  boundary(): void {
    if (this.framing && this.len >= FRAME_SIZE_TARGET) this.flush();
  }

  finish(): Uint8Array {
    this.flush();
    let total = 0;
    for (const c of this.chunks) total += c.length;
    const out = new Uint8Array(total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  /** Ends the current frame (or, unframed, the current run of small writes). */
  private flush(): void {
    if (this.len === 0) return;
    if (this.framing && this.len >= FRAME_SIZE_MIN) {
      const header = new Uint8Array(9);
      header[0] = Op.FRAME;
      new DataView(header.buffer).setUint32(1, this.len % 2 ** 32, true);
      new DataView(header.buffer).setUint32(5, Math.floor(this.len / 2 ** 32), true);
      this.chunks.push(header);
    }
    this.chunks.push(this.buf.slice(0, this.len));
    this.len = 0;
  }

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const bigger = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    bigger.set(this.buf.subarray(0, this.len));
    this.buf = bigger;
  }
}
