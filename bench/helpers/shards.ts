/**
 * Seeded YouTube-8M-shaped shards for the scale benchmark: 1,000 videos each
 * of 150 to 300 frames (1024 rgb + 128 audio bytes a frame, about 260 MB a
 * shard), labelled with one of the demo model's 10 classes. Written once into
 * a temporary folder and reused while their size matches.
 */
import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeTfRecordFeatures, type Yt8mVideo } from '../../src/core/features/tfrecordFeatures';
import { seededRandom } from '../../src/core/training/seeded';

export const SHARD_VIDEOS = 1000;

/** The paths of `count` shards (seeds 1..count), generated when missing. */
export async function shards(count: number, log: (s: string) => void, videos = SHARD_VIDEOS): Promise<string[]> {
  return shardFiles(count, 'train', false, log, videos);
}

/**
 * The same shards with segment ratings, as YouTube-8M's segment-rated
 * validation files hold them: about 5 rated 5-second segments a video (starts
 * on the 5-frame grid, a class of the demo's 10, half of them positive).
 */
export async function segmentShards(count: number, log: (s: string) => void, videos = SHARD_VIDEOS): Promise<string[]> {
  return shardFiles(count, 'validate-rated', true, log, videos);
}

/** `videos` other than SHARD_VIDEOS (a smoke run of the benchmark's drivers) gives smaller shards of their own names. */
async function shardFiles(
  count: number,
  prefix: string,
  rated: boolean,
  log: (s: string) => void,
  videos = SHARD_VIDEOS,
): Promise<string[]> {
  const dir = path.join(tmpdir(), 'attention-lstm-scale-shards');
  await mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (let s = 1; s <= count; s++) {
    const file = path.join(dir, `${prefix}${String(s).padStart(4, '0')}${videos === SHARD_VIDEOS ? '' : `-${videos}`}.tfrecord`);
    if (!existsSync(file) || statSync(file).size < videos * 100e3) {
      log(`writing ${file}`);
      await writeShard(file, s, rated, videos);
    }
    out.push(file);
  }
  return out;
}

/** A shard of the first `videos` videos of shard 1 (the same seed), for shorter runs; the full shard when `videos` is SHARD_VIDEOS. */
export async function shardOf(videos: number, log: (s: string) => void): Promise<string> {
  if (videos >= SHARD_VIDEOS) return (await shards(1, log))[0];
  const dir = path.join(tmpdir(), 'attention-lstm-scale-shards');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `train0001-first${videos}.tfrecord`);
  if (!existsSync(file)) {
    log(`writing ${file}`);
    await writeShard(file, 1, false, videos);
  }
  return file;
}

async function writeShard(file: string, seed: number, rated = false, count = SHARD_VIDEOS): Promise<void> {
  const rand = seededRandom(seed);
  const stream = createWriteStream(`${file}.part`);
  // A hundred videos at a time, so that generating a shard never holds it whole.
  for (let start = 0; start < count; start += 100) {
    const videos: Yt8mVideo[] = [];
    for (let i = start; i < Math.min(count, start + 100); i++) {
      const T = 150 + Math.floor(rand() * 151);
      const frame = (dim: number) => {
        const b = new Uint8Array(dim);
        for (let j = 0; j < dim; j++) b[j] = (rand() * 256) | 0;
        return b;
      };
      const video: Yt8mVideo = {
        id: `s${seed}-${String(i).padStart(4, '0')}`,
        labels: [i % 10],
        rgb: Array.from({ length: T }, () => frame(1024)),
        audio: Array.from({ length: T }, () => frame(128)),
      };
      if (rated) {
        // Starts on the 5-frame grid, inside the video; classes of the demo model.
        const n = 3 + Math.floor(rand() * 5);
        const starts = Array.from({ length: n }, () => 5 * Math.floor(rand() * Math.floor(T / 5)));
        video.segments = {
          labels: starts.map(() => Math.floor(rand() * 10)),
          startTimes: starts,
          scores: starts.map(() => (rand() < 0.5 ? 1 : 0)),
        };
      }
      videos.push(video);
    }
    if (!stream.write(writeTfRecordFeatures(videos))) await new Promise<void>((r) => stream.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => stream.end((e?: Error | null) => (e ? reject(e) : resolve())));
  // Renamed once whole: a run stopped midway leaves no short file behind to be taken for a shard.
  renameSync(`${file}.part`, file);
}
