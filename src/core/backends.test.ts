import { describe, expect, it } from 'vitest';
import { BACKEND_CHOICE_LABEL, BACKEND_CHOICES, BACKEND_NAMES, CLI_BACKENDS, CLI_DEFAULT_BACKEND, needsGpu } from './backends';

describe('the backend table', () => {
  it('gives the page its choices and labels, in the order of preference', () => {
    expect(BACKEND_NAMES).toEqual(['webgpu', 'wasm', 'cpu']);
    expect(BACKEND_CHOICES.map((c) => BACKEND_CHOICE_LABEL[c])).toEqual(['Auto', 'WebGPU', 'wasm', 'CPU']);
    expect(BACKEND_NAMES.filter(needsGpu)).toEqual(['webgpu']);
  });

  it('gives the command line the backends Node runs, wasm by default', () => {
    expect(CLI_BACKENDS).toEqual(['wasm', 'cpu']);
    expect(CLI_DEFAULT_BACKEND).toBe('wasm');
  });
});
