/**
 * The one message protocol between the page and the inference worker.
 *
 * The page sends requests, each with a numeric `id`; the worker answers each
 * exactly once with a reply carrying the same id (`ok` with a typed result, or
 * an error message a user can read). Everything else the worker has to say —
 * the backend it runs on, load progress, videos read, predictions — arrives
 * unsolicited as events. Only this file's types cross the thread boundary; it
 * imports types alone (and the backend table, plain data), so the page's
 * bundle never pulls in tfjs.
 */
import type { BackendChoice, BackendName } from '../core/backends';
import type { ExportFormat } from '../core/export/formats';
import type { Sizes, Variant } from '../core/model/architecture';
import type { WeightLayout } from '../core/model/attentionLstm';
import type { ClassFigures, DatasetFigures, EvaluationResult, VideoFigures } from '../core/metrics';
import type { FineTuneCost } from '../core/training/policy';
import type { SegmentRating } from '../core/features/featureTypes';
import type { RankedPositive, SegmentMapResult, WindowSettings } from '../core/segments';
import type { ClassReport, CustomLabels, EpochReport, FineTuneMode, FineTuneSettings, HeadLayers } from '../core/training/trainingTypes';

// The domain types the page sees are the core's own, named here once for its imports.
export type { ClassFigures, CustomLabels, EpochReport, EvaluationResult, FineTuneMode, HeadLayers, WindowSettings };

// ---------------------------------------------------------------- backends

/**
 * The tfjs backends the worker can run on are the rows of core/backends.ts, in
 * the order of preference that `auto` and the fallbacks follow
 * (backends/policy.ts); each has its starter in backends/index.ts.
 */
export { BACKEND_CHOICE_LABEL, BACKEND_CHOICES, BACKEND_NAMES, type BackendChoice, type BackendName } from '../core/backends';

/** The WebGPU adapter as the browser describes it (`GPUAdapter.info`). */
export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  /** True for a software implementation such as SwiftShader: correct, but slower than wasm. */
  isFallbackAdapter: boolean;
}

export interface BackendStatus {
  requested: BackendChoice;
  /** The backend in use; null while none is ready. */
  active: BackendName | null;
  /** `warming`: the backend runs, and compiles its kernels on a blank video before the first real one. */
  state: 'starting' | 'warming' | 'ready' | 'recovering' | 'failed';
  /** The WebGPU adapter when one was found (also when it was not used, to explain why). */
  adapter: AdapterSummary | null;
  /** Why the active backend differs from the one asked for, or a caveat about it; null when there is nothing to say. */
  reason: string | null;
  layout: WeightLayout;
  /** The threads wasm computes on (the worker's own included) while wasm is active; null on other backends. */
  threads: number | null;
}

// ---------------------------------------------------------------- models

/** Where a model comes from. */
export type ModelSource =
  /** A model.json by URL (the demo's is one); its shards sit beside it. */
  | { kind: 'url'; url: string }
  /**
   * A picked or dropped folder: model.json and its shards. `name` names the
   * folder: the page knows it (a dropped file does not say where it lay).
   */
  | { kind: 'files'; files: File[]; name?: string }
  /**
   * Paddle weights, converted in the worker and cached: one file (.pdparams,
   * .pdckpt), a parameter folder's files, or an exported .pdmodel + .pdiparams;
   * `name` names a folder.
   */
  | { kind: 'weights'; files: File[]; name?: string }
  /** A model already in the browser's cache. */
  | { kind: 'cached'; id: string };

export interface ModelInfo {
  /** The cache key: the model.json's URL, or `local:<name>:<hash>` for files. */
  id: string;
  /** A short name to show. */
  name: string;
  /** What "Export JSON" writes as `model`. */
  source: string;
  variant: Variant;
  sizes: Sizes;
  /** A name for every class: the model's own, the YouTube-8M vocabulary, or `class <i>`. */
  classNames: string[];
  parameters: number;
  /** Bytes of weights as stored. */
  bytes: number;
  description: string | null;
  /** Whether the weights came out of the browser's cache. */
  fromCache: boolean;
}

/** A model in the browser's cache, as the models panel lists it. */
export interface CachedModelInfo {
  id: string;
  name: string;
  source: string;
  bytes: number;
  savedAt: number;
}

// ---------------------------------------------------------------- progress

