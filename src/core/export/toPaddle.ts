import type { NdArray } from '../ndarray';
import type { Sizes, Variant } from '../model/architecture';
import { fluid1CombinedOrder, paddleTensorSpecs } from '../model/paddleLayout';
import { writeCombined } from '../formats/combined';

/** Canonical weights back to Paddle's tensors, named and shaped as Paddle saves them. */
export function paddleTensors(variant: Variant, sizes: Sizes, weights: ReadonlyMap<string, Float32Array>): Map<string, NdArray> {
  const get = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new Error(`paddleTensors: missing canonical weight ${name}`);
    return w;
  };
  return new Map(paddleTensorSpecs(variant, sizes).map((spec) => [spec.name, { dtype: 'float32', shape: spec.shape, data: spec.fromCanonical(get) } as NdArray]));
}

/** A combined `.pdparams` file, byte for byte as fluid.io.save_params writes it (fluid1 only). */
export function toCombinedPdparams(sizes: Sizes, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const tensors = paddleTensors('fluid1', sizes, weights);
  return writeCombined(fluid1CombinedOrder().map((n) => tensors.get(n)!));
}
