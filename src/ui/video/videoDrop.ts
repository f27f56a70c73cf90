/**
 * A drop's video files and extractor files, told apart from the feature
 * files and models the rest of the page takes; and the labels typed for a
 * drop of videos (class names or ids) read against the model's classes.
 */
import { userMessage } from '../../core/errors';
import { extractorPart } from '../../core/extractor/fileRoles';
import { labelsFor, type VideoLabelRow } from '../../core/extractor/videoLabels';

/** What the browser may decode (WebCodecs decides; these are the containers mediabunny reads). */
const VIDEO_FILE = /\.(mp4|m4v|mov|qt|webm|mkv|ogv|3gp)$/i;

export function isVideoFile(f: { name: string; type?: string }): boolean {
  return VIDEO_FILE.test(f.name) || (!!f.type && f.type.startsWith('video/'));
}

/** A labels CSV in the published extractor's format (`<video path>,<label ids joined by ;>`). */
export function isLabelsCsv(f: { name: string }): boolean {
  return /\.csv$/i.test(f.name) && !/^\./.test(f.name);
}

/**
 * A drop told apart: the videos; what goes to the media slice with them
 * (`extractor`: the extractor's files, and a labels CSV when the drop holds
 * videos, as the command line's `--labels` takes it); the rest (features,
 * models).
 */
export function splitVideoDrop<F extends { name: string; type?: string }>(files: readonly F[]): { videos: F[]; extractor: F[]; rest: F[] } {
  const videos: F[] = [];
  const extractor: F[] = [];
  const rest: F[] = [];
  const withVideos = files.some((f) => !/^\./.test(f.name) && isVideoFile(f));
  for (const f of files) {
    if (/^\./.test(f.name)) rest.push(f);
    else if (isVideoFile(f)) videos.push(f);
    else if (extractorPart(f.name) || (withVideos && isLabelsCsv(f))) extractor.push(f);
    else rest.push(f);
  }
  return { videos, extractor, rest };
}

/**
 * Each video's labels from a labels CSV, matched by file name as the command
 * line matches them (undefined: no row names it), the ids checked against
 * the model's classes (none checked without a model); or one sentence naming
 * the CSV and its line.
 */
export function csvLabels(
  rows: readonly VideoLabelRow[],
  csvName: string,
  videoNames: readonly string[],
  classCount: number,
): { labels: (number[] | undefined)[] } | { error: string } {
  try {
    const labels = videoNames.map((n) => labelsFor(rows, n, csvName));
    for (const ids of labels) {
      const row = rows.find((r) => r.labels === ids);
      const bad = classCount > 0 ? ids?.find((id) => id >= classCount) : undefined;
      if (row && bad !== undefined)
        return {
          error: `${csvName}: line ${row.line} gives label ${bad}, but the loaded model has ${classCount} classes (0 to ${classCount - 1})`,
        };
    }
    return { labels };
  } catch (e) {
    return { error: userMessage(e) };
  }
}

/**
 * Labels as typed: class names or ids, separated by commas or semicolons
 * (a name may hold spaces). Ids must be classes of the model; names match
 * the model's class names, ignoring case. The first unknown one is the error.
 */
export function parseLabels(text: string, classNames: readonly string[]): { ids: number[] } | { error: string } {
  const tokens = text
    .split(/[,;]/)
    .map((t) => t.trim())
    .filter(Boolean);
  const byName = new Map(classNames.map((n, i) => [n.toLowerCase(), i]));
  const ids = new Set<number>();
  for (const t of tokens) {
    if (/^\d+$/.test(t)) {
      const id = Number(t);
      if (classNames.length && id >= classNames.length)
        return {
          error: `${id} is not a class id of the loaded model (it has ${classNames.length} classes, 0 to ${classNames.length - 1})`,
        };
      ids.add(id);
      continue;
    }
    const id = byName.get(t.toLowerCase());
    if (id === undefined) return { error: `“${t}” is not a class of the loaded model: type its class names or ids` };
    ids.add(id);
  }
  return { ids: [...ids].sort((a, b) => a - b) };
}

/** A name for a video not yet used in this session: `clip.mp4`, then `clip (2).mp4`. */
export function uniqueName(name: string, used: ReadonlySet<string>): string {
  if (!used.has(name)) return name;
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let n = 2; ; n++) {
    const next = `${stem} (${n})${ext}`;
    if (!used.has(next)) return next;
  }
}

/** The frame of an extracted video shown at `time` seconds: the last one taken at or before it. */
export function frameAt(times: readonly number[], time: number): number {
  let lo = 0;
  let hi = times.length - 1;
  if (hi < 0 || time < times[0] - 1e-3) return 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= time + 1e-3) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
