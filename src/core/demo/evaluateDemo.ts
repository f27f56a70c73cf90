/**
 * How well the demo model does what the page promises, on videos it never saw:
 * classification, and whether occlusion evidence and attention point at the event.
 * A peak "hits" when it lies within `tolerance` frames of the event's frames.
 */
import { DEMO_CLASSES } from './classes';
import { demoFeatures, type DemoVideo } from './syntheticVideos';
import { evaluate, type EvaluationResult } from '../metrics';
import { predictVideos, type LoadedModel } from '../model/model';
import { occlusionEvidence } from '../explain/occlusion';

export interface DemoReport {
  metrics: EvaluationResult;
  singleEventVideos: number;
  occlusionPeakHits: number;
  attentionPeakHits: number;
  tolerance: number;
}

function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}

function nearEvent(t: number, start: number, frames: number, tolerance: number): boolean {
  return t >= start - tolerance && t <= start + frames - 1 + tolerance;
}

export async function evaluateDemo(
  model: LoadedModel,
  videos: readonly DemoVideo[],
  opts: { maxSingleEvent?: number; tolerance?: number } = {},
): Promise<DemoReport> {
  const tolerance = opts.tolerance ?? 2;
  const features = videos.map((v) => demoFeatures(v));
  const predictions = await predictVideos(model, features, { batchSize: 32 });
  const metrics = evaluate(
    predictions.map((p) => p.probabilities),
    videos.map((v) => v.labels),
  );
  const single = videos
    .map((v, i) => i)
    .filter((i) => videos[i].events.length === 1)
    .slice(0, opts.maxSingleEvent ?? Infinity);
  let occlusionPeakHits = 0;
  let attentionPeakHits = 0;
  for (const i of single) {
    const [e] = videos[i].events;
    const occ = await occlusionEvidence(model, features[i], e.classIndex, { window: 5 });
    if (nearEvent(argmax(occ.drop), e.start, e.frames, tolerance)) occlusionPeakHits++;
    // Attention "hits" when the peak of a modality that carries the event's pattern is near it.
    const cls = DEMO_CLASSES[e.classIndex];
    const peaks = [cls.rgb ? argmax(predictions[i].attention.rgb) : -99, cls.audio ? argmax(predictions[i].attention.audio) : -99];
    if (peaks.some((t) => nearEvent(t, e.start, e.frames, tolerance))) attentionPeakHits++;
  }
  return { metrics, singleEventVideos: single.length, occlusionPeakHits, attentionPeakHits, tolerance };
}
