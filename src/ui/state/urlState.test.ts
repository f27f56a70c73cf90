import { describe, expect, expectTypeOf, it } from 'vitest';
import type { BackendChoice } from '../../protocol/protocol';
import { clampSetting, readUrlState, SETTINGS, URL_DEFAULTS, type UrlState, writeUrlState } from './urlState';

describe('URL state', () => {
  it('reads defaults from an empty query', () => {
    expect(readUrlState('')).toEqual(URL_DEFAULTS);
  });

  it('round-trips every field', () => {
    const s = {
      model: 'https://example.org/m/model.json?x=1&y=2',
      backend: 'webgpu' as const,
      video: 3,
      topK: 20,
      samples: true,
      view: 'dataset' as const,
      maxFrames: 120,
      threads: 2,
    };
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

  it('takes its fields, defaults and parameters from the schema', () => {
    expectTypeOf<UrlState>().toEqualTypeOf<{
      model: string | null;
      backend: BackendChoice;
      video: number;
      topK: number;
      samples: boolean;
      view: 'video' | 'dataset';
      maxFrames: number;
      threads: number | null;
    }>();
    expect(URL_DEFAULTS).toEqual({
      model: null,
      backend: 'auto',
      video: 0,
      topK: 10,
      samples: false,
      view: 'video',
      maxFrames: 300,
      threads: null,
    });
    expect(Object.values(SETTINGS).map((s) => s.url)).toEqual([
      'model',
      'backend',
      'video',
      'topk',
      'samples',
      'view',
      'frames',
      'threads',
    ]);
  });

  it('writes parameters in the schema’s order', () => {
    const s: UrlState = { model: 'm', backend: 'cpu', video: 1, topK: 5, samples: true, view: 'dataset', maxFrames: 9, threads: 3 };
    expect(writeUrlState(s)).toBe('?model=m&backend=cpu&video=1&topk=5&samples=1&view=dataset&frames=9&threads=3');
  });

  it('clamps what a setter is given as the schema says', () => {
    expect([clampSetting('topK', 0), clampSetting('topK', 7.9), clampSetting('topK', 1000)]).toEqual([1, 7, 100]);
    expect([clampSetting('maxFrames', -3), clampSetting('maxFrames', 1e9)]).toEqual([1, 100_000]);
    expect([clampSetting('video', -4.5), clampSetting('video', 2.5)]).toEqual([0, 2]);
    expect([clampSetting('threads', null), clampSetting('threads', 99)]).toEqual([null, 64]);
  });
});
