import { InputError, userMessage } from '../core/errors';
import { readFeatureFile } from '../core/features/read';
import { FrameCapTally, streamFeatureFile } from '../core/features/stream';
import type { ReadOptions, VideoFeatures } from '../core/features/featureTypes';
import { fileSource, readUserFile } from '../node/files';
import { httpSource, isUrl } from '../node/httpSource';
import type { ProgressState } from './progressLine';
import { noteSkipped, stderr } from './run';

/**
 * Every feature file read into memory (for fine-tuning); a broken file or
 * record is reported on stderr and skipped, so one bad file among many costs
 * only itself.
 */
export async function readFeatureFiles(paths: readonly string[], opts: ReadOptions = {}): Promise<VideoFeatures[]> {
  if (paths.length === 0) throw new InputError('no feature files given');
  const videos: VideoFeatures[] = [];
  for (const p of paths) {
    try {
      const result = readFeatureFile(await readUserFile(p), p, opts);
      result.warnings.forEach(warn);
      const cut = new FrameCapTally();
      result.videos.forEach((v) => cut.add(v));
      const note = cut.note(p);
      if (note) stderr(`warning: ${note}`);
      videos.push(...result.videos);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      // One file given: its own error is the one error.
      if (paths.length === 1) throw err;
      stderr(`warning: ${userMessage(err)} (file skipped)`);
      noteSkipped();
    }
  }
  if (videos.length === 0) throw new InputError(`none of the ${paths.length} feature files could be read`);
  return videos;
}

/**
 * The videos of every file as one stream, each file read a chunk at a time
 * (predict and evaluate hold a window of videos, never a file). Warnings go
 * to stderr as they come; `progress` follows the bytes and videos read.
 */
export async function* streamFeatureFiles(
  paths: readonly string[],
  progress: ProgressState,
  opts: ReadOptions = {},
  // A sharded worker's part lists what it skipped, and a share with nothing readable is still a part.
  more: { onSkipped?: (input: string, reason: string) => void; allowNone?: boolean } = {},
): AsyncGenerator<{ video: VideoFeatures }> {
  if (more.allowNone) progress.emptyIsResult = true;
  if (paths.length === 0) {
    if (more.allowNone) return;
    throw new InputError('no feature files given');
  }
  const sources = [];
  let read = 0;
  let only: InputError | null = null;
  const skipped = (input: string, err: unknown) => {
    if (!(err instanceof InputError)) throw err;
    more.onSkipped?.(input, err.message);
    // One file given: its own error is the one error (thrown at the end), not a warning and then an error.
    if (paths.length === 1 && read === 0 && !more.allowNone) {
      only = err;
      return;
    }
    stderr(`warning: ${userMessage(err)} (file skipped)`);
    noteSkipped();
  };
  for (const p of paths) {
    try {
      // Named by the path as given, as the videos' `file`; http(s) URLs are read with range requests (node/httpSource.ts).
      sources.push({ ...(await (isUrl(p) ? httpSource(p) : fileSource(p))), name: p, input: p });
    } catch (err) {
      skipped(p, err);
    }
  }
  progress.bytesTotal = sources.reduce((n, s) => n + s.size, 0);
  let before = 0;
  for (const src of sources) {
    try {
      for await (const item of streamFeatureFile(src, opts)) {
        if (item.kind === 'warning') warn(item.message);
        else if (item.kind === 'progress') progress.bytesRead = before + item.bytesRead;
        else {
          read++;
          progress.videosRead++;
          yield { video: item.video };
        }
      }
    } catch (err) {
      skipped(src.input, err);
    }
    before += src.size;
    progress.bytesRead = before;
  }
  if (only) throw only;
  if (read === 0 && !more.allowNone)
    throw new InputError(
      paths.length === 1 ? `${paths[0]}: no video could be read` : `none of the ${paths.length} feature files could be read`,
    );
}

/**
 * A reader's warning on stderr. One that says data was lost (a record or
 * video skipped, a file cut off: the readers' sentences say "skipped", "cannot
 * be read" or "is cut off") makes the run exit 3; labels ignored or frames past
 * the cap do not.
 */
function warn(message: string): void {
  stderr(`warning: ${message}`);
  if (/\bskipped\b|cannot be read|is cut off/.test(message)) noteSkipped();
}
