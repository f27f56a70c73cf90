import type { Yt8mVideo } from '../features/tfrecordFeatures';
import type { SegmentRating } from '../features/featureTypes';
import { SEGMENT_WINDOWS } from '../segments/windows';
import { seededRandom } from '../training/seeded';
import { SEGMENT_SAMPLE_SET } from './sampleSets';
import { demoRecord, syntheticVideos, type DemoVideo } from './syntheticVideos';

export { SEGMENT_SAMPLE_SET };

/** A demo video with the ratings derived from its planted events. */
export interface RatedDemoVideo extends DemoVideo {
  segments: SegmentRating[];
}

const SEG = SEGMENT_WINDOWS.length;

/**
 * The segment-rated sample set (public/samples/demo-segments.tfrecord): demo
 * videos whose events each lie inside one 5-frame segment, with ratings
 * derived from the events: the segment holding a class's event rated
 * positive (1), and up to `negativesPerClass` other segments of the video,
 * at least one segment away from any event of that class, rated negative (0).
 */
export function segmentSampleVideos(): RatedDemoVideo[] {
  return ratedDemoVideos(SEGMENT_SAMPLE_SET.videos, SEGMENT_SAMPLE_SET.seed);
}

/** `count` rated demo videos drawn as the sample set's are, from `seed` (tests draw held-out ones). */
export function ratedDemoVideos(count: number, seed: number): RatedDemoVideo[] {
  const s = SEGMENT_SAMPLE_SET;
  const videos = syntheticVideos(count, seed, {
    twoClassFraction: s.twoClassFraction,
    minFrames: s.minFrames,
    maxFrames: s.maxFrames,
    segmentFrames: SEG,
  });
  const rand = seededRandom(seed + 1);
  return videos.map((v) => {
    const segments: SegmentRating[] = [];
    const starts = Array.from({ length: Math.ceil(v.frames / SEG) }, (_, i) => i * SEG);
    for (const c of v.labels) {
      const own = v.events.filter((e) => e.classIndex === c).map((e) => Math.floor(e.start / SEG) * SEG);
      for (const start of own) segments.push({ class: c, start, score: 1 });
      const away = starts.filter((t) => own.every((o) => Math.abs(t - o) > SEG));
      for (let k = 0; k < s.negativesPerClass && away.length; k++) {
        const [start] = away.splice(Math.floor(rand() * away.length), 1);
        segments.push({ class: c, start, score: 0 });
      }
    }
    segments.sort((a, b) => a.start - b.start || a.class - b.class);
    return { ...v, id: v.id.replace('synthetic', 'rated'), segments };
  });
}

/** A rated demo video as a segment-rated YouTube-8M TFRecord holds it. */
export function ratedDemoRecord(v: RatedDemoVideo): Yt8mVideo {
  return {
    ...demoRecord(v),
    segments: {
      labels: v.segments.map((r) => r.class),
      startTimes: v.segments.map((r) => r.start),
      scores: v.segments.map((r) => r.score),
    },
  };
}
