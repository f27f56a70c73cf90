/**
 * TFRecord framing: `u64 length, u32 masked_crc32c(length), data, u32 masked_crc32c(data)`,
 * little-endian. Only the framing lives here; what a record holds is the caller's business.
 */
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
 * Splits a TFRecord file into records. A record whose data CRC fails is skipped
 * (its length was sound, so the next record is still found); a bad length CRC
 * or a length running past the end loses the framing, so reading stops there.
 */
export function readTfRecords(bytes: Uint8Array, file: string): TfRecordReadResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: Uint8Array[] = [];
  const indices: number[] = [];
  const offsets: number[] = [];
  const problems: TfRecordProblem[] = [];
  const report = (index: number, offset: number, what: string) =>
    problems.push({ index, offset, message: `${file}: record ${index} (byte ${offset}) ${what}` });

  let offset = 0;
  for (let index = 0; offset < bytes.length; index++) {
    const left = bytes.length - offset;
    if (left < HEADER) {
      report(index, offset, `is cut off: only ${left} bytes remain of a ${HEADER}-byte record header; the file is truncated`);
      break;
    }
    const lo = view.getUint32(offset, true);
    const hi = view.getUint32(offset + 4, true);
    const storedLengthCrc = view.getUint32(offset + 8, true);
    const lengthCrc = maskedCrc32c(bytes, offset, offset + 8);
    if (lengthCrc !== storedLengthCrc) {
      report(index, offset,
        `has a corrupt length (CRC ${hex(storedLengthCrc)}, expected ${hex(lengthCrc)}): ` +
        `${index === 0 ? 'this is not a TFRecord file, or it is damaged' : 'the rest of the file cannot be read'}`);
      break;
    }
    // hi > 0 means >= 4 GiB, which no browser-held file reaches.
    const length = hi * 2 ** 32 + lo;
    if (length > left - HEADER - FOOTER) {
      report(index, offset,
        `is cut off: it claims ${length} bytes of data but only ${Math.max(0, left - HEADER - FOOTER)} remain; the file is truncated`);
      break;
    }
    const start = offset + HEADER;
    const end = start + length;
    const storedDataCrc = view.getUint32(end, true);
    const dataCrc = maskedCrc32c(bytes, start, end);
    if (dataCrc !== storedDataCrc) {
      report(index, offset, `skipped: its data is corrupt (CRC ${hex(storedDataCrc)}, expected ${hex(dataCrc)})`);
    } else {
      records.push(bytes.subarray(start, end));
      indices.push(index);
      offsets.push(offset);
    }
    offset = end + FOOTER;
  }
  return { records, indices, offsets, problems };
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
