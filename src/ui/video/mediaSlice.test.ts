import { describe, expect, it } from 'vitest';
import { fileEvent, storeHarness, TEST_MODEL } from '../../../tools/testing/storeHarness';
import type { ExtractorState, VideoToExtract } from '../../protocol/protocol';

const READY: ExtractorState = {
  ready: { inception: 'inception-2015-12-05.tgz', pca: 'yt8m_pca.tgz', nodes: 300, components: 1024, savedAt: 1 },
  missing: [],
  staged: [],
  note: 'rgb alone',
};
const file = (name: string) => new File([new Uint8Array(4)], name);

describe('the media slice (your own videos)', () => {
  it('stages dropped videos, asks for the extractor files only when they are missing, and starts with typed labels', async () => {
    let extractor: ExtractorState = { ready: null, missing: ['inception', 'pca'], staged: [], note: 'rgb alone' };
    const { state, fake } = storeHarness('', {
      extractorState: () => extractor,
      setExtractorFiles: () => (extractor = READY),
      extractVideos: () => ({ extracted: 1, failed: 0, cancelled: 0 }),
    });
    fake.emit({ type: 'model', model: TEST_MODEL });
    await state().addFiles([file('clip.mp4'), file('other.webm')]);
    expect(state().stagedVideos?.files.map((f) => f.name)).toEqual(['clip.mp4', 'other.webm']);
    expect(state().extractor?.ready).toBeNull();
    // The extractor files dropped later are handed to the worker, not read as features.
    await state().addFiles([file('inception-2015-12-05.tgz'), file('yt8m_pca.tgz')]);
    expect(state().extractor?.ready?.inception).toBe('inception-2015-12-05.tgz');
    expect(fake.calls.filter((c) => c.type === 'addFeatures')).toHaveLength(0);

    expect(state().startExtraction('a, dog')).toBe('“dog” is not a class of the loaded model: type its class names or ids');
    expect(state().stagedVideos).not.toBeNull();
    expect(state().startExtraction('c, a')).toBeNull();
    const sent = fake.calls.find((c) => c.type === 'extractVideos')!.args as { videos: VideoToExtract[] };
    expect(sent.videos.map((v) => [v.name, v.labels])).toEqual([
      ['clip.mp4', [0, 2]],
      ['other.webm', [0, 2]],
    ]);
    expect(state().extractions.map((x) => x.state)).toEqual(['queued', 'queued']);

    // The same file again gets a name of its own, so that its player is its own.
    fake.emit(fileEvent('clip.mp4', [null]));
    await state().addFiles([file('clip.mp4')]);
    state().startExtraction('');
    const again = fake.calls.filter((c) => c.type === 'extractVideos')[1].args as { videos: VideoToExtract[] };
    expect(again.videos.map((v) => [v.name, v.labels])).toEqual([['clip (2).mp4', undefined]]);
  });

  it("follows progress, keeps what an extracted video shows, and links the player's time", async () => {
    const { state, fake } = storeHarness('', {
      extractorState: () => READY,
      extractVideos: () => ({ extracted: 1, failed: 0, cancelled: 0 }),
    });
    await state().addFiles([file('clip.mp4')]);
    state().startExtraction('');
    const job = state().extractions[0].job;
    fake.emit({
      type: 'extraction',
      progress: { job, name: 'clip.mp4', state: 'decoding', framesDone: 3, framesTotal: 10, framesPerSecond: 2, secondsLeft: 3.5 },
    });
    expect(state().extractions[0]).toMatchObject({ framesDone: 3, framesTotal: 10 });
    fake.emit({
      type: 'extracted',
      media: {
        job,
        name: 'clip.mp4',
        frames: 2,
        times: [0, 1.001],
        considered: 40,
        width: 4,
        height: 2,
        codec: 'vp09',
        filmstrip: { image: new Blob(['x']), tileWidth: 8, tileHeight: 4, columns: 20 },
        tfrecord: new Blob(['y']),
        seconds: 1,
      },
    });
    expect(state().media['clip.mp4']).toMatchObject({ frames: 2, times: [0, 1.001] });
    expect(state().media['clip.mp4'].url).toMatch(/^blob:/);
    fake.emit({
      type: 'extraction',
      progress: {
        job,
        name: 'clip.mp4',
        state: 'error',
        framesDone: 0,
        framesTotal: null,
        framesPerSecond: null,
        secondsLeft: null,
        message: 'clip.mp4: the file holds no video track',
      },
    });
    expect(state().notices.at(-1)?.message).toBe('clip.mp4: the file holds no video track');

    state().seekVideo('clip.mp4', 1.001);
    state().seekVideo('clip.mp4', 1.001);
    expect(state().playback).toMatchObject({ name: 'clip.mp4', time: 1.001, seek: { n: 2 } });
    state().setPlaybackTime('clip.mp4', 0.4);
    expect(state().playback.time).toBe(0.4);
  });

  it('labels each video by a labels CSV dropped with them (the typed labels the rest), and names a bad CSV without losing the videos', async () => {
    const { state, fake } = storeHarness('', {
      extractorState: () => READY,
      extractVideos: () => ({ extracted: 3, failed: 0, cancelled: 0 }),
    });
    fake.emit({ type: 'model', model: TEST_MODEL });
    const csv = (name: string, text: string) => new File([text], name, { type: 'text/csv' });
    await state().addFiles([file('a.mp4'), file('b.webm'), file('c.mov'), csv('videos.csv', 'clips/a.mp4,2\nb.webm,0;1\n')]);
    expect(state().stagedVideos?.labelsCsv?.name).toBe('videos.csv');
    expect(fake.calls.filter((c) => c.type === 'addFeatures')).toHaveLength(0);
    expect(state().startExtraction('1')).toBeNull();
    const sent = fake.calls.find((c) => c.type === 'extractVideos')!.args as { videos: VideoToExtract[] };
    expect(sent.videos.map((v) => [v.name, v.labels])).toEqual([
      ['a.mp4', [2]],
      ['b.webm', [0, 1]],
      ['c.mov', [1]],
    ]);

    // Not a labels CSV: one sentence naming it; the videos stay staged, and a good CSV given later is used.
    await state().addFiles([file('d.mp4'), csv('notes.csv', 'd.mp4,1\ne.mp4,cat\n')]);
    expect(state().notices.at(-1)?.message).toMatch(/^notes\.csv: line 2: "cat" is not a list of label ids/);
    expect(state().stagedVideos?.files.map((f) => f.name)).toEqual(['d.mp4']);
    expect(state().stagedVideos?.labelsCsv).toBeNull();
    await state().giveLabelsCsv(csv('more.csv', 'd.mp4,9\n'));
    // An id past the model's classes is the error, naming the CSV's line.
    expect(state().startExtraction('')).toBe(
      `more.csv: line 1 gives label 9, but the loaded model has ${TEST_MODEL.classNames.length} classes (0 to ${TEST_MODEL.classNames.length - 1})`,
    );
    expect(state().stagedVideos).not.toBeNull();
  });
});
