/**
 * A YouTube-8M frame-level record read straight off the protobuf wire: the
 * frames' bytes copied into one array per modality, without the objects that
 * a general decoder makes for every frame (a shard has half a million frame
 * features; decoding them one object each dominated reading a shard, and its
 * garbage the reader's memory). Only the layout YouTube-8M writes is taken:
 * context `id` (one byte string), `labels` (int64, packed or not) and the
 * segment ratings (`segment_labels` and `segment_start_times` int64,
 * `segment_scores` float, packed or not), feature lists `rgb` and `audio` of
 * one byte string per frame, all of one length. Anything else (another layout,
 * a damaged record, odd labels, a rating list of another kind or with a
 * negative id) returns null, and the caller takes the general decoder, whose
 * messages explain it.
 */
import { type RawSegmentLists, SEGMENT_KEYS } from './segmentRatings';

interface Cursor {
  buf: Uint8Array;
  pos: number;
}

/** A varint as a number (exact below 2^53), or -1 when it runs past `end` or is longer. */
function varint(c: Cursor, end: number): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    if (c.pos >= end) return -1;
    const b = c.buf[c.pos++];
    result += (b & 0x7f) * scale;
    if (b < 0x80) return result;
    scale *= 128;
  }
  return -1;
}

/** Skips a field's value of `wire` type; false when it cannot. */
function skip(c: Cursor, wire: number, end: number): boolean {
  if (wire === 0) return varint(c, end) >= 0;
  if (wire === 1) c.pos += 8;
  else if (wire === 5) c.pos += 4;
  else if (wire === 2) {
    const n = varint(c, end);
    if (n < 0) return false;
    c.pos += n;
  } else return false;
  return c.pos <= end;
}

/** The fields of a message in [start, end): calls `on(field, wire, valueStart, valueEnd)` per length-delimited field. */
function fields(buf: Uint8Array, start: number, end: number, on: (field: number, start: number, end: number) => boolean): boolean {
  const c: Cursor = { buf, pos: start };
  while (c.pos < end) {
    const tag = varint(c, end);
    if (tag < 0) return false;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire !== 2) {
      if (!skip(c, wire, end)) return false;
      continue;
    }
    const n = varint(c, end);
    if (n < 0 || c.pos + n > end) return false;
    if (!on(field, c.pos, c.pos + n)) return false;
    c.pos += n;
  }
  return c.pos === end;
}

/** A map entry's key (field 1, a string) and value (field 2) ranges. */
function entry(buf: Uint8Array, start: number, end: number): { key: string; value: [number, number] } | null {
  const found: { key?: [number, number]; value?: [number, number] } = {};
  const ok = fields(buf, start, end, (f, s, e) => {
    if (f === 1) found.key = [s, e];
    else if (f === 2) found.value = [s, e];
    return true;
  });
  if (!ok || !found.key || !found.value) return null;
  const [ks, ke] = found.key;
  const value = found.value;
  let text = '';
  for (let i = ks; i < ke; i++) {
    if (buf[i] > 0x7e || buf[i] < 0x20) return null; // not the plain ASCII keys YouTube-8M writes
    text += String.fromCharCode(buf[i]);
  }
  return { key: text, value };
}

/** The one byte string of a Feature holding a BytesList of one value: its range. */
function singleBytes(buf: Uint8Array, start: number, end: number): [number, number] | null {
  const list = onlyField(buf, start, end, 1);
  if (!list) return null;
  const found: { value?: [number, number]; count: number } = { count: 0 };
  if (
    !fields(buf, list[0], list[1], (f, s, e) => {
      if (f !== 1) return false;
      found.count++;
      found.value = [s, e];
      return true;
    }) ||
    found.count !== 1
  )
    return null;
  return found.value ?? null;
}

/** The range of a message's one length-delimited field, which must be `field`; null when there is another or none. */
function onlyField(buf: Uint8Array, start: number, end: number, field: number): [number, number] | null {
  const found: { range?: [number, number]; other: boolean } = { other: false };
  if (
    !fields(buf, start, end, (f, s, e) => {
      if (f === field && !found.range) found.range = [s, e];
      else found.other = true;
      return true;
    }) ||
    found.other
  )
    return null;
  return found.range ?? null;
}

/** An Int64List's values (packed or one tag each), or null when any is negative or past 2^53. */
function int64s(buf: Uint8Array, start: number, end: number): number[] | null {
  const out: number[] = [];
  const c: Cursor = { buf, pos: start };
  while (c.pos < end) {
    const tag = varint(c, end);
    if (tag < 0 || Math.floor(tag / 8) !== 1) return null;
    if ((tag & 7) === 0) {
      const v = varint(c, end);
      if (v < 0) return null;
      out.push(v);
    } else if ((tag & 7) === 2) {
      const n = varint(c, end);
      if (n < 0 || c.pos + n > end) return null;
      const stop = c.pos + n;
      while (c.pos < stop) {
        const v = varint(c, stop);
        if (v < 0) return null;
        out.push(v);
      }
    } else return null;
  }
  return out;
}

