import { InputError } from '../core/errors';
import type { VideoFeatures } from '../core/features/featureTypes';
import type { VideoPrediction } from '../core/model/prediction';
import { predictStream, type StreamModel } from '../core/model/predictStream';
import { ProgressLine, type ProgressState } from './progressLine';
import { noteSkipped, stderr } from './run';

/**
 * The stream of videos predicted window by window (core/model/predictStream.ts),
 * each result handed to `onVideo` in the order the videos came; a video the
 * model cannot take is warned about on stderr and skipped. Progress is drawn
 * after each window, and closed at the end.
 */
export async function predictEach<T extends { video: VideoFeatures }>(
  what: string,
  model: StreamModel,
  items: AsyncIterable<T>,
  progress: ProgressState,
  batchSize: number | undefined,
  onVideo: (item: T, prediction: VideoPrediction) => void,
  afterWindow?: () => Promise<void>,
): Promise<void> {
  const line = new ProgressLine(what);
  for await (const window of predictStream(model, items, { batchSize })) {
    for (const r of window) {
      if (r.error !== undefined) {
        progress.failed++;
        noteSkipped();
        stderr(`warning: ${r.error} (video skipped)`);
        continue;
      }
      progress.videosDone++;
      onVideo(r.item, r.prediction);
    }
    await afterWindow?.();
    line.update(progress);
  }
  line.finish(progress);
  // Every video refused by the model: nothing usable, an error (exit 2), not an empty result.
  if (progress.videosDone === 0 && progress.failed > 0 && !progress.emptyIsResult) {
    throw new InputError(`none of the ${progress.failed} video${progress.failed === 1 ? '' : 's'} could be used (each named above)`);
  }
}
