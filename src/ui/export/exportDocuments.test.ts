import { describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import type { ModelInfo, VideoResult, VideoSummary } from '../../protocol/protocol';
import { videoFigures } from '../../core/metrics';
import { exportCsv, exportJson, runOf } from './exportDocuments';

const model: ModelInfo = {
  id: 'm',
  name: 'm',
  source: 'models/m/model.json',
  variant: 'fluid1',
  sizes: { rgbDim: 4, audioDim: 2, embed: 2, lstm: 2, head1: 2, head2: 2, classes: 3 },
  classNames: ['a', 'b, "quoted"', 'c'],
  parameters: 1,
  bytes: 4,
  description: null,
  fromCache: false,
};
const video = (i: number, labels: number[] | null): VideoSummary => ({
  key: `f#${i}`,
  file: 'f.tfrecord',
  index: i,
  offset: null,
  id: `v${i}`,
  frames: 2,
  framesInFile: null,
  labels,
});
const result = (i: number, p: number[], backend: 'webgpu' | 'wasm' = 'wasm'): VideoResult => ({
  key: `f#${i}`,
  probabilities: Float32Array.from(p),
  figures: videoFigures(p, null),
  attention: { rgb: Float32Array.from([0.25, 0.75]), audio: Float32Array.from([0.5, 0.5]) },
  backend,
  adapter: backend === 'webgpu' ? 'google swiftshader (software fallback)' : null,
  ms: 1,
});

describe('exports', () => {
  it('writes the npm run predict schema', () => {
    const doc = exportJson(
      model,
      [
        { video: video(0, [2]), result: result(0, [0.1, 0.2, 0.7]) },
        { video: video(1, null), result: result(1, [0.3, 0.2, 0.1]) },
      ],
      2,
    );
    expect(doc.model).toBe('models/m/model.json');
    expect(doc.backend).toBe('wasm');
    expect(doc).not.toHaveProperty('adapter');
    expect(doc.videos[0]).toEqual({
      file: 'f.tfrecord',
      index: 0,
      id: 'v0',
      frames: 2,
      labels: [2],
      probabilities: [0.1, 0.2, 0.7].map(Math.fround),
      top: [
        { class: 2, name: 'c', probability: Math.fround(0.7) },
        { class: 1, name: 'b, "quoted"', probability: Math.fround(0.2) },
      ],
      attention: { rgb: [0.25, 0.75], audio: [0.5, 0.5] },
    });
    expect(doc.videos[1]).not.toHaveProperty('labels');
  });

  it('names every backend and adapter the results came from', () => {
    expect(
      runOf([
        { video: video(0, null), result: result(0, [0, 0, 0], 'webgpu') },
        { video: video(1, null), result: result(1, [0, 0, 0], 'wasm') },
      ]),
    ).toEqual({ backend: 'webgpu+wasm', adapter: 'google swiftshader (software fallback)' });
  });

  it('writes a CSV that a CSV reader reads back', () => {
    const csv = exportCsv(model, [{ video: video(0, null), result: result(0, [0.1, 0.2, 0.7]) }]);
    const parsed = Papa.parse<string[]>(csv.trim()).data;
    expect(parsed[0]).toEqual(['video', 'class', 'name', 'probability']);
    expect(parsed.slice(1).map((r) => [r[1], r[2]])).toEqual([
      ['2', 'c'],
      ['1', 'b, "quoted"'],
      ['0', 'a'],
    ]);
    expect(Number(parsed[1][3])).toBeCloseTo(0.7, 6);
  });
});
