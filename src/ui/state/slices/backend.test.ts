import { describe, expect, it } from 'vitest';
import { EnvironmentError } from '../../../core/errors';
import { storeHarness } from '../../../../tools/testing/storeHarness';

describe('the backend slice', () => {
  it('shows the status the worker sends', () => {
    const { state, fake } = storeHarness();
    const status = {
      requested: 'webgpu',
      active: 'wasm',
      state: 'ready',
      adapter: null,
      reason: 'WebGPU is not available',
      layout: 'in-out',
      threads: 1,
    } as const;
    fake.emit({ type: 'backend', status });
    expect(state().backend).toEqual(status);
  });

  it('says why no backend could start, once, in the worker’s own words', async () => {
    const message = 'No backend could start in this browser (wasm: no WebAssembly; cpu: out of memory).';
    const { state } = storeHarness('', {
      setBackend: () => {
        throw new EnvironmentError(message);
      },
    });
    await state().chooseBackend('wasm');
    expect(state().notices.map((n) => [n.level, n.message])).toEqual([['error', message]]);
  });

  it('hides the note about the backend until its reason changes', () => {
    const { state, fake } = storeHarness();
    const status = {
      requested: 'auto',
      active: 'wasm',
      state: 'ready',
      adapter: null,
      reason: 'WebGPU is not available',
      layout: 'in-out',
      threads: 1,
    } as const;
    fake.emit({ type: 'backend', status });
    state().hideBackendNote('WebGPU is not available');
    expect(state().backendNoteHidden).toBe(state().backend?.reason);
    fake.emit({ type: 'backend', status: { ...status, reason: 'WebGPU failed twice' } });
    expect(state().backendNoteHidden).not.toBe(state().backend?.reason);
  });
});
