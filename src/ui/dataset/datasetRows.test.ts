import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { testResult } from '../../../tools/testing/storeHarness';
import type { VideoRow } from '../state/slices/videos';
import { datasetRows, filterRows, NO_FILTER, rowsCsv, sortRows } from './datasetRows';

const NAMES = ['cat', 'dog', 'bird'];
const row = (i: number, labels: number[] | null, p: number[] | null, status: VideoRow['status'] = p ? 'done' : 'queued'): VideoRow => ({
  key: `f#${i}`,
  file: 'f.tfrecord',
  index: i,
  offset: null,
  id: `vid-${i}`,
  frames: 10 + i,
  framesInFile: null,
  labels,
  status,
  ...(p ? { result: testResult(`f#${i}`, p, labels) } : {}),
});
const VIDEOS = [
  row(0, [0], [0.9, 0.1, 0.2]),
  row(1, [1], [0.8, 0.3, 0.1]),
  row(2, null, [0.1, 0.2, 0.7]),
  row(3, [2], null),
  row(4, [1, 2], null, 'error'),
];

describe('the dataset table', () => {
  const rows = datasetRows(VIDEOS, NAMES);

  it('shows each video’s labels, top class, probability, AP and hit', () => {
    expect(rows.map((r) => [r.id, r.labels, r.top, r.hit, r.ap])).toEqual([
      ['vid-0', 'cat', 'cat', true, 1],
      ['vid-1', 'dog', 'cat', false, 0.5],
      ['vid-2', '', 'bird', null, null],
      ['vid-3', 'bird', null, null, null],
      ['vid-4', 'dog, bird', null, null, null],
    ]);
  });

  it('filters by search (id, label or predicted class), misses, failures, a class or a confused pair', () => {
    const ids = (f: Partial<typeof NO_FILTER>) => filterRows(rows, { ...NO_FILTER, ...f }).map((r) => r.id);
    expect(ids({ search: 'CAT' })).toEqual(['vid-0', 'vid-1']);
    expect(ids({ search: 'vid-3' })).toEqual(['vid-3']);
    expect(ids({ show: 'labeled' })).toEqual(['vid-0', 'vid-1', 'vid-3', 'vid-4']);
    expect(ids({ show: 'misses' })).toEqual(['vid-1']);
    expect(ids({ show: 'failed' })).toEqual(['vid-4']);
    expect(ids({ classIndex: 2 })).toEqual(['vid-2', 'vid-3', 'vid-4']);
    expect(ids({ confusion: { label: 1, predicted: 0 } })).toEqual(['vid-1']);
  });

  it('lists under a confused pair only the videos it counts: not one whose top class is among its labels', () => {
    const multi = datasetRows([row(0, [1, 0], [0.9, 0.1, 0.2]), row(1, [1], [0.8, 0.3, 0.1]), row(2, [1, 2], [0.7, 0.2, 0.1])], NAMES);
    expect(filterRows(multi, { ...NO_FILTER, confusion: { label: 1, predicted: 0 } }).map((r) => r.id)).toEqual(['vid-1', 'vid-2']);
  });

  it('sorts either way with videos without a result last, worst AP first on request', () => {
    expect(sortRows(rows, { key: 'ap', descending: false }).map((r) => r.id)).toEqual(['vid-1', 'vid-0', 'vid-2', 'vid-3', 'vid-4']);
    expect(sortRows(rows, { key: 'probability', descending: true }).map((r) => r.id)).toEqual([
      'vid-0',
      'vid-1',
      'vid-2',
      'vid-3',
      'vid-4',
    ]);
    expect(sortRows(rows, { key: 'id', descending: true }).map((r) => r.id)).toEqual(['vid-4', 'vid-3', 'vid-2', 'vid-1', 'vid-0']);
  });

  it('exports the rows as shown as CSV', () => {
    const parsed = Papa.parse<Record<string, string>>(rowsCsv(sortRows(rows, { key: 'ap', descending: false }).slice(0, 2)), {
      header: true,
      skipEmptyLines: true,
    });
    expect(parsed.data.map((r) => [r.id, r.labels, r.top_class, r.ap, r.hit])).toEqual([
      ['vid-1', 'dog', 'cat', '0.5', '0'],
      ['vid-0', 'cat', 'cat', '1', '1'],
    ]);
  });
});
