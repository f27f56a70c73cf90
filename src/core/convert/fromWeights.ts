import { canonicalTensors } from '../model/architecture';
import { type AttentionLstmMeta, GENERATED_BY, type ManifestEntry, MODEL_FORMAT, type ModelJson, type StoredDType } from './modelFormat';
import { type ShardSink, ShardWriter } from './shardWriter';

/** A model.json and its shards from canonical weights in memory (trained, fine-tuned or cached models). */
export async function writeModel(
  meta: AttentionLstmMeta,
  weights: ReadonlyMap<string, Float32Array>,
  sink: ShardSink,
  dtype: StoredDType = 'float32',
): Promise<ModelJson> {
  const tensors = canonicalTensors(meta.variant, meta.sizes);
  const entries: ManifestEntry[] = tensors.map(({ name, shape }) => ({
    name,
    shape,
    dtype: 'float32',
    ...(dtype === 'float16' ? { quantization: { dtype: 'float16' as const } } : {}),
  }));
  const total = tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0) * (dtype === 'float16' ? 2 : 4);
  const writer = new ShardWriter(total, sink, dtype);
  for (const { name, shape } of tensors) {
    const w = weights.get(name);
    if (!w || w.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`writeModel: weight ${name} missing or of the wrong size`);
    await writer.write(w);
  }
  await writer.finish();
  return {
    format: MODEL_FORMAT,
    generatedBy: GENERATED_BY,
    convertedBy: null,
    weightsManifest: [{ paths: writer.paths, weights: entries }],
    attentionLstm: { ...meta, dtype },
  };
}

/** The same in memory: model.json and shards by file name. */
export async function modelFiles(meta: AttentionLstmMeta, weights: ReadonlyMap<string, Float32Array>, dtype: StoredDType = 'float32') {
  const shards = new Map<string, Uint8Array>();
  const json = await writeModel(meta, weights, async (p, b) => void shards.set(p, b.slice()), dtype);
  return { json, shards };
}
