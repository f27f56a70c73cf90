import { describe, expect, it } from 'vitest';
import { parseFileList, parseShard, shardFromEnv, shardInputs, sortInputs } from './assign';

describe('shard assignment', () => {
  const inputs = ['c.tfrecord', 'a.tfrecord', 'https://host/x/e.tfrecord', 'b.tfrecord', 'd.tfrecord', '/abs/z.tfrecord', 'f.tfrecord'];

  it('sorts by name and gives worker i every n-th input from the i-th: each input to exactly one worker, shares within one of each other', () => {
    const sorted = sortInputs(inputs);
    expect(sorted).toEqual([
      '/abs/z.tfrecord',
      'a.tfrecord',
      'b.tfrecord',
      'c.tfrecord',
      'd.tfrecord',
      'f.tfrecord',
      'https://host/x/e.tfrecord',
    ]);
    expect(shardInputs(inputs, { index: 0, count: 3 })).toEqual(['/abs/z.tfrecord', 'c.tfrecord', 'https://host/x/e.tfrecord']);
    expect(shardInputs(inputs, { index: 1, count: 3 })).toEqual(['a.tfrecord', 'd.tfrecord']);
    expect(shardInputs(inputs, { index: 2, count: 3 })).toEqual(['b.tfrecord', 'f.tfrecord']);
    for (const n of [1, 2, 3, 7, 10]) {
      const shares = Array.from({ length: n }, (_, i) => shardInputs(inputs, { index: i, count: n }));
      expect(shares.flat().sort()).toEqual(sorted);
      const sizes = shares.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // The order the list was given in does not matter.
      expect(Array.from({ length: n }, (_, i) => shardInputs([...inputs].reverse(), { index: i, count: n }))).toEqual(shares);
    }
  });

  it('refuses an input given twice, naming it', () => {
    expect(() => sortInputs(['a', 'b', 'a'])).toThrow(/^a is given twice/);
  });

  it('parses i/n and refuses what is not a worker of n', () => {
    expect(parseShard('2/8')).toEqual({ index: 2, count: 8 });
    expect(parseShard(' 0 / 1 ')).toEqual({ index: 0, count: 1 });
    expect(() => parseShard('8/8')).toThrow(/worker 8 is not one of 0\.\.7 \(workers are counted from 0\)/);
    expect(() => parseShard('1/0')).toThrow(/at least 1/);
    for (const bad of ['3', '1/2/3', 'a/b', '-1/4', '1.5/4', '01/4', '']) expect(() => parseShard(bad)).toThrow(/--shard must be i\/n/);
  });

  it('--shard auto: the index from JOB_COMPLETION_INDEX or SLURM_ARRAY_TASK_ID, the count from --shard-count or SLURM_ARRAY_TASK_COUNT', () => {
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '3' }, '8')).toEqual({ index: 3, count: 8 });
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_COUNT: '6' })).toEqual({ index: 5, count: 6 });
    // An array numbered from 1 (--array=1-6) is counted from its minimum.
    expect(shardFromEnv({ SLURM_ARRAY_TASK_ID: '6', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_COUNT: '6' })).toEqual({
      index: 5,
      count: 6,
    });
    // The flag wins over Slurm's count; Kubernetes' index over Slurm's.
    expect(shardFromEnv({ JOB_COMPLETION_INDEX: '0', SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '9' }, '2')).toEqual({
      index: 0,
      count: 2,
    });
    expect(() => shardFromEnv({})).toThrow(/neither is set: give --shard i\/n/);
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '3' })).toThrow(
      /found the index in JOB_COMPLETION_INDEX but not the number of workers: add --shard-count N/,
    );
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: '8' }, '8')).toThrow(
      /index from JOB_COMPLETION_INDEX, count from --shard-count\): worker 8 is not one of 0\.\.7/,
    );
    expect(() => shardFromEnv({ JOB_COMPLETION_INDEX: 'x' }, '8')).toThrow(/JOB_COMPLETION_INDEX is 'x', not a whole number/);
    expect(() => shardFromEnv({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_STEP: '2', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(/step of 2/);
  });

  it('reads a --files-from list: one input a line, blanks and # comments left out', () => {
    expect(parseFileList('a.tfrecord\r\n\n  # the rest\nhttps://h/b.tfrecord  \n')).toEqual(['a.tfrecord', 'https://h/b.tfrecord']);
  });
});
