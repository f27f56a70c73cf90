import type { StreamModel } from '../core/model/predictStream';
import { classNamesFor } from '../core/vocabulary';
import type { NodeBackend } from '../node/backend';
import { loadSimdModel } from '../node/simdModel';

/**
 * The model `predict` and `evaluate` run. On wasm (the default): the
 * project's own engine (src/kernels/lstmSimd/model.ts), its weights read
 * straight from the shards into its memory, without tfjs, which is not even
 * loaded. On cpu: tfjs's cpu backend (plain JavaScript, for checking), loaded
 * only then.
 */
export async function loadPredictor(
  dir: string,
  backend: NodeBackend,
  threads?: number,
): Promise<{ model: StreamModel; classNames: string[] }> {
  if (backend === 'cpu') {
    const { loadModel } = await import('./loadModel');
    return loadModel(dir, backend, threads);
  }
  const { model, json } = await loadSimdModel(dir, { threads });
  return { model, classNames: classNamesFor(model.meta.sizes.classes, json.attentionLstm.classNames ?? undefined) };
}
