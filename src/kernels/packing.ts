/**
 * The fused kernel's packed parameters, shared by the WebGPU kernel and its CPU twin.
 *
 * LSTM index l = 2 * modality + direction: 0 rgb.fw, 1 rgb.bw, 2 audio.fw, 3 audio.bw.
 *
 * - W [4 * NT, D, TU * 4], i.e. [l, jt, k, ju, g]: the recurrent weight from
 *   input unit k to gate g (0 i, 1 f, 2 c~, 3 o) of unit j = jt * TU + ju. One
 *   vec4 holds the four gates of a unit, and the units are cut into tiles of TU
 *   (the units of 4 neighbouring invocations): at each k the invocations of a
 *   tile read TU adjacent vec4s, and from one k to the next they move on to the
 *   next TU vec4s, so each tile's weights are one sequential stream. Units
 *   past D (D padded up to NT * TU) are zero.
 * - P [4, 2, D, 4]: P[l, 0, j] = the recurrent bias b_h of (i, f, c~, o) of unit j;
 *   P[l, 1, j] = the peepholes (i, f, o, 0) of unit j (zeros when the variant has none).
 */
import * as tf from '@tensorflow/tfjs-core';
import { BEHAVIOUR, DIRECTIONS, MODALITIES } from '../core/model/architecture';
import type { ModelSpec, WeightTensors } from '../core/model/attentionLstm';

export const LSTM_ORDER = MODALITIES.flatMap((m) => DIRECTIONS.map((d) => ({ m, d, name: `${m}.${d}` })));

export interface PackedLstmParams {
  W: tf.Tensor3D;
  P: tf.Tensor4D;
  /** Units per tile, and tiles. */
  TU: number;
  NT: number;
}

/** Index (in vec4s) of W[l, unit j, input k] in the packed layout. */
export function packedWIndex(l: number, j: number, k: number, D: number, TU: number, NT: number): number {
  return ((l * NT + Math.floor(j / TU)) * D + k) * TU + (j % TU);
}

/** The recurrent weights [D, 4D] (in-out) or [4D, D] (out-in) of one LSTM, as [NT, D(k), TU, 4(g)]. */
function packOne(wh: tf.Tensor, D: number, TU: number, NT: number, layout: ModelSpec['layout']): tf.Tensor4D {
  const kjg =
    layout === 'out-in'
      ? tf.transpose(tf.reshape(wh, [4, D, D]), [2, 1, 0]) // [g, j, k] -> [k, j, g]
      : tf.transpose(tf.reshape(wh, [D, 4, D]), [0, 2, 1]); // [k, g, j] -> [k, j, g]
  const padded =
    NT * TU > D
      ? tf.pad(kjg, [
          [0, 0],
          [0, NT * TU - D],
          [0, 0],
        ])
      : kjg;
  return tf.transpose(tf.reshape(padded, [D, NT, TU, 4]), [1, 0, 2, 3]) as tf.Tensor4D;
}

/**
 * Packs the four LSTMs' recurrent parameters with tfjs ops on the current
 * backend (once per model), for tiles of `TU` units.
 */
export function packLstmParams(w: WeightTensors, spec: ModelSpec, TU: number): PackedLstmParams {
  const D = spec.sizes.lstm;
  const NT = Math.ceil(D / TU);
  const peepholes = BEHAVIOUR[spec.variant].peepholes;
  return tf.tidy(() => {
    const W = tf.reshape(tf.stack(LSTM_ORDER.map(({ name }) => packOne(w[`${name}.wh`], D, TU, NT, spec.layout))), [
      4 * NT,
      D,
      TU * 4,
    ]) as tf.Tensor3D;
    const P = tf.stack(
      LSTM_ORDER.map(({ name }) => {
        const bias = tf.transpose(tf.reshape(w[`${name}.bh`], [4, D])); // [D, 4]
        const peep = peepholes
          ? tf.concat([tf.transpose(w[`${name}.peep`] as tf.Tensor2D), tf.zeros([D, 1])], 1) // [D, 4]: i, f, o, 0
          : tf.zeros([D, 4]);
        return tf.stack([bias, peep]);
      }),
    ) as tf.Tensor4D;
    return { W, P, TU, NT };
  });
}

/**
 * What a packing was made from: the data of the LSTMs' weight tensors. A packing
 * is reused while every one of them still holds the same data (a tf.Variable
 * that is assigned new values gets new data, so it is repacked).
 */
export function packingSource(w: WeightTensors, spec: ModelSpec): unknown[] {
  const data = LSTM_ORDER.flatMap(({ name }) => [w[`${name}.wh`], w[`${name}.bh`], w[`${name}.peep`]].map((t) => (t ? t.dataId : null)));
  return [spec.variant, spec.layout, spec.sizes.lstm, ...data];
}

export function sameSource(a: readonly unknown[] | null, b: readonly unknown[]): boolean {
  return !!a && a.length === b.length && a.every((x, i) => x === b[i]);
}
