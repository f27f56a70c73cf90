import { bytesSource } from '../../src/core/io/byteSource';
import { type ConvertOptions, convertWeights } from '../../src/core/convert/convert';
import { decodeWeights } from '../../src/core/convert/modelFormat';
import { createModel, type LoadedModel } from '../../src/core/model/model';
import type { WeightLayout } from '../../src/core/model/attentionLstm';

/** Converts weight-file bytes in memory and loads the result on the current tfjs backend. */
export async function convertAndLoad(
  file: string,
  bytes: Uint8Array,
  layout: WeightLayout = 'in-out',
  opts: ConvertOptions = {},
): Promise<LoadedModel> {
  const shards = new Map<string, Uint8Array>();
  const { modelJson } = await convertWeights(bytesSource(file, bytes), async (p, b) => void shards.set(p, b.slice()), opts);
  const weights = await decodeWeights(modelJson, 'model.json', async (_g, _i, p) => shards.get(p)!);
  return createModel(modelJson.attentionLstm, weights, layout);
}

/** The same for a set of files (a parameter folder's, an inference model's .pdmodel and .pdiparams). */
export async function convertFilesAndLoad(
  files: readonly { name: string; bytes: Uint8Array }[],
  layout: WeightLayout = 'in-out',
  opts: ConvertOptions = {},
): Promise<LoadedModel> {
  const shards = new Map<string, Uint8Array>();
  const sources = files.map((f) => bytesSource(f.name, f.bytes));
  const { modelJson } = await convertWeights(
    sources.length === 1 ? sources[0] : sources,
    async (p, b) => void shards.set(p, b.slice()),
    opts,
  );
  const weights = await decodeWeights(modelJson, 'model.json', async (_g, _i, p) => shards.get(p)!);
  return createModel(modelJson.attentionLstm, weights, layout);
}
