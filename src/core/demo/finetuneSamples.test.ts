import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import '../../node/gradients';
import { readModelDir } from '../../node/files';
import { readFeatureFile } from '../features/read';
import { writeTfRecordFeatures } from '../features/tfrecordFeatures';
import { createModel, type LoadedModel } from '../model/model';
import { FineTuneSession } from '../training/finetune';
import { defaultMode, recommendedSettings, trainingLabels, validationNote } from '../training/policy';
import { FINETUNE_CLASSES } from './classes';
import { FINETUNE_SAMPLE_SET, finetuneSampleVideos } from './finetuneSamples';
import { demoRecord } from './syntheticVideos';

const root = path.resolve(__dirname, '../../..');
const samples = path.join(root, 'public/samples');

interface SampleFile {
  file: string;
  videos: { id: string; frames: number; labels: number[]; events: { class: number; name: string }[] }[];
}
interface Index {
  files: SampleFile[];
  sets?: { name: string; title: string; classNames: string[]; files: SampleFile[] }[];
}

describe('the "Try fine-tuning" sample set (public/samples)', () => {
  let demo: LoadedModel;
  let index: Index;
  let bytes: Uint8Array;
  beforeAll(async () => {
    await useBackend('wasm');
    const { json, weights } = await readModelDir(path.join(root, 'public/models/demo'));
    demo = createModel(json.attentionLstm, weights, 'in-out');
    index = JSON.parse(await readFile(path.join(samples, 'index.json'), 'utf8'));
    bytes = new Uint8Array(await readFile(path.join(samples, FINETUNE_SAMPLE_SET.file)));
  });

  it('is listed under `sets`, named, apart from what "Try a sample" loads, and is what the seeded generator makes', async () => {
    expect(index.files.map((f) => f.file)).toEqual(['demo-samples-a.tfrecord', 'demo-samples-b.tfrecord']);
    const set = index.sets?.find((s) => s.name === FINETUNE_SAMPLE_SET.name);
    expect(set?.classNames).toEqual(FINETUNE_CLASSES.map((c) => c.name));
    expect(set?.files.map((f) => f.file)).toEqual([FINETUNE_SAMPLE_SET.file]);
    const videos = finetuneSampleVideos();
    expect(set?.files[0].videos.map((v) => [v.id, v.frames, v.labels])).toEqual(videos.map((v) => [v.id, v.frames, v.labels]));
    expect(set?.files[0].videos.flatMap((v) => v.events.map((e) => e.name))).toEqual(
      videos.flatMap((v) => v.events.map((e) => FINETUNE_CLASSES[e.classIndex].name)),
    );
    expect(Buffer.from(writeTfRecordFeatures(videos.map(demoRecord))).equals(Buffer.from(bytes))).toBe(true);
    expect(bytes.length).toBeLessThan(400 * 1024);
    // Its names, one a line, for `npm run finetune -- --labels`.
    expect(await readFile(path.join(samples, FINETUNE_SAMPLE_SET.file.replace('.tfrecord', '.names.txt')), 'utf8')).toBe(
      FINETUNE_CLASSES.map((c) => c.name).join('\n') + '\n',
    );
  });

  it('teaches the demo its four new labels with the settings the policy picks (validation GAP >= 0.9)', async () => {
    const { videos } = readFeatureFile(bytes, FINETUNE_SAMPLE_SET.file);
    expect(videos).toHaveLength(40);
    const names = index.sets!.find((s) => s.name === FINETUNE_SAMPLE_SET.name)!.classNames;
    // Named, the ids 0..3 are new classes, not the demo's applause, goal, engine start and dog bark.
    const mode = defaultMode(
      videos.flatMap((v) => v.labels ?? []),
      demo.meta.classNames!,
      { names },
    );
    expect(mode).toBe('new-head');
    const chosen = trainingLabels(
      mode,
      videos.map((v) => ({ key: `${v.file}#${v.index}`, labels: v.labels, video: v })),
      { names, modelClassNames: demo.meta.classNames! },
    );
    expect(chosen.classNames).toEqual(names);
    expect(chosen.notes).toEqual([]);
    const size = { videos: chosen.data.length, classes: 4 };
    const settings = recommendedSettings(mode, size);
    expect(validationNote(size, settings.validationFraction)).toBeNull();
    const s = await FineTuneSession.create(
      demo,
      chosen.data.map((d) => ({ video: d.item.video, labels: d.labels })),
      { mode, classNames: chosen.classNames, ...settings },
    );
    const before = await s.validate();
    while (!s.finished) await s.runEpoch();
    const after = await s.validate();
    const fit = await s.evaluateTraining();
    console.log(
      `"${FINETUNE_SAMPLE_SET.name}": ${s.trainSet.length} trained, ${s.validationSet.length} validated; ${s.epoch} epochs; validation GAP ${before.gap.toFixed(3)} -> ${after.gap.toFixed(3)}, Hit@1 ${before.hitAt1.toFixed(3)} -> ${after.hitAt1.toFixed(3)}; train Hit@1 ${fit.hitAt1.toFixed(3)}`,
    );
    expect(after.gap).toBeGreaterThanOrEqual(0.9);
    expect(fit.hitAt1).toBeGreaterThanOrEqual(0.9);
    s.dispose();
  }, 300_000);
});
