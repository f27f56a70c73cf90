import { describe, expect, it } from 'vitest';
import type { AdapterSummary } from '../../protocol/protocol';
import { fallbackNote, planBackends } from './backendPolicy';

const hardware: AdapterSummary = { vendor: 'nvidia', architecture: 'ampere', description: '', isFallbackAdapter: false };
const software: AdapterSummary = { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true };
const none = { adapter: null, problem: 'the browser found no WebGPU adapter' };

describe('backend policy', () => {
  it('auto uses WebGPU on a hardware adapter only', () => {
    expect(planBackends('auto', { adapter: hardware, problem: null })).toEqual({ order: ['webgpu', 'wasm', 'cpu'], note: null });
    const sw = planBackends('auto', { adapter: software, problem: null });
    expect(sw.order).toEqual(['wasm', 'cpu']);
    expect(sw.note).toMatch(/software fallback \(google swiftshader\).*wasm/);
    const missing = planBackends('auto', none);
    expect(missing.order).toEqual(['wasm', 'cpu']);
    expect(missing.note).toMatch(/not available \(the browser found no WebGPU adapter\)/);
  });

  it('an explicit webgpu runs on a software adapter, and says so', () => {
    const p = planBackends('webgpu', { adapter: software, problem: null });
    expect(p.order[0]).toBe('webgpu');
    expect(p.note).toMatch(/software WebGPU adapter/);
    expect(planBackends('webgpu', { adapter: hardware, problem: null }).note).toBeNull();
  });

  it('an explicit webgpu without WebGPU falls back to wasm with the reason', () => {
    const p = planBackends('webgpu', { adapter: null, problem: 'this browser exposes no navigator.gpu' });
    expect(p.order).toEqual(['wasm', 'cpu']);
    expect(p.note).toMatch(/asked for but is not available \(this browser exposes no navigator.gpu\)/);
  });

  it('wasm and cpu never touch WebGPU', () => {
    expect(planBackends('wasm', { adapter: hardware, problem: null }).order).toEqual(['wasm', 'cpu']);
    expect(planBackends('cpu', { adapter: hardware, problem: null }).order).toEqual(['cpu']);
  });

  it('names each failure before the backend it ended on', () => {
    const plan = planBackends('auto', { adapter: hardware, problem: null });
    expect(fallbackNote(plan, [], 'webgpu')).toBeNull();
    expect(fallbackNote(plan, [{ backend: 'webgpu', message: 'its self-test failed: matMul gave NaN' }], 'wasm')).toBe(
      'webgpu failed to start (its self-test failed: matMul gave NaN); running on wasm.',
    );
  });
});
