import { describe, expect, it } from 'vitest';
import { classifyFiles } from './drop';

const f = (name: string) => ({ name });

describe('classifyFiles', () => {
  it('finds a model folder, a weight file and feature files', () => {
    const files = [f('model.json'), f('group1-shard1of2.bin'), f('group1-shard2of2.bin'), f('a.tfrecord'), f('w.pdparams'), f('.DS_Store')];
    const c = classifyFiles(files);
    expect(c.modelFiles?.map((x) => x.name)).toEqual(['model.json', 'group1-shard1of2.bin', 'group1-shard2of2.bin']);
    expect(c.pdparams?.name).toBe('w.pdparams');
    expect(c.features.map((x) => x.name)).toEqual(['a.tfrecord']);
  });

  it('treats anything unknown as a feature file, so its reader explains the problem', () => {
    const c = classifyFiles([f('notes.txt'), f('b.pkl')]);
    expect(c.modelFiles).toBeNull();
    expect(c.pdparams).toBeNull();
    expect(c.features.map((x) => x.name)).toEqual(['notes.txt', 'b.pkl']);
  });
});
