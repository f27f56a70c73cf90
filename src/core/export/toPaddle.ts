import { InputError } from '../errors';
import type { NdArray } from '../ndarray';
import type { Sizes, Variant } from '../model/architecture';
import { fluid1CombinedOrder, paddleTensorSpecs } from '../model/paddleLayout';
import { writeCombined } from '../paddle/combined';
import { writePickledParams } from '../paddle/pdparamsPickle';

/** Canonical weights back to Paddle's tensors, named and shaped as Paddle saves them. */
export function paddleTensors(variant: Variant, sizes: Sizes, weights: ReadonlyMap<string, Float32Array>): Map<string, NdArray> {
  const get = (name: string) => {
    const w = weights.get(name);
    if (!w) throw new Error(`paddleTensors: missing canonical weight ${name}`);
    return w;
  };
  return new Map(
    paddleTensorSpecs(variant, sizes).map((spec) => [
      spec.name,
      { dtype: 'float32', shape: spec.shape, data: spec.fromCanonical(get) } as NdArray,
    ]),
  );
}

/** A combined `.pdparams` file, byte for byte as fluid.io.save_params writes it. Only fluid1 has this format. */
export function toCombinedPdparams(sizes: Sizes, weights: ReadonlyMap<string, Float32Array>, variant: Variant = 'fluid1'): Uint8Array {
  if (variant !== 'fluid1') {
    throw new InputError(
      'a paddlevideo2 model cannot be saved as a combined parameter file: Paddle 2 loads pickles only; export it as a pickle',
    );
  }
  const tensors = paddleTensors('fluid1', sizes, weights);
  return writeCombined(fluid1CombinedOrder().map((n) => tensors.get(n)!));
}

/**
 * A pickled `.pdparams` as Paddle writes it: fluid.save (fluid1) pickles with
 * protocol 2, paddle.save (PaddleVideo 2) with protocol 4; both with numpy 1 names.
 */
export function toPickledPdparams(variant: Variant, sizes: Sizes, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const tensors = paddleTensors(variant, sizes, weights);
  const ordered = [...tensors.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, tensors.get(k)!] as [string, NdArray]);
  return writePickledParams(ordered, { protocol: variant === 'fluid1' ? 2 : 4 });
}
