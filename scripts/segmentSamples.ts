/**
 * Writes the segment-rated sample set (src/core/demo/segmentSamples.ts) into
 * public/samples/: its TFRecord and its entry under `sets` in index.json
 * (each video's planted events and its ratings). The rest of index.json is
 * left as it was.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DEMO_CLASSES } from '../src/core/demo/classes';
import { SEGMENT_SAMPLE_SET, ratedDemoRecord, segmentSampleVideos } from '../src/core/demo/segmentSamples';
import { writeTfRecordFeatures } from '../src/core/features/tfrecordFeatures';

export async function writeSegmentSamples(samplesDir: string): Promise<{ file: string; bytes: number; videos: number; ratings: number }> {
  const s = SEGMENT_SAMPLE_SET;
  const videos = segmentSampleVideos();
  const bytes = writeTfRecordFeatures(videos.map(ratedDemoRecord));
  await writeFile(path.join(samplesDir, s.file), bytes);
  const indexPath = path.join(samplesDir, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { sets?: { name: string }[] } & Record<string, unknown>;
  const ratings = videos.reduce((n, v) => n + v.segments.length, 0);
  const entry = {
    name: s.name,
    title: s.title,
    description: `${videos.length} synthetic videos of the demo's classes, each event planted inside one 5-second segment, with ${ratings} segment ratings derived from the events (the event's segment positive, others of the same class negative), made by scripts/build-segment-samples.ts (seed ${s.seed}).`,
    classNames: DEMO_CLASSES.map((c) => c.name),
    files: [
      {
        file: s.file,
        videos: videos.map((v) => ({
          id: v.id,
          frames: v.frames,
          labels: v.labels,
          events: v.events.map((e) => ({ class: e.classIndex, name: DEMO_CLASSES[e.classIndex].name, start: e.start, frames: e.frames })),
          segments: v.segments.map((r) => ({ class: r.class, name: DEMO_CLASSES[r.class].name, start: r.start, score: r.score })),
        })),
      },
    ],
  };
  index.sets = [...(index.sets ?? []).filter((x) => x.name !== s.name), entry];
  await writeFile(indexPath, JSON.stringify(index, null, 1) + '\n');
  return { file: s.file, bytes: bytes.length, videos: videos.length, ratings };
}
