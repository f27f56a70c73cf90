/**
 * One video file through the extractor: ffmpeg decodes it (only the frames
 * the frame rule takes cross its pipe), each frame goes to the core's
 * VideoExtraction as it comes, and decoding stops once the frame cap is
 * reached. At most a batch of frames, plus the two ffmpeg's pipe may hold,
 * is in memory at once.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../core/errors';
import type { ExtractedVideo, FeatureExtractor } from '../core/extractor/extractor';
import { FRAME_INTERVAL_MS } from '../core/extractor/frameRule';
import type { NamedBytes } from '../core/extractor/pca';
import { fileStem } from '../core/features/fileName';
import { readUserFile } from './files';
import { decodeVideo, probeVideo, type VideoInfo } from './videoDecoder';

export interface ExtractFileOptions {
  /** The record's id: the file name without its extension unless given. */
  id?: string;
  labels?: readonly number[];
  maxFrames?: number;
  /** After each frame taken: frames so far, and the video's probed description. */
  onFrame?: (taken: number, info: VideoInfo, seconds: number) => void;
  onWarning?: (message: string) => void;
}

export async function extractVideoFile(extractor: FeatureExtractor, file: string, opts: ExtractFileOptions = {}): Promise<ExtractedVideo> {
  const info = await probeVideo(file);
  const video = extractor.startVideo({
    id: opts.id ?? fileStem(file),
    file,
    labels: opts.labels,
    maxFrames: opts.maxFrames,
    everyMs: FRAME_INTERVAL_MS,
  });
  for await (const frame of decodeVideo(file, info, { everyMs: FRAME_INTERVAL_MS, onWarning: opts.onWarning })) {
    // ffmpeg passes only the frames the rule takes; the core holds each to the same rule.
    if (!video.consider(frame.time)) {
      throw new Error(
        `${file}: ffmpeg passed frame ${frame.index} (pts ${frame.time.pts} of ${frame.time.num}/${frame.time.den} s), which the frame rule does not take`,
      );
    }
    await video.add({ width: frame.width, height: frame.height, format: 'rgb', data: frame.data });
    opts.onFrame?.(video.taken, info, (frame.time.pts * frame.time.num) / frame.time.den);
    if (video.full) break;
  }
  return video.finish();
}

/** The Inception file as given (.tgz or .pb). */
export async function readInceptionFile(file: string): Promise<NamedBytes> {
  return { name: file, bytes: await readUserFile(file) };
}

/** The PCA as given: yt8m_pca.tgz, or a folder holding it or its three .npy files. */
export async function readPcaPath(p: string): Promise<NamedBytes[]> {
  const s = await stat(p).catch(() => {
    throw new InputError(`${p}: cannot open (no such file or folder)`);
  });
  if (!s.isDirectory()) return [{ name: p, bytes: await readUserFile(p) }];
  const names = await readdir(p);
  const wanted = ['mean.npy', 'eigenvals.npy', 'eigenvecs.npy'];
  if (wanted.every((n) => names.includes(n)))
    return Promise.all(wanted.map(async (n) => ({ name: path.join(p, n), bytes: new Uint8Array(await readFile(path.join(p, n))) })));
  const tgz = names.filter((n) => /\.(tgz|tar\.gz|tar)$/i.test(n));
  if (tgz.length === 1) return [{ name: path.join(p, tgz[0]), bytes: await readUserFile(path.join(p, tgz[0])) }];
  throw new InputError(`${p}: the folder holds neither mean.npy, eigenvals.npy and eigenvecs.npy nor one yt8m_pca.tgz`);
}
