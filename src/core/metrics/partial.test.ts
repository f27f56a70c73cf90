import { describe, expect, it } from 'vitest';
import type { SegmentRating } from '../features/featureTypes';
import { SegmentRanking } from '../segments/segmentRanking';
import { segmentMap, segmentMapJson } from '../segments/segmentMap';
import { shardInputs, sortInputs } from '../shards/assign';
import { seededRandom } from '../training/seeded';
import { MetricsAccumulator } from './accumulator';
import { evaluate } from './index';
import { inputListDigest, makePart, mergeParts, planMerge, StateMerger, type PartDocument } from './partial';

const C = 12;

/** A video of a file: its prediction, labels (some none, some repeated), and windows with segment ratings; ties on purpose. */
interface Video {
  id: string;
  probabilities: Float32Array;
  labels: number[];
  frames: number;
  segments: SegmentRating[];
  windows: [number, Float32Array][];
}

function randomFile(name: string, n: number, seed: number): { name: string; videos: Video[] } {
  const rand = seededRandom(seed);
  const p = () => Float32Array.from({ length: C }, () => (rand() < 0.15 ? 0.5 : rand() < 0.05 ? 0 : rand()));
  const videos = Array.from({ length: n }, (_, v) => {
    const frames = 3 + Math.floor(rand() * 20);
    const starts = Array.from({ length: Math.ceil(frames / 5) }, (_, i) => i * 5);
    const segments = starts.flatMap((s) =>
      Array.from({ length: C }, (_, c) => c)
        .filter(() => rand() < 0.2)
        .map((c) => ({ class: c, start: s, score: rand() < 0.5 ? 1 : 0 })),
    );
    return {
      id: `${name}-${v}`,
      probabilities: p(),
      frames,
      segments,
      labels: Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * C)),
      windows: starts.map((s) => [s, p()] as [number, Float32Array]),
    };
  });
  return { name, videos };
}

const files = [randomFile('c.tfrecord', 40, 1), randomFile('a.tfrecord', 25, 2), randomFile('b.tfrecord', 33, 3)];
const names = files.map((f) => f.name);
const fingerprint = 'f'.repeat(64);
const segmentOpts = { classes: C, k: 30, rated: [0, 2, 3, 5, 7, 8, 11], topPerWindow: 4 };

/** What one worker (or one run) builds from its files, in the order given. */
function work(which: readonly string[], segments: boolean) {
  const metrics = new MetricsAccumulator(C);
  const ranking = segments ? new SegmentRanking(segmentOpts) : null;
  for (const name of which) {
    for (const v of files.find((f) => f.name === name)!.videos) {
      metrics.add(v.probabilities, v.labels);
      if (ranking) {
        const video = { id: v.id, frames: v.frames, segments: v.segments };
        for (const [start, p] of v.windows) ranking.addWindow(video, start, p);
        ranking.addVideo(video);
      }
    }
  }
  return { metrics, ranking };
}

function part(
  index: number,
  count: number,
  opts: { segments?: boolean; fingerprint?: string; maxFrames?: number; covered?: string[]; written?: string; list?: string[] } = {},
): PartDocument {
  const list = opts.list ?? names;
  const mine = opts.covered ?? shardInputs(list, { index, count });
  const { metrics, ranking } = work(mine, !!opts.segments);
  const doc = makePart({
    model: { fingerprint: opts.fingerprint ?? fingerprint, classes: C },
    maxFrames: opts.maxFrames ?? 300,
    metrics,
    ranking,
    segmentsOnly: false,
    shard: { index, count },
    inputs: { total: list.length, listSha256: inputListDigest(sortInputs(list)), covered: mine, skipped: [] },
    unlabeled: 0,
    failed: 0,
    written: opts.written ?? `2026-01-01T00:00:0${index % 10}.000Z`,
  });
  // Through JSON, as the files carry them.
  return JSON.parse(JSON.stringify(doc)) as PartDocument;
}

/** The printed figures, as text: equal text is equal bits (JavaScript prints the shortest string that reads back the same double). */
function figures(metrics: MetricsAccumulator, ranking: SegmentRanking | null): string {
  const video = metrics.result();
  return JSON.stringify(ranking ? { ...video, segments: segmentMapJson(segmentMap(ranking), [], ranking.window) } : video);
}

