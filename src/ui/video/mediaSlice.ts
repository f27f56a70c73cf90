/**
 * The page's side of your own videos (issue 20): the extractor's files
 * (asked for once, kept by the worker), the videos dropped and waiting for
 * labels or for those files, each video's extraction progress, what an
 * extracted video shows (the file itself for the player, its frame times, its
 * filmstrip, its TFRecord), and the player's time, which the heatmaps, the
 * evidence and the segment timeline follow (`playback`), and which they move
 * (`seekVideo`).
 */
import type { ExtractedMedia, ExtractionProgress, ExtractorState } from '../../protocol/protocol';
import type { Slice, SliceContext } from '../state/types';
import { folderOf } from '../drop';
import { parseVideoLabels, type VideoLabelRow } from '../../core/extractor/videoLabels';
import { userMessage } from '../../core/errors';
import { csvLabels, isLabelsCsv, parseLabels, uniqueName } from './videoDrop';

interface MediaEntry extends Omit<ExtractedMedia, 'filmstrip'> {
  /** Object URLs: the dropped file (the player's source) and the filmstrip's one image. */
  url: string;
  filmstrip: { url: string; tileWidth: number; tileHeight: number; columns: number } | null;
  labels: number[] | null;
}

export interface StagedVideos {
  files: File[];
  /** What the labels field starts with: the folder's name when it is a class of the model. */
  suggestedLabels: string;
  /** A labels CSV given with the videos (the upstream extractor's format): it labels the videos it names, the typed labels the rest. */
  labelsCsv: { name: string; rows: VideoLabelRow[] } | null;
}

interface Playback {
  /** The listed file name of the video the player plays; null when none. */
  name: string | null;
  /** The player's current time, in seconds. */
  time: number;
  /** The last seek asked for (n grows with each, so the same time twice still seeks). */
  seek: { name: string; time: number; n: number } | null;
}

export interface MediaSlice {
  extractor: ExtractorState | null;
  stagedVideos: StagedVideos | null;
  /** Extractions by job, in the order dropped. */
  extractions: ExtractionProgress[];
  /** Extracted videos by listed file name (a VideoSummary's `file`). */
  media: Record<string, MediaEntry>;
  playback: Playback;
  /** Videos and extractor files (and a labels CSV) of a drop: staged until the user starts (with labels), the extractor asked for when missing. */
  stageVideos(videos: File[], extractorFiles: File[]): Promise<void>;
  /** A labels CSV for the staged videos; a file that is not one is named in a notice, and the videos stay staged. */
  giveLabelsCsv(file: File): Promise<void>;
  /** Asks the worker whether the extractor's files are here (kept from an earlier visit). */
  checkExtractor(): Promise<void>;
  giveExtractorFiles(files: File[]): Promise<void>;
  forgetExtractor(): Promise<void>;
  /** Starts the staged videos with these labels (class names or ids); returns an error sentence instead when the labels are not classes. */
  startExtraction(labels: string): string | null;
  discardStagedVideos(): void;
  cancelExtraction(job?: string): Promise<void>;
  clearFinishedExtractions(): void;
  setPlaybackTime(name: string, time: number): void;
  seekVideo(name: string, time: number): void;
}

let jobs = 0;

