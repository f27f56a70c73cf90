import { statSync } from 'node:fs';
import { EnvironmentError, InputError } from '../core/errors';
import type { StreamModel } from '../core/model/predictStream';
import { classNamesFor } from '../core/vocabulary';
import type { NodeBackend } from '../node/backend';
import { OrtModel, onnxRuntime } from '../node/ortModel';
import { loadSimdModel } from '../node/simdModel';

/** `--engine`: the project's own SIMD engine, onnxruntime-node, or the faster of the two for the run (the default). */
export const ENGINES = ['auto', 'own', 'ort'] as const;
export type Engine = (typeof ENGINES)[number];

/**
 * Bytes of local input at which `auto` runs onnxruntime-node: about 850
 * frames of YouTube-8M's quantized features (1.2 KB a frame in a TFRecord).
 * ONNX Runtime's kernels (AVX2, AVX-512) take about 0.4 ms of CPU a frame of
 * the full-size model, the own engine's WebAssembly SIMD about 1.1 ms, but
 * ONNX Runtime's start costs about 0.4 s more (its session, the graph built in
 * memory): measured whole processes, this is where they cross
 * (docs/benchmarks.md, "The command line against onnxruntime-node").
 */
export const AUTO_ORT_BYTES = 1e6;

/**
 * The engine `auto` picks for these inputs (every worker's, under --shard, so
 * that the workers of a run and one run over the same list pick alike: their
 * parts record it, and the merge refuses parts of different engines): ort for
 * URLs (a split served remotely) or local files of AUTO_ORT_BYTES or more.
 */
export function autoEngine(inputs: readonly string[]): 'own' | 'ort' {
  let bytes = 0;
  for (const input of inputs) {
    if (/^https?:\/\//i.test(input)) return 'ort';
    try {
      bytes += statSync(input).size;
    } catch {
      // Unreadable: the read says so, naming the file.
    }
  }
  return bytes >= AUTO_ORT_BYTES ? 'ort' : 'own';
}

/**
 * The model `predict` and `evaluate` run. On wasm (the default): the
 * project's own engine (src/kernels/lstmSimd/model.ts), its weights read
 * straight from the shards into its memory, without tfjs, which is not even
 * loaded; or, `--engine ort` (or `auto` on a large run, autoEngine) with
 * onnxruntime-node installed, ONNX Runtime on the model's ONNX graph
 * (src/node/ortModel.ts). On cpu: tfjs's cpu backend (plain JavaScript, for
 * checking), loaded only then.
 */
export async function loadPredictor(
  dir: string,
  backend: NodeBackend,
  threads?: number,
  engine: { engine?: Engine; inputs?: readonly string[] } = {},
): Promise<{ model: StreamModel; classNames: string[]; engine: 'own' | 'ort' | 'tfjs' }> {
  if (backend === 'cpu') {
    if (engine.engine === 'ort') throw new InputError('--engine ort runs on its own backend: leave out --backend cpu');
    const { loadModel } = await import('./loadModel');
    return { ...(await loadModel(dir, backend, threads)), engine: 'tfjs' };
  }
  const wanted = engine.engine ?? 'auto';
  if (wanted === 'ort' || (wanted === 'auto' && autoEngine(engine.inputs ?? []) === 'ort')) {
    const ort = await onnxRuntime();
    if (ort) {
      const { model, json } = await OrtModel.load(ort, dir, { threads });
      return { model, classNames: classNamesFor(model.meta.sizes.classes, json.attentionLstm.classNames ?? undefined), engine: 'ort' };
    }
    if (wanted === 'ort')
      throw new EnvironmentError(
        '--engine ort needs onnxruntime-node, which is not installed here: npm install onnxruntime-node --ignore-scripts (or use --engine own)',
      );
  }
  const { model, json } = await loadSimdModel(dir, { threads });
  return { model, classNames: classNamesFor(model.meta.sizes.classes, json.attentionLstm.classNames ?? undefined), engine: 'own' };
}
