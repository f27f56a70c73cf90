import { describe, expect, it } from 'vitest';
import { WorkEstimate } from './workEstimate';

/** Feeds samples every `step` ms of a run whose pace is `perSecond(t)` videos a second. */
function run(estimate: WorkEstimate, seconds: number, step: number, perSecond: (t: number) => number, expected: (t: number) => number) {
  const out: { t: number; left: number | null; rate: number | null; expected: number }[] = [];
  let finished = 0;
  for (let ms = 0; ms <= seconds * 1000; ms += step) {
    const t = ms / 1000;
    const f = estimate.update({ now: ms, finished: Math.floor(finished), expected: expected(t) });
    out.push({ t, ...f });
    finished += (perSecond(t) * step) / 1000;
  }
  return out;
}

describe('the progress bar’s estimates', () => {
  it('count the time left down steadily when batches come unevenly (no jumps as 42, 28, 23, 30, 25 s)', () => {
    // 30 videos a second on average, in bursts: 100 a second for three tenths of each second, none otherwise.
    const bursty = (t: number) => (Math.round(t * 10) % 10 < 3 ? 100 : 0);
    const seen = run(new WorkEstimate(), 30, 100, bursty, () => 1000).filter((x) => x.t >= 3 && x.left !== null);
    for (let i = 1; i < seen.length; i++) {
      // Between two updates a tenth of a second apart, the time left moves by well under a second.
      expect(Math.abs(seen[i].left! - seen[i - 1].left!)).toBeLessThan(1);
    }
    // And it is right: at 10 s, 700 videos at 30 a second (23 s) are left.
    const at10 = seen.find((x) => x.t >= 10)!;
    expect(at10.left!).toBeGreaterThan(20);
    expect(at10.left!).toBeLessThan(27);
    expect(at10.rate!).toBeGreaterThan(25);
    expect(at10.rate!).toBeLessThan(35);
  });

  it('follows a change of pace within seconds', () => {
    const seen = run(
      new WorkEstimate(),
      30,
      200,
      (t) => (t < 10 ? 10 : 40),
      () => 100_000,
    );
    expect(seen.find((x) => x.t >= 9.8)!.rate!).toBeCloseTo(10, 0);
    expect(seen.find((x) => x.t >= 25)!.rate!).toBeGreaterThan(38);
  });

  it('smooths the expected total while it is estimated, and never puts it below what is done', () => {
    // The estimate from the bytes read swings between 988 and 1,144 (videos of different lengths).
    const swinging = (t: number) => (Math.floor(t * 2) % 2 ? 988 : 1144);
    const seen = run(new WorkEstimate(), 20, 100, () => 20, swinging).filter((x) => x.t >= 5);
    const totals = seen.map((x) => x.expected);
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThan(60);
    const done = new WorkEstimate();
    done.update({ now: 0, finished: 0, expected: 10 });
    expect(done.update({ now: 2000, finished: 50, expected: 40 }).expected).toBe(50);
  });

  it('shows no rate in the first second, and no time left once all is done; starts again when the work does', () => {
    const e = new WorkEstimate();
    expect(e.update({ now: 0, finished: 0, expected: 100 })).toEqual({ rate: null, left: null, expected: 100 });
    expect(e.update({ now: 500, finished: 10, expected: 100 }).rate).toBeNull();
    expect(e.update({ now: 1500, finished: 30, expected: 100 }).rate).toBeCloseTo(20, 6);
    expect(e.update({ now: 6000, finished: 100, expected: 100 }).left).toBeNull();
    // Fewer finished than before: a new piece of work.
    expect(e.update({ now: 7000, finished: 0, expected: 50 })).toEqual({ rate: null, left: null, expected: 50 });
  });
});
