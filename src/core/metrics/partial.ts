/**
 * A worker's part of a sharded evaluation (`evaluate --partial`): the
 * mergeable state behind every figure (metrics/accumulator.ts for Hit@1,
 * PERR, GAP and mAP; segments/segmentRanking.ts for segment MAP) with what
 * it covered (its shard, its inputs, the whole list's digest), the settings
 * and the model's fingerprint. mergeParts() checks that the parts belong
 * together and make one whole, then merges them into the state one run over
 * every input would have reached: the figures come out bit for bit the same.
 * File reading and writing are the CLI's (src/cli/partialFile.ts).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InputError } from '../errors';
import { SegmentRanking, type SegmentRankingState } from '../segments/segmentRanking';
import type { Shard } from '../shards/assign';
import { MetricsAccumulator, type MetricsState } from './accumulator';

const PART_KIND = 'attention-lstm evaluation part';

/** Everything that changes the figures besides the inputs and the model: parts must agree on all of it. */
interface PartSettings {
  /** evaluate (the figures' state) or predict --segments (the rankings behind a submission, no labels counted). */
  command: 'evaluate' | 'predict';
  maxFrames: number;
  /** Predictions per video kept for GAP and mAP. */
  topK: number;
  /** The segment settings (windows, K, classes per window, rated classes), or null without --segments. */
  segments: { window: { length: number; hop: number }; k: number; topPerWindow: number; rated: number[] | null } | null;
  segmentsOnly: boolean;
  /**
   * The engine that predicted ('own', 'ort': onnxruntime-node, 'tfjs'): engines agree within 1e-6, not bit for
   * bit, so parts of different engines do not merge into one run's figures. Absent in parts written before it
   * was recorded (the own engine's).
   */
  engine?: string;
}

export interface PartDocument {
  kind: typeof PART_KIND;
  version: 1;
  /** The model: its fingerprint (SHA-256 of model.json and its shards), classes, and class names (with --segments, whose figures name classes). */
  model: { fingerprint: string; classes: number; classNames?: string[] };
  settings: PartSettings;
  shard: Shard;
  inputs: {
    /** Inputs in the whole list (every worker's), and the digest of that sorted list (inputListDigest). */
    total: number;
    listSha256: string;
    /** This worker's inputs, sorted; those that could not be read are in `skipped` too. */
    covered: string[];
    skipped: { input: string; reason: string }[];
  };
  /** Videos left out of the video figures for want of labels, and videos the model could not take. */
  unlabeled: number;
  failed: number;
  metrics: MetricsState | null;
  segments: SegmentRankingState | null;
  /** When the part was written (ISO 8601): of two parts of one shard, the later replaces the earlier. */
  written: string;
}

/** The digest of the whole sorted input list: parts of different lists do not merge. */
export function inputListDigest(sorted: readonly string[]): string {
  return bytesToHex(sha256(new TextEncoder().encode(sorted.map((s) => `${s}\n`).join(''))));
}

export interface PartContents {
  command?: PartSettings['command'];
  engine?: string;
  model: PartDocument['model'];
  maxFrames: number;
  metrics: MetricsAccumulator;
  /** The segment rankings, or null without --segments. */
  ranking: SegmentRanking | null;
  segmentsOnly: boolean;
  shard: Shard;
  inputs: PartDocument['inputs'];
  unlabeled: number;
  failed: number;
  written: string;
}

/** A worker's part from its totals (the covered inputs sorted, as merge expects them). */
export function makePart(p: PartContents): PartDocument {
  const r = p.ranking;
  return {
    kind: PART_KIND,
    version: 1,
    model: p.model,
    settings: {
      command: p.command ?? 'evaluate',
      maxFrames: p.maxFrames,
      topK: p.metrics.topK,
      segmentsOnly: p.segmentsOnly,
      segments: r ? { window: { ...r.window }, k: r.k, topPerWindow: r.topPerWindow, rated: r.rated ? [...r.rated] : null } : null,
      ...(p.engine ? { engine: p.engine } : {}),
    },
    shard: { index: p.shard.index, count: p.shard.count },
    inputs: { ...p.inputs, covered: [...p.inputs.covered].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) },
    unlabeled: p.unlabeled,
    failed: p.failed,
    metrics: p.segmentsOnly ? null : p.metrics.toState(),
    segments: r ? r.toState() : null,
    written: p.written,
  };
}

