/**
 * The AttentionLSTM's architecture in the project's own, variant-neutral terms.
 * Converted models store these canonical tensors; `paddleLayout.ts` maps them to
 * and from the tensors of Paddle's two published variants.
 *
 * Canonical conventions:
 * - linear weights are [in, out] (y = x @ w + b);
 * - LSTM gates are concatenated in the order i, f, c~ (candidate), o, for both variants;
 * - the input projection of each LSTM (wx, bx) is applied to all frames before the
 *   recurrence; the recurrent term is h @ wh + bh at every step.
 */
export type Variant = 'fluid1' | 'paddlevideo2';
export const VARIANTS: readonly Variant[] = ['fluid1', 'paddlevideo2'];

export type Modality = 'rgb' | 'audio';
export const MODALITIES: readonly Modality[] = ['rgb', 'audio'];
export type Direction = 'fw' | 'bw';
export const DIRECTIONS: readonly Direction[] = ['fw', 'bw'];

export interface Sizes {
  /** Feature width per frame: 1024 for YouTube-8M rgb. */
  rgbDim: number;
  /** 128 for YouTube-8M audio. */
  audioDim: number;
  /** Embedding width E (512 in the published model). */
  embed: number;
  /** LSTM width D (1024). */
  lstm: number;
  /** Head widths (8192, 4096). */
  head1: number;
  head2: number;
  /** Number of classes C (3862). */
  classes: number;
}

export const FULL_SIZES: Sizes = {
  rgbDim: 1024,
  audioDim: 128,
  embed: 512,
  lstm: 1024,
  head1: 8192,
  head2: 4096,
  classes: 3862,
};

/** What differs between the variants at inference, beyond the file layout. */
export interface VariantBehaviour {
  /** fluid1's dynamic_lstm has peephole connections from the cell to i, f, o. */
  peepholes: boolean;
  /** fluid1 clamps sigmoid input to [-40, 13] and tanh's exp argument at 40 inside the LSTM. */
  clampedActivations: boolean;
  /** Dropout with `downgrade_in_infer` scales the BiLSTM output by (1 - p) = 0.5 at inference. */
  outputScale: number;
}

export const BEHAVIOUR: Record<Variant, VariantBehaviour> = {
  fluid1: { peepholes: true, clampedActivations: true, outputScale: 0.5 },
  paddlevideo2: { peepholes: false, clampedActivations: false, outputScale: 1 },
};

export function featureDim(sizes: Sizes, m: Modality): number {
  return m === 'rgb' ? sizes.rgbDim : sizes.audioDim;
}

/** Every canonical tensor of a model of this variant, with its shape, in a fixed order. */
export function canonicalTensors(variant: Variant, s: Sizes): { name: string; shape: number[] }[] {
  const D = s.lstm;
  const out: { name: string; shape: number[] }[] = [];
  for (const m of MODALITIES) {
    out.push({ name: `${m}.embed.w`, shape: [featureDim(s, m), s.embed] });
    out.push({ name: `${m}.embed.b`, shape: [s.embed] });
    for (const d of DIRECTIONS) {
      out.push({ name: `${m}.${d}.wx`, shape: [s.embed, 4 * D] });
      out.push({ name: `${m}.${d}.bx`, shape: [4 * D] });
      out.push({ name: `${m}.${d}.wh`, shape: [D, 4 * D] });
      out.push({ name: `${m}.${d}.bh`, shape: [4 * D] });
      if (BEHAVIOUR[variant].peepholes) out.push({ name: `${m}.${d}.peep`, shape: [3, D] });
    }
    out.push({ name: `${m}.att.w`, shape: [2 * D, 1] });
    out.push({ name: `${m}.att.b`, shape: [1] });
  }
  out.push({ name: 'head.fc1.w', shape: [4 * D, s.head1] });
  out.push({ name: 'head.fc1.b', shape: [s.head1] });
  out.push({ name: 'head.fc2.w', shape: [s.head1, s.head2] });
  out.push({ name: 'head.fc2.b', shape: [s.head2] });
  out.push({ name: 'head.logit.w', shape: [s.head2, s.classes] });
  out.push({ name: 'head.logit.b', shape: [s.classes] });
  return out;
}

export function parameterCount(variant: Variant, s: Sizes): number {
  return canonicalTensors(variant, s).reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
}

/** Multiply-adds of one video of T frames (the recurrent part dominates). */
export function multiplyAdds(s: Sizes, frames: number): number {
  const D = s.lstm;
  const perModality = (din: number) => frames * (din * s.embed + 2 * s.embed * 4 * D + 2 * D * 4 * D + 2 * D);
  return perModality(s.rgbDim) + perModality(s.audioDim) + 4 * D * s.head1 + s.head1 * s.head2 + s.head2 * s.classes;
}
