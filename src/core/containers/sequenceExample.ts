/**
 * `tf.train.SequenceExample` (and the `tf.train.Example` it extends on the wire)
 * decoded and encoded with protobufjs reflection. The schema is declared here
 * rather than loaded from a .proto so the same code runs in Node, a page and a worker.
 */
import protobuf from 'protobufjs/light';
import { InputError } from '../errors';

const packed = { packed: true };
const SCHEMA = {
  nested: {
    BytesList: { fields: { value: { rule: 'repeated', type: 'bytes', id: 1 } } },
    FloatList: { fields: { value: { rule: 'repeated', type: 'float', id: 1, options: packed } } },
    Int64List: { fields: { value: { rule: 'repeated', type: 'int64', id: 1, options: packed } } },
    Feature: {
      oneofs: { kind: { oneof: ['bytesList', 'floatList', 'int64List'] } },
      fields: {
        bytesList: { type: 'BytesList', id: 1 },
        floatList: { type: 'FloatList', id: 2 },
        int64List: { type: 'Int64List', id: 3 },
      },
    },
    Features: { fields: { feature: { keyType: 'string', type: 'Feature', id: 1 } } },
    FeatureList: { fields: { feature: { rule: 'repeated', type: 'Feature', id: 1 } } },
    FeatureLists: { fields: { featureList: { keyType: 'string', type: 'FeatureList', id: 1 } } },
    // tf.train.Example is `Features features = 1`, so it decodes as a SequenceExample with context only.
    SequenceExample: {
      fields: {
        context: { type: 'Features', id: 1 },
        featureLists: { type: 'FeatureLists', id: 2 },
      },
    },
  },
};

const root = protobuf.Root.fromJSON(SCHEMA);
const SequenceExampleType = root.lookupType('SequenceExample');

export type Feature =
  | { kind: 'bytes'; values: Uint8Array[] }
  | { kind: 'float'; values: number[] }
  /** int64 as numbers: exact up to 2^53, far beyond any class index or count. */
  | { kind: 'int64'; values: number[] }
  | { kind: 'empty' };

export interface SequenceExample {
  context: Map<string, Feature>;
  featureLists: Map<string, Feature[]>;
}

/** What protobufjs hands back for the wire types declared above. */
interface RawLong {
  low: number;
  high: number;
}
interface RawFeature {
  bytesList?: { value?: Uint8Array[] } | null;
  floatList?: { value?: number[] } | null;
  int64List?: { value?: (number | RawLong)[] } | null;
}
interface RawSequenceExample {
  context?: { feature?: Record<string, RawFeature> } | null;
  featureLists?: { featureList?: Record<string, { feature?: RawFeature[] }> } | null;
}

// protobufjs yields Long objects when long.js is loadable and plain numbers when not.
function longToNumber(v: number | RawLong): number {
  return typeof v === 'number' ? v : v.high * 2 ** 32 + (v.low >>> 0);
}

// In Node protobufjs produces Buffers; callers and tests expect plain Uint8Arrays.
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function fromRaw(f: RawFeature): Feature {
  if (f.bytesList) return { kind: 'bytes', values: (f.bytesList.value ?? []).map(plain) };
  if (f.floatList) return { kind: 'float', values: f.floatList.value ?? [] };
  if (f.int64List) return { kind: 'int64', values: (f.int64List.value ?? []).map(longToNumber) };
  return { kind: 'empty' };
}

function toRaw(f: Feature): RawFeature {
  switch (f.kind) {
    case 'bytes':
      return { bytesList: { value: f.values } };
    case 'float':
      return { floatList: { value: f.values } };
    case 'int64':
      return { int64List: { value: f.values } };
    case 'empty':
      return {};
  }
}

/** Decodes one record. Throws InputError (message without a file name) when it is not valid protobuf. */
export function decodeSequenceExample(data: Uint8Array): SequenceExample {
  let raw: RawSequenceExample;
  try {
    raw = SequenceExampleType.decode(data) as unknown as RawSequenceExample;
  } catch (err) {
    // protobufjs reports malformed input with plain Errors/RangeErrors; all of them mean "bad data".
    throw new InputError(`not a tf.train.SequenceExample (${err instanceof Error ? err.message : String(err)})`);
  }
  const context = new Map<string, Feature>();
  const features = raw.context?.feature ?? {};
  for (const key of Object.keys(features)) context.set(key, fromRaw(features[key]));
  const featureLists = new Map<string, Feature[]>();
  const lists = raw.featureLists?.featureList ?? {};
  for (const key of Object.keys(lists)) featureLists.set(key, (lists[key].feature ?? []).map(fromRaw));
  return { context, featureLists };
}

export function encodeSequenceExample(ex: SequenceExample): Uint8Array {
  const feature: Record<string, RawFeature> = {};
  for (const [k, f] of ex.context) feature[k] = toRaw(f);
  const featureList: Record<string, { feature: RawFeature[] }> = {};
  for (const [k, list] of ex.featureLists) featureList[k] = { feature: list.map(toRaw) };
  const raw = {
    context: { feature },
    ...(ex.featureLists.size > 0 ? { featureLists: { featureList } } : {}),
  };
  return plain(SequenceExampleType.encode(raw).finish());
}

export const VIDEO_LEVEL_MESSAGE = 'this is a video-level record (mean_rgb), the model needs frame-level features';

/** A YouTube-8M video-level `tf.train.Example`: averaged features, nothing per frame. */
export function isVideoLevelExample(ex: SequenceExample): boolean {
  return ex.featureLists.size === 0 && ex.context.get('mean_rgb')?.kind === 'float';
}
