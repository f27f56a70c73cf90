import { describe, expect, it } from 'vitest';
import { storeHarness } from '../../tools/testing/storeHarness';
import { classifyFiles, filesFromDataTransfer, folderOf } from './drop';

const f = (name: string) => ({ name });

describe('classifyFiles', () => {
  it('finds a model folder, a weight file and feature files', () => {
    const files = [f('model.json'), f('group1-shard1of2.bin'), f('group1-shard2of2.bin'), f('a.tfrecord'), f('w.pdparams'), f('.DS_Store')];
    const c = classifyFiles(files);
    expect(c.modelFiles?.map((x) => x.name)).toEqual(['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin']);
    expect(c.weights?.map((x) => x.name)).toEqual(['w.pdparams']);
    expect(c.features.map((x) => x.name)).toEqual(['a.tfrecord']);
  });

  it('treats anything unknown as a feature file, so its reader explains the problem', () => {
    const c = classifyFiles([f('notes.txt'), f('b.pkl')]);
    expect(c.modelFiles).toBeNull();
    expect(c.weights).toBeNull();
    expect(c.features.map((x) => x.name)).toEqual(['notes.txt', 'b.pkl']);
  });

  it('finds Paddle weights of every kind: a checkpoint, an exported pair, a parameter folder', () => {
    expect(
      classifyFiles([
        f('AttentionLSTM.pdmodel'),
        f('AttentionLSTM.pdiparams'),
        f('AttentionLSTM.pdiparams.info'),
        f('v.tfrecord'),
      ]).weights?.map((x) => x.name),
    ).toEqual(['AttentionLSTM.pdmodel', 'AttentionLSTM.pdiparams', 'AttentionLSTM.pdiparams.info']);
    expect(classifyFiles([f('AttentionLSTM_epoch9.pdckpt')]).weights).toHaveLength(1);
    const folder = [
      'fc_0.w_0',
      'fc_0.b_0',
      'lstm_1.b_0',
      'rgb_fc.w_0',
      'learning_rate_0',
      '@LR_DECAY_COUNTER@',
      'fc_0.w_0_moment_0',
      '__model__',
    ].map(f);
    const c = classifyFiles(folder);
    expect(c.weights).toHaveLength(folder.length);
    expect(c.features).toEqual([]);
  });
});

/** A drop of one folder as Chromium hands it over: entries to walk, files that do not say where they lay. */
function folderDrop(folder: string, names: string[]): DataTransfer {
  const file = (name: string) => ({
    isFile: true,
    isDirectory: false,
    fullPath: `/${folder}/${name}`,
    file: (ok: (f: File) => void) => ok(new File(['{}'], name)),
  });
  let read = false;
  const dir = {
    isFile: false,
    isDirectory: true,
    fullPath: `/${folder}`,
    createReader: () => ({ readEntries: (ok: (batch: unknown[]) => void) => ok(read ? [] : ((read = true), names.map(file))) }),
  };
  return { items: [{ kind: 'file', webkitGetAsEntry: () => dir }], files: [] } as unknown as DataTransfer;
}

describe('a dropped folder', () => {
  it('is named after the folder, as a picked one is', async () => {
    const files = await filesFromDataTransfer(folderDrop('my-model', ['model.json', 'group1-shard1of1.bin']));
    expect(files.map((f) => f.name)).toEqual(['model.json', 'group1-shard1of1.bin']);
    expect(folderOf(files)).toBe('my-model');
    const picked = Object.assign(new File([''], 'model.json'), { webkitRelativePath: 'models/picked/model.json' });
    expect(folderOf([picked])).toBe('picked');
  });

  it('reaches the worker with its name (a dropped converted model was always "dropped model")', async () => {
    const { state, fake } = storeHarness();
    await state().addFiles(await filesFromDataTransfer(folderDrop('my-model', ['model.json', 'group1-shard1of1.bin'])));
    const source = fake.calls.find((c) => c.type === 'loadModel')?.args as { source: { kind: string; name?: string } };
    expect(source.source).toMatchObject({ kind: 'files', name: 'my-model' });
  });
});
