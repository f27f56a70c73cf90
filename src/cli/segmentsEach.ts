import type { VideoFeatures } from '../core/features/featureTypes';
import { checkVideos, type VideoPrediction } from '../core/model/prediction';
import { predictWith, type StreamModel } from '../core/model/predictStream';
import { predictWindowStream, runnerFor, type WindowBatch } from '../core/segments/predictWindows';
import { sharesWindows } from '../core/segments/videosWithWindows';
import type { WindowSettings } from '../core/segments/windows';
import { InputError, userMessage } from '../core/errors';
import { ProgressLine, type ProgressState } from './progressLine';
import { noteSkipped, stderr } from './run';

/** Features of videos held at once, as predictStream's window (uint8 features count a quarter of float32's). */
const CHUNK_BYTES = 16 << 20;

export interface SegmentsEachOptions {
  window: WindowSettings;
  /**
   * Videos per forward pass of the video-level predictions (--batch-size); windows always fill the batch budget.
   * On an engine that shares a pass (sharesWindows), videos per pass, their windows included.
   */
  batchSize?: number;
  /** Video-level predictions too, for these videos (evaluate's video figures), in the same pass over the files. */
  videoLevel?: {
    wants: (video: VideoFeatures) => boolean;
    onVideo: (video: VideoFeatures, prediction: VideoPrediction) => void;
  };
}

/**
 * The stream of videos cut into windows and predicted (core/segments), each
 * batch of windows handed to `onWindows` in order; videos are held a chunk
 * at a time (16 MB of features), as `predict` holds them. A video the model
 * cannot take is warned about on stderr and skipped. With `videoLevel`, the
 * chosen videos of each chunk are predicted whole too: on the command line's
 * engine in the same pass as their windows (core/segments/videosWithWindows.ts),
 * on another model first, in a pass of their own. Progress counts the videos
 * whose windows are all done.
 */
export async function segmentsEach<T extends { video: VideoFeatures }>(
  what: string,
  model: StreamModel,
  items: AsyncIterable<T>,
  progress: ProgressState,
  opts: SegmentsEachOptions,
  onWindows: (batch: WindowBatch<T>) => void | Promise<void>,
): Promise<void> {
  const line = new ProgressLine(what);
  const runner = runnerFor(model);
  let chunk: T[] = [];
  let bytes = 0;
  const flush = async () => {
    const ok = chunk.filter((item) => {
      try {
        checkVideos([item.video], model.meta);
        return true;
      } catch (e) {
        progress.failed++;
        noteSkipped();
        stderr(`warning: ${userMessage(e)} (video skipped)`);
        return false;
      }
    });
    chunk = [];
    bytes = 0;
    if (sharesWindows(model)) {
      // One pass per few videos: each frame's features, embedding and input projections computed once, for the
      // whole video and every window over it (src/kernels/lstmSimd/model.ts); results handed on a pass at a time.
      const whole = ok.map((item) => opts.videoLevel?.wants(item.video) ?? false);
      const passes = model.predictWithWindows(
        ok.map((item) => item.video),
        { window: opts.window, whole, batchSize: opts.batchSize },
      );
      for (const { first, results } of passes) {
        const items = ok.slice(first, first + results.length);
        const windows: WindowBatch<T>['windows'] = [];
        results.forEach((r, j) => {
          if (r.prediction) opts.videoLevel!.onVideo(items[j].video, r.prediction);
          for (const w of r.windows) windows.push({ item: items[j], start: w.start, frames: w.frames, probabilities: w.probabilities });
        });
        await onWindows({ windows, done: items, errors: [] });
        progress.videosDone += items.length;
        line.update(progress);
      }
      return;
    }
    if (opts.videoLevel) {
      const whole = ok.filter((item) => opts.videoLevel!.wants(item.video));
      const predictions = await predictWith(
        model,
        whole.map((item) => item.video),
        { batchSize: opts.batchSize },
      );
      whole.forEach((item, i) => opts.videoLevel!.onVideo(item.video, predictions[i]));
    }
    for await (const batch of predictWindowStream(runner, ok, { window: opts.window })) {
      await onWindows(batch);
      progress.videosDone += batch.done.length;
      line.update(progress);
    }
  };
  for await (const item of items) {
    chunk.push(item);
    bytes += item.video.rgb.byteLength + item.video.audio.byteLength;
    if (bytes >= CHUNK_BYTES) await flush();
  }
  if (chunk.length) await flush();
  line.finish(progress);
  // Every video refused by the model: nothing usable, an error (exit 2), not an empty result.
  if (progress.videosDone === 0 && progress.failed > 0 && !progress.emptyIsResult) {
    throw new InputError(`none of the ${progress.failed} video${progress.failed === 1 ? '' : 's'} could be used (each named above)`);
  }
}
