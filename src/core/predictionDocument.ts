import type { VideoFeatures } from './features/featureTypes';
import type { VideoPrediction } from './model/model';
import { topKIndices } from './metrics';

/**
 * The JSON document of `npm run predict`, which the page's "Export JSON" writes
 * too: one schema, so files from either can be compared.
 */
export interface PredictionDocument {
  model: string;
  backend: string;
  adapter?: string;
  videos: VideoPredictionJson[];
}

export interface VideoPredictionJson {
  file: string;
  index: number;
  id: string;
  frames: number;
  labels?: number[];
  probabilities: number[];
  top: { class: number; name: string; probability: number }[];
  attention: { rgb: number[]; audio: number[] };
}

export function videoPredictionJson(
  v: VideoFeatures,
  p: VideoPrediction,
  classNames: readonly string[],
  topK: number,
): VideoPredictionJson {
  const top = Array.from(topKIndices(p.probabilities, topK), (c) => ({
    class: c,
    name: classNames[c],
    probability: p.probabilities[c],
  }));
  return {
    file: v.file,
    index: v.index,
    id: v.id,
    frames: v.frames,
    ...(v.labels ? { labels: v.labels } : {}),
    probabilities: Array.from(p.probabilities),
    top,
    attention: { rgb: Array.from(p.attention.rgb), audio: Array.from(p.attention.audio) },
  };
}

export function predictionDocument(
  run: { model: string; backend: string; adapter?: string },
  videos: readonly VideoFeatures[],
  predictions: readonly VideoPrediction[],
  classNames: readonly string[],
  topK: number,
): PredictionDocument {
  return { ...run, videos: videos.map((v, i) => videoPredictionJson(v, predictions[i], classNames, topK)) };
}
