/**
 * What a fine-tune needs from the engine, and no more: the model and videos,
 * the serial queue to run alone on, the backend's guard and label, and a way
 * to keep predicting videos added while it trains.
 */
import type { VideoFeatures } from '../../core/features/featureTypes';
import type { BiLstmRunner } from '../../core/model/attentionLstm';
import type { LoadedModel } from '../../core/model/model';
import type { BackendName, ModelInfo, ModelSource, VideoSummary } from '../../protocol/protocol';

/** The current model and videos; `model` is null while no model is on a backend. */
export interface TrainingSnapshot {
  model: LoadedModel | null;
  info: ModelInfo | null;
  /** Every video as listed, with whether it failed (failed videos never train). */
  videos: readonly (VideoSummary & { failed: boolean })[];
  /** The backend's recurrence for the frozen encoders (the fused WebGPU kernel), when it has one. */
  encoder: BiLstmRunner | undefined;
  /** Videos' frames, read again from their files, in the order asked. */
  load(keys: readonly string[]): Promise<VideoFeatures[]>;
}

export interface TrainingHost {
  /** The model and videos as they are now (no tfjs work: for a plan shown before training). */
  snapshot(): TrainingSnapshot;
  /** Runs a task alone on the serial queue with the current model and videos. */
  exclusive<T>(task: (s: TrainingSnapshot) => Promise<T>): Promise<T>;
  /** tfjs work checked for backend errors (BackendFault when there were any). */
  guard<T>(fn: () => Promise<T>): Promise<T>;
  /** From inside `exclusive`: predicts the next batch of waiting videos; true while more wait. */
  predictWaiting(): Promise<boolean>;
  /** Listens for videos starting to wait; returns the function that stops listening. */
  onVideosWaiting(listener: () => void): () => void;
  backendLabel(): { backend: BackendName; adapter: string | null };
  /** The backend's measured forward speed, multiply-adds a second (null before its first prediction). */
  macsPerSecond(): number | null;
  /** Loads a model (the fine-tuned one, once saved) as the page's loadModel does. */
  loadModel(source: ModelSource, op: number): Promise<ModelInfo>;
}