describe('merging the parts of a sharded evaluation', () => {
  // One run over the files in the order given (not the shards' sorted order): the figures do not depend on it.
  const whole = work(names, true);
  const wholeFigures = figures(whole.metrics, whole.ranking);

  it("one run gives evaluate()'s video figures", () => {
    const all = files.flatMap((f) => f.videos);
    expect(whole.metrics.result()).toEqual(
      evaluate(
        all.map((v) => v.probabilities),
        all.map((v) => v.labels),
      ),
    );
  });

  it.each([1, 2, 3, 7])(
    '3 files split %i ways merge to the figures of one run, bit for bit: Hit@1, PERR, GAP, mAP and segment MAP',
    (n) => {
      const parts = Array.from({ length: n }, (_, i) => ({ source: `part-${i}.json`, doc: part(i, n, { segments: true }) }));
      // Given in any order.
      const merged = mergeParts(parts.reverse());
      expect(merged.shardCount).toBe(n);
      expect(merged.inputs).toBe(3);
      expect(figures(merged.metrics!, merged.ranking)).toBe(wholeFigures);
      expect(merged.ranking!.toState()).toEqual(whole.ranking!.toState());
    },
  );

  it('video figures alone merge too, and an empty share (7 workers, 3 files) is a part like any other', () => {
    const parts = Array.from({ length: 7 }, (_, i) => ({ source: `p${i}`, doc: part(i, 7) }));
    expect(parts[5].doc.inputs.covered).toEqual([]);
    expect(parts[5].doc.metrics!.videos).toBe(0);
    const merged = mergeParts(parts);
    expect(merged.ranking).toBeNull();
    expect(JSON.stringify(merged.metrics!.result())).toBe(JSON.stringify(whole.metrics.result()));
  });

  it('--segments-only parts carry no video figures, and merge to the segment figures alone', () => {
    const parts = [0, 1].map((i) => {
      const doc = part(i, 2, { segments: true });
      const only = makePart({
        model: doc.model,
        maxFrames: 300,
        metrics: new MetricsAccumulator(C),
        ranking: SegmentRanking.fromState(doc.segments),
        segmentsOnly: true,
        shard: doc.shard,
        inputs: doc.inputs,
        unlabeled: 0,
        failed: 0,
        written: doc.written,
      });
      expect(only.metrics).toBeNull();
      return { source: `only-${i}`, doc: JSON.parse(JSON.stringify(only)) as unknown };
    });
    const merged = mergeParts(parts);
    expect(merged.metrics).toBeNull();
    expect(JSON.stringify(segmentMapJson(segmentMap(merged.ranking!), [], merged.ranking!.window))).toBe(
      JSON.stringify(segmentMapJson(segmentMap(whole.ranking!), [], whole.ranking!.window)),
    );
    // Parts with and without --segments-only do not mix.
    expect(() => mergeParts([parts[0], { source: 'full-1', doc: part(1, 2, { segments: true }) }])).toThrow(
      /different settings \(--segments-only: on and off\)/,
    );
  });

  it("merges from headers first, then one part's states at a time (what npm run merge does), to the same figures; a part changed in between is refused", () => {
    const parts = [0, 1, 2].map((i) => ({ source: `part-${i}.json`, doc: part(i, 3, { segments: true }) }));
    const headers = parts.map((p) => ({ source: p.source, doc: { ...p.doc, metrics: undefined, segments: undefined } }));
    const plan = planMerge(headers);
    const merger = new StateMerger(plan);
    for (const p of [...parts].reverse()) merger.add(p.source, p.doc);
    const merged = merger.result();
    expect(figures(merged.metrics!, merged.ranking)).toBe(wholeFigures);
    const again = new StateMerger(planMerge(headers));
    expect(() => again.add('part-1.json', part(1, 3, { segments: true, written: '2027-01-01T00:00:00.000Z' }))).toThrow(
      /^part-1\.json changed while the parts were merged: merge again$/,
    );
  });

  it('a worker run again for its shard: the later part replaces the earlier, and says so', () => {
    const parts = [0, 1, 2].map((i) => ({ source: `part-${i}.json`, doc: part(i, 3) }));
    const again = { source: 'part-1.rerun.json', doc: part(1, 3, { written: '2026-01-02T00:00:00.000Z' }) };
    const merged = mergeParts([...parts, again]);
    expect(merged.notes).toEqual([
      'shard 1/3: part-1.rerun.json (written 2026-01-02T00:00:00.000Z) replaces part-1.json (written 2026-01-01T00:00:01.000Z)',
    ]);
    expect(JSON.stringify(merged.metrics!.result())).toBe(JSON.stringify(whole.metrics.result()));
  });

  describe('refuses, saying why', () => {
    const three = () => [0, 1, 2].map((i) => ({ source: `part-${i}.json`, doc: part(i, 3) }));

    it('parts of different models', () => {
      const parts = three();
      parts[2] = { source: 'part-2.json', doc: part(2, 3, { fingerprint: 'e'.repeat(64) }) };
      expect(() => mergeParts(parts)).toThrow(
        /^part-2\.json and part-0\.json were made with different models \(fingerprints eeeeeeeeeeee… and ffffffffffff…\)/,
      );
    });

    it('parts made with different settings', () => {
      const parts = three();
      parts[1] = { source: 'part-1.json', doc: part(1, 3, { maxFrames: 200 }) };
      expect(() => mergeParts(parts)).toThrow(
        /part-1\.json and part-0\.json were made with different settings \(--max-frames: 300 and 200\)/,
      );
      parts[1] = { source: 'part-1.json', doc: part(1, 3, { segments: true }) };
      expect(() => mergeParts(parts)).toThrow(/different settings \(--segments: off and on\)/);
      // Engines agree within 1e-6, not bit for bit: a part of onnxruntime-node's does not merge with the own engine's
      // (a part without the field, written before it was recorded, is the own engine's).
      const ort = part(1, 3);
      parts[1] = { source: 'part-1.json', doc: { ...ort, settings: { ...ort.settings, engine: 'ort' } } };
      expect(() => mergeParts(parts)).toThrow(/part-1\.json and part-0\.json were made with different settings \(--engine: own and ort\)/);
      const own = part(1, 3);
      parts[1] = { source: 'part-1.json', doc: { ...own, settings: { ...own.settings, engine: 'own' } } };
      expect(() => mergeParts(parts)).not.toThrow();
    });

    it('the same input counted twice', () => {
      const parts = three();
      parts[2] = { source: 'part-2.json', doc: part(2, 3, { covered: ['c.tfrecord', 'a.tfrecord'] }) };
      expect(() => mergeParts(parts)).toThrow(/^a\.tfrecord is counted in both part-0\.json and part-2\.json/);
    });

    it('a missing shard, naming its index', () => {
      const parts = Array.from({ length: 7 }, (_, i) => ({ source: `p${i}`, doc: part(i, 7) }));
      expect(() => mergeParts(parts.filter((_, i) => i !== 4))).toThrow(
        /^missing the part of shard 4 of 7: run that worker \(--shard i\/7\)/,
      );
      expect(() => mergeParts([parts[0], parts[6]])).toThrow(/^missing the parts of shards 1, 2, 3, 4, 5 of 7/);
    });

    it('parts of different input lists, or of different worker counts', () => {
      const parts = three();
      parts[1] = { source: 'part-1.json', doc: part(1, 3, { list: [...names, 'd.tfrecord'] }) };
      expect(() => mergeParts(parts)).toThrow(/made from different input lists \(4 and 3 inputs\)/);
      expect(() => mergeParts([three()[0], { source: 'x.json', doc: part(1, 2) }])).toThrow(
        /x\.json is shard 1\/2 and part-0\.json shard 0\/3/,
      );
    });

    it('what is not a part, or a part whose state is damaged', () => {
      expect(() => mergeParts([])).toThrow(/no parts given/);
      expect(() => mergeParts([{ source: 'x.json', doc: { hello: 1 } }])).toThrow(
        /^x\.json: not a part written by evaluate --partial: its kind is undefined/,
      );
      const parts = three();
      (parts[0].doc.metrics as { pool: { scores: string } }).pool.scores = 'AAAA';
      expect(() => mergeParts(parts)).toThrow(
        /^part-0\.json: metrics: not a video metrics state: pool\.scores must be base64 of \d+ values/,
      );
      const seg = [0, 1].map((i) => ({ source: `s${i}`, doc: part(i, 2, { segments: true }) }));
      (seg[1].doc.segments as { heaps: unknown }).heaps = 'x';
      expect(() => mergeParts(seg)).toThrow(/^s1: segments: not a segment ranking state: heaps must be a list/);
    });
  });
});
