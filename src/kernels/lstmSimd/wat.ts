/**
 * The WebAssembly text of the LSTM's SIMD kernels (lstmSimd.ts runs them),
 * generated because their inner loops are unrolled by hand. The binary is
 * built from it by `npm run build:lstm-simd` (wabt) into binary.generated.ts,
 * and a test rebuilds it and compares, so the two cannot drift apart.
 *
 * Layout, all in float32 and bytes offsets into one memory:
 * - weights: panels of 32 columns, `[4Dp / 32][Dp][32]`, rows (k) beyond D and
 *   columns of the padding zero, where Dp is D rounded up to 8 and column
 *   g Dp + j holds gate g (i, f, c~, o) of unit j;
 * - h `[n, Dp]`, the products `[n, 4Dp]`, c `[n, Dp]`: by rank;
 * - the input projections `[N, 4Dp]` and the outputs `[N, Dp]`: by packed row.
 *
 * `matmul` is a range of whole panels of y = h W for n rows (a thread's
 * share: recurrence.ts): two rows at a time with 16 columns (8
 * accumulators, each weight loaded once for both rows), the odd row with 32
 * columns (8 accumulators for one row); both faster per row than XNNPACK's
 * fully connected operator, which tfjs-wasm's matMul runs (measured in
 * Chromium: bench/results/RESULTS.md).
 *
 * `gates` is the rest of a step for n ranks and a range of units (the same
 * thread's), four units at a time: i, f (with
 * their peepholes on c_{t-1}) and c~ from the projections, the biases and the
 * products; the cell; o with its peephole on c_t; h = o tanh(c). The clamp
 * (fluid1's [-40, 13]) comes as two parameters, infinite for pdparams.
 * sigmoid(x) is exp(-|x|) / (1 + exp(-|x|)), mirrored for x > 0, with exp by
 * range reduction to [-ln2/2, ln2/2] and a degree-5 polynomial (XNNPACK's
 * rr2-p5 scheme: within 3 ulp, lstmSimd.test.ts measures it); tanh x =
 * sign(x) (1 - 2 sigmoid(-2|x|)), exact near +-1.
 */

import { LSTM_SIMD_PANEL as PANEL } from './layout';

/** y[r] += for one k, r < R, columns [a*4, a*4 + 4) of the group. */
function microKernel(name: string, R: number, C: number): string {
  const A = C / 4;
  const locals: string[] = ['(local $wv v128)'];
  for (let r = 0; r < R; r++) {
    locals.push(`(local $x${r} v128)`);
    for (let a = 0; a < A; a++) locals.push(`(local $a${r}_${a} v128)`);
  }
  const zero = [];
  for (let r = 0; r < R; r++) for (let a = 0; a < A; a++) zero.push(`(local.set $a${r}_${a} (v128.const i32x4 0 0 0 0))`);
  const body = [];
  for (let r = 0; r < R; r++)
    body.push(`(local.set $x${r} (v128.load32_splat (i32.add (local.get $hp) (i32.mul (i32.const ${r}) (local.get $ldh)))))`);
  // Each weight vector is loaded once into a local for all the rows: Node 20's V8 does not merge repeated
  // loads of one address, and loaded them once per row (with spills), which was slower.
  for (let a = 0; a < A; a++) {
    body.push(`(local.set $wv (v128.load offset=${a * 16} (local.get $wp)))`);
    for (let r = 0; r < R; r++) {
      body.push(`(local.set $a${r}_${a} (f32x4.add (local.get $a${r}_${a}) (f32x4.mul (local.get $wv) (local.get $x${r}))))`);
    }
  }
  const store = [];
  for (let r = 0; r < R; r++)
    for (let a = 0; a < A; a++)
      store.push(
        `(v128.store offset=${a * 16} (i32.add (local.get $yp) (i32.mul (i32.const ${r}) (local.get $ldy))) (local.get $a${r}_${a}))`,
      );
  return `
  ;; ${R} row(s) x ${C} columns at a time, over every panel.
  (func $${name} (param $w i32) (param $h i32) (param $y i32) (param $K i32) (param $c0 i32) (param $c1 i32) (param $ldh i32) (param $ldy i32)
    (local $p i32) (local $g i32) (local $k i32) (local $wp i32) (local $hp i32) (local $yp i32)
    ${locals.join(' ')}
    (local.set $p (local.get $c0))
    (block $done (loop $panel
      (br_if $done (i32.ge_u (local.get $p) (local.get $c1)))
      (local.set $g (i32.const 0))
      (loop $group
        ${zero.join('\n        ')}
        (local.set $hp (local.get $h))
        (local.set $wp (i32.add (i32.add (local.get $w) (i32.mul (local.get $p) (i32.shl (local.get $K) (i32.const 2)))) (i32.shl (local.get $g) (i32.const 2))))
        (local.set $k (i32.const 0))
        (loop $kl
          ${body.join('\n          ')}
          (local.set $wp (i32.add (local.get $wp) (i32.const ${PANEL * 4})))
          (local.set $hp (i32.add (local.get $hp) (i32.const 4)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $kl (i32.lt_u (local.get $k) (local.get $K))))
        (local.set $yp (i32.add (local.get $y) (i32.shl (i32.add (local.get $p) (local.get $g)) (i32.const 2))))
        ${store.join('\n        ')}
        (local.set $g (i32.add (local.get $g) (i32.const ${C})))
        (br_if $group (i32.lt_u (local.get $g) (i32.const ${PANEL}))))
      (local.set $p (i32.add (local.get $p) (i32.const ${PANEL})))
      (br $panel))))`;
}