/** A FloatList's values (packed, or one fixed32 each), or null when the list is not plainly that. */
function floats(buf: Uint8Array, start: number, end: number): number[] | null {
  const out: number[] = [];
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const c: Cursor = { buf, pos: start };
  while (c.pos < end) {
    const tag = varint(c, end);
    if (tag < 0 || Math.floor(tag / 8) !== 1) return null;
    if ((tag & 7) === 5) {
      if (c.pos + 4 > end) return null;
      out.push(view.getFloat32(c.pos, true));
      c.pos += 4;
    } else if ((tag & 7) === 2) {
      const n = varint(c, end);
      if (n < 0 || n % 4 !== 0 || c.pos + n > end) return null;
      for (let stop = c.pos + n; c.pos < stop; c.pos += 4) out.push(view.getFloat32(c.pos, true));
    } else return null;
  }
  return out;
}

/** The values of a Feature holding one list of the given field (3 int64, 2 float), or null. */
function list(buf: Uint8Array, [start, end]: [number, number], field: 2 | 3): number[] | null {
  const range = onlyField(buf, start, end, field);
  if (!range) return null;
  return field === 3 ? int64s(buf, range[0], range[1]) : floats(buf, range[0], range[1]);
}

export interface WireVideo {
  id: string | null;
  labels: number[] | null;
  /** The segment rating lists the record holds (unchecked: checkSegmentRatings does that for both readers). */
  segments: RawSegmentLists;
  /** Frames kept (at most the cap), and the frames the record holds. */
  frames: number;
  count: number;
  rgbDim: number;
  audioDim: number;
  /** The first `cap` frames, row-major, as stored. */
  rgb: Uint8Array;
  audio: Uint8Array;
}

const utf8 = new TextDecoder('utf-8');

/** The record, or null when it is not plainly the frame-level layout (the general decoder then explains). */
export function readFrameLevelWire(buf: Uint8Array, cap: number): WireVideo | null {
  try {
    return read(buf, cap);
  } catch {
    return null;
  }
}

function read(buf: Uint8Array, cap: number): WireVideo | null {
  let id: string | null = null;
  let labels: number[] | null = null;
  const segments: { -readonly [K in keyof RawSegmentLists]: number[] } = {};
  const lists = new Map<string, [number, number]>();
  let contextSeen = false;
  const ok = fields(buf, 0, buf.length, (f, s, e) => {
    if (f === 1) {
      if (contextSeen) return false;
      contextSeen = true;
      return fields(buf, s, e, (ff, es, ee) => {
        if (ff !== 1) return true;
        const en = entry(buf, es, ee);
        if (!en) return false;
        if (en.key === 'id') {
          const v = singleBytes(buf, en.value[0], en.value[1]);
          if (!v || id !== null) return false;
          id = utf8.decode(buf.subarray(v[0], v[1]));
        } else if (en.key === 'labels') {
          if (labels) return false;
          const list = onlyField(buf, en.value[0], en.value[1], 3);
          labels = list ? int64s(buf, list[0], list[1]) : null;
          if (!labels || labels.some((l) => !Number.isSafeInteger(l))) return false;
        } else if (en.key === SEGMENT_KEYS.labels || en.key === SEGMENT_KEYS.starts || en.key === SEGMENT_KEYS.scores) {
          const which = en.key === SEGMENT_KEYS.labels ? 'labels' : en.key === SEGMENT_KEYS.starts ? 'starts' : 'scores';
          if (segments[which]) return false;
          const values = list(buf, en.value, which === 'scores' ? 2 : 3);
          if (!values) return false;
          segments[which] = values;
        }
        return true;
      });
    }
    if (f === 2) {
      return fields(buf, s, e, (ff, es, ee) => {
        if (ff !== 1) return true;
        const en = entry(buf, es, ee);
        if (!en || lists.has(en.key)) return false;
        lists.set(en.key, en.value);
        return true;
      });
    }
    return true;
  });
  const rgbList = lists.get('rgb');
  const audioList = lists.get('audio');
  if (!ok || !rgbList || !audioList) return null;
  const rgb = frameRanges(buf, rgbList);
  const audio = frameRanges(buf, audioList);
  if (!rgb || !audio || rgb.count === 0 || rgb.count !== audio.count) return null;
  const frames = Math.min(rgb.count, cap);
  return {
    id,
    labels,
    segments,
    frames,
    count: rgb.count,
    rgbDim: rgb.dim,
    audioDim: audio.dim,
    rgb: join(buf, rgb.starts, frames, rgb.dim),
    audio: join(buf, audio.starts, frames, audio.dim),
  };
}

/** Where each frame's bytes start, and their common length; null unless every frame is one byte string of that length. */
function frameRanges(buf: Uint8Array, [start, end]: [number, number]): { starts: number[]; dim: number; count: number } | null {
  const starts: number[] = [];
  let dim = -1;
  const ok = fields(buf, start, end, (f, s, e) => {
    if (f !== 1) return false;
    const v = singleBytes(buf, s, e);
    if (!v) return false;
    const n = v[1] - v[0];
    if (dim < 0) dim = n;
    if (n !== dim || n === 0) return false;
    starts.push(v[0]);
    return true;
  });
  return ok ? { starts, dim, count: starts.length } : null;
}

function join(buf: Uint8Array, starts: readonly number[], frames: number, dim: number): Uint8Array {
  const out = new Uint8Array(frames * dim);
  for (let t = 0; t < frames; t++) out.set(buf.subarray(starts[t], starts[t] + dim), t * dim);
  return out;
}
