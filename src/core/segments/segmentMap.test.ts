import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import type { SegmentRating } from '../features/featureTypes';
import { numpyMean } from '../metrics/numpyMean';
import { seededRandom, shuffled } from '../training/seeded';
import { compareCodePoints, percentG } from './pythonFloat';
import { parseRatedClasses, ratedClassesFor } from './ratedClasses';
import { SegmentRanking, type RankedVideo } from './segmentRanking';
import { segmentMap, worstRankedPositives } from './segmentMap';
import { submissionLines } from './submission';

/** A video with its windows' probabilities given by start. */
interface Case {
  video: RankedVideo;
  windows: [number, number[]][];
}

function run(
  cases: readonly Case[],
  opts: { classes: number; k?: number; topPerWindow?: number; rated?: number[] | null },
): SegmentRanking {
  const r = new SegmentRanking(opts);
  for (const c of cases) {
    r.addVideo(c.video);
    for (const [start, p] of c.windows) r.addWindow(c.video, start, p);
  }
  return r;
}

const rate = (start: number, cls: number, score: number): SegmentRating => ({ class: cls, start, score });

/**
 * Three classes, all offered by every window (top 3 of 3):
 *   class 0: v1:5 0.99 (rated -), v3:0 0.97 (unrated), v2:0 0.95 (+), v1:0 0.9 (+)
 *   class 1: v1:5 0.7 (+), then unrated windows
 *   class 2: no rating at all
 */
const worked: Case[] = [
  {
    video: { id: 'v1', frames: 10, segments: [rate(0, 0, 1), rate(5, 0, 0), rate(5, 1, 1)] },
    windows: [
      [0, [0.9, 0.1, 0.5]],
      [5, [0.99, 0.7, 0.2]],
    ],
  },
  { video: { id: 'v2', frames: 5, segments: [rate(0, 0, 1)] }, windows: [[0, [0.95, 0.3, 0.4]]] },
  { video: { id: 'v3', frames: 3 }, windows: [[0, [0.97, 0.2, 0.1]]] },
];

