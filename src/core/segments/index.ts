/**
 * Segment-level predictions (YouTube-8M's 2019 challenge, spec section 8):
 * windows, their inference, the per-class rankings, MAP@K and the submission.
 * docs/segments.md describes them for users.
 */
export { SEGMENT_WINDOWS, type WindowSettings, segmentId, videoWindow, videoWindows, windowCount, windowSettings, windowStarts } from './windows';
export { MAX_WINDOWS_PER_BATCH, modelRunner, predictVideoWindows, predictWindowStream, type WindowBatch, type WindowPrediction, type WindowRunner, type WindowStreamOptions, windowsPerBatch } from './predictWindows';
export { SEGMENT_K, SEGMENT_TOP_PER_WINDOW, SegmentRanking, type RankedVideo, type RatingCounts, type SegmentRankingOptions, type SegmentRankingState } from './segmentRanking';
export type { RankedWindow } from './classHeap';
export { classAp, type ClassSegmentAp, type RankedPositive, segmentMap, segmentMapJson, type SegmentMapResult, worstRankedPositives } from './segmentMap';
export { parseRatedClasses, ratedClassesFor, YT8M_CLASS_COUNT } from './ratedClasses';
export { SUBMISSION_HEADER, submissionLines } from './submission';
export { percentG } from './pythonFloat';
