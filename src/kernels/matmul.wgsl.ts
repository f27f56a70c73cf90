/**
 * WGSL for the model's large matrix products on WebGPU: Y = X W + b, with X
 * [M, K] and W stored [N, K] ('out-in') or [K, N] ('in-out'), b [N] optional.
 *
 * tfjs's user-code convention (tfjs-backend-webgpu's makeShader prepends the
 * bindings): `result` [M, N] (binding 0), `X` (1), `W` (2), `bias` (3, when
 * present), and `uniforms` with the shapes (xShape, wShape, outShape).
 *
 * Each invocation computes an RM x RN tile of Y in registers, reading the RM
 * rows of X and the RN columns of W once per k: (RM + RN) loads for RM * RN
 * multiply-adds, with no workgroup memory and no barriers. On a real GPU a
 * tiled shared-memory kernel (tfjs's own) is better; on a CPU implementation
 * of WebGPU (SwiftShader), where every load whose address depends on the
 * invocation costs a gather and every barrier a coroutine switch, this kernel
 * is far faster than tfjs's matMul (bench/results/RESULTS.md). Rows and columns
 * past the edges are clamped on read and skipped on write, so any M, N, K work.
 */
export interface MatMulShaderConfig {
  RM: number;
  RN: number;
  /** How W is stored: [N, K] ('out-in') or [K, N] ('in-out'). */
  layout: 'in-out' | 'out-in';
  bias: boolean;
  WG: number;
}

export function matMulShaderKey(c: MatMulShaderConfig): string {
  return `alstmMatMul_${c.RM}x${c.RN}_${c.layout}_${c.bias ? 'bias' : 'nobias'}_WG${c.WG}`;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

export function matMulShader(c: MatMulShaderConfig): string {
  const rm = range(c.RM);
  const rn = range(c.RN);
  // Element (n, k) of W in either layout.
  const wAt = (n: string, k: string) => (c.layout === 'out-in' ? `W[${n} * K + ${k}]` : `W[${k} * N + ${n}]`);
  return /* wgsl */ `
  fn main() {
    let M = uniforms.outShape[0];
    let N = uniforms.outShape[1];
    let K = uniforms.xShape[1];
    let n0 = i32(globalId.x) * ${c.RN};
    let m0 = i32(globalId.y) * ${c.RM};
    if (n0 >= N || m0 >= M) { return; }
    ${rm.map((i) => `let x_${i} = min(m0 + ${i}, M - 1) * K;`).join('\n    ')}
    ${rn.map((j) => `let n_${j} = min(n0 + ${j}, N - 1);`).join('\n    ')}
    ${rm.flatMap((i) => rn.map((j) => `var a_${i}_${j} = 0.0;`)).join(' ')}
    for (var k = 0; k < K; k++) {
      ${rm.map((i) => `let xv_${i} = X[x_${i} + k];`).join('\n      ')}
      ${rn.map((j) => `let wv_${j} = ${wAt(`n_${j}`, 'k')};`).join('\n      ')}
      ${rm.flatMap((i) => rn.map((j) => `a_${i}_${j} += xv_${i} * wv_${j};`)).join('\n      ')}
    }
    ${rn.map((j) => `let b_${j} = ${c.bias ? `bias[n_${j}]` : '0.0'};`).join('\n    ')}
    ${rm.map((i) => `if (m0 + ${i} < M) {\n      ${rn.map((j) => `if (n0 + ${j} < N) { result[(m0 + ${i}) * N + n0 + ${j}] = a_${i}_${j} + b_${j}; }`).join('\n      ')}\n    }`).join('\n    ')}
  }
`;
}
