import { describe, expect, it } from 'vitest';
import { storeHarness } from '../../../../tools/testing/storeHarness';
import type { ExtractorState, FeatureSource, ModelSource } from '../../../protocol/protocol';
import { sortDrop } from './files';

const f = (name: string) => ({ name });
const names = (files: readonly { name: string }[] | null) => files?.map((x) => x.name) ?? null;

describe('sorting a drop', () => {
  it('puts each file where it is loaded: videos, extractor files, a model folder, weights, features', () => {
    const d = sortDrop([
      f('clip.mp4'),
      f('yt8m_pca.tgz'),
      f('model.json'),
      f('group1-shard1of1.bin'),
      f('w.pdparams'),
      f('a.tfrecord'),
      f('notes.txt'),
    ]);
    expect(names(d.videos)).toEqual(['clip.mp4']);
    expect(names(d.extractor)).toEqual(['yt8m_pca.tgz']);
    expect(names(d.modelFiles)).toEqual(['model.json', 'group1-shard1of1.bin']);
    expect(names(d.weights)).toEqual(['w.pdparams']);
    // Anything unknown is read as features, so that its reader says what is wrong.
    expect(names(d.features)).toEqual(['a.tfrecord', 'notes.txt']);
  });

  it('finds nothing in an empty drop', () => {
    expect(sortDrop([])).toEqual({ videos: [], extractor: [], modelFiles: null, weights: null, features: [] });
  });
});

describe('the files slice', () => {
  const file = (name: string, path?: string) => {
    const x = new File([new Uint8Array(4)], name);
    return path ? Object.assign(x, { webkitRelativePath: path }) : x;
  };
  const EXTRACTOR: ExtractorState = { ready: null, missing: ['inception', 'pca'], staged: [], note: 'rgb alone' };

  it('hands a model folder and weights to the model slice, named after their folder, and features to the library', async () => {
    const { state, fake } = storeHarness();
    await state().addFiles([
      file('model.json', 'models/mine/model.json'),
      file('group1-shard1of1.bin', 'models/mine/group1-shard1of1.bin'),
      file('a.tfrecord'),
    ]);
    const loads = fake.calls.filter((c) => c.type === 'loadModel').map((c) => (c.args as { source: ModelSource }).source);
    expect(loads).toMatchObject([{ kind: 'files', name: 'mine' }]);
    const reads = fake.calls.filter((c) => c.type === 'addFeatures').map((c) => (c.args as { sources: FeatureSource[] }).sources);
    expect(reads.flat().map((s) => (s.kind === 'file' ? s.file.name : s.kind))).toEqual(['a.tfrecord']);

    await state().addFiles([file('w.pdparams')]);
    expect(fake.calls.filter((c) => c.type === 'loadModel').at(-1)?.args).toMatchObject({ source: { kind: 'weights' } });
  });

  it('stages videos with the media slice and reads none of them as features', async () => {
    const { state, fake } = storeHarness('', { extractorState: () => EXTRACTOR });
    await state().addFiles([file('clip.mp4')]);
    expect(state().stagedVideos?.files.map((x) => x.name)).toEqual(['clip.mp4']);
    expect(fake.calls.filter((c) => c.type === 'addFeatures' || c.type === 'loadModel')).toHaveLength(0);
  });
});