const f32x4 = (x: string) => `(v128.const f32x4 ${x} ${x} ${x} ${x})`;

/** XNNPACK's rr2-p5 constants (hexadecimal floats, exact in float32). */
const SIGMOID_CONSTANTS: Record<string, string> = {
  magic: '0x1.8000FEp23',
  log2e: '0x1.715476p+0',
  ln2hi: '-0x1.62E400p-1',
  ln2lo: '-0x1.7F7D1Cp-20',
  c5: '0x1.0F9F9Cp-7',
  c4: '0x1.573A1Ap-5',
  c3: '0x1.555A80p-3',
  c2: '0x1.FFFDC6p-2',
  c1: '0x1.FFFFF6p-1',
  one: '1.0',
  cutoff: '-0x1.5D589Ep+6',
};

/** Instructions that set local `out` (which may be `x`) to sigmoid(local `x`), through the scratch locals $sz $sn $ss $st $sp $se. */
function sigmoid(x: string, out: string): string {
  const k = (n: string) => `(local.get $K_${n})`;
  return `
        ;; sigmoid(${x}) into ${out}: z = -|x|, exp(z) = 2^n exp(t)
        (local.set $sz (v128.or (local.get ${x}) ${k('sign')}))
        (local.set $sn (f32x4.add (f32x4.mul (local.get $sz) ${k('log2e')}) ${k('magic')}))
        (local.set $ss (i32x4.shl (local.get $sn) (i32.const 23)))
        (local.set $sn (f32x4.sub (local.get $sn) ${k('magic')}))
        (local.set $st (f32x4.add (f32x4.mul (local.get $sn) ${k('ln2hi')}) (local.get $sz)))
        (local.set $st (f32x4.add (f32x4.mul (local.get $sn) ${k('ln2lo')}) (local.get $st)))
        (local.set $sp (f32x4.add (f32x4.mul ${k('c5')} (local.get $st)) ${k('c4')}))
        (local.set $sp (f32x4.add (f32x4.mul (local.get $sp) (local.get $st)) ${k('c3')}))
        (local.set $sp (f32x4.add (f32x4.mul (local.get $sp) (local.get $st)) ${k('c2')}))
        (local.set $sp (f32x4.add (f32x4.mul (local.get $sp) (local.get $st)) ${k('c1')}))
        (local.set $st (f32x4.mul (local.get $st) (local.get $ss)))
        (local.set $se (f32x4.add (f32x4.mul (local.get $st) (local.get $sp)) (local.get $ss)))
        (local.set $se (f32x4.div (local.get $se) (f32x4.add (local.get $se) ${k('one')})))
        ;; exp(z) is 0 below the cutoff (where 2^n would be a denormal)
        (local.set $se (v128.andnot (local.get $se) (f32x4.lt (local.get $sz) ${k('cutoff')})))
        ;; sigmoid(x) = 1 - sigmoid(-x) for x > 0
        (local.set ${out} (v128.bitselect (f32x4.sub ${k('one')} (local.get $se)) (local.get $se) (f32x4.gt (local.get ${x}) (v128.const i32x4 0 0 0 0))))`;
}

