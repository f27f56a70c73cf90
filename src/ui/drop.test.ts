import { describe, expect, it } from 'vitest';
import { classifyFiles } from './drop';

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
    expect(classifyFiles([f('AttentionLSTM.pdmodel'), f('AttentionLSTM.pdiparams'), f('AttentionLSTM.pdiparams.info'), f('v.tfrecord')]).weights?.map((x) => x.name))
      .toEqual(['AttentionLSTM.pdmodel', 'AttentionLSTM.pdiparams', 'AttentionLSTM.pdiparams.info']);
    expect(classifyFiles([f('AttentionLSTM_epoch9.pdckpt')]).weights).toHaveLength(1);
    const folder = ['fc_0.w_0', 'fc_0.b_0', 'lstm_1.b_0', 'rgb_fc.w_0', 'learning_rate_0', '@LR_DECAY_COUNTER@', 'fc_0.w_0_moment_0', '__model__'].map(f);
    const c = classifyFiles(folder);
    expect(c.weights).toHaveLength(folder.length);
    expect(c.features).toEqual([]);
  });
});
