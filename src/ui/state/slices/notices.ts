import type { SliceContext, Slice } from '../types';

export type NoticeLevel = 'info' | 'warning' | 'error';

export interface Notice {
  id: number;
  level: NoticeLevel;
  message: string;
  /** How many times it was said: the same message again counts here rather than stacking. */
  count: number;
}

/** At most this many notices are kept; past it the oldest of the least serious level goes first. */
export const MAX_NOTICES = 4;

const SEVERITY: Record<NoticeLevel, number> = { info: 0, warning: 1, error: 2 };

/** What the user should know that is not on screen otherwise: errors, warnings, what waits for a fine-tune. */
export interface NoticesSlice {
  /** Oldest first; at most MAX_NOTICES. */
  notices: Notice[];
  /** Notices dropped to keep to MAX_NOTICES since the last `dismissAll`. */
  noticesDropped: number;
  /**
   * Adds a notice. The same message again replaces the old one (now the
   * newest, counted, at the more serious of the two levels) rather than
   * stacking; past MAX_NOTICES the oldest info goes, then the oldest warning,
   * then the oldest error.
   */
  notify(level: NoticeLevel, message: string): void;
  dismiss(id: number): void;
  dismissAll(): void;
}

/** The notices after one more: deduplicated, capped. */
export function addNotice(
  notices: readonly Notice[],
  next: Omit<Notice, 'count'>,
  max = MAX_NOTICES,
): { notices: Notice[]; dropped: number } {
  const old = notices.find((n) => n.message === next.message);
  const level = old && SEVERITY[old.level] > SEVERITY[next.level] ? old.level : next.level;
  const list = [...notices.filter((n) => n !== old), { ...next, level, count: (old?.count ?? 0) + 1 }];
  let dropped = 0;
  while (list.length > max) {
    const least = Math.min(...list.slice(0, -1).map((n) => SEVERITY[n.level]));
    list.splice(
      list.findIndex((n) => SEVERITY[n.level] === least),
      1,
    );
    dropped++;
  }
  return { notices: list, dropped };
}

/**
 * A file's warnings as notices: the frame cap's cut as the reader says it
 * (how many videos, to how many frames, how many frames left out); records
 * skipped or changed counted in one more.
 */
export function fileWarnings(file: string, warnings: readonly string[]): string[] {
  const cut = warnings.filter((w) => /longer than the frame cap/.test(w));
  const other = warnings.filter((w) => !cut.includes(w));
  const out = cut.map((w) => `${w}. The frame cap is a setting of the Model panel.`);
  const n = other.length;
  if (n) out.push(`${file}: ${n} record${n === 1 ? '' : 's'} skipped or changed (${other[0]}${n > 1 ? ', …' : ''})`);
  return out;
}

export function noticesSlice({ set }: SliceContext): Slice<NoticesSlice> {
  let lastId = 0;
  const notify = (level: NoticeLevel, message: string) =>
    set((s) => {
      const { notices, dropped } = addNotice(s.notices, { id: ++lastId, level, message });
      return { notices, noticesDropped: s.noticesDropped + dropped };
    });
  return {
    state: {
      notices: [],
      noticesDropped: 0,
      notify,
      dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
      dismissAll: () => set({ notices: [], noticesDropped: 0 }),
    },
    events: {
      notice: (e) => notify(e.level, e.message),
      fileError: (e) => notify('error', e.message),
    },
  };
}