export interface MergedParts {
  metrics: MetricsAccumulator | null;
  ranking: SegmentRanking | null;
  settings: PartSettings;
  model: PartDocument['model'];
  shardCount: number;
  inputs: number;
  skipped: PartDocument['inputs']['skipped'];
  unlabeled: number;
  failed: number;
  /** Things the user should know that do not stop the merge (a part replaced by a later run of its shard). */
  notes: string[];
}

/**
 * The parts, checked to be one whole, merged. Refused with an InputError
 * naming the parts: different models, settings or input lists, the same
 * input in two parts, a shard with no part (naming the missing indices).
 * Two parts of one shard (a worker run again): the later written is kept.
 */
export function mergeParts(parts: readonly { source: string; doc: unknown }[]): MergedParts {
  const plan = planMerge(parts);
  const docs = new Map(parts.map((p) => [p.source, p.doc as PartDocument]));
  const merger = new StateMerger(plan);
  for (const k of plan.kept) merger.add(k.source, docs.get(k.source)!);
  return merger.result();
}

/** What merging will take (the parts checked to be one whole), before any state is read. */
export interface MergePlan {
  /** The parts to merge, one per shard, in shard order (a later part of a shard replaces an earlier one). */
  kept: { source: string; doc: PartDocument }[];
  settings: PartSettings;
  model: PartDocument['model'];
  shardCount: number;
  inputs: number;
  notes: string[];
}

/**
 * The checks of mergeParts() on the parts' headers alone (their `metrics`
 * and `segments` may be left out), so that the merge can then read the
 * states one part at a time (StateMerger): with --segments a part's state
 * can be large, and all of them at once would not fit.
 */
