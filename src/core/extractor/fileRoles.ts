/**
 * Which of the files a person gives is which of the extractor's two: the
 * Inception graph (`inception-2015-12-05.tgz`, or `classify_image_graph_def.pb`)
 * and the PCA (`yt8m_pca.tgz`, or `mean.npy`, `eigenvals.npy`, `eigenvecs.npy`).
 * They may come in separate drops: what arrived is kept until both are here.
 */
export type ExtractorPart = 'inception' | 'pca';

const PCA_NPY = /^(mean|eigenvals|eigenvecs)\.npy$/i;

/** The part a file name belongs to, or null for a file that is neither. */
export function extractorPart(name: string): ExtractorPart | null {
  const base = name.split('/').pop() ?? name;
  if (/\.pb$/i.test(base)) return 'inception';
  if (PCA_NPY.test(base)) return 'pca';
  if (/\.(tgz|tar\.gz|tar)$/i.test(base)) return /pca/i.test(base) ? 'pca' : /inception|graph/i.test(base) ? 'inception' : null;
  return null;
}

export interface StagedFiles<F extends { name: string }> {
  inception: F | null;
  pca: F[];
}

/** Adds files to what was staged: a newer file of a part replaces the older (a PCA's .npy files replace each other by name). */
export function stageExtractorFiles<F extends { name: string }>(staged: StagedFiles<F>, files: readonly F[]): StagedFiles<F> {
  let { inception, pca } = staged;
  for (const f of files) {
    const part = extractorPart(f.name);
    if (part === 'inception') inception = f;
    else if (part === 'pca') {
      const base = (n: string) => (n.split('/').pop() ?? n).toLowerCase();
      // An archive replaces loose files and the other way round; a loose file replaces its namesake.
      const isNpy = PCA_NPY.test(base(f.name));
      pca = isNpy ? [...pca.filter((p) => PCA_NPY.test(base(p.name)) && base(p.name) !== base(f.name)), f] : [f];
    }
  }
  return { inception, pca };
}

/** What is still missing before the extractor can be read. */
export function missingParts(staged: StagedFiles<{ name: string }>): ExtractorPart[] {
  const missing: ExtractorPart[] = [];
  if (!staged.inception) missing.push('inception');
  const pcaComplete = staged.pca.some((f) => !PCA_NPY.test(f.name.split('/').pop() ?? '')) || staged.pca.length >= 3;
  if (!pcaComplete) missing.push('pca');
  return missing;
}
