import { afterEach, describe, expect, it, vi } from 'vitest';
import { FRAMES_AFTER_RAISE, MAX_YIELD_MS, pageYieldSignal, raisesOnResults, yieldWaiter } from './yieldSignal';

describe('the page asking the worker to step aside', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('is not offered where memory cannot be shared (a page that is not cross-origin isolated)', () => {
    vi.stubGlobal('crossOriginIsolated', false);
    expect(pageYieldSignal()).toBeNull();
  });

  it('sleeps the worker once per raise, until the page is idle or for MAX_YIELD_MS at most', () => {
    vi.stubGlobal('crossOriginIsolated', true);
    const idle: (() => void)[] = [];
    const frames: (() => void)[] = [];
    vi.stubGlobal('requestIdleCallback', (fn: () => void) => idle.push(fn));
    vi.stubGlobal('cancelIdleCallback', (id: number) => idle.splice(id - 1, 1));
    vi.stubGlobal('requestAnimationFrame', (fn: () => void) => frames.push(fn));
    vi.stubGlobal('cancelAnimationFrame', (id: number) => frames.splice(id - 1, 1));
    const paint = () => frames.splice(0).forEach((f) => f());
    const signal = pageYieldSignal()!;
    const wait = yieldWaiter(signal.buffer);
    const timed = () => {
      const t0 = performance.now();
      wait();
      return performance.now() - t0;
    };
    // Not raised: no wait at all.
    expect(timed()).toBeLessThan(20);
    signal.raise();
    // Raised and never lowered (the page still busy): the cap.
    expect(timed()).toBeGreaterThanOrEqual(MAX_YIELD_MS - 5);
    // The same raise again: the worker goes on.
    expect(timed()).toBeLessThan(20);
    // A second raise before the page was idle: the lowering starts again, one more wait.
    signal.raise();
    expect(frames).toHaveLength(1);
    expect(timed()).toBeGreaterThanOrEqual(MAX_YIELD_MS - 5);
    // The frames painted, then idle: lowered.
    for (let f = 1; f < FRAMES_AFTER_RAISE; f++) paint();
    expect(idle).toHaveLength(0);
    paint();
    expect(idle).toHaveLength(1);
    idle.shift()!();
    signal.raise();
    expect(timed()).toBeGreaterThanOrEqual(MAX_YIELD_MS - 5);
    for (let f = 0; f < FRAMES_AFTER_RAISE; f++) paint();
    idle.shift()!();
    expect(timed()).toBeLessThan(20);
  });

  it("is raised by a load's first results, not by the deliveries that follow every 200 ms", () => {
    const raise = vi.fn();
    let now = 0;
    const on = raisesOnResults({ raise }, () => now);
    on({ type: 'progress' });
    expect(raise).not.toHaveBeenCalled();
    on({ type: 'file' });
    expect(raise).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 20; i++) {
      now += 200;
      on({ type: i % 2 ? 'predictions' : 'file' });
    }
    expect(raise).toHaveBeenCalledTimes(1);
    now += 1500;
    on({ type: 'predictions' });
    expect(raise).toHaveBeenCalledTimes(2);
  });
});
