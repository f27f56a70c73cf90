import type { DatasetReport } from '../../protocol/protocol';

/** One class's average precision under two models (null: not scored by that model), and the change. */
export interface ClassDelta {
  name: string;
  before: number | null;
  after: number | null;
  /** after − before; null unless both scored it. */
  diff: number | null;
  /** Labelled videos with the class (the larger count of the two). */
  positives: number;
}

/**
 * Per-class AP of two models over the same videos, matched by class name
 * (a fine-tuned head numbers its classes anew); classes no labelled video
 * has are left out. Largest changes first, then classes only one model scores.
 */
export function classDeltas(
  before: DatasetReport | null,
  beforeNames: readonly string[],
  after: DatasetReport | null,
  afterNames: readonly string[],
): ClassDelta[] {
  const rows = new Map<string, ClassDelta>();
  const row = (name: string) => {
    let r = rows.get(name);
    if (!r) rows.set(name, (r = { name, before: null, after: null, diff: null, positives: 0 }));
    return r;
  };
  for (const c of before?.figures?.classes ?? []) {
    if (c.positives === 0) continue;
    const r = row(beforeNames[c.class] ?? `class ${c.class}`);
    r.before = c.ap;
    r.positives = Math.max(r.positives, c.positives);
  }
  for (const c of after?.figures?.classes ?? []) {
    if (c.positives === 0) continue;
    const r = row(afterNames[c.class] ?? `class ${c.class}`);
    r.after = c.ap;
    r.positives = Math.max(r.positives, c.positives);
  }
  for (const r of rows.values()) r.diff = r.before !== null && r.after !== null ? r.after - r.before : null;
  return [...rows.values()].sort((a, b) => {
    if ((a.diff === null) !== (b.diff === null)) return a.diff === null ? 1 : -1;
    return Math.abs(b.diff ?? 0) - Math.abs(a.diff ?? 0) || a.name.localeCompare(b.name);
  });
}

/** A video whose top class differs between the two models (by name). */
export interface TopChange {
  key: string;
  id: string;
  /** Its place in the list. */
  index: number;
  before: string;
  after: string;
}

/** The videos predicted by both models whose top class changed, in list order. */
export function topChanges(
  beforeTops: Readonly<Record<string, number>>,
  beforeNames: readonly string[],
  rows: readonly { key: string; id: string; result?: { figures: { top: number } } }[],
  afterNames: readonly string[],
): TopChange[] {
  const out: TopChange[] = [];
  rows.forEach((v, index) => {
    const b = beforeTops[v.key];
    if (b === undefined || !v.result) return;
    const before = beforeNames[b] ?? `class ${b}`;
    const after = afterNames[v.result.figures.top] ?? `class ${v.result.figures.top}`;
    if (before !== after) out.push({ key: v.key, id: v.id, index, before, after });
  });
  return out;
}