/** Instructions that set `out` (which may be `x`) to tanh(local `x`) = sign(x) (1 - 2 sigmoid(-2|x|)), through local $ta. */
function tanh(x: string, out: string): string {
  return `
        (local.set $ta (f32x4.mul (v128.or (local.get ${x}) (local.get $K_sign)) (local.get $K_two)))
        ${sigmoid('$ta', '$ta')}
        (local.set ${out} (v128.or (f32x4.sub (local.get $K_one) (f32x4.add (local.get $ta) (local.get $ta))) (v128.and (local.get ${x}) (local.get $K_sign))))`;
}

const CONSTANTS = { ...SIGMOID_CONSTANTS, two: '2.0' };
const kLocals =
  Object.keys(CONSTANTS)
    .map((n) => `(local $K_${n} v128)`)
    .join(' ') + ' (local $K_sign v128)';
const kInit =
  Object.entries(CONSTANTS)
    .map(([n, v]) => `(local.set $K_${n} ${f32x4(v)})`)
    .join('\n    ') + '\n    (local.set $K_sign (v128.const i32x4 0x80000000 0x80000000 0x80000000 0x80000000))';
const sigmoidLocals =
  '(local $sz v128) (local $sn v128) (local $ss v128) (local $st v128) (local $sp v128) (local $se v128) (local $ta v128)';

/** sigmoid and tanh in place over n values (n a multiple of 4), for lstmSimd.test.ts to measure them. */
function elementwise(): string {
  const fn = (name: string, op: (x: string, out: string) => string) => `
  (func (export "${name}") (param $p i32) (param $n i32)
    (local $end i32) (local $x v128)
    ${sigmoidLocals}
    ${kLocals}
    ${kInit}
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (local.set $x (v128.load (local.get $p)))
      ${op('$x', '$x')}
      (v128.store (local.get $p) (local.get $x))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $each))))`;
  return fn('sigmoid', sigmoid) + fn('tanh', tanh);
}

