import { modelFiles } from '../convert/fromWeights';
import type { AttentionLstmMeta } from '../convert/modelFormat';
import { toCombinedPdparams, toPickledPdparams } from './toPaddle';
import type { ExportFormat } from './formats';
import { zipModel } from './zipModel';
import { toOnnx } from './onnx';

/**
 * One model as one file of `format`: `base` names it (and the folder inside a
 * zip). Paddle's formats hold the weights alone, so the loading side must build
 * an AttentionLSTM with `num_classes` = the model's classes.
 */
export async function exportModel(
  meta: AttentionLstmMeta,
  weights: ReadonlyMap<string, Float32Array>,
  format: ExportFormat,
  base: string,
): Promise<{ name: string; bytes: Uint8Array }> {
  switch (format) {
    case 'pdparams-combined':
      return { name: `${base}-combined.pdparams`, bytes: toCombinedPdparams(meta.sizes, weights, meta.variant) };
    case 'pdparams-pickle':
      return { name: `${base}.pdparams`, bytes: toPickledPdparams(meta.variant, meta.sizes, weights) };
    case 'tfjs-zip': {
      const { json, shards } = await modelFiles(meta, weights, meta.dtype);
      return { name: `${base}.zip`, bytes: zipModel(base, json, shards) };
    }
    case 'onnx':
      return { name: `${base}.onnx`, bytes: toOnnx(meta, weights) };
  }
}
