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

/** A set as index.json lists it: its files (in the shape of the index's `files`) and the names of its label ids. */
export interface SampleSetEntry {
  name: string;
  title: string;
  description?: string;
  /** Names of the files' label ids 0..K-1 (the page's names field, `--labels names.txt`). */
  classNames: string[];
  files: { file: string; videos: { id: string; frames: number; labels: number[]; events?: { class: number; name: string; start: number; frames: number }[] }[] }[];
}