/**
 * One stream of progress events for one task (downloading or reading a
 * model, converting a weight file). Invariants, tested in progress.test.ts:
 * the stream starts with `initiate`; `loaded` never decreases and never
 * exceeds `total`; `progress` is 100 * loaded / total; the stream ends with
 * exactly one `ready` event that says 100%, unless the task fails.
 */
export type ProgressEvent =
  | { status: 'initiate'; name: string; total: number }
  /** A file of the task begins (a shard, model.json). */
  | { status: 'download'; name: string; file: string }
  | { status: 'progress'; name: string; file: string; loaded: number; total: number; progress: number }
  /** A file of the task is complete. */
  | { status: 'done'; name: string; file: string }
  | { status: 'ready'; name: string; loaded: number; total: number; progress: 100 };

export type ProgressTask = 'load' | 'convert';

// ---------------------------------------------------------------- videos

/** A feature file to read: a File the user gave, or a URL on this site (the bundled samples). */
export type FeatureSource = { kind: 'file'; file: File } | { kind: 'url'; url: string; name: string };

export interface VideoSummary {
  /** Unique within the session: `<file>#<index>` plus a counter when a file is added twice. */
  key: string;
  file: string;
  /** Position of the video within its file. */
  index: number;
  /** Byte offset of its record in the file (TFRecords), null for files read whole. */
  offset: number | null;
  id: string;
  frames: number;
  /** The frames the file holds when more than the frame cap kept. */
  framesInFile: number | null;
  labels: number[] | null;
  /** Human ratings of its segments (segment-rated files, spec 8.1); null when the file carries none. */
  segments?: SegmentRating[] | null;
}

export type VideoStatus = 'queued' | 'running' | 'done' | 'error';

export interface VideoResult {
  key: string;
  probabilities: Float32Array;
  /** Its top class and how well its labels rank (core/metrics/dataset.ts), for the dataset view. */
  figures: VideoFigures;
  /** One weight per frame (not padded), per modality. */
  attention: { rgb: Float32Array; audio: Float32Array };
  backend: BackendName;
  /** The adapter's description when the backend was WebGPU. */
  adapter: string | null;
  /** Milliseconds the forward pass of this video's batch took. */
  ms: number;
}

export interface OcclusionResult {
  key: string;
  classIndex: number;
  window: number;
  baseline: number;
  /** drop[t]: how much the class's probability falls when the window around frame t is occluded. */
  drop: Float32Array;
  backend: BackendName;
}

/**
 * Feature files being read (all loads under way, as one): bytes and videos
 * read so far. Bytes and videos only grow while `reading`; `done` and
 * `cancelled` end it.
 */
export interface LoadProgress {
  state: 'reading' | 'done' | 'cancelled';
  files: number;
  filesDone: number;
  bytesRead: number;
  bytesTotal: number;
  videosRead: number;
  /** The file being read now. */
  file: string | null;
}

/** The dataset view's figures over the predicted, labelled videos (failed ones left out). */
export interface DatasetReport {
  /** Hit@1, PERR, GAP and mAP; null before a labelled video was predicted. */
  summary: EvaluationResult | null;
  /** Per class and the most confused pairs, at the top-k asked for; null as summary. */
  figures: DatasetFigures | null;
  videos: number;
  predicted: number;
  labeled: number;
  failed: number;
}

// ---------------------------------------------------------------- segments

/** One video's windows (spec 8.2) with every class's probability: the timeline. */
export interface SegmentTimeline {
  key: string;
  window: WindowSettings;
  /** Each window's first frame, and its frames (the last may hold fewer than the length). */
  starts: Int32Array;
  frames: Int32Array;
  classes: number;
  /** Window w's probability of class c at [w * classes + c]. */
  probabilities: Float32Array;
}

/** Segment MAP@K over the loaded segment-rated videos ranked so far with the loaded model. */
export interface SegmentReport {
  window: WindowSettings;
  /** The core's segmentMap over them; null before a rated video was ranked. */
  result: SegmentMapResult | null;
  /** The rated positives ranked worst among their class's rated windows. */
  worst: RankedPositive[];
  /** Segment-rated videos loaded, ranked, and still waiting for their windows. */
  ratedVideos: number;
  ranked: number;
  pending: number;
}

/**
 * How a load treats what is already listed, by file name: `skip` the
 * positions of a file already listed (a Resume), read `only` some positions
 * (duplicates added again), and whether videos whose ids are already listed
 * are skipped (the default) or added again.
 */
export interface ReadChoices {
  duplicates?: 'skip' | 'add';
  skip?: Record<string, number[]>;
  only?: Record<string, number[]>;
}

