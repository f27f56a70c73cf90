/**
 * What "Export JSON" and "Export CSV" write. The JSON is the document of
 * `npm run predict` (core/predictionDocument.ts), built by the same function,
 * so files from the page and from the command line compare field by field.
 */
import type { VideoFeatures } from '../../core/features/featureTypes';
import type { VideoPrediction } from '../../core/model/model';
import { type PredictionDocument, predictionDocument } from '../../core/predictionDocument';
import Papa from 'papaparse';
import type { ModelInfo, VideoResult, VideoSummary } from '../../protocol/protocol';

export interface ExportRow {
  video: VideoSummary;
  result: VideoResult;
}

/** The summary and result in the shapes predictionDocument takes (it reads no features). */
function asCore(row: ExportRow, model: ModelInfo): { v: VideoFeatures; p: VideoPrediction } {
  const { video, result } = row;
  return {
    v: {
      file: video.file,
      index: video.index,
      id: video.id,
      frames: video.frames,
      rgbDim: model.sizes.rgbDim,
      audioDim: model.sizes.audioDim,
      rgb: new Float32Array(0),
      audio: new Float32Array(0),
      ...(video.labels ? { labels: video.labels } : {}),
    },
    p: { probabilities: result.probabilities, logits: new Float32Array(0), attention: result.attention },
  };
}

/** The backends (and adapters) the rows were computed on, joined when there were several. */
export function runOf(rows: readonly ExportRow[]): { backend: string; adapter?: string } {
  const backends = [...new Set(rows.map((r) => r.result.backend))];
  const adapters = [...new Set(rows.map((r) => r.result.adapter).filter((a): a is string => !!a))];
  return { backend: backends.join('+') || 'none', ...(adapters.length ? { adapter: adapters.join('+') } : {}) };
}

export function exportJson(model: ModelInfo, rows: readonly ExportRow[], topK: number): PredictionDocument {
  const core = rows.map((r) => asCore(r, model));
  return predictionDocument(
    { model: model.source, ...runOf(rows) },
    core.map((c) => c.v),
    core.map((c) => c.p),
    model.classNames,
    topK,
  );
}

/** One row per video and class, classes by falling probability: video, class, name, probability. */
export function exportCsv(model: ModelInfo, rows: readonly ExportRow[]): string {
  const data: (string | number)[][] = [];
  for (const { video, result } of rows) {
    const p = result.probabilities;
    const order = Array.from(p.keys()).sort((a, b) => p[b] - p[a] || a - b);
    for (const c of order) data.push([video.id, c, model.classNames[c] ?? `class ${c}`, String(p[c])]);
  }
  return Papa.unparse({ fields: ['video', 'class', 'name', 'probability'], data }, { newline: '\r\n' }) + '\r\n';
}
