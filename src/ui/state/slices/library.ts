import type { FeatureSource, FileEnd, ReadChoices } from '../../../protocol/protocol';
import type { AppState, SliceContext, Slice } from '../types';
import type { VideoRow } from './videos';

/** How the read of a file went, as the list and the dataset view say it. */
export interface FileLoad extends FileEnd {
  /** Whether its source is still at hand (a file given in this page), so that it can be read again. */
  resumable: boolean;
}

/** Files given again that are already listed: the page asks what to do before reading them. */
interface FilePrompt {
  files: string[];
  /** Videos of those files listed now. */
  listed: number;
  /** Of those files, the ones read only in part (cancelled or failed). */
  partial: string[];
}

/** The user's answer: read only the videos not listed, read every video again, or leave the files out. */
type FilePromptChoice = 'new' | 'again' | 'skip';

/** Something just removed that can be put back: the rows where they stood, and what else went with them. */
interface UndoOffer {
  id: number;
  message: string;
  rows: { row: VideoRow; index: number }[];
  /** Puts back the rest of what went (the files' states, label assignments, settings). */
  restore?: (s: AppState) => Partial<AppState>;
  /** Runs once the rows are back (settings, which go through their own intent). */
  after?: () => void;
}

export interface LibrarySlice {
  /** By file name: how its last read ended (absent while it was never read or once cleared). */
  fileLoads: Record<string, FileLoad>;
  filePrompt: FilePrompt | null;
  undoOffer: UndoOffer | null;
  /**
   * Reads feature files. Files already listed are not read again at once:
   * the page asks (filePrompt), unless `known` answers for it. Videos whose
   * ids are listed are skipped, and the file's row offers to add them.
   */
  readFeatures(sources: FeatureSource[], opts?: { known?: FilePromptChoice } & ReadChoices): Promise<void>;
  answerFilePrompt(choice: FilePromptChoice): void;
  /** Reads the rest of a file read in part: the videos listed are not read again. */
  resumeFile(file: string): Promise<void>;
  /** Adds the videos of a file that were skipped because their ids were listed. */
  addDuplicates(file: string): Promise<void>;
  /** Forgets a file's note (partial read or duplicates skipped). */
  dismissFile(file: string): void;
  /** Forgets every file's note and the loads under way (a clear); returns the notes, for an Undo. */
  forgetFiles(): Record<string, FileLoad>;
  offerUndo(offer: Omit<UndoOffer, 'id'>): void;
  undo(): Promise<void>;
  dismissUndo(): void;
}

/** How a file's row reads: "shard-1.tfrecord: 285 of ~1,000 read, cancelled". */
export function fileLoadText(f: FileLoad, listed: number): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const of = f.estimate === null ? '' : ` of ${f.state === 'done' ? '' : '~'}${n(f.estimate)}`;
  const how = f.state === 'failed' ? 'stopped by an error' : f.state === 'cancelled' ? 'cancelled' : 'read';
  if (f.state === 'done') {
    const d = f.duplicates.length;
    return `${f.file}: ${n(d)} video${d === 1 ? '' : 's'} not added, ${d === 1 ? 'its id is' : 'their ids are'} already listed`;
  }
  return `${f.file}: ${n(listed)}${of} read, ${how}`;
}

/** Whether a file's note is worth showing: read in part, or videos held back as duplicates. */
export function fileNeedsNote(f: FileLoad): boolean {
  // A file that failed before any video has its error already, and nothing to resume.
  if (f.state === 'failed') return f.records > 0;
  return f.state === 'cancelled' || f.duplicates.length > 0;
}

