import { describe, expect, it } from 'vitest';
import { extractorPart, missingParts, stageExtractorFiles } from './fileRoles';

describe('the extractor files a person gives', () => {
  it('knows each part by its published name', () => {
    expect(
      [
        'inception-2015-12-05.tgz',
        'classify_image_graph_def.pb',
        'yt8m_pca.tgz',
        'pca/mean.npy',
        'EIGENVECS.npy',
        'features.npy',
        'x.tgz',
      ].map(extractorPart),
    ).toEqual(['inception', 'inception', 'pca', 'pca', 'pca', null, null]);
  });

  it('keeps what came until both parts are here, the newer file of a part replacing the older', () => {
    let s = stageExtractorFiles({ inception: null, pca: [] }, [{ name: 'mean.npy' }, { name: 'eigenvals.npy' }]);
    expect(missingParts(s)).toEqual(['inception', 'pca']);
    s = stageExtractorFiles(s, [{ name: 'classify_image_graph_def.pb' }, { name: 'eigenvecs.npy' }]);
    expect(missingParts(s)).toEqual([]);
    expect(s.pca.map((f) => f.name)).toEqual(['mean.npy', 'eigenvals.npy', 'eigenvecs.npy']);
    s = stageExtractorFiles(s, [{ name: 'yt8m_pca.tgz' }, { name: 'inception-2015-12-05.tgz' }]);
    expect([s.inception?.name, s.pca.map((f) => f.name)]).toEqual(['inception-2015-12-05.tgz', ['yt8m_pca.tgz']]);
    s = stageExtractorFiles(s, [{ name: 'mean.npy' }]);
    expect(missingParts(s)).toEqual(['pca']);
  });
});
