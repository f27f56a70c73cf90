import { describe, expect, it } from 'vitest';
import { classAveragePrecisions } from './index';
import { datasetFigures, isConfusedPair, videoFigures } from './dataset';

describe('the dataset view’s figures', () => {
  it('gives each video its top class, hit and average precision', () => {
    expect(videoFigures([0.1, 0.9, 0.5], [1])).toEqual({ top: 1, topProbability: 0.9, hit: true, ap: 1 });
    // Labels at ranks 2 and 3: (1/2 + 2/3) / 2.
    expect(videoFigures([0.1, 0.9, 0.5, 0.3], [2, 3]).ap).toBeCloseTo((1 / 2 + 2 / 3) / 2, 12);
    expect(videoFigures([0.1, 0.9, 0.5, 0.3], [2, 3]).hit).toBe(false);
    expect(videoFigures([0.4, 0.4], [1])).toMatchObject({ top: 0, hit: false, ap: 0.5 });
    expect(videoFigures([0.2, 0.8], null)).toEqual({ top: 1, topProbability: 0.8, hit: null, ap: null });
  });

  it('counts per class positives, predictions at the top-k, precision, recall and AP as mAP does', () => {
    const predictions = [
      [0.9, 0.1, 0.2],
      [0.8, 0.7, 0.1],
      [0.1, 0.2, 0.9],
      [0.6, 0.5, 0.4],
    ];
    const labels = [[0], [1], [2], [1, 2]];
    const f = datasetFigures(predictions, labels, { k: 1 });
    expect(f.videos).toBe(4);
    expect(f.classes.map((c) => [c.positives, c.predicted, c.truePositives, c.precision, c.recall])).toEqual([
      [1, 3, 1, 1 / 3, 1],
      [2, 0, 0, null, 0],
      [2, 1, 1, 1, 0.5],
    ]);
    expect(f.classes.map((c) => c.ap)).toEqual([...classAveragePrecisions(predictions, labels)]);
    // Class 0 beat the true labels of videos 1 and 3: 1 -> 0 twice, 2 -> 0 once.
    expect(f.confusions).toEqual([
      { label: 1, predicted: 0, videos: 2 },
      { label: 2, predicted: 0, videos: 1 },
    ]);
    const at2 = datasetFigures(predictions, labels, { k: 2 });
    expect(at2.classes[1]).toMatchObject({ predicted: 3, truePositives: 2, recall: 1 });
  });

  it('never counts a video whose top class is among its labels as a confusion, and the pair’s videos are exactly its count', () => {
    // Video 1 is labelled [0, 1, 2] with top class 1: a hit, confused with nothing (the "goal, engine start, lightning" -> engine start).
    const predictions = [
      [0.1, 0.8, 0.1],
      [0.1, 0.8, 0.1],
      [0.1, 0.8, 0.1],
      [0.7, 0.2, 0.1],
    ];
    const labels = [[2], [0, 1, 2], [2, 0], [1]];
    const f = datasetFigures(predictions, labels);
    expect(f.confusions).toEqual([
      { label: 2, predicted: 1, videos: 2 },
      { label: 0, predicted: 1, videos: 1 },
      { label: 1, predicted: 0, videos: 1 },
    ]);
    for (const c of f.confusions) {
      const listed = predictions.filter((p, v) => isConfusedPair(labels[v], p.indexOf(Math.max(...p)), c.label, c.predicted));
      expect(listed.length).toBe(c.videos);
    }
    expect(isConfusedPair([0, 1, 2], 1, 2, 1)).toBe(false);
    expect(isConfusedPair([2], 1, 2, 1)).toBe(true);
    expect(isConfusedPair([2], null, 2, 1)).toBe(false);
  });
});
