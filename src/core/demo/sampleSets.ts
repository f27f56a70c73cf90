/**
 * The sample sets listed under `sets` in public/samples/index.json (beside
 * `files`, which "Try a sample" loads). Constants only, so that the page can
 * name a set without bundling the generator.
 */
export const FINETUNE_SAMPLE_SET = {
  /** What `loadSampleSet(name)` is called with, and the set's `name` in index.json. */
  name: 'new-labels',
  title: 'Four new labels',
  file: 'finetune-new-labels.tfrecord',
  seed: 5005,
  perClass: 10,
  minFrames: 6,
  maxFrames: 10,
} as const;

/**
 * The segment-rated set: the demo's classes as short events inside known
 * 5-second segments, rated the way YouTube-8M's raters rate them (the
 * event's segment positive, other segments of the same video negative), for
 * the timeline, the segment metric and fine-tuning on segments.
 */
export const SEGMENT_SAMPLE_SET = {
  name: 'segments',
  title: 'Rated segments',
  file: 'demo-segments.tfrecord',
  seed: 6006,
  videos: 16,
  minFrames: 20,
  maxFrames: 40,
  /** Half the videos have two classes, so a timeline shows two events apart. */
  twoClassFraction: 0.5,
  /** Negative ratings per labelled class and video, on segments away from its event. */
  negativesPerClass: 2,
} as const;

/** A rated segment as index.json lists it: class `class` rated `score` on the 5 frames from `start`. */
interface SampleSegment {
  class: number;
  name: string;
  start: number;
  score: number;
}

/** A set as index.json lists it: its files (in the shape of the index's `files`) and the names of its label ids. */
export interface SampleSetEntry {
  name: string;
  title: string;
  description?: string;
  /** Names of the files' label ids 0..K-1 (the page's names field, `--labels names.txt`). */
  classNames: string[];
  files: {
    file: string;
    videos: {
      id: string;
      frames: number;
      labels: number[];
      events?: { class: number; name: string; start: number; frames: number }[];
      segments?: SampleSegment[];
    }[];
  }[];
}