export function librarySlice({ set, get, env }: SliceContext): Slice<LibrarySlice> {
  /** The sources given, by name: what Resume and "add them again" read. */
  const sources = new Map<string, FeatureSource>();
  /** Files being read by this page's loads: only their ends count (a clear forgets them). */
  const reading = new Map<string, number>();
  const prompts: { prompt: FilePrompt; answer: (c: FilePromptChoice) => void }[] = [];
  /** Positions the user removed, by file: a Resume does not bring them back. */
  const removed = new Map<string, Set<number>>();
  const mark = (rows: readonly { row: VideoRow }[], on: boolean) => {
    for (const { row } of rows) {
      const set = removed.get(row.file) ?? new Set<number>();
      removed.set(row.file, set);
      if (on) set.add(row.index);
      else set.delete(row.index);
    }
  };
  let lastUndo = 0;

  const nameOf = (s: FeatureSource) => (s.kind === 'file' ? s.file.name : s.name);
  const listedIndices = (file: string) =>
    get()
      .videos.filter((v) => v.file === file)
      .map((v) => v.index);

  const read = async (list: FeatureSource[], choices: ReadChoices) => {
    if (!list.length) return;
    for (const s of list) {
      sources.set(nameOf(s), s);
      reading.set(nameOf(s), (reading.get(nameOf(s)) ?? 0) + 1);
    }
    try {
      await env.client.call('addFeatures', { sources: list, ...choices });
    } catch (e) {
      get().notify('error', `The files could not be read: ${(e as Error).message}`);
    }
  };

  const ask = (prompt: FilePrompt) =>
    new Promise<FilePromptChoice>((answer) => {
      prompts.push({ prompt, answer });
      if (prompts.length === 1) set({ filePrompt: prompt });
    });

  return {
    state: {
      fileLoads: {},
      filePrompt: null,
      undoOffer: null,
      readFeatures: async (list, opts = {}) => {
        const { known: answer, ...choices } = opts;
        const listed = new Set(get().videos.map((v) => v.file));
        // Known: some of its videos are listed (a file that failed whole is simply read again).
        const known = list.filter((s) => listed.has(nameOf(s)));
        const fresh = list.filter((s) => !known.includes(s));
        const jobs = [read(fresh, choices)];
        if (known.length) {
          const files = known.map(nameOf);
          const loads = get().fileLoads;
          const choice =
            answer ??
            (await ask({
              files,
              listed: get().videos.filter((v) => files.includes(v.file)).length,
              partial: files.filter((f) => loads[f] && loads[f].state !== 'done'),
            }));
          if (choice === 'new') jobs.push(read(known, { ...choices, skip: Object.fromEntries(files.map((f) => [f, listedIndices(f)])) }));
          else if (choice === 'again') jobs.push(read(known, { ...choices, duplicates: 'add' }));
        }
        await Promise.all(jobs);
      },
      answerFilePrompt: (choice) => {
        const head = prompts.shift();
        set({ filePrompt: prompts[0]?.prompt ?? null });
        head?.answer(choice);
      },
      resumeFile: async (file) => {
        const source = sources.get(file);
        if (!source) return;
        get().dismissFile(file);
        await read([source], { skip: { [file]: [...listedIndices(file), ...(removed.get(file) ?? [])] } });
      },
      addDuplicates: async (file) => {
        const source = sources.get(file);
        const f = get().fileLoads[file];
        if (!source || !f) return;
        get().dismissFile(file);
        await read([source], { duplicates: 'add', only: { [file]: f.duplicates.map((d) => d.index) } });
      },
      dismissFile: (file) =>
        set((s) => {
          const fileLoads = { ...s.fileLoads };
          delete fileLoads[file];
          return { fileLoads };
        }),
      forgetFiles: () => {
        const was = get().fileLoads;
        reading.clear();
        set({ fileLoads: {} });
        return was;
      },
      offerUndo: (offer) => {
        mark(offer.rows, true);
        set({ undoOffer: { ...offer, id: ++lastUndo } });
      },
      undo: async () => {
        const offer = get().undoOffer;
        if (!offer) return;
        set({ undoOffer: null });
        const keys = offer.rows.map((r) => r.row.key);
        let back: string[];
        try {
          back = await env.client.call('restoreVideos', { keys });
        } catch (e) {
          get().notify('error', `The videos could not be put back: ${(e as Error).message}`);
          return;
        }
        const ok = new Set(back);
        mark(
          offer.rows.filter((r) => ok.has(r.row.key)),
          false,
        );
        set((s) => {
          const videos = s.videos.slice();
          const present = new Set(videos.map((v) => v.key));
          for (const { row, index } of [...offer.rows].sort((a, b) => a.index - b.index)) {
            if (!ok.has(row.key) || present.has(row.key)) continue;
            videos.splice(Math.min(index, videos.length), 0, row.status === 'running' ? { ...row, status: 'queued' } : row);
          }
          return { videos, ...offer.restore?.(s) };
        });
        offer.after?.();
        if (back.length < keys.length) {
          const n = keys.length - back.length;
          get().notify(
            'warning',
            `${n} video${n === 1 ? '' : 's'} could not be put back (removed too long ago, or a new model was loaded since): add ${n === 1 ? 'its' : 'their'} file again.`,
          );
        }
        void get().refreshDataset();
      },
      dismissUndo: () => set({ undoOffer: null }),
    },
    events: {
      fileEnd: ({ end }) => {
        const n = reading.get(end.file);
        // A file of a load cleared away: its end is no news.
        if (!n) return;
        if (n === 1) reading.delete(end.file);
        else reading.set(end.file, n - 1);
        set((s) => ({ fileLoads: { ...s.fileLoads, [end.file]: { ...end, resumable: sources.has(end.file) } } }));
      },
      // Rows put back by an Undo belong to the model they were predicted with.
      model: (e, before) => {
        if (before.model?.id !== e.model.id && get().undoOffer) set({ undoOffer: null });
      },
    },
  };
}
