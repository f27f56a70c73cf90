import { describe, expect, it } from 'vitest';
import { parseVideoLabels } from '../../core/extractor/videoLabels';
import { csvLabels, frameAt, isVideoFile, parseLabels, splitVideoDrop, uniqueName } from './videoDrop';

describe('a drop with videos', () => {
  it('tells videos and the extractor files from feature files and models', () => {
    const names = [
      'clip.mp4',
      'b.WEBM',
      'c.mov',
      'inception-2015-12-05.tgz',
      'yt8m_pca.tgz',
      'mean.npy',
      'eigenvals.npy',
      'eigenvecs.npy',
      'classify_image_graph_def.pb',
      'frames.npy',
      'train.tfrecord',
      'model.json',
      '.DS_Store',
      'other.tgz',
    ];
    const { videos, extractor, rest } = splitVideoDrop(names.map((name) => ({ name })));
    expect(videos.map((f) => f.name)).toEqual(['clip.mp4', 'b.WEBM', 'c.mov']);
    expect(extractor.map((f) => f.name)).toEqual([
      'inception-2015-12-05.tgz',
      'yt8m_pca.tgz',
      'mean.npy',
      'eigenvals.npy',
      'eigenvecs.npy',
      'classify_image_graph_def.pb',
    ]);
    expect(rest.map((f) => f.name)).toEqual(['frames.npy', 'train.tfrecord', 'model.json', '.DS_Store', 'other.tgz']);
    expect(isVideoFile({ name: 'noext', type: 'video/mp4' })).toBe(true);
  });

  it('reads typed labels as class names (any case) or ids, and names the first that is not a class', () => {
    const classes = ['Dog', 'Cat', 'Skateboarding'];
    expect(parseLabels('', classes)).toEqual({ ids: [] });
    expect(parseLabels('skateboarding, 0; dog', classes)).toEqual({ ids: [0, 2] });
    expect(parseLabels('Dog, Horse', classes)).toEqual({
      error: '“Horse” is not a class of the loaded model: type its class names or ids',
    });
    expect(parseLabels('7', classes)).toEqual({ error: '7 is not a class id of the loaded model (it has 3 classes, 0 to 2)' });
    // Without a model, ids alone.
    expect(parseLabels('3, 17', [])).toEqual({ ids: [3, 17] });
  });

  it('names a video dropped again apart, and finds the frame a player time shows', () => {
    expect(uniqueName('clip.mp4', new Set())).toBe('clip.mp4');
    expect(uniqueName('clip.mp4', new Set(['clip.mp4', 'clip (2).mp4']))).toBe('clip (3).mp4');
    const times = [0, 1.001, 2.002, 3.003];
    expect([0, 0.5, 1.001, 1.0009, 2.5, 3.003, 99].map((t) => frameAt(times, t))).toEqual([0, 0, 1, 1, 2, 3, 3]);
    expect(frameAt([], 3)).toBe(0);
  });

  it('takes a labels CSV dropped with videos to the videos (alone, it is not theirs), and labels each video its row names', () => {
    expect(splitVideoDrop(['a.mp4', 'labels.CSV', 'yt8m_pca.tgz'].map((name) => ({ name }))).extractor.map((f) => f.name)).toEqual([
      'labels.CSV',
      'yt8m_pca.tgz',
    ]);
    expect(splitVideoDrop([{ name: 'labels.csv' }]).rest.map((f) => f.name)).toEqual(['labels.csv']);
    const rows = parseVideoLabels('clips/a.mp4,3;17\nb.webm,0\nother.mp4,2\n', 'videos.csv');
    expect(csvLabels(rows, 'videos.csv', ['a.mp4', 'b.webm', 'c.mov'], 20)).toEqual({ labels: [[3, 17], [0], undefined] });
    // The ids against the model's classes: the line named; none checked without a model.
    expect(csvLabels(rows, 'videos.csv', ['a.mp4'], 10)).toEqual({
      error: 'videos.csv: line 1 gives label 17, but the loaded model has 10 classes (0 to 9)',
    });
    expect(csvLabels(rows, 'videos.csv', ['a.mp4'], 0)).toEqual({ labels: [[3, 17]] });
    // Two rows with the video's file name: which one is meant cannot be told.
    const twice = parseVideoLabels('x/a.mp4,1\ny/a.mp4,2\n', 'twice.csv');
    expect(csvLabels(twice, 'twice.csv', ['a.mp4'], 5)).toEqual({
      error: expect.stringMatching(/^twice\.csv: lines 1 and 2 both name a video called a\.mp4/),
    });
  });
});
