/**
 * File intents: what the user dropped or picked, sorted by what it is and
 * handed to the slice that loads it. Videos and the extractor's files go to
 * the media slice (src/ui/video), a model folder and Paddle weights to the
 * model slice, feature files to the library slice (which asks about files
 * already listed). Anything unknown is read as features, so that its reader
 * says what is wrong with it.
 */
import { classifyFiles, type DropContents, folderOf } from '../../drop';
import { splitVideoDrop } from '../../video/videoDrop';
import type { Slice, SliceContext } from '../types';

export interface FilesSlice {
  /** Files the user dropped or picked: feature files, a model folder, Paddle weights, videos or the extractor's files. */
  addFiles(files: File[]): Promise<void>;
}

/** A drop sorted by what each file is. */
export interface SortedDrop<F extends { name: string; type?: string }> extends DropContents<F> {
  /** Video files, to turn into features in the worker. */
  videos: F[];
  /** What goes to the media slice with them: the extractor's files (Inception graph, PCA), which the worker keeps. */
  extractor: F[];
}

export function sortDrop<F extends { name: string; type?: string }>(files: readonly F[]): SortedDrop<F> {
  const { videos, extractor, rest } = splitVideoDrop(files);
  return { videos, extractor, ...classifyFiles(rest) };
}

export function filesSlice({ get }: SliceContext): Slice<FilesSlice> {
  return {
    state: {
      addFiles: async (dropped) => {
        const { videos, extractor, modelFiles, weights, features } = sortDrop(dropped);
        const jobs: Promise<unknown>[] = [];
        if (videos.length || extractor.length) jobs.push(get().stageVideos(videos, extractor));
        if (modelFiles) jobs.push(get().loadModel({ kind: 'files', files: modelFiles, name: folderOf(modelFiles) }));
        if (weights) jobs.push(get().loadModel({ kind: 'weights', files: weights, name: folderOf(weights) }));
        if (features.length) jobs.push(get().readFeatures(features.map((file) => ({ kind: 'file', file }))));
        await Promise.all(jobs);
      },
    },
    events: {},
  };
}