/** How the read of one file ended. */
export interface FileEnd {
  file: string;
  state: 'done' | 'cancelled' | 'failed';
  /** Videos the file was seen to hold up to where reading stopped (those skipped included). */
  records: number;
  /** Videos the whole file holds: exact when done, else estimated from the bytes read; null when nothing was read. */
  estimate: number | null;
  /** Videos not added because their ids were already listed. */
  duplicates: { index: number; id: string }[];
}

// ---------------------------------------------------------------- fine-tuning

/** A fine-tune as the page asks for it: the settings, plus what only the page knows. */
export interface TrainingConfig extends FineTuneSettings {
  /** Names for the files' label ids, indexed by id (see trainingLabels in core/training/policy.ts). */
  classNames?: string[];
  /** The user's own classes and videos assigned to them; absent: the labels in the files. */
  labels?: CustomLabels | null;
  /** The video (by key) whose probabilities and attention are sent as it trains (`trainingPrediction`). */
  watch?: string | null;
  /**
   * Fine-tune on the loaded videos' rated segments instead (core SegmentFineTune): each rated segment's window an
   * example, rated positive 1, rated negative 0, unrated classes masked; the model's own classes; split by video.
   */
  segments?: { window: WindowSettings } | null;
}

/** A fine-tune on rated segments: the validation videos' segment MAP@K before and after. */
export interface SegmentTrainingReport {
  window: WindowSettings;
  before: number | null;
  after: number | null;
  /** Classes counted in the MAP after. */
  classesCounted: number;
  trainVideos: number;
  validationVideos: number;
  /** Rated segments that trained or validated (one example each). */
  examples: number;
  notes: string[];
}

/** What a fine-tune of the current model on the current videos would be: shown before starting. */
export interface TrainingPlan extends FineTuneCost {
  /** Videos with labels (the ones that train). */
  labeled: number;
  videos: number;
  classNames: string[];
  /** What the user should know about the labels chosen (videos left out, sparse ids renumbered). */
  notes: string[];
  /** The model's head is large (isLargeHead): its logit layer alone trains by default. */
  largeHead: boolean;
  /** The backend's measured forward speed in multiply-adds a second (null before its first prediction): the basis of a time estimate. */
  macsPerSecond: number | null;
}

export interface TrainingValidation {
  loss: number;
  gap: number;
  hitAt1: number;
}

export type TrainingState = 'caching' | 'running' | 'paused' | 'stopped' | 'done' | 'error';

export type TrainingProgress =
  | { phase: 'caching'; done: number; total: number }
  | { phase: 'start'; classNames: string[]; trainVideos: number; validationVideos: number; epochs: number; before: TrainingValidation }
  | { phase: 'epoch'; report: EpochReport }
  | { phase: 'state'; state: TrainingState; message?: string };

export interface TrainingReport {
  before: TrainingValidation;
  after: TrainingValidation;
  perClass: ClassReport[];
  epochs: number;
  /** Present for a fine-tune on rated segments. */
  segments?: SegmentTrainingReport;
}

// ---------------------------------------------------------------- your own videos (issue 20)

/** The extractor's files as read, checked and kept in the browser. */
export interface ExtractorInfo {
  inception: string;
  pca: string;
  /** Nodes of the graph on the path from the frame to pool_3. */
  nodes: number;
  /** Eigenvectors in the PCA files (the first 1024 are used). */
  components: number;
  savedAt: number;
}

export interface ExtractorState {
  /** The extractor in use; null while its files are missing. */
  ready: ExtractorInfo | null;
  /** What is still to be given. */
  missing: ('inception' | 'pca')[];
  /** Files given so far while one part is still missing. */
  staged: string[];
  /** What the user should know about extracted features (rgb alone: the audio is zeros). */
  note: string;
}

/** A video file to turn into features: `name` is unique in the session and becomes its listed file name. */
export interface VideoToExtract {
  job: string;
  file: File;
  name: string;
  labels?: number[];
}

export interface ExtractionProgress {
  job: string;
  name: string;
  state: 'queued' | 'decoding' | 'done' | 'cancelled' | 'error';
  /** Frames taken and run (of framesTotal, expected from the container's duration). */
  framesDone: number;
  framesTotal: number | null;
  framesPerSecond: number | null;
  secondsLeft: number | null;
  /** Why it failed, for the user. */
  message?: string;
}

