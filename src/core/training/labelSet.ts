import type { LabeledVideo } from './finetune';

/**
 * The classes a new head learns from the files' own label indices. Indices
 * that cover 0..max without a gap are the classes as they are (a user's own
 * files, labeled 0..K-1). Sparse ones, such as YouTube-8M vocabulary ids on a
 * subset of its classes, are renumbered to the ids present, in order: a head
 * of thousands of classes with no example would be trained otherwise.
 */
export interface FileLabelSet {
  /** The file label id of each class trained, in class order. */
  ids: number[];
  remapped: boolean;
}

export function fileLabelSet(data: readonly LabeledVideo[]): FileLabelSet {
  const present = [...new Set(data.flatMap((d) => d.labels))].sort((a, b) => a - b);
  const max = present.length ? present[present.length - 1] : -1;
  return { ids: present, remapped: present.length !== max + 1 };
}

/** The videos with their labels as class indices of the set. */
export function relabel(data: readonly LabeledVideo[], set: FileLabelSet): LabeledVideo[] {
  if (!set.remapped) return data.slice();
  const index = new Map(set.ids.map((id, i) => [id, i]));
  return data.map((d) => ({ video: d.video, labels: d.labels.map((l) => index.get(l)!) }));
}

/**
 * Names of the classes: those given (in class order), then, for renumbered
 * ids, the model's own name of the id (they are most likely its vocabulary's),
 * else `class <id>`.
 */
export function fileClassNames(set: FileLabelSet, given?: readonly string[], modelNames?: readonly string[] | null): string[] {
  return set.ids.map((id, i) => given?.[i]?.trim() || (set.remapped && modelNames?.[id]) || `class ${id}`);
}
