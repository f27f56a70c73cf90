/** mulberry32: small, fast and seedable, so training runs repeat exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller) from a uniform generator. */
export function gaussian(rand: () => number): () => number {
  return () => {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };
}

/** Fisher-Yates with a seeded generator. */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** A seeded train/validation split: `validation` is the fraction held out (0.15 by default). */
function split<T>(items: readonly T[], seed: number, validation = 0.15): { train: T[]; validation: T[] } {
  const s = shuffled(items, seededRandom(seed));
  const nVal = items.length > 1 ? Math.max(1, Math.round(items.length * validation)) : 0;
  return { train: s.slice(nVal), validation: s.slice(0, nVal) };
}

/**
 * split() over groups: the items of one group (the windows of one video) all
 * train or all validate, so validation never sees a video it trained on. The
 * fraction counts groups; an item without a group is a group of its own.
 */
export function splitByGroup<T>(
  items: readonly T[],
  groupOf: (item: T) => string | undefined,
  seed: number,
  validation = 0.15,
): { train: T[]; validation: T[] } {
  const groups = new Map<string, T[]>();
  items.forEach((item, i) => {
    const key = groupOf(item) ?? `\u0000item ${i}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(item);
  });
  const s = split([...groups.values()], seed, validation);
  return { train: s.train.flat(), validation: s.validation.flat() };
}