function gates(): string {
  const load = (base: string, gate: number) =>
    `(v128.load (i32.add (local.get ${base}) (i32.add (local.get $j) (i32.mul (local.get $gateBytes) (i32.const ${gate})))))`;
  return `
  ;; The gate arithmetic of one step for n ranks, units [u0, u1) (module comment): rank i reads its
  ;; projections at row rows[i] of G and writes h to row orows[i] of out (rows ostride bytes apart) and to
  ;; its own buffer, not the one the step's product read (another thread may still be reading that).
  (func (export "gates") (param $G i32) (param $rows i32) (param $n i32) (param $Dp i32) (param $mm i32) (param $bias i32) (param $peep i32)
      (param $c i32) (param $h i32) (param $out i32) (param $orows i32) (param $ostride i32) (param $lo f32) (param $hi f32) (param $u0 i32) (param $u1 i32)
    (local $i i32) (local $j i32) (local $row i32) (local $gateBytes i32) (local $gp i32) (local $mp i32) (local $cp i32) (local $hp i32) (local $op i32)
    (local $vlo v128) (local $vhi v128) (local $cPrev v128) (local $cNew v128)
    (local $gi v128) (local $gf v128) (local $gc v128) (local $go v128) (local $tc v128)
    ${sigmoidLocals}
    ${kLocals}
    ${kInit}
    (local.set $vlo (f32x4.splat (local.get $lo)))
    (local.set $vhi (f32x4.splat (local.get $hi)))
    (local.set $gateBytes (i32.shl (local.get $Dp) (i32.const 2)))
    (block $ranksDone (loop $ranks
      (br_if $ranksDone (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $row (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $gp (i32.add (local.get $G) (i32.mul (local.get $row) (i32.shl (local.get $gateBytes) (i32.const 2)))))
      (local.set $mp (i32.add (local.get $mm) (i32.mul (local.get $i) (i32.shl (local.get $gateBytes) (i32.const 2)))))
      (local.set $cp (i32.add (local.get $c) (i32.mul (local.get $i) (local.get $gateBytes))))
      (local.set $hp (i32.add (local.get $h) (i32.mul (local.get $i) (local.get $gateBytes))))
      (local.set $op (i32.add (local.get $out) (i32.mul (i32.load (i32.add (local.get $orows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $ostride))))
      (local.set $j (i32.shl (local.get $u0) (i32.const 2)))
      (block $unitsDone (loop $units
        (br_if $unitsDone (i32.ge_u (local.get $j) (i32.shl (local.get $u1) (i32.const 2))))
        (local.set $cPrev (v128.load (i32.add (local.get $cp) (local.get $j))))
        ;; the pre-activations: projection + bias + product (+ peephole on c_{t-1}), in that order
        (local.set $gi (f32x4.add (f32x4.add (f32x4.add ${load('$gp', 0)} ${load('$bias', 0)}) ${load('$mp', 0)})
          (f32x4.mul ${load('$peep', 0)} (local.get $cPrev))))
        (local.set $gf (f32x4.add (f32x4.add (f32x4.add ${load('$gp', 1)} ${load('$bias', 1)}) ${load('$mp', 1)})
          (f32x4.mul ${load('$peep', 1)} (local.get $cPrev))))
        (local.set $gc (f32x4.add (f32x4.add ${load('$gp', 2)} ${load('$bias', 2)}) ${load('$mp', 2)}))
        (local.set $go (f32x4.add (f32x4.add ${load('$gp', 3)} ${load('$bias', 3)}) ${load('$mp', 3)}))
        (local.set $gi (f32x4.min (local.get $vhi) (f32x4.max (local.get $vlo) (local.get $gi))))
        (local.set $gf (f32x4.min (local.get $vhi) (f32x4.max (local.get $vlo) (local.get $gf))))
        ${sigmoid('$gi', '$gi')}
        ${sigmoid('$gf', '$gf')}
        ${tanh('$gc', '$tc')}
        (local.set $cNew (f32x4.add (f32x4.mul (local.get $tc) (local.get $gi)) (f32x4.mul (local.get $cPrev) (local.get $gf))))
        (local.set $go (f32x4.add (local.get $go) (f32x4.mul ${load('$peep', 2)} (local.get $cNew))))
        (local.set $go (f32x4.min (local.get $vhi) (f32x4.max (local.get $vlo) (local.get $go))))
        ${sigmoid('$go', '$go')}
        ${tanh('$cNew', '$tc')}
        (v128.store (i32.add (local.get $cp) (local.get $j)) (local.get $cNew))
        (local.set $tc (f32x4.mul (local.get $go) (local.get $tc)))
        (v128.store (i32.add (local.get $hp) (local.get $j)) (local.get $tc))
        (v128.store (i32.add (local.get $op) (local.get $j)) (local.get $tc))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $units)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $ranks))))`;
}

/**
 * The rest of a forward pass (lstmSimd/model.ts): a layer's bias and activation, the attention's scores and
 * weighted sums, and the packing of weights into panels as they are read.
 */
