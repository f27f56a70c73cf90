/**
 * TFRecord framing: `u64 length, u32 masked_crc32c(length), data, u32 masked_crc32c(data)`,
 * little-endian. Only the framing lives here; what a record holds is the caller's business.
 */
import type { ByteSource } from '../io/byteSource';
import { maskedCrc32c } from './crc32c';

const HEADER = 12; // u64 length + u32 length CRC
const FOOTER = 4;

export interface TfRecordProblem {
  /** Position of the record in the file, counting the ones skipped. */
  index: number;
  /** Byte offset of the record's header. */
  offset: number;
  /** One sentence naming the file, the record and its offset, ready to show a user. */
  message: string;
}

export interface TfRecordReadResult {
  /** Each record's data, as views into the input (no copies). */
  records: Uint8Array[];
  /** The record index of each entry of `records`, since skipped ones leave gaps. */
  indices: number[];
  /** The byte offset of each entry of `records`' header. */
  offsets: number[];
  problems: TfRecordProblem[];
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * What the framing says about the record starting at `bytes[0]`, which lies
 * at byte `offset` of a file with `left` bytes from there to its end:
 * `more` when `bytes` holds too little to decide (a streaming caller reads on
 * and asks again), a sound record, one to skip (its data CRC fails but its
 * length was sound, so the next record is still found), a header whose length
 * CRC fails (`lost`: the caller scans forward for the next sound header, see
 * findHeader), or the end of what can be read (a length running past the end:
 * the file is truncated).
 */
type FrameStep =
  | { kind: 'more'; need: number }
  | { kind: 'record'; start: number; end: number; next: number }
  | { kind: 'skip'; message: string; next: number }
  | { kind: 'lost'; crc: string }
  | { kind: 'stop'; message: string };

/** The data length a sound header at `bytes[i]` declares, or -1 when its length CRC fails. */
function headerLength(bytes: Uint8Array, i: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + i, HEADER);
  if (maskedCrc32c(bytes, i, i + 8) !== view.getUint32(8, true)) return -1;
  return view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
}

/**
 * The first position from `from` in `bytes` (which starts at byte `bytesAt` of
 * a file of `size` bytes) holding a header whose length CRC holds and whose
 * record fits in the file: where reading resumes after a lost header. -1 when
 * none starts in `bytes` (a streaming caller reads on from `bytes.length - 11`).
 */
function findHeader(bytes: Uint8Array, from: number, bytesAt: number, size: number): number {
  for (let i = from; i + HEADER <= bytes.length; i++) {
    const length = headerLength(bytes, i);
    if (length >= 0 && length <= size - (bytesAt + i) - HEADER - FOOTER) return i;
  }
  return -1;
}

/**
 * The sentence for a lost header at `offset` once the scan forward ended: the
 * next sound header at `next`, or none (-1) before the file's `size`. A file
 * whose very first header is lost, with none after it, is not a TFRecord.
 */
function lostMessage(file: string, index: number, offset: number, crc: string, next: number, size: number): string {
  if (next < 0 && offset === 0)
    return `${file}: this is not a TFRecord file, or it is damaged: no record header in it has a sound length CRC (the first one's is ${crc})`;
  const at = `${file}: record ${index} (byte ${offset}) has a corrupt length (CRC ${crc})`;
  if (next < 0) return `${at}: no sound record header follows, so the last ${size - offset} bytes cannot be read`;
  return `${at}: skipped ${next - offset} bytes to the next sound record header, at byte ${next}`;
}

function frameStep(bytes: Uint8Array, left: number, index: number, offset: number, file: string): FrameStep {
  const at = (what: string) => `${file}: record ${index} (byte ${offset}) ${what}`;
  if (left < HEADER)
    return { kind: 'stop', message: at(`is cut off: only ${left} bytes remain of a ${HEADER}-byte record header; the file is truncated`) };
  if (bytes.length < HEADER) return { kind: 'more', need: HEADER };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const storedLengthCrc = view.getUint32(8, true);
  const lengthCrc = maskedCrc32c(bytes, 0, 8);
  if (lengthCrc !== storedLengthCrc) return { kind: 'lost', crc: `${hex(storedLengthCrc)}, expected ${hex(lengthCrc)}` };
  // hi > 0 means >= 4 GiB, which no browser-held file reaches.
  const length = hi * 2 ** 32 + lo;
  if (length > left - HEADER - FOOTER) {
    return {
      kind: 'stop',
      message: at(
        `is cut off: it claims ${length} bytes of data but only ${Math.max(0, left - HEADER - FOOTER)} remain; the file is truncated`,
      ),
    };
  }
  const end = HEADER + length;
  if (bytes.length < end + FOOTER) return { kind: 'more', need: end + FOOTER };
  const storedDataCrc = view.getUint32(end, true);
  const dataCrc = maskedCrc32c(bytes, HEADER, end);
  if (dataCrc !== storedDataCrc)
    return {
      kind: 'skip',
      message: at(`skipped: its data is corrupt (CRC ${hex(storedDataCrc)}, expected ${hex(dataCrc)})`),
      next: end + FOOTER,
    };
  return { kind: 'record', start: HEADER, end, next: end + FOOTER };
}

