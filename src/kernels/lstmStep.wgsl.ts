/**
 * WGSL for ONE time step of all four LSTMs of the AttentionLSTM (rgb and audio,
 * forward and backward) over a PACKED batch of videos (packedBatch.ts in
 * src/core/model: only the real frames, frame-major, videos ranked longest
 * first, so that the videos that have a frame t are the ranks 0 .. n_t - 1).
 *
 * The shader body below is tfjs's "user code": tfjs's WebGPU backend prepends
 * the bindings and the uniforms (`makeShader` in tfjs-backend-webgpu's
 * webgpu_program.js), in this order:
 *
 *   binding 0  result : array<f32>, read_write   the recurrent STATE (below)
 *   binding 1  G0     : array<f32>               rgb   forward  input projections [N, 4D], packed rows
 *   binding 2  G1     : array<f32>               rgb   backward input projections [N, 4D]
 *   binding 3  G2     : array<f32>               audio forward  input projections [N, 4D]
 *   binding 4  G3     : array<f32>               audio backward input projections [N, 4D]
 *   binding 5  W      : array<vec4<f32>>         recurrent weights of (i, f, c~, o), packed in tiles of 4U units (packing.ts)
 *   binding 6  P      : array<vec4<f32>>         [4, 2, D]: bias (i, f, c~, o), then peepholes (i, f, o, 0)
 *   binding 7  R      : array<i32>               [B + T + 1]: each rank's length, then each frame's first packed row
 *   binding 8  uniforms: tfjs's shapes and strides, then `step`, `B`, `T`, `N`
 *
 * LSTM index l = 2 * modality + direction: 0 rgb.fw, 1 rgb.bw, 2 audio.fw, 3 audio.bw.
 *
 * The STATE buffer is the LSTMs' output and their memory:
 *   [0, 4ND)          the BiLSTM output: per modality m, [N, 2D] rows [h_fw | h_bw] of
 *                     each packed frame (what the attention reads, as it is);
 *   [4ND, 4ND + 4BD)  the cell c of each LSTM and rank [4, B, D];
 *   then D zeros      (the h a video starts from), written at step 0.
 * A step reads h at the frame visited one step earlier (t - 1 forward, t + 1
 * backward) and writes h at frame t, so no invocation ever reads what another
 * writes in the same dispatch; c[l, b, j] is read and written by the one
 * invocation that owns unit j of (l, b). So one read_write buffer, bound once,
 * carries the whole recurrence, and tfjs runs the program T times into the same
 * output tensor (runWebGPUProgram's `output`): no copies between steps.
 *
 * Step k (uniform `step`) visits frame t = k (forward) or T-1-k (backward).
 * Only videos that have a frame t do anything: forward, a video stops after
 * its last frame; backward, it starts at its own last frame, from zeros (h
 * from the zero row, c = 0), exactly as the op path (`lstmOps`), whose padded
 * frames carry the state unchanged. Nothing is computed or written for padding,
 * so a batch costs what its real frames cost, tile by tile.
 *
 * Grid: x = units (U adjacent units per invocation), y = the four LSTMs, z =
 * batch tiles (BT ranks per invocation). One invocation computes, for its U
 * units of LSTM l and its BT ranks, the four gate dot products over k = 0..D-1
 * (one vec4 load of W gives the four gates of a unit and serves the BT videos;
 * one load of h serves the U units), both biases (G holds x W_x + b_x, P adds
 * b_h), the peepholes and the cell update. Each recurrent weight is read once
 * per step per batch tile (once per step for the whole batch when BT >= B).
 * Tiles whose videos all lack frame t skip the dot products.
 *
 * Why this shape (measured on SwiftShader, bench/results/RESULTS.md): every load whose
 * address depends on the invocation is an emulated gather costing about 7
 * cycles per 32-bit element, so what counts is loads per multiply-add; the
 * accumulators are named registers, not arrays (dynamic indexing of private
 * arrays is slow everywhere, very slow there); the k loop is unrolled KU times
 * (a CPU implementation pays per loop iteration); the weights of the 4U units
 * of four neighbouring invocations are one sequential stream over k. There is
 * no workgroup memory and no barrier (a barrier is a coroutine switch on a CPU).
 * On a GPU the same program is a batched matrix-vector product with coalesced
 * vec4 loads.
 *
 * Activations mirror tfjs's WebGPU unary ops (sigmoid 1/(1+exp(-x)), tanh
 * through exp(-2|x|)); fluid1 clamps the sigmoid's input to [-40, 13] as
 * Paddle's dynamic_lstm does. `tools/testing/lstmStepCpu.ts` is the plain-TypeScript twin of
 * this shader, loop for loop.
 */