export function planMerge(parts: readonly { source: string; doc: unknown }[]): MergePlan {
  if (parts.length === 0) throw new InputError('no parts given: npm run merge -- parts/*.json');
  const docs = parts.map((p) => ({ source: p.source, doc: checkPart(p.doc, p.source, true) }));
  const first = docs[0];
  for (const { source, doc } of docs.slice(1)) {
    if (doc.model.fingerprint !== first.doc.model.fingerprint) {
      throw new InputError(
        `${source} and ${first.source} were made with different models (fingerprints ${doc.model.fingerprint.slice(0, 12)}… and ${first.doc.model.fingerprint.slice(0, 12)}…): merge the parts of one model`,
      );
    }
    const differs = settingDifference(first.doc.settings, doc.settings);
    if (differs)
      throw new InputError(
        `${source} and ${first.source} were made with different settings (${differs}): merge parts made with the same flags`,
      );
    if (doc.inputs.listSha256 !== first.doc.inputs.listSha256 || doc.inputs.total !== first.doc.inputs.total) {
      throw new InputError(
        `${source} and ${first.source} were made from different input lists (${doc.inputs.total} and ${first.doc.inputs.total} inputs): every worker must be given the same list`,
      );
    }
    if (doc.shard.count !== first.doc.shard.count) {
      throw new InputError(
        `${source} is shard ${doc.shard.index}/${doc.shard.count} and ${first.source} shard ${first.doc.shard.index}/${first.doc.shard.count}: parts of one run share the number of workers`,
      );
    }
  }
  const count = first.doc.shard.count;
  const notes: string[] = [];
  // A shard's later part replaces an earlier one (a worker run again, written under another name).
  const byIndex = new Map<number, { source: string; doc: PartDocument }>();
  for (const d of docs) {
    const held = byIndex.get(d.doc.shard.index);
    if (!held) {
      byIndex.set(d.doc.shard.index, d);
      continue;
    }
    if (held.doc.written === d.doc.written)
      throw new InputError(
        `${d.source} and ${held.source} are both shard ${d.doc.shard.index}/${count}, written at the same time: keep one`,
      );
    const [keep, drop] = d.doc.written > held.doc.written ? [d, held] : [held, d];
    byIndex.set(d.doc.shard.index, keep);
    notes.push(
      `shard ${d.doc.shard.index}/${count}: ${keep.source} (written ${keep.doc.written}) replaces ${drop.source} (written ${drop.doc.written})`,
    );
  }
  const missing: number[] = [];
  for (let i = 0; i < count; i++) if (!byIndex.has(i)) missing.push(i);
  if (missing.length) {
    const list = missing.length > 20 ? `${missing.slice(0, 20).join(', ')} and ${missing.length - 20} more` : missing.join(', ');
    throw new InputError(
      `missing the part${missing.length === 1 ? '' : 's'} of shard${missing.length === 1 ? '' : 's'} ${list} of ${count}: run ${missing.length === 1 ? 'that worker' : 'those workers'} (--shard i/${count}) and merge again`,
    );
  }
  const kept = [...byIndex.keys()].sort((a, b) => a - b).map((i) => byIndex.get(i)!);
  const owner = new Map<string, string>();
  let covered = 0;
  for (const { source, doc } of kept) {
    for (const input of doc.inputs.covered) {
      const other = owner.get(input);
      if (other !== undefined) throw new InputError(`${input} is counted in both ${other} and ${source}: each input may be counted once`);
      owner.set(input, source);
      covered++;
    }
  }
  if (covered !== first.doc.inputs.total)
    throw new InputError(`the parts cover ${covered} inputs of the ${first.doc.inputs.total} listed: some worker did not take its share`);

  return { kept, settings: first.doc.settings, model: first.doc.model, shardCount: count, inputs: covered, notes };
}

/** The states of a plan's parts merged one part at a time (each part's full document, in any order). */
export class StateMerger {
  private readonly metrics: MetricsAccumulator | null;
  private ranking: SegmentRanking | null = null;
  private readonly pending: Set<string>;

  constructor(private readonly plan: MergePlan) {
    const s = plan.settings;
    this.metrics = s.segmentsOnly ? null : new MetricsAccumulator(plan.model.classes, s.topK);
    this.pending = new Set(plan.kept.map((k) => k.source));
  }

  /** A kept part's states (its document read again in full); the header must be the one planned. */
  add(source: string, doc: unknown): void {
    if (!this.pending.delete(source)) throw new Error(`merge: ${source} is not a part still to merge`);
    const planned = this.plan.kept.find((k) => k.source === source)!.doc;
    const d = checkPart(doc, source);
    if (d.written !== planned.written || d.shard.index !== planned.shard.index || d.model.fingerprint !== planned.model.fingerprint) {
      throw new InputError(`${source} changed while the parts were merged: merge again`);
    }
    if (this.metrics) this.metrics.merge(MetricsAccumulator.fromState(d.metrics, `${source}: metrics`));
    if (this.plan.settings.segments) {
      const r = SegmentRanking.fromState(d.segments, `${source}: segments`);
      if (this.ranking) this.ranking.merge(r);
      else this.ranking = r;
    }
  }

  result(): MergedParts {
    if (this.pending.size) throw new Error(`merge: ${this.pending.size} parts not merged yet`);
    const { kept } = this.plan;
    return {
      metrics: this.metrics,
      ranking: this.ranking,
      settings: this.plan.settings,
      model: this.plan.model,
      shardCount: this.plan.shardCount,
      inputs: this.plan.inputs,
      skipped: kept.flatMap((k) => k.doc.inputs.skipped),
      unlabeled: kept.reduce((n, k) => n + k.doc.unlabeled, 0),
      failed: kept.reduce((n, k) => n + k.doc.failed, 0),
      notes: this.plan.notes,
    };
  }
}

