/**
 * Segment-level predictions (YouTube-8M's 2019 challenge, spec section 8):
 * windows, their inference, the per-class rankings, MAP@K and the submission.
 * docs/segments.md describes them for users.
 */
export { SEGMENT_WINDOWS, type WindowSettings, windowCount, windowSettings } from './windows';
export { MAX_WINDOWS_PER_BATCH, modelRunner, predictVideoWindows } from './predictWindows';
export { SegmentRanking } from './segmentRanking';
export { type RankedPositive, segmentMap, type SegmentMapResult, worstRankedPositives } from './segmentMap';
export { ratedClassesFor, YT8M_CLASS_COUNT } from './ratedClasses';