describe('MAP@K over segments, worked by hand', () => {
  it("ranks each class's windows, drops the unrated ones, divides by the positives, leaves out a class without positives", () => {
    const m = segmentMap(run(worked, { classes: 3 }));
    // class 0, rated windows in rank order: -, +, +  ->  (1/2 + 2/3) / 2; class 1: + -> 1.
    expect(m.perClass.map((c) => [c.class, c.ap, c.positives, c.ranked, c.rated])).toEqual([
      [0, (1 / 2 + 2 / 3) / 2, 2, 4, 3],
      [1, 1, 1, 4, 1],
    ]);
    expect(m.map).toBe(((1 / 2 + 2 / 3) / 2 + 1) / 2);
    expect(m.noPositive).toEqual([2]);
    expect(m.neverRanked).toEqual([]);
    expect(m.counts).toMatchObject({ videos: 3, ratedVideos: 2, windows: 4, ratings: 4, positive: 3, noWindow: 0 });
  });

  it('follows windows added after a report (the page asks while a shard is ranked): the same MAP as one run over all', () => {
    const grown = new SegmentRanking({ classes: 3, k: 3, keepOrder: true });
    for (const c of worked.slice(0, 2)) {
      grown.addVideo(c.video);
      for (const [start, p] of c.windows) grown.addWindow(c.video, start, p);
    }
    const early = segmentMap(grown);
    worstRankedPositives(grown);
    grown.addVideo(worked[2].video);
    for (const [start, p] of worked[2].windows) grown.addWindow(worked[2].video, start, p);
    const all = run(worked, { classes: 3, k: 3 });
    expect(segmentMap(grown)).toEqual(segmentMap(all));
    expect(segmentMap(grown)).not.toEqual(early);
    expect(worstRankedPositives(grown)).toEqual(worstRankedPositives(all));
    expect(grown.ranking(0).map((w) => `${w.video}:${w.start}`)).toEqual(['v1:5', 'v3:0', 'v2:0']);
  });

  it('keeps each class in order when asked between windows, with ties and with windows dropped past K', () => {
    const rand = seededRandom(11);
    // Probabilities on a coarse grid: many equal scores, ordered by window id.
    const cases: Case[] = Array.from({ length: 30 }, (_, v) => ({
      video: { id: `v${v}`, frames: 20, segments: [rate(0, v % 3, 1), rate(5, (v + 1) % 3, 0)] },
      windows: [0, 5, 10, 15].map((start): [number, number[]] => [start, [0, 1, 2].map(() => Math.round(rand() * 8) / 8)]),
    }));
    for (const k of [1000, 40]) {
      const grown = new SegmentRanking({ classes: 3, k, keepOrder: true });
      for (const c of cases) {
        grown.addVideo(c.video);
        for (const [start, p] of c.windows) grown.addWindow(c.video, start, p);
        segmentMap(grown);
      }
      const all = run(cases, { classes: 3, k });
      for (const c of [0, 1, 2]) expect(grown.ranking(c)).toEqual(all.ranking(c));
      expect(segmentMap(grown)).toEqual(segmentMap(all));
      // The worst positives, against every positive placed among its class's rated windows and sorted.
      const every = [0, 1, 2].flatMap((c) => {
        const rated = all.ranking(c).filter((w) => !Number.isNaN(w.rating));
        return rated.flatMap((w, i) =>
          w.rating > 0 ? [{ class: c, id: `${w.video}:${w.start}`, rank: i + 1, of: rated.length, score: w.score }] : [],
        );
      });
      every.sort((a, b) => b.rank / b.of - a.rank / a.of || a.class - b.class || a.rank - b.rank);
      expect(every.length).toBeGreaterThan(8);
      for (const n of [1, 4, 100]) expect(worstRankedPositives(grown, n)).toEqual(every.slice(0, n));
    }
  });

  it('keeps at most K windows per class before dropping unrated ones', () => {
    // K = 2: class 0 keeps v1:5 (-) and v3:0 (unrated): no positive kept, AP 0 (still counted).
    expect(segmentMap(run(worked, { classes: 3, k: 2 })).perClass[0].ap).toBe(0);
    // K = 3: v1:5 (-), v3:0, v2:0 (+): (1/2) / 2.
    expect(segmentMap(run(worked, { classes: 3, k: 3 })).perClass[0].ap).toBe(0.25);
    expect(segmentMap(run(worked, { classes: 3, k: 1 })).perClass.map((c) => c.ranked)).toEqual([1, 1]);
  });

  it("offers only each window's top classes; a class rated positive that no window ranks is not counted, and said", () => {
    const m = segmentMap(run(worked, { classes: 3, topPerWindow: 1 }));
    expect(m.perClass.map((c) => c.class)).toEqual([0]);
    expect(m.neverRanked).toEqual([1]);
    expect(m.map).toBe((1 / 2 + 2 / 3) / 2);
  });

  it("restricts the ranking to the rated classes, as the challenge's mask does", () => {
    const m = run(worked, { classes: 3, topPerWindow: 1, rated: [1, 2] });
    expect(m.rankedClasses()).toEqual([1, 2]);
    expect(m.ranking(1).map((w) => `${w.video}:${w.start}`)).toEqual(['v1:5', 'v3:0']);
    expect(m.counted.outsideRated).toBe(3);
  });

  it('ranks on the score upstream reads back (%g, 6 digits), breaking ties by the (score, id) tuple its heap compares', () => {
    const tied: Case[] = [
      // 0.5000001 and 0.5000004 are both 0.5 once printed with %g: the ids decide, the greater first.
      { video: { id: 'a', frames: 5, segments: [rate(0, 0, 1)] }, windows: [[0, [0.5000004]]] },
      { video: { id: 'b', frames: 5, segments: [rate(0, 0, 0)] }, windows: [[0, [0.5000001]]] },
    ];
    for (const order of [tied, [...tied].reverse()]) {
      const r = run(order, { classes: 1 });
      expect(r.ranking(0).map((w) => [w.video, w.score])).toEqual([
        ['b', 0.5],
        ['a', 0.5],
      ]);
      expect(segmentMap(r).map).toBe(0.5);
      // At the cap the tuple decides too: K = 1 keeps b.
      expect(
        run(order, { classes: 1, k: 1 })
          .ranking(0)
          .map((w) => w.video),
      ).toEqual(['b']);
    }
  });

  it('compares ids as Python compares str: "a!:5" before "a:5", "v:10" before "v:5"', () => {
    const r = run(
      [
        {
          video: { id: 'v', frames: 15 },
          windows: [
            [5, [0.25]],
            [10, [0.25]],
          ],
        },
        { video: { id: 'a', frames: 10 }, windows: [[5, [0.25]]] },
        { video: { id: 'a!', frames: 10 }, windows: [[5, [0.25]]] },
      ],
      { classes: 1 },
    );
    expect(r.ranking(0).map((w) => `${w.video}:${w.start}`)).toEqual(['v:5', 'v:10', 'a:5', 'a!:5']);
    expect(compareCodePoints('\u{1F600}', '\uFFFD')).toBeGreaterThan(0);
    expect('\u{1F600}' < '\uFFFD').toBe(true);
  });

  it('counts ratings no window can find (off the grid, past the cap) as positives, as upstream does, and says so', () => {
    const r = run(
      [
        {
          video: { id: 'v', frames: 10, segments: [rate(3, 0, 1), rate(0, 0, 1), rate(12, 0, 1)] },
          windows: [
            [0, [0.9]],
            [5, [0.8]],
          ],
        },
      ],
      { classes: 1 },
    );
    const m = segmentMap(r);
    expect(m.counts.noWindow).toBe(2);
    expect(m.perClass[0]).toMatchObject({ positives: 3, ap: 1 / 3 });
  });

  it("lists the positives ranked worst among their class's rated windows", () => {
    const worst = worstRankedPositives(run(worked, { classes: 3 }));
    expect(worst.map((w) => [w.class, w.id, w.rank, w.of])).toEqual([
      [0, 'v1:0', 3, 3],
      [1, 'v1:5', 1, 1],
      [0, 'v2:0', 2, 3],
    ]);
  });

  it('writes the submission: a header, then per class its window ids best first', () => {
    expect([...submissionLines(run(worked, { classes: 3, k: 3 }))].join('')).toBe(
      'Class,Segments\n0,v1:5 v3:0 v2:0\n1,v1:5 v2:0 v3:0\n2,v1:0 v2:0 v1:5\n',
    );
  });

  it('refuses a NaN probability and probabilities of the wrong length (bugs, not data)', () => {
    const r = new SegmentRanking({ classes: 2 });
    expect(() => r.addWindow({ id: 'x', frames: 5 }, 0, [0.5, NaN])).toThrow(/NaN/);
    expect(() => r.addWindow({ id: 'x', frames: 5 }, 0, [0.5])).toThrow(/1 probabilities, the model 2 classes/);
  });
});

