import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../node/backend';
import { readModelDir } from '../../node/files';
import { createModel, type LoadedModel } from '../model/model';
import { DEMO_CLASSES } from './classes';
import { DEMO_SEEDS } from './config';
import { evaluateDemo } from './evaluateDemo';
import { syntheticVideos } from './syntheticVideos';
import { readFeatureFile } from '../features/read';
import { readFile } from 'node:fs/promises';

const root = path.resolve(__dirname, '../../..');

describe('the committed demo model', () => {
  let model: LoadedModel;
  beforeAll(async () => {
    await useBackend('wasm');
    const { json, weights } = await readModelDir(path.join(root, 'public/models/demo'));
    model = createModel(json.attentionLstm, weights, 'in-out');
  });

  it('is a small fluid1 model with the demo class names, converted from a combined .pdparams', () => {
    expect(model.meta.variant).toBe('fluid1');
    expect(model.meta.classNames).toEqual(DEMO_CLASSES.map((c) => c.name));
    expect(model.meta.source?.format).toBe('combined');
    expect(model.meta.sizes).toMatchObject({ rgbDim: 1024, audioDim: 128, classes: DEMO_CLASSES.length });
  });

  it('classifies held-out videos (Hit@1 >= 0.9) and its occlusion evidence finds the events (>= 80% within 2 frames)', async () => {
    const report = await evaluateDemo(model, syntheticVideos(200, DEMO_SEEDS.heldOut), { maxSingleEvent: 60 });
    const occ = report.occlusionPeakHits / report.singleEventVideos;
    const att = report.attentionPeakHits / report.singleEventVideos;
    console.log(
      `demo held-out: Hit@1 ${report.metrics.hit_at_1.toFixed(3)}, GAP ${report.metrics.gap.toFixed(3)}; ` +
        `occlusion peak within 2 frames of the event ${(100 * occ).toFixed(0)}%, attention peak ${(100 * att).toFixed(0)}% (${report.singleEventVideos} single-event videos)`,
    );
    expect(report.metrics.hit_at_1).toBeGreaterThanOrEqual(0.9);
    expect(report.singleEventVideos).toBeGreaterThanOrEqual(50);
    expect(occ).toBeGreaterThanOrEqual(0.8);
  }, 300_000);

  it('ships sample TFRecords whose labels and lengths match their index', async () => {
    const index = JSON.parse(await readFile(path.join(root, 'public/samples/index.json'), 'utf8'));
    for (const f of index.files) {
      const { videos, warnings } = readFeatureFile(new Uint8Array(await readFile(path.join(root, 'public/samples', f.file))), f.file);
      expect(warnings).toEqual([]);
      expect(videos.map((v) => [v.id, v.frames, v.labels])).toEqual(
        f.videos.map((v: { id: string; frames: number; labels: number[] }) => [v.id, v.frames, v.labels]),
      );
    }
  });
});
