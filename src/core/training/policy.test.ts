import { describe, expect, it } from 'vitest';
import { FULL_SIZES } from '../model/architecture';
import { SMALL_SIZES } from '../../../tools/testing/random';
import {
  defaultHeadLayers,
  defaultMode,
  defaultPatience,
  fineTuneCost,
  isLargeHead,
  isSlowFineTune,
  MIN_STEPS,
  recommendedSettings,
  trainingLabels,
  validationCount,
  validationNote,
} from './policy';

const items = (labels: (number[] | null)[]) => labels.map((l, i) => ({ key: `f#${i}`, labels: l }));
const vocabulary = Array.from({ length: 3862 }, (_, i) => `name ${i}`);

describe('which videos a fine-tune trains, and the names of its classes', () => {
  it('keeps label ids 0..K-1 as they are, named by id, and says when nothing names them', () => {
    const r = trainingLabels('new-head', items([[0], [2, 1], [3], null]), { names: ['up', ' ', 'left'], modelClassNames: vocabulary });
    expect(r.labelIds).toEqual([0, 1, 2, 3]);
    expect(r.data.map((d) => [d.item.key, d.labels])).toEqual([
      ['f#0', [0]],
      ['f#1', [2, 1]],
      ['f#2', [3]],
    ]);
    expect(r.classNames).toEqual(['up', 'class 1', 'left', 'class 3']);
    expect(r.notes).toEqual(['1 of the 4 videos have no labels and are left out']);
    const unnamed = trainingLabels('new-head', items([[0], [1]]), { modelClassNames: vocabulary });
    expect(unnamed.classNames).toEqual(['class 0', 'class 1']);
    expect(unnamed.notes).toEqual(['no class names were given: the classes are named class 0, class 1']);
  });

  it('renumbers sparse ids (a subset of a vocabulary) to the ids present, named as the model names them unless the names say otherwise', () => {
    const r = trainingLabels('all', items([[3017], [17, 250], [250]]), { modelClassNames: vocabulary });
    expect(r.labelIds).toEqual([17, 250, 3017]);
    expect(r.data.map((d) => d.labels)).toEqual([[2], [0, 1], [1]]);
    expect(r.classNames).toEqual(['name 17', 'name 250', 'name 3017']);
    expect(r.notes).toEqual(['the files use 3 label ids between 17 and 3017: training 3 classes, one per id present']);
    // The user's names are indexed by label id, as a vocabulary is.
    const names: string[] = [];
    names[250] = 'mine';
    expect(trainingLabels('new-head', items([[3017], [17, 250]]), { names, modelClassNames: vocabulary }).classNames).toEqual([
      'name 17',
      'mine',
      'name 3017',
    ]);
    expect(trainingLabels('new-head', items([[3017], [17, 250]]), { names, modelClassNames: [] }).classNames).toEqual([
      'class 17',
      'mine',
      'class 3017',
    ]);
  });

  it('trains the model’s own classes with same labels, and says the names are not used', () => {
    const r = trainingLabels('same-labels', items([[5], [1, 2]]), { names: ['x'], modelClassNames: ['a', 'b', 'c', 'd', 'e', 'f'] });
    expect(r.classNames).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(r.data.map((d) => d.labels)).toEqual([[5], [1, 2]]);
    expect(r.labelIds).toBeNull();
    expect(r.notes).toEqual(['the names given are not used with same labels: the model keeps its own classes']);
  });

  it('uses the user’s own classes and assignments instead of the files’ labels', () => {
    const custom = { classNames: ['dog', 'cat'], assignments: { 'f#1': [1, 0, 1], 'f#2': [5], 'gone#0': [0] } };
    const r = trainingLabels('new-head', items([[7], [8], null]), { custom, modelClassNames: vocabulary });
    expect(r.classNames).toEqual(['dog', 'cat']);
    // Duplicates and classes out of range are dropped; videos without an assignment do not train.
    expect(r.data.map((d) => [d.item.key, d.labels])).toEqual([['f#1', [0, 1]]]);
  });
});

