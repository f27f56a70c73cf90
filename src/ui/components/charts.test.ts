import { describe, expect, it } from 'vitest';
import { largestDrops, occludedFrames } from './EvidenceCard';
import { formatScaleValue, MIN_EVIDENCE_TOP, scaleTops, timeTicks } from './Heatmap';
import { epochTicks, keptEpoch } from './LossChart';

const row = (kind: 'attention' | 'evidence', values: number[]) => ({ kind, values });

describe('the heatmap’s colour scales', () => {
  it('shades RGB and audio against one top (the larger maximum), or each against its own', () => {
    const rgb = row('attention', [0.1, 0.6, 0.3]);
    const audio = row('attention', [0.3, 0.3, 0.4]);
    expect(scaleTops([rgb, audio], 100, 'shared')).toEqual([0.6, 0.6]);
    expect(scaleTops([rgb, audio], 100, 'per-row')).toEqual([0.6, 0.4]);
    // Never below 4x the uniform weight (1/3 here).
    expect(scaleTops([rgb, audio], 3, 'per-row')).toEqual([4 / 3, 4 / 3]);
    const long = [row('attention', [0.05, 0.02, ...Array(98).fill(0.0093)]), row('attention', [0.5, ...Array(99).fill(0.005)])];
    expect(scaleTops(long, 100, 'per-row')).toEqual([0.05, 0.5]);
    expect(scaleTops(long, 100, 'shared')).toEqual([0.5, 0.5]);
  });

  it('keeps near-uniform attention pale: the top is at least 4x the uniform weight', () => {
    // The case: weights 0.033-0.058 over 30 frames shaded 60-72% against their own maximum.
    const near = row(
      'attention',
      Array.from({ length: 30 }, (_, t) => 0.033 + (0.025 * t) / 29),
    );
    const [top] = scaleTops([near], 30, 'per-row');
    expect(top).toBeCloseTo(4 / 30, 12);
    expect(0.058 / top).toBeLessThan(0.45);
  });

  it('gives evidence one signed scale, at least MIN_EVIDENCE_TOP', () => {
    expect(scaleTops([row('evidence', [0.2, -0.5, 0.1])], 3, 'per-row')).toEqual([0.5]);
    expect(scaleTops([row('evidence', [0.001, -0.002])], 2, 'shared')).toEqual([MIN_EVIDENCE_TOP]);
  });

  it('writes scale values with two decimals, or two significant digits when small', () => {
    expect(formatScaleValue(0)).toBe('0');
    expect(formatScaleValue(0.4433)).toBe('0.44');
    expect(formatScaleValue(0.015625)).toBe('0.016');
    expect(formatScaleValue(0.0033)).toBe('0.0033');
    expect(formatScaleValue(-0.75)).toBe('-0.75');
  });
});

describe('evidence in numbers', () => {
  it('names the frames a window covers, as the occlusion does', () => {
    expect(occludedFrames(0, 5, 64)).toEqual([0, 4]);
    expect(occludedFrames(10, 5, 64)).toEqual([8, 12]);
    expect(occludedFrames(63, 5, 64)).toEqual([61, 63]);
  });

  it('lists the largest drops at least a window apart, and only drops', () => {
    const drop = [0.1, 0.5, 0.45, 0.2, 0, 0, 0.3, -0.4, 0.01];
    expect(largestDrops(drop, 3)).toEqual([1, 6]);
    expect(largestDrops(drop, 1, 3)).toEqual([1, 2, 6]);
    expect(largestDrops([-0.1, -0.2], 1)).toEqual([]);
  });
});

describe('the fine-tune curves', () => {
  it('ticks epochs at a round step', () => {
    expect(epochTicks(8)).toEqual([1, 2, 4, 6, 8]);
    expect(epochTicks(300)).toEqual([1, 50, 100, 150, 200, 250, 300]);
    expect(epochTicks(1)).toEqual([1]);
  });

  it('says which epoch’s weights are kept when early stopping put an earlier one back', () => {
    const e = (epoch: number, bestEpoch?: number) => ({
      epoch,
      trainLoss: 1,
      validationLoss: 1,
      validationGap: 0,
      validationHitAt1: 0,
      seconds: 0,
      bestEpoch,
    });
    expect(keptEpoch([e(1), e(2)])).toBeNull();
    expect(keptEpoch([e(1, 1), e(2, 2)])).toBeNull();
    expect(keptEpoch([e(1, 1), e(2, 1)])).toBe(1);
    expect(keptEpoch([e(1, 0)])).toBe(0);
  });
});

describe('the time axis of a heatmap', () => {
  it('labels about six ticks across the frames in view: all of them, or the part a zoom shows', () => {
    expect(timeTicks(64)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    // Zoomed 4x, 16 frames are in view at a time: ticks every 5 s along the whole video.
    expect(timeTicks(64, 16)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60]);
    expect(timeTicks(300, 300).length).toBeLessThanOrEqual(7);
    expect(timeTicks(3)).toEqual([0, 1, 2]);
  });
});
