import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { storeHarness, TEST_MODEL } from '../../../../tools/testing/storeHarness';
import type { SegmentReport, SegmentTimeline } from '../../../protocol/protocol';
import { SEGMENTS_REFRESH_MS, WORST_SHOWN } from './segments';

const REPORT: SegmentReport = { window: { length: 5, hop: 5 }, result: null, worst: [], ratedVideos: 2, ranked: 1, pending: 1 };
const timeline = (key: string, hop = 5): SegmentTimeline => ({
  key,
  window: { length: 5, hop },
  starts: Int32Array.from([0]),
  frames: Int32Array.from([5]),
  classes: 1,
  probabilities: Float32Array.from([0.5]),
});

describe('the segments slice', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('asks for the segment report a little after the ranking grows, once for a burst; another model drops it', async () => {
    const { state, fake } = storeHarness('', { segmentReport: () => REPORT });
    for (let i = 0; i < 4; i++) fake.emit({ type: 'segments', ranked: i, pending: 4 - i });
    expect(fake.calls.filter((c) => c.type === 'segmentReport')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(SEGMENTS_REFRESH_MS);
    expect(fake.calls.filter((c) => c.type === 'segmentReport')).toEqual([{ type: 'segmentReport', args: { worst: WORST_SHOWN } }]);
    expect(state().segments.report).toEqual(REPORT);
    fake.emit({ type: 'model', model: { ...TEST_MODEL, id: 'other' } });
    expect(state().segments.report).toBeNull();
  });

  it('asks at once when the ranking has caught up and no video waits for its prediction (the complete figures show without delay)', async () => {
    const { fake } = storeHarness('', { segmentReport: () => REPORT });
    fake.emit({ type: 'segments', ranked: 1, pending: 1 });
    expect(fake.calls.filter((c) => c.type === 'segmentReport')).toHaveLength(0);
    fake.emit({ type: 'segments', ranked: 2, pending: 0 });
    expect(fake.calls.filter((c) => c.type === 'segmentReport')).toHaveLength(1);
    // The delayed ask was replaced by that one.
    await vi.advanceTimersByTimeAsync(SEGMENTS_REFRESH_MS);
    expect(fake.calls.filter((c) => c.type === 'segmentReport')).toHaveLength(1);
    // While a file is read, the ranking catches up after every batch: once a second then.
    fake.emit({
      type: 'load',
      progress: { state: 'reading', files: 1, filesDone: 0, bytesRead: 1, bytesTotal: 10, videosRead: 2, file: 'a.tfrecord' },
    });
    for (let i = 0; i < 3; i++) fake.emit({ type: 'segments', ranked: 3 + i, pending: 0 });
    expect(fake.calls.filter((c) => c.type === 'segmentReport')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(SEGMENTS_REFRESH_MS);
    expect(fake.calls.filter((c) => c.type === 'segmentReport')).toHaveLength(2);
  });

  it('keeps the answer of the last timeline asked for, asks again for new settings, and says when the worker failed', async () => {
    const pending: Record<string, (t: SegmentTimeline) => void> = {};
    let hop = 5;
    const { state, fake } = storeHarness('', {
      setSegmentWindows: ({ window }) => ({ length: window.length ?? 5, hop: (hop = window.hop ?? 5) }),
    });
    // Answers held back so that the order they come in can be chosen.
    const call = fake.client.call.bind(fake.client);
    fake.client.call = ((type: string, args: { key: string }) => {
      if (type !== 'segmentTimeline') return call(type as never, args as never);
      if (args.key === 'bad') return Promise.reject(new Error('no model is loaded yet'));
      return new Promise((resolve) => (pending[args.key] = resolve));
    }) as typeof fake.client.call;
    const a = state().loadTimeline('a');
    const b = state().loadTimeline('b');
    pending.b(timeline('b'));
    await b;
    pending.a(timeline('a'));
    await a;
    expect(state().segments.timeline?.key).toBe('b');
    // In hand for these settings: not asked again; new settings ask again.
    await state().loadTimeline('b');
    expect(Object.keys(pending)).toEqual(['a', 'b']);
    await state().setSegmentWindows({ hop: 1 });
    expect(state().segments.window).toEqual({ length: 5, hop: 1 });
    const again = state().loadTimeline('b');
    pending.b(timeline('b', hop));
    await again;
    expect(state().segments.timeline?.window.hop).toBe(1);
    await state().loadTimeline('bad');
    expect(state().segments).toMatchObject({ timelineStatus: 'error', timelineError: 'no model is loaded yet' });
  });

  it('keeps a selection of seconds until its video goes, and the classes added once each', () => {
    const { state, fake } = storeHarness('');
    state().selectSeconds({ key: 'a', start: 5, frames: 5, class: 2 });
    fake.emit({ type: 'removed', keys: ['b'] });
    expect(state().segments.selection).toEqual({ key: 'a', start: 5, frames: 5, class: 2 });
    fake.emit({ type: 'removed', keys: ['a'] });
    expect(state().segments.selection).toBeNull();
    state().addTimelineClass(3);
    state().addTimelineClass(3);
    state().addTimelineClass(1);
    state().removeTimelineClass(3);
    expect(state().segments.added).toEqual([1]);
  });
});
