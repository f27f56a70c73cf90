import { describe, expect, it } from 'vitest';
import { fileEvent, storeHarness, TEST_MODEL, testResult } from '../../../../tools/testing/storeHarness';
import type { FeatureSource, FileEnd } from '../../../protocol/protocol';
import { fileLoadText, fileNeedsNote } from './library';

const source = (name: string): FeatureSource => ({ kind: 'file', file: new File([new Uint8Array(4)], name) });
const end = (e: Partial<FileEnd> & { file: string }): FileEnd => ({ state: 'done', records: 0, estimate: 0, duplicates: [], ...e });
const restoreAll = { restoreVideos: ({ keys }: { keys: string[] }) => keys };
/** Lets the store's promises run on. */
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the library slice: files given again, partial reads, Undo', () => {
  it('asks before reading a file already listed, and reads what the answer says', async () => {
    const { state, fake } = storeHarness();
    fake.emit(fileEvent('a.tfrecord', [[1], [2]]));
    const adds = () => fake.calls.filter((c) => c.type === 'addFeatures').map((c) => c.args as Record<string, unknown>);

    // A new file is read at once; the known one waits for the answer.
    let done = state().readFeatures([source('a.tfrecord'), source('b.tfrecord')]);
    await tick();
    expect(adds().map((a) => (a.sources as FeatureSource[]).map((s) => (s as { file: File }).file.name))).toEqual([['b.tfrecord']]);
    expect(state().filePrompt).toEqual({ files: ['a.tfrecord'], listed: 2, partial: [] });
    state().answerFilePrompt('new');
    await done;
    expect(state().filePrompt).toBeNull();
    expect(adds()[1]).toMatchObject({ skip: { 'a.tfrecord': [0, 1] } });

    done = state().readFeatures([source('a.tfrecord')]);
    await tick();
    state().answerFilePrompt('again');
    await done;
    expect(adds()[2]).toMatchObject({ duplicates: 'add' });
    expect(adds()[2].skip).toBeUndefined();

    done = state().readFeatures([source('a.tfrecord')]);
    await tick();
    state().answerFilePrompt('skip');
    await done;
    expect(adds()).toHaveLength(3);
  });

  it('notes videos held back as duplicates and adds exactly those when asked', async () => {
    const { state, fake } = storeHarness();
    await state().readFeatures([source('b.tfrecord')]);
    fake.emit(fileEvent('b.tfrecord', [[1]]));
    fake.emit({
      type: 'fileEnd',
      end: end({
        file: 'b.tfrecord',
        records: 3,
        estimate: 3,
        duplicates: [
          { index: 1, id: 'v0' },
          { index: 2, id: 'v9' },
        ],
      }),
    });
    const f = state().fileLoads['b.tfrecord'];
    expect(fileLoadText(f, 1)).toBe('b.tfrecord: 2 videos not added, their ids are already listed');
    await state().addDuplicates('b.tfrecord');
    expect(fake.calls.at(-1)).toMatchObject({ type: 'addFeatures', args: { duplicates: 'add', only: { 'b.tfrecord': [1, 2] } } });
    expect(state().fileLoads['b.tfrecord']).toBeUndefined();
  });

  it('says a cancelled file was read in part and resumes it past the videos listed', async () => {
    const { state, fake } = storeHarness();
    await state().readFeatures([source('shard-1.tfrecord')]);
    fake.emit(
      fileEvent(
        'shard-1.tfrecord',
        Array.from({ length: 285 }, () => [0]),
      ),
    );
    fake.emit({ type: 'fileEnd', end: end({ file: 'shard-1.tfrecord', state: 'cancelled', records: 300, estimate: 1004 }) });
    expect(fileLoadText(state().fileLoads['shard-1.tfrecord'], 285)).toBe('shard-1.tfrecord: 285 of ~1,004 read, cancelled');
    expect(fileLoadText({ ...state().fileLoads['shard-1.tfrecord'], state: 'failed' }, 285)).toBe(
      'shard-1.tfrecord: 285 of ~1,004 read, stopped by an error',
    );
    expect(fileNeedsNote(state().fileLoads['shard-1.tfrecord'])).toBe(true);
    // A file that failed before its first video says so in its error; it needs no note, and is read again when given again.
    expect(fileNeedsNote(end({ file: 'x', state: 'failed', records: 0, estimate: null }) as never)).toBe(false);
    // A video the user removed stays removed through a Resume.
    await state().removeVideo('shard-1.tfrecord#7');
    fake.emit({ type: 'removed', keys: ['shard-1.tfrecord#7'] });
    await state().resumeFile('shard-1.tfrecord');
    const args = fake.calls.at(-1)!.args as { skip: Record<string, number[]> };
    expect(args.skip['shard-1.tfrecord'].sort((a, b) => a - b)).toEqual(Array.from({ length: 285 }, (_, i) => i));
    expect(state().fileLoads['shard-1.tfrecord']).toBeUndefined();
    // The end of a load cleared away is not news.
    await state().readFeatures([source('c.tfrecord')]);
    await state().clearVideos();
    fake.emit({ type: 'fileEnd', end: end({ file: 'c.tfrecord', state: 'cancelled', records: 0, estimate: null }) });
    expect(state().fileLoads).toEqual({});
  });

  it('offers an Undo for Remove and Clear that puts the rows back where they were, results, labels and settings with them', async () => {
    const { state, fake, url } = storeHarness('?samples=1', restoreAll);
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('a', [[0], [1], [2]]));
    fake.emit({ type: 'predictions', results: [testResult('a#1', [0.1, 0.8, 0.1], [1])] });
    await state().removeVideo('a#1');
    fake.emit({ type: 'removed', keys: ['a#1'] });
    expect(state().undoOffer).toMatchObject({ message: 'Removed v1' });
    await state().undo();
    expect(fake.calls.at(-2)).toMatchObject({ type: 'restoreVideos', args: { keys: ['a#1'] } });
    expect(state().videos.map((v) => v.key)).toEqual(['a#0', 'a#1', 'a#2']);
    expect(state().videos[1].result?.probabilities[1]).toBeCloseTo(0.8);
    expect(state().undoOffer).toBeNull();

    state().addClass('mine');
    state().toggleLabel('a#2', 0);
    await state().clearVideos();
    expect(state().videos).toEqual([]);
    expect(url()).not.toContain('samples');
    expect(state().undoOffer?.message).toBe('Cleared 3 videos');
    await state().undo();
    expect(state().videos.map((v) => v.key)).toEqual(['a#0', 'a#1', 'a#2']);
    expect(state().customLabels.assignments).toEqual({ 'a#2': [0] });
    expect(url()).toContain('samples=1');
  });

  it('says when videos could not be put back, and withdraws the Undo when another model is loaded', async () => {
    const { state, fake } = storeHarness('', { restoreVideos: () => [] });
    fake.emit({ type: 'model', model: TEST_MODEL });
    fake.emit(fileEvent('a', [[0]]));
    await state().removeVideo('a#0');
    fake.emit({ type: 'removed', keys: ['a#0'] });
    await state().undo();
    expect(state().videos).toEqual([]);
    expect(state().notices.at(-1)?.message).toMatch(/1 video could not be put back/);
    fake.emit(fileEvent('a', [[0]]));
    await state().clearVideos();
    expect(state().undoOffer).not.toBeNull();
    fake.emit({ type: 'model', model: { ...TEST_MODEL, id: 'other' } });
    expect(state().undoOffer).toBeNull();
  });
});
