import { describe, expect, it } from 'vitest';
import { progressViolations } from '../../tools/testing/progressOracle';
import { ProgressReporter } from './progressReporter';
import type { ProgressEvent } from '../protocol/protocol';

function record(total: number, run: (r: ProgressReporter) => void, minStep?: number): ProgressEvent[] {
  const events: ProgressEvent[] = [];
  run(new ProgressReporter('m', total, (e) => events.push(e), minStep));
  return events;
}

describe('ProgressReporter', () => {
  it('keeps the invariants: initiate first, loaded only grows, one ready at 100% last', () => {
    const events = record(1000, (r) => {
      r.begin('a.bin');
      for (let i = 0; i < 10; i++) r.advance('a.bin', 60);
      r.end('a.bin');
      r.begin('b.bin');
      r.advance('b.bin', 400);
      r.end('b.bin');
      r.ready();
      r.ready(); // a second ready is ignored
      r.advance('b.bin', 5); // and so is anything after it
    });
    expect(progressViolations(events)).toEqual([]);
    expect(events[0]).toEqual({ status: 'initiate', name: 'm', total: 1000 });
    expect(events.at(-1)).toEqual({ status: 'ready', name: 'm', loaded: 1000, total: 1000, progress: 100 });
    expect(events.filter((e) => e.status === 'ready')).toHaveLength(1);
  });

  it('clamps a server that sends more than announced, and ignores going back', () => {
    const events = record(100, (r) => {
      r.advance('x', 80);
      r.reach('x', 50); // a position behind the count changes nothing
      r.advance('x', 80); // 160 > 100
      r.advance('x', -5);
      r.ready();
    });
    expect(progressViolations(events)).toEqual([]);
    const loaded = events.flatMap((e) => (e.status === 'progress' ? [e.loaded] : []));
    expect(loaded).toEqual([80, 100]);
  });

  it('thins progress events to about one per step of the total', () => {
    const events = record(
      1_000_000,
      (r) => {
        for (let i = 0; i < 10_000; i++) r.advance('big.bin', 100);
        r.ready();
      },
      0.01,
    );
    const n = events.filter((e) => e.status === 'progress').length;
    expect(n).toBeGreaterThanOrEqual(99);
    expect(n).toBeLessThanOrEqual(101);
  });

  it('handles an empty task', () => {
    const events = record(0, (r) => r.ready());
    expect(progressViolations(events)).toEqual([]);
  });
});

describe('progressViolations', () => {
  it('finds each broken invariant', () => {
    const bad: ProgressEvent[] = [
      { status: 'download', name: 'm', file: 'a' },
      { status: 'progress', name: 'm', file: 'a', loaded: 50, total: 100, progress: 50 },
      { status: 'progress', name: 'm', file: 'a', loaded: 40, total: 100, progress: 40 },
      { status: 'progress', name: 'm', file: 'a', loaded: 60, total: 100, progress: 61 },
    ];
    const v = progressViolations(bad);
    expect(v.join('\n')).toMatch(/first event is 'download'/);
    expect(v.join('\n')).toMatch(/loaded went back from 50 to 40/);
    expect(v.join('\n')).toMatch(/not 100 \* loaded \/ total/);
    expect(v.join('\n')).toMatch(/last event is 'progress', not 'ready' at 100%/);
  });
});