/** Splits a TFRecord file held in memory into records (see frameStep for what is skipped and where reading stops). */
export function readTfRecords(bytes: Uint8Array, file: string): TfRecordReadResult {
  const records: Uint8Array[] = [];
  const indices: number[] = [];
  const offsets: number[] = [];
  const problems: TfRecordProblem[] = [];
  let offset = 0;
  for (let index = 0; offset < bytes.length; index++) {
    const s = frameStep(bytes.subarray(offset), bytes.length - offset, index, offset, file);
    if (s.kind === 'more') throw new Error('readTfRecords: the whole file is in memory'); // cannot happen: left === bytes.length
    if (s.kind === 'lost') {
      // A broken record costs only itself: reading resumes at the next sound header.
      const next = findHeader(bytes, offset + 1, 0, bytes.length);
      problems.push({ index, offset, message: lostMessage(file, index, offset, s.crc, next, bytes.length) });
      if (next < 0) break;
      offset = next;
      continue;
    }
    if (s.kind === 'stop') {
      problems.push({ index, offset, message: s.message });
      break;
    }
    if (s.kind === 'skip') problems.push({ index, offset, message: s.message });
    else {
      records.push(bytes.subarray(offset + s.start, offset + s.end));
      indices.push(index);
      offsets.push(offset);
    }
    offset += s.next;
  }
  return { records, indices, offsets, problems };
}

/** One step of a streamed scan: a record's data (valid until the scan goes on), or a problem. */
export type ScannedRecord =
  { kind: 'record'; index: number; offset: number; length: number; data: Uint8Array } | { kind: 'problem'; problem: TfRecordProblem };

/**
 * The records of a TFRecord file read a chunk at a time, without holding the
 * file: records across chunk edges are joined, and memory stays one chunk plus
 * the largest record. Same records and problems as readTfRecords. `onBytes`
 * hears the bytes read so far.
 */
export async function* scanTfRecords(
  src: ByteSource,
  opts: { chunkBytes?: number; onBytes?: (read: number) => void } = {},
): AsyncGenerator<ScannedRecord> {
  const chunk = Math.max(HEADER + FOOTER, opts.chunkBytes ?? 4 << 20);
  let buf: Uint8Array = new Uint8Array(0);
  /** The file offset of buf[0]. */
  let bufAt = 0;
  let offset = 0;
  /**
   * The file offset of the next sound header at or after `from`, or -1: read a
   * chunk at a time, keeping only a header's worth of the bytes already searched.
   */
  const scanForHeader = async (from: number): Promise<number> => {
    for (;;) {
      const found = findHeader(buf, Math.max(0, from - bufAt), bufAt, src.size);
      if (found >= 0) return bufAt + found;
      const have = bufAt + buf.length;
      if (have >= src.size) return -1;
      const keep = buf.subarray(Math.max(0, Math.max(from - bufAt, buf.length - (HEADER - 1))));
      const more = await src.read(have, chunk);
      if (more.length === 0) throw new Error(`scanTfRecords: ${src.name} ended before its size`);
      const joined = new Uint8Array(keep.length + more.length);
      joined.set(keep);
      joined.set(more, keep.length);
      from = Math.max(from, have - keep.length);
      buf = joined;
      bufAt = have - keep.length;
      opts.onBytes?.(bufAt + buf.length);
    }
  };
  for (let index = 0; offset < src.size;) {
    const s = frameStep(buf.subarray(offset - bufAt), src.size - offset, index, offset, src.name);
    if (s.kind === 'more') {
      const have = bufAt + buf.length;
      const more = await src.read(have, Math.max(chunk, s.need - (have - offset)));
      if (more.length === 0) throw new Error(`scanTfRecords: ${src.name} ended before its size`);
      const joined = new Uint8Array(have - offset + more.length);
      joined.set(buf.subarray(offset - bufAt));
      joined.set(more, have - offset);
      buf = joined;
      bufAt = offset;
      opts.onBytes?.(bufAt + buf.length);
      continue;
    }
    if (s.kind === 'lost') {
      const next = await scanForHeader(offset + 1);
      yield { kind: 'problem', problem: { index, offset, message: lostMessage(src.name, index, offset, s.crc, next, src.size) } };
      if (next < 0) return;
      offset = next;
      index++;
      continue;
    }
    if (s.kind === 'stop') {
      yield { kind: 'problem', problem: { index, offset, message: s.message } };
      return;
    }
    if (s.kind === 'skip') yield { kind: 'problem', problem: { index, offset, message: s.message } };
    else {
      const base = offset - bufAt;
      yield { kind: 'record', index, offset, length: s.next, data: buf.subarray(base + s.start, base + s.end) };
    }
    offset += s.next;
    index++;
  }
}

/** The data of the one record whose header is at `offset` (`length` bytes with its framing), or the problem with it. */
export async function readTfRecordAt(src: ByteSource, offset: number, length: number, index: number): Promise<ScannedRecord> {
  const bytes = await src.read(offset, length);
  const s = frameStep(bytes, src.size - offset, index, offset, src.name);
  if (s.kind === 'record') return { kind: 'record', index, offset, length: s.next, data: bytes.subarray(s.start, s.end) };
  const message =
    s.kind === 'more' || s.kind === 'lost'
      ? `${src.name}: record ${index} (byte ${offset}) is no longer there: the file changed since it was read`
      : s.message;
  return { kind: 'problem', problem: { index, offset, message } };
}

/** True when the first 12 bytes are a record header whose length CRC checks out. */
export function hasTfRecordHeader(bytes: Uint8Array): boolean {
  if (bytes.length < HEADER) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER);
  return maskedCrc32c(bytes, 0, 8) === view.getUint32(8, true);
}

export function writeTfRecords(records: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const r of records) total += HEADER + r.length + FOOTER;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const r of records) {
    view.setUint32(offset, r.length % 2 ** 32, true);
    view.setUint32(offset + 4, Math.floor(r.length / 2 ** 32), true);
    view.setUint32(offset + 8, maskedCrc32c(out, offset, offset + 8), true);
    out.set(r, offset + HEADER);
    const end = offset + HEADER + r.length;
    view.setUint32(end, maskedCrc32c(r), true);
    offset = end + FOOTER;
  }
  return out;
}