/** The first setting two parts differ in, said for the user, or null. */
function settingDifference(a: PartSettings, b: PartSettings): string | null {
  const flat = (s: PartSettings): [string, string][] => [
    ['command', s.command],
    ['--engine', s.engine ?? 'own'],
    ['--max-frames', String(s.maxFrames)],
    ['top k', String(s.topK)],
    ['--segments', s.segments ? 'on' : 'off'],
    ['--segments-only', s.segmentsOnly ? 'on' : 'off'],
    ['--window-length', String(s.segments?.window.length ?? '-')],
    ['--hop', String(s.segments?.window.hop ?? '-')],
    ['--k', String(s.segments?.k ?? '-')],
    ['classes per window', String(s.segments?.topPerWindow ?? '-')],
    ['--rated-classes', s.segments?.rated ? `${s.segments.rated.length} classes [${s.segments.rated.slice(0, 3).join(', ')}…]` : 'all'],
  ];
  const fa = flat(a);
  const fb = flat(b);
  for (let i = 0; i < fa.length; i++) if (fa[i][1] !== fb[i][1]) return `${fa[i][0]}: ${fa[i][1]} and ${fb[i][1]}`;
  if (JSON.stringify(a.segments?.rated ?? null) !== JSON.stringify(b.segments?.rated ?? null)) return '--rated-classes: different lists';
  return null;
}

/** The document's shape, checked enough that merging it cannot go wrong silently; the states are checked by their own readers. */
function checkPart(doc: unknown, source: string, headerOnly = false): PartDocument {
  const bad = (what: string): never => {
    throw new InputError(`${source}: not a part written by evaluate --partial: ${what}`);
  };
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const whole = (x: unknown, min = 0): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
  if (!isObject(doc)) return bad('it is not a JSON object');
  if (doc.kind !== PART_KIND) bad(`its kind is ${JSON.stringify(doc.kind)}`);
  if (doc.version !== 1) bad(`version ${JSON.stringify(doc.version)} is not one this version reads (1)`);
  const m = doc.model;
  if (!isObject(m) || typeof m.fingerprint !== 'string' || !whole(m.classes, 1)) bad('model.fingerprint and model.classes are missing');
  const st = doc.settings;
  if (
    !isObject(st) ||
    (st.command !== 'evaluate' && st.command !== 'predict') ||
    !whole(st.maxFrames, 1) ||
    !whole(st.topK, 1) ||
    typeof st.segmentsOnly !== 'boolean' ||
    !(st.engine === undefined || typeof st.engine === 'string') ||
    !(st.segments === null || isObject(st.segments))
  )
    bad('settings are missing');
  const sh = doc.shard;
  if (!isObject(sh) || !whole(sh.count, 1) || !whole(sh.index) || (sh.index as number) >= (sh.count as number))
    bad('shard must be { index, count } with index < count');
  const inp = doc.inputs;
  if (
    !isObject(inp) ||
    !whole(inp.total) ||
    typeof inp.listSha256 !== 'string' ||
    !Array.isArray(inp.covered) ||
    !inp.covered.every((x) => typeof x === 'string') ||
    !Array.isArray(inp.skipped) ||
    !inp.skipped.every((x) => isObject(x) && typeof x.input === 'string' && typeof x.reason === 'string')
  ) {
    bad('inputs must list what the part covered');
  }
  if (!whole(doc.unlabeled) || !whole(doc.failed) || typeof doc.written !== 'string') bad('unlabeled, failed and written are missing');
  const settings = st as unknown as PartSettings;
  if (!headerOnly && !settings.segmentsOnly && !isObject(doc.metrics)) bad('the video metrics are missing');
  if (!headerOnly && settings.segments && !isObject(doc.segments)) bad('the segment ranking is missing');
  return doc as unknown as PartDocument;
}
