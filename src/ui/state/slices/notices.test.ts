import { describe, expect, it } from 'vitest';
import { storeHarness } from '../../../../tools/testing/storeHarness';

describe('the notices slice', () => {
  it('shows the worker’s notices and file errors, the same message once, and dismisses one', () => {
    const { state, fake } = storeHarness();
    fake.emit({ type: 'notice', level: 'warning', message: 'WebGPU error. Restarting WebGPU' });
    fake.emit({ type: 'fileError', file: 'bad.txt', message: 'bad.txt: not a feature file' });
    fake.emit({ type: 'notice', level: 'warning', message: 'WebGPU error. Restarting WebGPU' });
    expect(state().notices.map((n) => [n.level, n.message])).toEqual([
      ['error', 'bad.txt: not a feature file'], ['warning', 'WebGPU error. Restarting WebGPU'],
    ]);
    state().dismiss(state().notices[0].id);
    expect(state().notices.map((n) => n.message)).toEqual(['WebGPU error. Restarting WebGPU']);
  });
});
