import { describe, expect, it } from 'vitest';
import { readUrlState, URL_DEFAULTS, writeUrlState } from './urlState';

describe('URL state', () => {
  it('reads defaults from an empty query', () => {
    expect(readUrlState('')).toEqual(URL_DEFAULTS);
  });

  it('round-trips every field', () => {
    const s = { model: 'https://example.org/m/model.json?x=1&y=2', backend: 'webgpu' as const, video: 3, topK: 20, samples: true, view: 'dataset' as const, maxFrames: 120, threads: 2 };
    expect(readUrlState(writeUrlState(s))).toEqual(s);
  });

  it('leaves defaults out and keeps foreign parameters', () => {
    expect(writeUrlState(URL_DEFAULTS)).toBe('');
    expect(writeUrlState({ ...URL_DEFAULTS, video: 2 }, '?lang=de&video=7')).toBe('?lang=de&video=2');
  });

  it('falls back on malformed values', () => {
    expect(readUrlState('?backend=tpu&video=-1&topk=0&samples=yes&view=grid&frames=0&threads=0')).toEqual(URL_DEFAULTS);
    expect(readUrlState('?frames=1000000').maxFrames).toBe(100_000);
    expect(readUrlState('?topk=100000').topK).toBe(100);
    expect(readUrlState('?video=2.5').video).toBe(0);
    expect(readUrlState('?threads=two').threads).toBeNull();
  });
});
