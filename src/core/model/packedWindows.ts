/**
 * The segment windows of videos in a packed batch (packedLayout.ts), as packed
 * batches of their own whose rows are rows of the videos' batch: what lets a
 * video's windows be computed in the same forward pass as the video.
 *
 * A window (spec 8.2: starts 0, hop, 2 hop, ...; the last holds what is
 * left) runs through the model as a short video. Its frames' features, their
 * embedding and each direction's input projection are the same numbers
 * whether the frame sits in the whole video or in the window: only the
 * recurrence (which starts from zero at the window's ends), the attention
 * and the head differ. So the pass computes the input projections once per
 * frame of the videos and gives each window its rows of them (`rows`, one
 * gather), then runs the windows' recurrences, attention and head as a batch.
 *
 * Windows are cut into chunks of at most `maxWindows`, so that what the
 * windows add to a pass stays within the budget of a batch of windows
 * (at hop 1 a frame is in five windows) whatever the batch of videos holds.
 */
import { type PackedLayout, packedLayout } from './packedLayout';
import { type WindowSettings, windowStarts } from '../segments/windows';

/** One window of a video of the batch. */
interface BatchWindow {
  /** The video's index in the batch. */
  video: number;
  start: number;
  frames: number;
}

/** Windows run together: their own packed layout, and for each of its rows the video batch's row it takes. */
export interface WindowChunk {
  /** In the order of the videos, each video's by start. */
  windows: BatchWindow[];
  layout: PackedLayout;
  /** rows[r]: the row of the videos' packed batch that the window batch's row r holds. */
  rows: Int32Array;
}

/**
 * The windows of the videos `pick`ed (batch indices) of a packed batch, in
 * chunks of at most `maxWindows` windows. A video's windows may span two chunks.
 */
export function windowChunks(videos: PackedLayout, shape: WindowSettings, pick: readonly number[], maxWindows: number): WindowChunk[] {
  const { length, hop } = shape;
  if (!(Number.isSafeInteger(length) && length >= 1 && Number.isSafeInteger(hop) && hop >= 1))
    throw new RangeError(`windowChunks: windows of length ${length} and hop ${hop}`);
  const per = Math.max(1, Math.floor(maxWindows));
  const all: BatchWindow[] = [];
  for (const b of pick) {
    const n = videos.lengths[b];
    if (n === undefined) throw new RangeError(`windowChunks: no video ${b} in a batch of ${videos.B}`);
    for (const start of windowStarts(n, shape)) all.push({ video: b, start, frames: Math.min(length, n - start) });
  }
  const chunks: WindowChunk[] = [];
  for (let i = 0; i < all.length; i += per) {
    const windows = all.slice(i, i + per);
    const layout = packedLayout(
      windows.map((w) => w.frames),
      Math.max(...windows.map((w) => w.frames)),
    );
    const rows = new Int32Array(layout.N);
    for (let r = 0; r < layout.N; r++) {
      const src = layout.sourceRows[r];
      const w = windows[Math.floor(src / layout.T)];
      const t = w.start + (src % layout.T);
      rows[r] = videos.paddedRows[w.video * videos.T + t];
    }
    chunks.push({ windows, layout, rows });
  }
  return chunks;
}
