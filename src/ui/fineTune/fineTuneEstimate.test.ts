import { describe, expect, it } from 'vitest';
import type { TrainingPlan } from '../../protocol/protocol';
import { formatDuration } from '../formatNumbers';
import { slowWarning, fineTuneEstimate } from './fineTuneEstimate';

const plan: TrainingPlan = {
  labeled: 500,
  videos: 500,
  classNames: ['a'],
  notes: [],
  cachingMacs: 3.9e12,
  epochMacs: 1e11,
  largeHead: true,
  macsPerSecond: 5e9,
};

describe('the fine-tune time estimate', () => {
  it('is the arithmetic at the measured speed, and nothing before the backend was measured', () => {
    expect(fineTuneEstimate(plan, 50)).toEqual({ caching: 780, epoch: 20, total: 1780 });
    expect(fineTuneEstimate({ ...plan, macsPerSecond: null }, 50)).toBeNull();
  });

  it('says so in the warning, as a lower bound', () => {
    expect(slowWarning(plan, 50, '“Last layer only”')).toBe(
      "This model is large: this fine-tune may take a long time in a page. At this backend's measured speed (5.0 G multiply-adds a second) the arithmetic alone takes 13 min to cache the videos, then 20 s an epoch: at least 30 min for 50 epochs. “Last layer only” trains far faster.",
    );
    expect(slowWarning({ ...plan, macsPerSecond: null }, 50, '“New head”')).toBe(
      'This model is large: this fine-tune may take a long time in a page. “New head” trains far faster.',
    );
  });

  it('words durations', () => {
    expect([0.42, 45, 89.6, 720, 12_240].map(formatDuration)).toEqual(['0.4 s', '45 s', '90 s', '12 min', '3.4 h']);
  });
});
