import type { TrainingPlan } from '../../protocol/protocol';
import { formatDuration } from '../formatNumbers';

/**
 * What a fine-tune's arithmetic alone takes at the backend's measured forward
 * speed: a lower bound (optimizer updates and per-op overheads come on top),
 * null until the backend has predicted something to measure it by.
 */
export function fineTuneEstimate(plan: TrainingPlan, epochs: number): { caching: number; epoch: number; total: number } | null {
  const rate = plan.macsPerSecond;
  if (!rate || !(rate > 0)) return null;
  const caching = plan.cachingMacs / rate;
  const epoch = plan.epochMacs / rate;
  return { caching, epoch, total: caching + epochs * epoch };
}

/** The warning shown before a long fine-tune of a large model (isSlowFineTune), with the estimate when there is one. */
export function slowWarning(plan: TrainingPlan, epochs: number, faster: string): string {
  const e = fineTuneEstimate(plan, epochs);
  const estimate = e
    ? ` At this backend's measured speed (${(plan.macsPerSecond! / 1e9).toFixed(1)} G multiply-adds a second) the arithmetic alone takes ${
        e.caching > 0 ? `${formatDuration(e.caching)} to cache the videos, then ` : ''
      }${formatDuration(e.epoch)} an epoch: at least ${formatDuration(e.total)} for ${epochs} epoch${epochs === 1 ? '' : 's'}.`
    : '';
  return `This model is large: this fine-tune may take a long time in a page.${estimate} ${faster} trains far faster.`;
}
