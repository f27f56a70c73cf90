/**
 * Writes the "Try fine-tuning" sample set (src/core/demo/finetuneSamples.ts)
 * into public/samples/: its TFRecord, the names of its label ids (one a
 * line, for `npm run finetune -- --labels`), and its entry under `sets` in
 * index.json. The rest of index.json (`files`, what "Try a sample" loads) is
 * left byte for byte as it was.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FINETUNE_CLASSES } from '../src/core/demo/classes';
import { FINETUNE_SAMPLE_SET, finetuneSampleVideos } from '../src/core/demo/finetuneSamples';
import { demoRecord } from '../src/core/demo/syntheticVideos';
import { writeTfRecordFeatures } from '../src/core/features/tfrecordFeatures';

export async function writeFinetuneSamples(samplesDir: string): Promise<{ file: string; bytes: number; videos: number }> {
  const s = FINETUNE_SAMPLE_SET;
  const videos = finetuneSampleVideos();
  const bytes = writeTfRecordFeatures(videos.map(demoRecord));
  await writeFile(path.join(samplesDir, s.file), bytes);
  // The names of label ids 0..3, one a line, for `npm run finetune -- --labels`.
  await writeFile(
    path.join(samplesDir, s.file.replace(/\.tfrecord$/, '.names.txt')),
    FINETUNE_CLASSES.map((c) => c.name).join('\n') + '\n',
  );
  const indexPath = path.join(samplesDir, 'index.json');
  const index = JSON.parse(await readFile(indexPath, 'utf8')) as { sets?: { name: string }[] } & Record<string, unknown>;
  const entry = {
    name: s.name,
    title: s.title,
    description: `${videos.length} synthetic videos of four labels the demo model never learned, each two demo events at once, made by scripts/build-finetune-samples.ts (seed ${s.seed}); label ids 0..3 are named by classNames. A new head on the demo's frozen encoder learns them.`,
    classNames: FINETUNE_CLASSES.map((c) => c.name),
    files: [
      {
        file: s.file,
        videos: videos.map((v) => ({
          id: v.id,
          frames: v.frames,
          labels: v.labels,
          events: v.events.map((e) => ({
            class: e.classIndex,
            name: FINETUNE_CLASSES[e.classIndex].name,
            start: e.start,
            frames: e.frames,
          })),
        })),
      },
    ],
  };
  index.sets = [...(index.sets ?? []).filter((x) => x.name !== s.name), entry];
  await writeFile(indexPath, JSON.stringify(index, null, 1) + '\n');
  return { file: s.file, bytes: bytes.length, videos: videos.length };
}
