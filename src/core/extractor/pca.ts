/**
 * YouTube-8M's PCA (`yt8m_pca.tgz`: `mean.npy` [2048, 1], `eigenvals.npy`
 * [K, 1], `eigenvecs.npy` [K, 2048], K >= 1024), read as upstream's
 * `_load_pca` reads it (`mean[:, 0]`, `eigenvals[:1024, 0]`,
 * `eigenvecs.T[:, :1024]`), and applied as its `apply_pca`:
 * `(x - mean) @ eigenvecs.T[:, :1024] / sqrt(eigenvals[:1024] + 1e-4)`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fail, InputError } from '../errors';
import { readNpy } from '../containers/npy';
import { entryBaseName, isGzip, isTar, readTarFiles } from '../containers/tarGz';
import type { NdArray } from '../ndarray';

export const INCEPTION_DIM = 2048;
export const PCA_DIM = 1024;
const PCA_EPSILON = 1e-4;

/** The PCA as used: the mean, the first 1024 eigenvalues and eigenvectors (rows), float32; plain data, kept in the page's cache as it is. */
export interface Pca {
  /** The files it came from, for messages. */
  source: string;
  mean: Float32Array;
  /** [1024] */
  eigenvals: Float32Array;
  /** [1024, 2048] row-major: row j is eigenvector j. */
  eigenvecs: Float32Array;
  /** K of the files (eigenvectors they hold, of which the first 1024 are used). */
  components: number;
}

export interface NamedBytes {
  name: string;
  bytes: Uint8Array;
}

const PCA_FILES = ['mean.npy', 'eigenvals.npy', 'eigenvecs.npy'] as const;
const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

function floats(a: NdArray, file: string): Float32Array {
  if (a.dtype === 'float32') return a.data as Float32Array;
  if (a.dtype === 'float64' || a.dtype === 'float16') {
    if (a.dtype === 'float16') fail(file, 'the PCA files must hold float32 or float64, not float16');
    return Float32Array.from(a.data as Float64Array);
  }
  return fail(file, `the PCA files must hold float32 or float64, not ${a.dtype}`);
}

/**
 * The PCA from `yt8m_pca.tgz` (one archive, the three files anywhere in it)
 * or its three `.npy` files (named as published). Wrong shapes, a missing
 * file, or anything else: one InputError naming the file.
 */
export async function readPca(files: readonly NamedBytes[]): Promise<Pca> {
  const found = new Map<string, { file: string; bytes: Uint8Array }>();
  const names = files.map((f) => f.name).join(', ');
  for (const f of files) {
    if (isGzip(f.bytes) || isTar(f.bytes)) {
      const inside = await readTarFiles(f.bytes, f.name, (p) => (PCA_FILES as readonly string[]).includes(entryBaseName(p)));
      for (const [p, bytes] of inside) found.set(entryBaseName(p), { file: `${f.name}:${p}`, bytes });
      const missing = PCA_FILES.filter((n) => !found.has(n));
      if (missing.length)
        fail(f.name, `the archive holds no ${missing.join(', ')}: expected yt8m_pca.tgz (mean.npy, eigenvals.npy, eigenvecs.npy)`);
    } else {
      const base = entryBaseName(f.name.replace(/\\/g, '/'));
      if (!(PCA_FILES as readonly string[]).includes(base))
        fail(f.name, 'not one of the PCA files: expected yt8m_pca.tgz, or mean.npy, eigenvals.npy and eigenvecs.npy');
      found.set(base, { file: f.name, bytes: f.bytes });
    }
  }
  const missing = PCA_FILES.filter((n) => !found.has(n));
  if (missing.length)
    throw new InputError(
      `${names || 'the PCA'}: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing: the PCA needs yt8m_pca.tgz or its three .npy files`,
    );
  const read = (n: (typeof PCA_FILES)[number]) => {
    const f = found.get(n)!;
    return { file: f.file, a: readNpy(f.bytes, f.file) };
  };
  const mean = read('mean.npy');
  const vals = read('eigenvals.npy');
  const vecs = read('eigenvecs.npy');
  if (fmt(mean.a.shape) !== fmt([INCEPTION_DIM, 1]))
    fail(mean.file, `has shape ${fmt(mean.a.shape)}, expected [2048, 1] as in yt8m_pca.tgz`);
  const k = vals.a.shape[0];
  if (vals.a.shape.length !== 2 || vals.a.shape[1] !== 1 || !(k >= PCA_DIM))
    fail(vals.file, `has shape ${fmt(vals.a.shape)}, expected [K, 1] with K >= 1024 as in yt8m_pca.tgz`);
  if (fmt(vecs.a.shape) !== fmt([k, INCEPTION_DIM]))
    fail(vecs.file, `has shape ${fmt(vecs.a.shape)}, expected [${k}, 2048] (as many eigenvectors as eigenvals.npy has values)`);
  const eigenvals = floats(vals.a, vals.file).slice(0, PCA_DIM);
  const bad = eigenvals.findIndex((v) => !Number.isFinite(v) || v + PCA_EPSILON <= 0);
  if (bad >= 0) fail(vals.file, `eigenvalue ${bad} is ${eigenvals[bad]}: the PCA needs eigenvalues of at least 0`);
  const m = floats(mean.a, mean.file);
  const e = floats(vecs.a, vecs.file).slice(0, PCA_DIM * INCEPTION_DIM);
  if (!m.every(Number.isFinite)) fail(mean.file, 'holds values that are not finite numbers');
  if (!e.every(Number.isFinite)) fail(vecs.file, 'holds values that are not finite numbers');
  return { source: [mean.file, vals.file, vecs.file].join(', '), mean: Float32Array.from(m), eigenvals, eigenvecs: e, components: k };
}

/** The PCA on the backend: the mean, and the eigenvectors as columns already divided by sqrt(eigenvalue + 1e-4). */
export class PcaProjection {
  private readonly mean: tf.Tensor1D;
  private readonly w: tf.Tensor2D;

  constructor(pca: Pca) {
    const w = new Float32Array(INCEPTION_DIM * PCA_DIM);
    for (let j = 0; j < PCA_DIM; j++) {
      const s = 1 / Math.sqrt(pca.eigenvals[j] + PCA_EPSILON);
      for (let i = 0; i < INCEPTION_DIM; i++) w[i * PCA_DIM + j] = pca.eigenvecs[j * INCEPTION_DIM + i] * s;
    }
    this.mean = tf.tensor1d(pca.mean);
    this.w = tf.tensor2d(w, [INCEPTION_DIM, PCA_DIM]);
  }

  /** [B, 2048] Inception features to [B, 1024] PCA features. */
  apply(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.sub(x, this.mean) as tf.Tensor2D, this.w));
  }

  dispose(): void {
    this.mean.dispose();
    this.w.dispose();
  }
}
