import { createModel, type LoadedModel } from '../core/model/model';
import { classNamesFor } from '../core/vocabulary';
import { type NodeBackend, useBackend } from '../node/backend';
import { readModelDir } from '../node/files';

/** A converted model from a folder, on a Node tfjs backend (wasm on `threads` threads), with a name for every class. */
export async function loadModel(
  dir: string,
  backend: NodeBackend,
  threads?: number,
): Promise<{ model: LoadedModel; classNames: string[] }> {
  await useBackend(backend, { threads });
  const { json, weights } = await readModelDir(dir);
  const model = createModel(json.attentionLstm, weights, 'in-out');
  return { model, classNames: classNamesFor(model.meta.sizes.classes, json.attentionLstm.classNames ?? undefined) };
}
