import { describe, expect, it } from 'vitest';
import { storeHarness } from '../../../../tools/testing/storeHarness';
import { addNotice, fileWarnings, MAX_NOTICES, type Notice } from './notices';

describe('the notices slice', () => {
  it('shows the worker’s notices and file errors, the same message once (counted), and dismisses one', () => {
    const { state, fake } = storeHarness();
    fake.emit({ type: 'notice', level: 'warning', message: 'WebGPU error. Restarting WebGPU' });
    fake.emit({ type: 'fileError', file: 'bad.txt', message: 'bad.txt: not a feature file' });
    fake.emit({ type: 'notice', level: 'warning', message: 'WebGPU error. Restarting WebGPU' });
    expect(state().notices.map((n) => [n.level, n.message, n.count])).toEqual([
      ['error', 'bad.txt: not a feature file', 1],
      ['warning', 'WebGPU error. Restarting WebGPU', 2],
    ]);
    state().dismiss(state().notices[0].id);
    expect(state().notices.map((n) => n.message)).toEqual(['WebGPU error. Restarting WebGPU']);
  });

  it('keeps at most MAX_NOTICES, dropping the oldest of the least serious level first, and dismisses all at once', () => {
    const { state } = storeHarness();
    state().notify('error', 'e1');
    state().notify('info', 'i1');
    state().notify('warning', 'w1');
    state().notify('info', 'i2');
    state().notify('warning', 'w2');
    expect(state().notices).toHaveLength(MAX_NOTICES);
    expect(state().notices.map((n) => n.message)).toEqual(['e1', 'w1', 'i2', 'w2']);
    state().notify('error', 'e2');
    expect(state().notices.map((n) => n.message)).toEqual(['e1', 'w1', 'w2', 'e2']);
    expect(state().noticesDropped).toBe(2);
    // Dozens of the same error stay one notice.
    for (let i = 0; i < 50; i++) state().notify('error', 'e1');
    expect(state().notices.map((n) => `${n.message}×${n.count}`)).toEqual(['w1×1', 'w2×1', 'e2×1', 'e1×51']);
    state().dismissAll();
    expect(state().notices).toEqual([]);
    expect(state().noticesDropped).toBe(0);
  });

  it('keeps the more serious level when a message comes again', () => {
    const once = addNotice([], { id: 1, level: 'error', message: 'm' }).notices;
    const again: Notice[] = addNotice(once, { id: 2, level: 'info', message: 'm' }).notices;
    expect(again).toEqual([{ id: 2, level: 'error', message: 'm', count: 2 }]);
  });

  it('says the frame cap’s cut as the reader does, and counts the records skipped apart', () => {
    expect(
      fileWarnings('long.npy', ['long.npy: 1 video was longer than the frame cap and cut to 300 frames (99700 frames left out)']),
    ).toEqual([
      'long.npy: 1 video was longer than the frame cap and cut to 300 frames (99700 frames left out). The frame cap is a setting of the Model panel.',
    ]);
    expect(
      fileWarnings('a.tfrecord', [
        'a.tfrecord: record 1 (byte 90) skipped: its data is corrupt',
        'a.tfrecord: 2 videos were longer than the frame cap and cut to 300 frames (40 frames left out)',
      ]),
    ).toEqual([
      'a.tfrecord: 2 videos were longer than the frame cap and cut to 300 frames (40 frames left out). The frame cap is a setting of the Model panel.',
      'a.tfrecord: 1 record skipped or changed (a.tfrecord: record 1 (byte 90) skipped: its data is corrupt)',
    ]);
  });
});
