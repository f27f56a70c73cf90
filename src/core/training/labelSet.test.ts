import { describe, expect, it } from 'vitest';
import type { VideoFeatures } from '../features/types';
import { fileClassNames, fileLabelSet, relabel } from './labelSet';

const video = {} as VideoFeatures;
const data = (labels: number[][]) => labels.map((l) => ({ video, labels: l }));

describe('the classes of the files’ labels', () => {
  it('keeps indices 0..K-1 as they are', () => {
    const d = data([[0], [2, 1], [3]]);
    const set = fileLabelSet(d);
    expect(set).toEqual({ ids: [0, 1, 2, 3], remapped: false });
    expect(relabel(d, set)).toEqual(d);
    expect(fileClassNames(set, ['up', ' ', 'left'])).toEqual(['up', 'class 1', 'left', 'class 3']);
  });

  it('renumbers sparse ids (a subset of a vocabulary) to the ids present, named as the model names them', () => {
    const d = data([[3017], [17, 250], [250]]);
    const set = fileLabelSet(d);
    expect(set).toEqual({ ids: [17, 250, 3017], remapped: true });
    expect(relabel(d, set).map((x) => x.labels)).toEqual([[2], [0, 1], [1]]);
    const vocabulary = Array.from({ length: 3862 }, (_, i) => `name ${i}`);
    expect(fileClassNames(set, undefined, vocabulary)).toEqual(['name 17', 'name 250', 'name 3017']);
    expect(fileClassNames(set, ['mine'], null)).toEqual(['mine', 'class 250', 'class 3017']);
  });
});