/** What the page shows of an extracted video beside its predictions. */
export interface ExtractedMedia {
  job: string;
  name: string;
  frames: number;
  /** Presentation time of each frame taken, in seconds (heatmap cell t is the video at times[t]). */
  times: number[];
  /** Decoded frames the frame rule considered. */
  considered: number;
  width: number;
  height: number;
  codec: string;
  /** The frames taken, small, in one JPEG: frame t in column t % columns, row floor(t / columns), tiles of tileWidth x tileHeight. */
  filmstrip: { image: Blob; tileWidth: number; tileHeight: number; columns: number } | null;
  /** The video's features as a one-record TFRecord (what `npm run extract` writes). */
  tfrecord: Blob;
  seconds: number;
}

// ---------------------------------------------------------------- requests

/** A request without arguments. */
type NoArgs = Record<never, never>;

/** Every request and what its reply carries. */
export interface Calls {
  /** Starts (or switches to) a backend; the model, if any, is moved onto it and every video is predicted again. */
  /** `threads`: wasm threads wanted (the default leaves a core to the page); fixed once wasm first starts in this worker. */
  setBackend: { args: { backend: BackendChoice; threads?: number }; result: BackendStatus };
  /** The page's signal to step aside while it answers the user (yieldSignal.ts); true once the kernels look at it. */
  shareYieldSignal: { args: { buffer: SharedArrayBuffer }; result: boolean };
  /** Loads a model (replacing the current one) and predicts every video again. */
  loadModel: { args: { source: ModelSource }; result: ModelInfo };
  /**
   * Reads feature files as one stream, a chunk at a time; their videos and
   * predictions follow as events (`file`, `predictions`, `load`). Resolves once
   * every file was read, or the load was cancelled.
   */
  addFeatures: { args: { sources: FeatureSource[] } & ReadChoices; result: { videos: number; failed: number; cancelled: boolean } };
  /** Stops every load under way: what was predicted stays, the videos still waiting are removed. Resolves with their number. */
  cancelLoads: { args: NoArgs; result: number };
  /** Forgets one video. */
  removeVideo: { args: { key: string }; result: null };
  /** Forgets every video (and stops loads under way). */
  clearVideos: { args: NoArgs; result: null };
  /** Puts back videos removed or cleared a moment ago (an Undo), with their results; resolves with the keys restored. */
  restoreVideos: { args: { keys: string[] }; result: string[] };
  /** The dataset view's figures, with precision and recall at the top `k`; `leaveOut`: files whose labels are not the model's classes. */
  datasetReport: { args: { k: number; leaveOut?: string[] }; result: DatasetReport };
  /** The frame cap of files added from now on (at most this many frames of a video are used); resolves with it. */
  setMaxFrames: { args: { maxFrames: number }; result: number };
  /** The windows of one video, every class's probability each: the timeline (computed on request, one video). */
  segmentTimeline: { args: { key: string }; result: SegmentTimeline };
  /** Segment MAP@K (core segmentMap) over the loaded segment-rated videos, and the positives ranked worst (`worst` of them). */
  segmentReport: { args: { worst?: number }; result: SegmentReport };
  /** The window length and hop of the timeline and the segment ranking (which starts again); resolves with them, checked. */
  setSegmentWindows: { args: { window: Partial<WindowSettings> }; result: WindowSettings };
  /** Evidence over time for one class of one video. */
  occlusion: { args: { key: string; classIndex: number; window: number }; result: OcclusionResult };
  listModels: { args: NoArgs; result: CachedModelInfo[] };
  /** Deletes a cached model; resolves with the remaining list. */
  deleteModel: { args: { modelId: string }; result: CachedModelInfo[] };
  /** The labels and the cost of a fine-tune with this mode, before starting one. */
  planTraining: {
    args: { mode: FineTuneMode; headLayers: HeadLayers; labels?: CustomLabels | null; classNames?: string[] };
    result: TrainingPlan;
  };
  /**
   * Fine-tunes the current model on the current videos' labels; progress comes as
   * `trainingProgress` events, the final numbers as `trainingReport`. Resolves when it ends.
   */
  startTraining: { args: { config: TrainingConfig }; result: { state: 'done' | 'stopped' } };
  /** Answered at once (not behind the training): the session waits between batches. */
  pauseTraining: { args: NoArgs; result: boolean };
  resumeTraining: { args: NoArgs; result: boolean };
  stopTraining: { args: NoArgs; result: boolean };
  /** Answered at once: the video whose live predictions a running fine-tune sends (null: none); false when none runs. */
  watchTraining: { args: { key: string | null }; result: boolean };
  /** Stores the fine-tuned model in the browser's cache and makes it the current model. */
  saveTrained: { args: { name?: string }; result: ModelInfo };
  /** The fine-tuned model as a file; `bytes` is transferred. */
  exportTrained: { args: { format: ExportFormat }; result: { name: string; bytes: ArrayBuffer } };
  /** Whether the extractor's files are here (kept from an earlier visit, or given in this one). */
  extractorState: { args: NoArgs; result: ExtractorState };
  /** The extractor's files, all or some (the rest may follow); read, checked and kept once both parts are here. */
  setExtractorFiles: { args: { files: File[] }; result: ExtractorState };
  forgetExtractor: { args: NoArgs; result: ExtractorState };
  /** Video files to features (`extraction`, `extracted` events), then listed and predicted as feature files are. Resolves when they ended. */
  extractVideos: { args: { videos: VideoToExtract[] }; result: { extracted: number; failed: number; cancelled: number } };
  /** Cancels one video's extraction (by job) or all; resolves with how many. */
  cancelExtraction: { args: { job?: string }; result: number };
}