describe("the segment ranking's state", () => {
  /** Random videos with random ratings and windows. */
  function randomCases(n: number, seed: number, classes: number): Case[] {
    const rand = seededRandom(seed);
    return Array.from({ length: n }, (_, v) => {
      const frames = 1 + Math.floor(rand() * 30);
      const starts = Array.from({ length: Math.ceil(frames / 5) }, (_, i) => i * 5);
      const segments = starts.filter(() => rand() < 0.4).map((s) => rate(s, Math.floor(rand() * classes), rand() < 0.5 ? 1 : 0));
      // Coarse probabilities, so that scores tie often, at the cap too.
      return {
        video: { id: `vid${v % 7}-${v}`, frames, segments },
        windows: starts.map((s): [number, number[]] => [s, Array.from({ length: classes }, () => Math.round(rand() * 8) / 8)]),
      };
    });
  }

  it('merges inputs split any way, in any order, into exactly one run over all (bit for bit), through JSON', () => {
    const cases = randomCases(300, 1, 6);
    const opts = { classes: 6, k: 25, topPerWindow: 3 };
    const one = run(cases, opts);
    const want = segmentMap(one);
    expect(want.perClass.length).toBeGreaterThan(3);
    for (const seed of [2, 3, 4]) {
      const rand = seededRandom(seed);
      const mixed = shuffled(cases, rand);
      const parts = [mixed.slice(0, 50), mixed.slice(50, 51), mixed.slice(51, 220), mixed.slice(220)];
      const states = parts.map((p) => JSON.parse(JSON.stringify(run(p, opts).toState())));
      const merged = SegmentRanking.fromState(states[3]);
      for (const s of shuffled(states.slice(0, 3), rand)) merged.merge(SegmentRanking.fromState(s));
      const got = segmentMap(merged);
      expect(got).toEqual(want);
      expect(Object.is(got.map, want.map)).toBe(true);
      expect([...submissionLines(merged)]).toEqual([...submissionLines(one)]);
      expect(JSON.stringify(merged.toState())).toBe(JSON.stringify(one.toState()));
    }
  });

  it('refuses to merge rankings made with other settings, and reads no state that is not one', () => {
    const a = new SegmentRanking({ classes: 3, k: 5 });
    expect(() => a.merge(new SegmentRanking({ classes: 3, k: 6 }))).toThrow(/different K/);
    expect(() => a.merge(new SegmentRanking({ classes: 3, k: 5, window: { hop: 1 } }))).toThrow(/different windows/);
    const good = run(worked, { classes: 3 }).toState();
    const broken: unknown[] = [
      null,
      [],
      'x',
      { ...good, kind: 'other' },
      { ...good, version: 2 },
      { ...good, k: 0 },
      { ...good, heaps: [{ ...good.heaps[0], scores: good.heaps[0].scores.slice(1) }] },
      { ...good, heaps: [{ ...good.heaps[0], videos: good.heaps[0].videos.map(() => 99) }] },
      { ...good, heaps: [{ ...good.heaps[0], class: 3 }] },
      { ...good, positives: [[0, -1]] },
      { ...good, counts: { ...good.counts, windows: 1.5 } },
    ];
    for (const s of broken) {
      let err: unknown;
      try {
        SegmentRanking.fromState(s, 'part-3.json');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(s)?.slice(0, 80)).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(/^part-3\.json: not a segment ranking state: /);
    }
  });
});

