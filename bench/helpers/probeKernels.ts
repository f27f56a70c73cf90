/**
 * Raw WGSL probes of what a WebGPU implementation charges for loads and for
 * multiply-adds, on the shapes of one full-size LSTM time step (four LSTMs,
 * D = 1024: 16.8 M weights, 16.8 M multiply-adds). Run by bench/drivers/probes.ts and
 * bench/drivers/kernels.ts through the harness's `micro`.
 */

const D = 1024;
const header = `
@group(0) @binding(0) var<storage, read_write> outp : array<f32>;
@group(0) @binding(1) var<storage, read> W : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> H : array<f32>;
const D = ${D};
`;
// One invocation per (unit j, LSTM l); four independent accumulators; k unrolled by 4.
const probe = (id: string, name: string, inLoop: string, setup: string) => ({
  id,
  name,
  dispatch: [D / 64, 4, 1] as [number, number, number],
  code: `${header}
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let j = i32(gid.x); let l = i32(gid.y);
  var a0 = vec4<f32>(0.0); var a1 = vec4<f32>(0.0); var a2 = vec4<f32>(0.0); var a3 = vec4<f32>(0.0);
  ${setup}
  for (var k = 0; k < D; k += 4) { ${inLoop} }
  let acc = a0 + a1 + a2 + a3;
  outp[(l * D + j) * 4] = acc.x + acc.y + acc.z + acc.w;
}`,
});
export const STEP_WEIGHTS = 16 * D * D;
export const probeBuffers = [4 * D * 4, 4 * D * D * 4, 4 * D];
export const probes = [
  probe(
    'multiply_adds_only',
    'multiply-adds only (no loads in the loop)',
    'a0 += w * h; a1 += w * (h + 1.0); a2 += w * (h + 2.0); a3 += w * (h + 3.0);',
    'let w = W[j]; let h = H[j];',
  ),
  probe(
    'weight_loads_unit_major',
    'weight loads only, unit-major rows (16 KB apart from one k to the next)',
    'a0 += W[wb + k * D]; a1 += W[wb + (k + 1) * D]; a2 += W[wb + (k + 2) * D]; a3 += W[wb + (k + 3) * D];',
    'let wb = l * D * D + j; a0 = vec4<f32>(H[j]);',
  ),
  probe(
    'weight_loads_tiled',
    'weight loads only, tiles of 4 units (one sequential stream per 4 invocations)',
    'a0 += W[wb + k * 4]; a1 += W[wb + (k + 1) * 4]; a2 += W[wb + (k + 2) * 4]; a3 += W[wb + (k + 3) * 4];',
    'let wb = (l * D + (j & ~3)) * D + (j & 3); a0 = vec4<f32>(H[j]);',
  ),
  probe(
    'loads_and_multiply_adds',
    'loads and multiply-adds (the step as the first kernel did it)',
    'a0 += W[wb + k * D] * H[hb + k]; a1 += W[wb + (k + 1) * D] * H[hb + k + 1]; a2 += W[wb + (k + 2) * D] * H[hb + k + 2]; a3 += W[wb + (k + 3) * D] * H[hb + k + 3];',
    'let wb = l * D * D + j; let hb = l * D;',
  ),
];

const M = 304,
  K = 512,
  N = 4096;
export const MATMUL_SHAPE = { M, K, N };
export function matmul(RM: number, RN: number) {
  const r = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    name: `register-tiled matmul ${M}x${K}x${N}, ${RM}x${RN} outputs per invocation`,
    dispatch: [Math.ceil(N / RN / 64), Math.ceil(M / RM), 1] as [number, number, number],
    code: `
@group(0) @binding(0) var<storage, read_write> Y : array<f32>;
@group(0) @binding(1) var<storage, read> X : array<f32>;
@group(0) @binding(2) var<storage, read> Wt : array<f32>;
const K = ${K}; const N = ${N};
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let n0 = i32(gid.x) * ${RN}; let m0 = i32(gid.y) * ${RM};
  ${r(RM)
    .flatMap((i) => r(RN).map((j) => `var a_${i}_${j} = 0.0;`))
    .join(' ')}
  for (var k = 0; k < K; k++) {
    ${r(RM)
      .map((i) => `let x_${i} = X[(m0 + ${i}) * K + k];`)
      .join(' ')}
    ${r(RN)
      .map((j) => `let w_${j} = Wt[(n0 + ${j}) * K + k];`)
      .join(' ')}
    ${r(RM)
      .flatMap((i) => r(RN).map((j) => `a_${i}_${j} += x_${i} * w_${j};`))
      .join(' ')}
  }
  ${r(RM)
    .flatMap((i) => r(RN).map((j) => `Y[(m0 + ${i}) * N + n0 + ${j}] = a_${i}_${j};`))
    .join(' ')}
}`,
  };
}