export interface LstmStepShaderConfig {
  /** LSTM width. Baked in, so the dot-product loop has a constant bound. */
  D: number;
  /** Videos per invocation (the batch tile). */
  BT: number;
  /** Units per invocation (adjacent units j, so their weights are adjacent in memory). */
  U: number;
  /** Values of k per iteration of the dot-product loop (unrolled). */
  KU: number;
  /** Invocations per workgroup, along the units. */
  WG: number;
  /** fluid1: peepholes and Paddle's clamped sigmoid. */
  peepholes: boolean;
  clamped: boolean;
}

export function lstmStepShaderKey(c: LstmStepShaderConfig): string {
  return `alstmPackedStep_D${c.D}_BT${c.BT}_U${c.U}_KU${c.KU}_WG${c.WG}_${c.peepholes ? 'peep' : 'nopeep'}_${c.clamped ? 'clamp' : 'plain'}`;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/**
 * The shader is generated for its configuration: the dot products' accumulators
 * are named registers (acc_u_b) and the k loop is unrolled, as private arrays
 * indexed dynamically inside the loop are slow on every GPU and very slow on
 * SwiftShader; the cell update has one call site, after the loop.
 */
export function lstmStepShader(c: LstmStepShaderConfig): string {
  const { D, BT, U } = c;
  const sig = c.clamped ? 'sigm(clamp(x, -40.0, 13.0))' : 'sigm(x)';
  const peep = (gate: string, p: string, cell: string) => (c.peepholes ? `${gate} + ${p} * ${cell}` : gate);
  const us = range(U);
  const bs = range(BT);
  const KU = Math.max(1, Math.min(c.KU, D));
  const TU = 4 * U;
  const NT = Math.ceil(D / TU);
  const mainK = D - (D % KU);
  // The dot products: KU values of k per iteration (loop overhead is large on
  // CPU implementations of WebGPU), then the remainder one by one.
  const body = (kExpr: string) => [
    ...bs.map((b) => `let x_${b} = result[h_${b} + ${kExpr}];`),
    ...us.map((u) => `let wv_${u} = W[w_${u} + (${kExpr}) * ${TU}];`),
    ...us.flatMap((u) => bs.map((b) => `acc_${u}_${b} += wv_${u} * x_${b};`)),
  ];
  const kLoop = () =>
    [
      mainK > 0
        ? `for (var kk = 0; kk < ${mainK}; kk += ${KU}) {\n${range(KU)
            .map((q) => `        {\n          ${body(q === 0 ? 'kk' : `kk + ${q}`).join('\n          ')}\n        }`)
            .join('\n')}\n      }`
        : '',
      mainK < D ? `for (var kk = ${mainK}; kk < D; kk++) {\n        ${body('kk').join('\n        ')}\n      }` : '',
    ].join('\n      ');
  return /* wgsl */ `
  const D = ${D};

  fn sigm(x : f32) -> f32 { return 1.0 / (1.0 + exp(-1.0 * x)); }
  fn gateSigmoid(x : f32) -> f32 { return ${sig}; }
  fn tanh1(a : f32) -> f32 {
    let e2x = exp(-2.0 * abs(a));
    return sign(a) * (1.0 - e2x) / (1.0 + e2x);
  }

  // The packed row of frame t of rank b (valid when t < the rank's length).
  fn rowOf(t : i32, b : i32, B : i32) -> i32 { return R[B + t] + b; }

  // Where h of LSTM l at packed row "row" lives in the state: modality l / 2, column (l % 2) * D.
  fn hBase(l : i32, row : i32, N : i32) -> i32 { return ((l / 2) * N + row) * 2 * D + (l % 2) * D; }

  // Input projection of gate g (0 i, 1 f, 2 c~, 3 o) of unit j at packed row "row".
  fn gateInput(l : i32, row : i32, g : i32, j : i32) -> f32 {
    let idx = (row * 4 + g) * D + j;
    if (l == 0) { return G0[idx]; }
    if (l == 1) { return G1[idx]; }
    if (l == 2) { return G2[idx]; }
    return G3[idx];
  }

  // The cell update of unit j of LSTM l for rank b at frame t (its first frame: c starts at 0),
  // given the recurrent products acc of its four gates.
  fn cellUpdate(l : i32, b : i32, j : i32, t : i32, first : bool, B : i32, N : i32, acc : vec4<f32>) {
    let row = rowOf(t, b, B);
    let cIdx = 4 * N * D + (l * B + b) * D + j;
    let bias = P[(l * 2) * D + j];
    let pe = P[(l * 2 + 1) * D + j];
    let g = acc + bias + vec4<f32>(
      gateInput(l, row, 0, j), gateInput(l, row, 1, j),
      gateInput(l, row, 2, j), gateInput(l, row, 3, j));
    let cPrev = select(result[cIdx], 0.0, first);
    let ig = gateSigmoid(${peep('g.x', 'pe.x', 'cPrev')});
    let fg = gateSigmoid(${peep('g.y', 'pe.y', 'cPrev')});
    let cNew = tanh1(g.z) * ig + cPrev * fg;
    let og = gateSigmoid(${peep('g.w', 'pe.z', 'cNew')});
    result[hBase(l, row, N) + j] = og * tanh1(cNew);
    result[cIdx] = cNew;
  }

  fn main() {
    let j0 = i32(globalId.x) * ${U};
    let l = i32(globalId.y);
    let b0 = i32(globalId.z) * ${BT};
    let B = uniforms.B;
    let T = uniforms.T;
    let N = uniforms.N;
    let k = uniforms.step;
    if (j0 >= D || l >= 4 || b0 >= B) { return; }
    let reverse = (l & 1) == 1;
    let t = select(k, T - 1 - k, reverse);
    let tPrev = select(t - 1, t + 1, reverse);
    let nb = min(${BT}, B - b0);
    let zeroRow = 4 * N * D + 4 * B * D;
    if (k == 0 && l == 0 && b0 == 0) {
      for (var u = 0; u < ${U}; u++) {
        if (j0 + u < D) { result[zeroRow + j0 + u] = 0.0; }
      }
    }

    // Which of this invocation's ranks have a frame t.
    var anyActive = false;
    for (var bb = 0; bb < nb; bb++) {
      if (t < R[b0 + bb]) { anyActive = true; }
    }

    ${us.flatMap((u) => bs.map((b) => `var acc_${u}_${b} = vec4<f32>(0.0);`)).join('\n    ')}
    if (k > 0 && anyActive) {
      // h of the previous frame for each of the tile's ranks: its row, or the zero row (a rank
      // past the batch, without a frame t, or at its first frame: backward, its last).
      ${bs
        .map(
          (b) => `var h_${b} = zeroRow;
      {
        let vb = b0 + ${b};
        if (vb < B) {
          let len = R[vb];
          if (t < len && !(reverse && t == len - 1)) { h_${b} = hBase(l, rowOf(tPrev, vb, B), N); }
        }
      }`,
        )
        .join('\n      ')}
      // W is packed in tiles of ${TU} units (packing.ts); units past D read zeros and are not written.
      let wTile = (l * ${NT} + j0 / ${TU}) * D * ${TU} + j0 % ${TU};
      ${us.map((u) => `let w_${u} = wTile + ${u};`).join('\n      ')}
      ${kLoop()}
    }

    // The cell updates, one call site (a shader compiler, SwiftShader's above all,
    // is slow on a body repeated U * BT times): the accumulators go through a
    // small private array, read with a dynamic index once per unit and video.
    var accs : array<vec4<f32>, ${U * BT}>;
    ${us.flatMap((u) => bs.map((b) => `accs[${u * BT + b}] = acc_${u}_${b};`)).join('\n    ')}
    for (var u = 0; u < ${U}; u++) {
      if (j0 + u >= D) { break; }
      for (var bb = 0; bb < nb; bb++) {
        let b = b0 + bb;
        let len = R[b];
        if (t < len) {
          let first = select(t == 0, t == len - 1, reverse);
          cellUpdate(l, b, j0 + u, t, first, B, N, accs[u * ${BT} + bb]);
        }
      }
    }
  }
`;
}