function forwardKernels(): string {
  return `
  ;; y[r, 0..M) = act(y[r, 0..M) + b[0..M)) for r < n, rows ldy bytes apart, M a multiple of 4;
  ;; act 0: none, 1: tanh, 2: relu.
  (func (export "bias_act") (param $y i32) (param $ldy i32) (param $n i32) (param $M i32) (param $b i32) (param $act i32)
    (local $r i32) (local $j i32) (local $yp i32) (local $x v128) (local $end i32)
    ${sigmoidLocals}
    ${kLocals}
    ${kInit}
    (local.set $end (i32.shl (local.get $M) (i32.const 2)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $yp (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $ldy))))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $end)))
        (local.set $x (f32x4.add (v128.load (i32.add (local.get $yp) (local.get $j))) (v128.load (i32.add (local.get $b) (local.get $j)))))
        (if (i32.eq (local.get $act) (i32.const 1)) (then ${tanh('$x', '$x')}))
        (if (i32.eq (local.get $act) (i32.const 2)) (then (local.set $x (f32x4.max (local.get $x) (v128.const i32x4 0 0 0 0)))))
        (v128.store (i32.add (local.get $yp) (local.get $j)) (local.get $x))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; out[r] = sum over k < K of x[r, k] w[k] for r < n, rows ldx bytes apart, K a multiple of 16.
  (func (export "dots") (param $x i32) (param $ldx i32) (param $n i32) (param $K i32) (param $w i32) (param $out i32)
    (local $r i32) (local $k i32) (local $xp i32) (local $end i32) (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $end (i32.shl (local.get $K) (i32.const 2)))
    (block $rowsDone (loop $rows
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $n)))
      (local.set $xp (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $ldx))))
      (local.set $a0 (v128.const i32x4 0 0 0 0)) (local.set $a1 (v128.const i32x4 0 0 0 0))
      (local.set $a2 (v128.const i32x4 0 0 0 0)) (local.set $a3 (v128.const i32x4 0 0 0 0))
      (local.set $k (i32.const 0))
      (block $kDone (loop $ks
        (br_if $kDone (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load (i32.add (local.get $xp) (local.get $k))) (v128.load (i32.add (local.get $w) (local.get $k))))))
        (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (v128.load offset=16 (i32.add (local.get $xp) (local.get $k))) (v128.load offset=16 (i32.add (local.get $w) (local.get $k))))))
        (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (v128.load offset=32 (i32.add (local.get $xp) (local.get $k))) (v128.load offset=32 (i32.add (local.get $w) (local.get $k))))))
        (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (v128.load offset=48 (i32.add (local.get $xp) (local.get $k))) (v128.load offset=48 (i32.add (local.get $w) (local.get $k))))))
        (local.set $k (i32.add (local.get $k) (i32.const 64)))
        (br $ks)))
      (local.set $a0 (f32x4.add (f32x4.add (local.get $a0) (local.get $a1)) (f32x4.add (local.get $a2) (local.get $a3))))
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
        (f32.add (f32.add (f32x4.extract_lane 0 (local.get $a0)) (f32x4.extract_lane 1 (local.get $a0)))
                 (f32.add (f32x4.extract_lane 2 (local.get $a0)) (f32x4.extract_lane 3 (local.get $a0)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; out[0..width) = sum over i < count of a[i] H[rows[i], 0..width), rows ldh bytes apart, width a
  ;; multiple of 4; the rows in order, each added to out (which stays in the cache).
  (func (export "weighted_rows") (param $H i32) (param $ldh i32) (param $rows i32) (param $a i32) (param $count i32) (param $width i32) (param $out i32)
    (local $i i32) (local $j i32) (local $hp i32) (local $s v128) (local $end i32)
    (local.set $end (i32.shl (local.get $width) (i32.const 2)))
    (block $zeroed (loop $zero
      (br_if $zeroed (i32.ge_u (local.get $j) (local.get $end)))
      (v128.store (i32.add (local.get $out) (local.get $j)) (v128.const i32x4 0 0 0 0))
      (local.set $j (i32.add (local.get $j) (i32.const 16)))
      (br $zero)))
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (local.get $count)))
      (local.set $hp (i32.add (local.get $H) (i32.mul (i32.load (i32.add (local.get $rows) (i32.shl (local.get $i) (i32.const 2)))) (local.get $ldh))))
      (local.set $s (v128.load32_splat (i32.add (local.get $a) (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $j (i32.const 0))
      (block $colsDone (loop $cols
        (br_if $colsDone (i32.ge_u (local.get $j) (local.get $end)))
        (v128.store (i32.add (local.get $out) (local.get $j))
          (f32x4.add (v128.load (i32.add (local.get $out) (local.get $j))) (f32x4.mul (local.get $s) (v128.load (i32.add (local.get $hp) (local.get $j))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))

  ;; Rows [0, rows) of a row-major matrix at src (rows lds bytes apart, ncols columns) into the panel
  ;; layout [cols / ${PANEL}][K][${PANEL}] at dst: element (r, j) to row k0 + r, column dcol0 + j. Four at a
  ;; time when dcol0 is a multiple of 4 (they stay in one panel), else one at a time.
  (func (export "pack") (param $src i32) (param $lds i32) (param $rows i32) (param $ncols i32) (param $dst i32) (param $K i32) (param $k0 i32) (param $dcol0 i32)
    (local $r i32) (local $j i32) (local $c i32) (local $sp i32) (local $rowBase i32) (local $panelBytes i32) (local $vec i32)
    (local.set $panelBytes (i32.mul (local.get $K) (i32.const ${PANEL * 4})))
    (local.set $vec (select (i32.and (local.get $ncols) (i32.const -4)) (i32.const 0) (i32.eqz (i32.and (local.get $dcol0) (i32.const 3)))))
    (block $rowsDone (loop $rowsL
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $sp (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $lds))))
      (local.set $rowBase (i32.add (local.get $dst) (i32.mul (i32.add (local.get $k0) (local.get $r)) (i32.const ${PANEL * 4}))))
      (local.set $j (i32.const 0))
      (block $vDone (loop $v
        (br_if $vDone (i32.ge_u (local.get $j) (local.get $vec)))
        (local.set $c (i32.add (local.get $dcol0) (local.get $j)))
        (v128.store (i32.add (i32.add (local.get $rowBase) (i32.mul (i32.shr_u (local.get $c) (i32.const 5)) (local.get $panelBytes)))
                             (i32.shl (i32.and (local.get $c) (i32.const 31)) (i32.const 2)))
          (v128.load (i32.add (local.get $sp) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $v)))
      (block $sDone (loop $s
        (br_if $sDone (i32.ge_u (local.get $j) (local.get $ncols)))
        (local.set $c (i32.add (local.get $dcol0) (local.get $j)))
        (f32.store (i32.add (i32.add (local.get $rowBase) (i32.mul (i32.shr_u (local.get $c) (i32.const 5)) (local.get $panelBytes)))
                            (i32.shl (i32.and (local.get $c) (i32.const 31)) (i32.const 2)))
          (f32.load (i32.add (local.get $sp) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $s)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rowsL))))`;
}