describe('what the ranking borrows from Python and numpy', () => {
  it('rounds as "%g" then float() do, a value exactly halfway to the even digit (Python 3 printed these)', () => {
    const python: [number, number][] = [
      [0.001953125, 0.00195312],
      [0.0009765625, 0.000976562],
      [0.00048828125, 0.000488281],
      [0.123456789, 0.123457],
      [1.0000005, 1],
      [0.5000004, 0.5],
      [0.9999996, 1],
      [1e-7, 1e-7],
      [2.5, 2.5],
      [0.7734375, 0.773438],
      [0.0078125, 0.0078125],
    ];
    for (const [x, want] of python) expect(percentG(x), String(x)).toBe(want);
  });

  it('means as np.mean does (pairwise sums): the last bit as numpy 2.4 gave it', () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => (((((i * 7919) % 1009) + 1) / 1013) * ((i % 7) + 1)) / 3);
    expect(numpyMean(values(7))).toBe(0.47642551591218923);
    expect(numpyMean(values(9))).toBe(0.46334686117509416);
    expect(numpyMean(values(131))).toBe(0.6486314049669814);
    // Summed in order this one ends ...092; numpy's pairs give ...091.
    expect(numpyMean(values(1000))).toBe(0.6655034550839091);
  });

  it('reads the rated class list, and applies it to a model of the 3,862 YouTube-8M classes only', () => {
    expect(parseRatedClasses('Index\n3\n7\n\n8\n', 'ids.csv')).toEqual([3, 7, 8]);
    expect(() => parseRatedClasses('Index\n3\nseven\n', 'ids.csv')).toThrow(/^ids\.csv: line 3 is "seven", not a class id$/);
    expect(() => parseRatedClasses('Index\n', 'ids.csv')).toThrow(/lists no class ids/);
    expect(ratedClassesFor(10, [3, 7])).toBeNull();
    expect(ratedClassesFor(3862, [3, 7])).toEqual([3, 7]);
    expect(() => ratedClassesFor(3862, [3, 4000], 'ids.csv')).toThrow(/ids\.csv: class 4000 is not one of the model's 3862 classes/);
  });

  it("ships the challenge's 1,000 rated ids (public/vocabulary/segment_label_ids.csv), all YouTube-8M classes", () => {
    const file = path.resolve(__dirname, '../../../public/vocabulary/segment_label_ids.csv');
    const ids = parseRatedClasses(readFileSync(file, 'utf8'), file);
    expect(ids).toHaveLength(1000);
    expect(ids.slice(0, 4)).toEqual([3, 7, 8, 11]);
    expect(ratedClassesFor(3862, ids)).toEqual(ids);
  });
});