describe('the size rule', () => {
  it('trains a full-size head’s logit layer alone by default, a small head whole', () => {
    expect(isLargeHead(FULL_SIZES)).toBe(true);
    expect(defaultHeadLayers(FULL_SIZES)).toBe('last-layer');
    expect(isLargeHead(SMALL_SIZES)).toBe(false);
    expect(defaultHeadLayers(SMALL_SIZES)).toBe('whole-head');
  });

  it('warns before a long full-size fine-tune, never for a small model', () => {
    const frames = Array(500).fill(300);
    const last = fineTuneCost(FULL_SIZES, frames, 'new-head', 'last-layer', 4);
    const whole = fineTuneCost(FULL_SIZES, frames, 'new-head', 'whole-head', 4);
    expect(whole.epochMacs).toBeGreaterThan(100 * last.epochMacs);
    expect(isSlowFineTune(FULL_SIZES, 'new-head', whole, 50)).toBe(true);
    expect(isSlowFineTune(FULL_SIZES, 'all', fineTuneCost(FULL_SIZES, [10, 10], 'all', 'whole-head', 4), 1)).toBe(true);
    const small = fineTuneCost(SMALL_SIZES, frames, 'all', 'whole-head', 4);
    expect(isSlowFineTune(SMALL_SIZES, 'all', small, 1000)).toBe(false);
  });
});

describe('the mode a fine-tune starts in', () => {
  const demo = [
    'applause',
    'goal',
    'engine start',
    'dog bark',
    'door knock',
    'glass break',
    'siren',
    'lightning',
    'fireworks',
    'wave crash',
  ];
  it('keeps the model’s own classes when the files’ labels are ids it names (the bundled samples), else a new head', () => {
    expect(defaultMode([6, 9, 3, 7], demo)).toBe('same-labels');
    // An id beyond the model's classes, or one it does not name, is a new label set.
    expect(defaultMode([6, 12], demo)).toBe('new-head');
    expect(defaultMode([0, 1], ['class 0', 'class 1', 'class 2'])).toBe('new-head');
    expect(defaultMode([], demo)).toBe('new-head');
  });

  it('starts a new head when the user names the ids or makes classes', () => {
    expect(defaultMode([0, 1, 2, 3], demo, { names: ['celebration', 'storm', 'break-in', 'traffic'] })).toBe('new-head');
    expect(defaultMode([0, 1, 2, 3], demo, { names: ['', ' '] })).toBe('same-labels');
    expect(defaultMode([0, 1], demo, { custom: true })).toBe('new-head');
  });
});

describe('settings that fit the data', () => {
  it('gives a new head on a small set a learning rate, steps and a validation share it can learn with', () => {
    const r = recommendedSettings('new-head', { videos: 40, classes: 5 });
    expect(r.learningRate).toBe(0.01);
    expect(r.standardize).toBe(true);
    // 3 validation videos a class at most 30%: 12 of 40, so 28 train in 2 batches of 16 an epoch.
    expect(r.validationFraction).toBe(0.3);
    expect(validationCount(40, r.validationFraction)).toBe(12);
    expect(r.epochs * Math.ceil(28 / r.batchSize)).toBeGreaterThanOrEqual(MIN_STEPS);
    expect(r.patience).toBeGreaterThanOrEqual(10);
    expect(r.patience).toBeLessThan(r.epochs);
  });

  it('keeps the usual defaults for a large set, and 0.001 to refine a trained head', () => {
    const big = recommendedSettings('new-head', { videos: 5000, classes: 20 });
    expect(big.validationFraction).toBe(0.15);
    expect(big.epochs).toBe(50);
    expect(recommendedSettings('same-labels', { videos: 12, classes: 10 }).learningRate).toBe(0.001);
    expect(recommendedSettings('all', { videos: 40, classes: 4 }).epochs).toBe(50);
    // What the user set stays.
    expect(recommendedSettings('new-head', { videos: 40, classes: 5 }, { validationFraction: 0.1 }).validationFraction).toBe(0.1);
  });

  it('warns when the validation split holds fewer than a few videos a class', () => {
    // The bundled samples: 12 videos of 10 classes, 15% held out, are 2 validation videos.
    expect(validationNote({ videos: 12, classes: 10 }, 0.15)).toMatch(
      /^the validation split holds 2 videos for 10 classes \(fewer than 3 a class\).*hold out more/,
    );
    expect(validationNote({ videos: 40, classes: 4 }, 0.3)).toBeNull();
    expect(validationNote({ videos: 40, classes: 4 }, 0)).toMatch(/^the validation split holds 1 video for 4 classes/);
    expect(defaultPatience(50, 170, 16)).toBe(10);
    expect(defaultPatience(300, 28, 16)).toBe(50);
  });
});