/** The module's text; `shared` imports a shared memory (for threads), else a plain one. */
export function lstmSimdWat(shared: boolean): string {
  return `(module
  (import "env" "memory" (memory 1 32768${shared ? ' shared' : ''}))
  ${microKernel('rows2', 2, 16)}
  ${microKernel('rows1', 1, 32)}

  ;; Columns [c0, c1) (whole panels) of y [n, cols] = h [n, K] W: pairs of rows, then the odd one.
  (func (export "matmul") (param $w i32) (param $h i32) (param $y i32) (param $K i32) (param $cols i32) (param $c0 i32) (param $c1 i32) (param $n i32)
    (local $i i32) (local $ldh i32) (local $ldy i32)
    (local.set $ldh (i32.shl (local.get $K) (i32.const 2)))
    (local.set $ldy (i32.shl (local.get $cols) (i32.const 2)))
    (block $done (loop $pairs
      (br_if $done (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n)))
      (call $rows2 (local.get $w) (i32.add (local.get $h) (i32.mul (local.get $i) (local.get $ldh))) (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $ldy)))
        (local.get $K) (local.get $c0) (local.get $c1) (local.get $ldh) (local.get $ldy))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $pairs)))
    (if (i32.lt_u (local.get $i) (local.get $n))
      (then (call $rows1 (local.get $w) (i32.add (local.get $h) (i32.mul (local.get $i) (local.get $ldh))) (i32.add (local.get $y) (i32.mul (local.get $i) (local.get $ldy)))
        (local.get $K) (local.get $c0) (local.get $c1) (local.get $ldh) (local.get $ldy)))))
  ${gates()}
  ${forwardKernels()}
  ${elementwise()}
)
`;
}