export type RequestType = keyof Calls;
/** Request K as sent: its arguments, its type and the id its reply will carry. */
export type Request<K extends RequestType> = { type: K; id: number } & Calls[K]['args'];
export type Result<K extends RequestType> = Calls[K]['result'];
/** Any request: a union discriminated by `type`. */
export type AnyRequest = { [K in RequestType]: Request<K> }[RequestType];

// ---------------------------------------------------------------- worker → page

export type WorkerEvent =
  | { type: 'backend'; status: BackendStatus }
  /** Progress of request `op`'s task. */
  | { type: 'progress'; op: number; task: ProgressTask; event: ProgressEvent }
  | { type: 'model'; model: ModelInfo }
  /** Videos of a feature file were read (a file comes in several of these): in file order, with a warning per record skipped. */
  | { type: 'file'; file: string; videos: VideoSummary[]; warnings: string[] }
  | { type: 'fileError'; file: string; message: string }
  /** A file's read ended: done, cancelled or failed part way, with the videos skipped as duplicates. */
  | { type: 'fileEnd'; end: FileEnd }
  | { type: 'load'; progress: LoadProgress }
  | { type: 'status'; keys: string[]; status: VideoStatus; message?: string }
  /** A batch's results (their videos are done). */
  | { type: 'predictions'; results: VideoResult[] }
  /** Segment-rated videos' windows ranked (or the ranking started again): the segment report changed. */
  | { type: 'segments'; ranked: number; pending: number }
  /** Videos forgotten (removed, or waiting when a load was cancelled). */
  | { type: 'removed'; keys: string[] }
  /** Something the user should know that is not the answer to a request (WebGPU lost and recovered, a fallback). */
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  | { type: 'cache'; models: CachedModelInfo[] }
  | { type: 'trainingProgress'; progress: TrainingProgress }
  | { type: 'trainingReport'; report: TrainingReport }
  /**
   * The watched video as the model being fine-tuned sees it after `epoch`
   * epochs (0: before the first): probabilities over the classes being
   * trained, and attention. Sent a few times a second at most, and at the end.
   */
  | { type: 'trainingPrediction'; epoch: number; result: VideoResult }
  | { type: 'extraction'; progress: ExtractionProgress }
  | { type: 'extracted'; media: ExtractedMedia };

/** The one answer to request K: its result, or an error message meant for the user. */
export type Reply<K extends RequestType> =
  { kind: 'reply'; id: number; type: K; ok: true; result: Result<K> } | { kind: 'reply'; id: number; type: K; ok: false; error: string };

export type WorkerMessage = Reply<RequestType> | { kind: 'event'; event: WorkerEvent };

/** The name of a worker started with the end-to-end tests' hooks (testHooks.ts), which stay out of this protocol. */
export const TEST_HOOKS_NAME = 'attention-lstm testhooks';

/** The adapter in one line, for the page and for "Export JSON"'s `adapter`. */
export function adapterLabel(a: AdapterSummary | null): string | null {
  if (!a) return null;
  const name = [a.vendor, a.architecture, a.description].filter((s) => s && s.trim()).join(' ') || 'unknown adapter';
  return a.isFallbackAdapter ? `${name} (software fallback)` : name;
}
