/**
 * What upstream's segment ranking sees of a probability. `inference.py`
 * writes each window's top classes to a temporary file as `"%i %g"` and reads
 * the scores back with float() before its per-class heaps rank them, so a
 * window's score there is its probability rounded to 6 significant digits
 * (Python's correctly rounded formatting: a value exactly halfway goes to the
 * even digit). Windows whose probabilities agree to 6 digits tie, and the
 * heap's (score, id) tuples break the tie by id.
 *
 * JavaScript's toPrecision rounds the same way except exactly halfway, where
 * it takes the larger digit: such values (dyadic fractions with 7 significant
 * digits, like 0.001953125) are found exactly here and sent to the even one.
 */
export function percentG(x: number): number {
  // Nearly every probability is decided by arithmetic, without a string: y = x 10^k, the exact product rounded
  // once (10^k is exact up to 10^22), lies within 2^-33 of x 10^k, so away from .5 its nearest integer r is
  // the 6 digits toPrecision gives, and r / 10^k (both exact, the quotient rounded once) is the number its text
  // parses to. Near .5, and outside 10^-17..1, the text decides.
  if (x > 1e-17 && x <= 1) {
    const k = 5 - Math.floor(Math.log10(x));
    const y = x * POW10[k];
    if (y >= 1e5 && y < 1e6) {
      const f = y - Math.floor(y);
      if (f < 0.499999 || f > 0.500001) return Math.round(y) / POW10[k];
    }
  }
  return percentGByText(x);
}

/** Exact powers of ten, 10^0..10^22 (parsed, not computed: Math.pow need not be exact). */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** percentG through toPrecision's text: any finite x (exported for the test that holds the two equal). */
export function percentGByText(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const text = x.toPrecision(6);
  if (!isHalfway(Math.abs(x), 6)) return Number(text);
  // toPrecision took the larger of the two neighbours; Python takes the even one.
  const m = /^(-?)(\d)(?:\.(\d*))?(e[+-]\d+)?$/.exec(text);
  if (!m) return Number(text);
  const digits = m[2] + (m[3] ?? '');
  const last = Number(digits[digits.length - 1]);
  if (last % 2 === 0) return Number(text);
  // An odd last digit cannot be the result of a carry, so it steps down without a borrow.
  const down = digits.slice(0, -1) + String(last - 1);
  return Number(`${m[1]}${down[0]}.${down.slice(1)}${m[4] ?? 'e+0'}`.replace(/\.e/, 'e'));
}

const bits = new DataView(new ArrayBuffer(8));

/**
 * Whether positive finite x lies exactly halfway between two numbers of `p`
 * significant digits: 2 x 10^q an odd integer, q = p - 1 - floor(log10 x).
 * With x = M 2^E (M odd), 2 x 10^q = M 2^(E+1+q) 5^q: odd and whole exactly
 * when E + 1 + q = 0 and, for q < 0, 5^-q divides M.
 */
function isHalfway(x: number, p: number): boolean {
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  const lo = bits.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const top = (hi & 0xfffff) | (biased === 0 ? 0 : 0x100000);
  // E once M's trailing zero bits are moved into it.
  const E = (biased === 0 ? -1074 : biased - 1075) + (lo !== 0 ? ctz(lo) : 32 + ctz(top));
  // Halfway needs floor(log10 x) = p + E exactly; log10 is off by at most one, so nearly
  // every probability is ruled out here, before the exact test.
  if (Math.abs(Math.floor(Math.log10(x)) - (p + E)) > 1) return false;
  let M = (BigInt(top) << 32n) | BigInt(lo);
  while ((M & 1n) === 0n) M >>= 1n;
  const e = Number(/e([+-]\d+)$/.exec(x.toExponential(20))![1]);
  const q = p - 1 - e;
  if (E + 1 + q !== 0) return false;
  return q >= 0 || M % 5n ** BigInt(-q) === 0n;
}

/** Trailing zero bits of a nonzero 32-bit value. */
function ctz(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/** Strings ordered as Python orders str (by code point), where JavaScript's < orders UTF-16 code units. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (U+D800..DFFF, the halves of code points past U+FFFF) sort after U+E000..FFFF by code point.
    if (x >= 0xd800) x = x < 0xe000 ? x + 0x2000 : x - 0x800;
    if (y >= 0xd800) y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    return x - y;
  }
  return a.length - b.length;
}
