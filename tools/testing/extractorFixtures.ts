/**
 * The extractor's files as the tests make them: the Inception stand-in in a
 * .tgz like inception-2015-12-05.tgz, a PCA in the published shapes (in a
 * .tgz like yt8m_pca.tgz, or loose .npy files), and the float64 reference of
 * the whole extractor (graph, PCA, quantization) for a frame.
 */
import { gzipSync } from 'fflate';
import { packTar } from 'modern-tar';
import { writeNpy } from '../../src/core/containers/npy';
import type { NamedBytes } from '../../src/core/extractor/pca';
import { rng } from './random';
import { type NodeSpec, referenceRun } from './tfGraph';

export async function writeTgz(entries: readonly NamedBytes[]): Promise<Uint8Array> {
  const tar = await packTar(entries.map((e) => ({ header: { name: e.name, size: e.bytes.length, type: 'file' as const }, body: e.bytes })));
  return gzipSync(tar);
}

export interface StandInPca {
  /** [2048] */
  mean: Float64Array;
  /** [K] */
  eigenvals: Float64Array;
  /** [K, 2048] */
  eigenvecs: Float64Array;
}

/**
 * A PCA with K components fitted loosely to some frames' Inception features:
 * their mean, random unit directions, and eigenvalues that put the frames'
 * projections at about ±1, so that quantized features use the whole range.
 */
export function standInPca(features: readonly ArrayLike<number>[], seed: number, components = 1100): StandInPca {
  const r = rng(seed);
  const D = 2048;
  const mean = new Float64Array(D);
  for (const f of features) for (let i = 0; i < D; i++) mean[i] += f[i] / features.length;
  const eigenvecs = new Float64Array(components * D);
  const eigenvals = new Float64Array(components);
  for (let k = 0; k < components; k++) {
    let norm = 0;
    for (let i = 0; i < D; i++) {
      const v = r() * 2 - 1;
      eigenvecs[k * D + i] = v;
      norm += v * v;
    }
    for (let i = 0; i < D; i++) eigenvecs[k * D + i] /= Math.sqrt(norm);
    let s = 0;
    for (const f of features) {
      let p = 0;
      for (let i = 0; i < D; i++) p += (f[i] - mean[i]) * eigenvecs[k * D + i];
      s += p * p;
    }
    eigenvals[k] = Math.max(1e-3, s / Math.max(1, features.length - 1)) * (0.5 + r());
  }
  return { mean, eigenvals, eigenvecs };
}

/** The three .npy files in the published shapes (float32, as numpy saved them). */
export function pcaNpyFiles(p: StandInPca, dtype: 'float32' | 'float64' = 'float32'): NamedBytes[] {
  const arr = (x: Float64Array) => (dtype === 'float32' ? Float32Array.from(x) : x);
  const k = p.eigenvals.length;
  return [
    { name: 'mean.npy', bytes: writeNpy({ dtype, shape: [2048, 1], data: arr(p.mean) }) },
    { name: 'eigenvals.npy', bytes: writeNpy({ dtype, shape: [k, 1], data: arr(p.eigenvals) }) },
    { name: 'eigenvecs.npy', bytes: writeNpy({ dtype, shape: [k, 2048], data: arr(p.eigenvecs) }) },
  ];
}

/** The PCA as the files hold it (float32), back in float64, for the reference. */
export function asStored(p: StandInPca): StandInPca {
  const f = (x: Float64Array) => Float64Array.from(Float32Array.from(x));
  return { mean: f(p.mean), eigenvals: f(p.eigenvals), eigenvecs: f(p.eigenvecs) };
}

/** Round half to even, written apart from the product's. */
function bankers(x: number): number {
  const fl = Math.floor(x);
  const d = x - fl;
  if (d > 0.5) return fl + 1;
  if (d < 0.5) return fl;
  return fl % 2 === 0 ? fl : fl + 1;
}

export interface ReferenceFrame {
  inception: Float64Array;
  pca: Float64Array;
  quantized: Uint8Array;
}

/** The published extractor on one RGB frame, in float64: the graph, `apply_pca`, `quantize`. */
export function referenceExtract(
  nodes: readonly NodeSpec[],
  pca: StandInPca,
  frame: { width: number; height: number; data: Uint8Array },
): ReferenceFrame {
  const out = referenceRun(
    nodes,
    'DecodeJpeg',
    { shape: [frame.height, frame.width, 3], data: Float64Array.from(frame.data) },
    'pool_3/_reshape',
  );
  return referencePca(out.data, pca);
}

/** `apply_pca` and `quantize` of the graph's 2048 features, in float64. */
export function referencePca(x: Float64Array, pca: StandInPca): ReferenceFrame {
  const f = new Float64Array(1024);
  for (let j = 0; j < 1024; j++) {
    let s = 0;
    for (let i = 0; i < 2048; i++) s += (x[i] - pca.mean[i]) * pca.eigenvecs[j * 2048 + i];
    f[j] = s / Math.sqrt(pca.eigenvals[j] + 1e-4);
  }
  const quantized = Uint8Array.from(f, (v) => bankers((Math.min(2, Math.max(-2, v)) + 2) * 63.75));
  return { inception: x, pca: f, quantized };
}
