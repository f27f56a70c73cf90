import type { SliceContext, Slice } from '../types';

export interface Notice {
  id: number;
  level: 'info' | 'warning' | 'error';
  message: string;
}

/** What the user should know that is not on screen otherwise: errors, warnings, what waits for a fine-tune. */
export interface NoticesSlice {
  notices: Notice[];
  /** Adds a notice; the same message again replaces the old one rather than stacking. */
  notify(level: Notice['level'], message: string): void;
  dismiss(id: number): void;
}

export function noticesSlice({ set }: SliceContext): Slice<NoticesSlice> {
  let lastId = 0;
  const notify = (level: Notice['level'], message: string) =>
    set((s) => ({ notices: [...s.notices.filter((n) => n.message !== message), { id: ++lastId, level, message }] }));
  return {
    state: {
      notices: [],
      notify,
      dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
    },
    events: {
      notice: (e) => notify(e.level, e.message),
      fileError: (e) => notify('error', e.message),
    },
  };
}