export function mediaSlice({ set, get, env }: SliceContext): Slice<MediaSlice> {
  const refreshExtractor = async () => {
    try {
      set({ extractor: await env.client.call('extractorState', {}) });
    } catch {
      // Asked again when videos arrive.
    }
  };
  const urls = new Map<string, File>();

  return {
    state: {
      extractor: null,
      stagedVideos: null,
      extractions: [],
      media: {},
      playback: { name: null, time: 0, seek: null },
      stageVideos: async (videos, withVideos) => {
        const extractorFiles = withVideos.filter((f) => !isLabelsCsv(f));
        const [csv, ...more] = withVideos.filter(isLabelsCsv);
        if (extractorFiles.length) await get().giveExtractorFiles(extractorFiles);
        if (!videos.length) return;
        if (!get().extractor) await refreshExtractor();
        const staged = get().stagedVideos;
        const classNames = get().model?.classNames ?? [];
        const folder = folderOf(videos);
        const suggested = folder && 'ids' in parseLabels(folder, classNames) && classNames.length ? folder : '';
        set({
          stagedVideos: {
            files: [...(staged?.files ?? []), ...videos],
            suggestedLabels: staged?.suggestedLabels || suggested,
            labelsCsv: staged?.labelsCsv ?? null,
          },
        });
        if (more.length)
          get().notify('warning', `One labels CSV at a time: ${csv.name} is used, ${more.map((f) => f.name).join(', ')} not.`);
        if (csv) await get().giveLabelsCsv(csv);
      },
      giveLabelsCsv: async (file) => {
        try {
          const rows = parseVideoLabels(await file.text(), file.name);
          set((s) => (s.stagedVideos ? { stagedVideos: { ...s.stagedVideos, labelsCsv: { name: file.name, rows } } } : s));
        } catch (e) {
          get().notify('error', userMessage(e));
        }
      },
      checkExtractor: refreshExtractor,
      giveExtractorFiles: async (files) => {
        try {
          set({ extractor: await env.client.call('setExtractorFiles', { files }) });
        } catch (e) {
          get().notify('error', `The extractor files could not be used: ${(e as Error).message}`);
          await refreshExtractor();
        }
      },
      forgetExtractor: async () => {
        set({ extractor: await env.client.call('forgetExtractor', {}) });
      },
      startExtraction: (text) => {
        const staged = get().stagedVideos;
        if (!staged) return null;
        const classNames = get().model?.classNames ?? [];
        const parsed = parseLabels(text, classNames);
        if ('error' in parsed) return parsed.error;
        const csv = staged.labelsCsv;
        const fromCsv = csv
          ? csvLabels(
              csv.rows,
              csv.name,
              staged.files.map((f) => f.name),
              classNames.length,
            )
          : { labels: [] };
        if ('error' in fromCsv) return fromCsv.error;
        const used = new Set([...get().videos.map((v) => v.file), ...get().extractions.map((x) => x.name)]);
        const videos = staged.files.map((file, i) => {
          const name = uniqueName(file.name, used);
          used.add(name);
          urls.set(name, file);
          const labels = fromCsv.labels[i] ?? parsed.ids;
          return { job: `v${++jobs}`, file, name, ...(labels.length ? { labels } : {}) };
        });
        set((s) => ({
          stagedVideos: null,
          extractions: [
            ...s.extractions,
            ...videos.map((v): ExtractionProgress => ({
              job: v.job,
              name: v.name,
              state: 'queued',
              framesDone: 0,
              framesTotal: null,
              framesPerSecond: null,
              secondsLeft: null,
            })),
          ],
        }));
        for (const v of videos) pendingLabels.set(v.name, v.labels ?? null);
        env.client
          .call('extractVideos', { videos })
          .catch((e) => get().notify('error', `The videos could not be extracted: ${(e as Error).message}`));
        return null;
      },
      discardStagedVideos: () => set({ stagedVideos: null }),
      cancelExtraction: async (job) => {
        await env.client.call('cancelExtraction', job ? { job } : {}).catch(() => 0);
      },
      clearFinishedExtractions: () =>
        set((s) => ({ extractions: s.extractions.filter((x) => x.state === 'queued' || x.state === 'decoding') })),
      setPlaybackTime: (name, time) =>
        set((s) => (s.playback.name === name && s.playback.time === time ? s : { playback: { ...s.playback, name, time } })),
      seekVideo: (name, time) => set((s) => ({ playback: { name, time, seek: { name, time, n: (s.playback.seek?.n ?? 0) + 1 } } })),
    },
    events: {
      extraction: (e) => {
        set((s) => {
          const i = s.extractions.findIndex((x) => x.job === e.progress.job);
          const extractions = i < 0 ? [...s.extractions, e.progress] : s.extractions.map((x, j) => (j === i ? e.progress : x));
          return { extractions };
        });
        if (e.progress.state === 'error' && e.progress.message) get().notify('error', e.progress.message);
      },
      extracted: (e) => {
        const { filmstrip, ...rest } = e.media;
        const file = urls.get(e.media.name);
        urls.delete(e.media.name);
        const entry: MediaEntry = {
          ...rest,
          url: file ? URL.createObjectURL(file) : '',
          filmstrip: filmstrip && {
            tileWidth: filmstrip.tileWidth,
            tileHeight: filmstrip.tileHeight,
            columns: filmstrip.columns,
            url: URL.createObjectURL(filmstrip.image),
          },
          labels: pendingLabels.get(e.media.name) ?? null,
        };
        pendingLabels.delete(e.media.name);
        set((s) => ({ media: { ...s.media, [e.media.name]: entry } }));
      },
    },
  };
}

const pendingLabels = new Map<string, number[] | null>();
