import { readFeatureFile } from '../core/features/read';
import type { VideoFeatures } from '../core/features/types';
import { InputError, userMessage } from '../core/errors';
import { readUserFile } from '../node/files';
import { stderr } from './run';

/**
 * Reads every feature file; a broken file or record is reported on stderr and
 * skipped, so one bad file among many costs only itself.
 */
export async function readFeatureFiles(paths: readonly string[]): Promise<VideoFeatures[]> {
  if (paths.length === 0) throw new InputError('no feature files given');
  const videos: VideoFeatures[] = [];
  for (const p of paths) {
    try {
      const result = readFeatureFile(await readUserFile(p), p);
      result.warnings.forEach((w) => stderr(`warning: ${w}`));
      videos.push(...result.videos);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      stderr(`warning: ${userMessage(err)} (file skipped)`);
    }
  }
  if (videos.length === 0) throw new InputError('none of the feature files could be read');
  return videos;
}
