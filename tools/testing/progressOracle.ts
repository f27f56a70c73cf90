import type { ProgressEvent } from '../../src/protocol/protocol';

/**
 * The protocol's invariants for one finished stream; returns what is wrong
 * (empty when the stream is valid). The unit tests hold the worker's ProgressReporter
 * and the model loader to it.
 */
export function progressViolations(events: readonly ProgressEvent[]): string[] {
  const out: string[] = [];
  if (events.length === 0) return ['no events'];
  const first = events[0];
  if (first.status !== 'initiate') out.push(`first event is '${first.status}', not 'initiate'`);
  const total = first.status === 'initiate' ? first.total : NaN;
  let loaded = 0;
  events.forEach((e, i) => {
    if (i > 0 && e.status === 'initiate') out.push(`event ${i}: a second 'initiate'`);
    if (e.status === 'progress' || e.status === 'ready') {
      if (e.total !== total) out.push(`event ${i}: total ${e.total} differs from the announced ${total}`);
      if (e.loaded < loaded) out.push(`event ${i}: loaded went back from ${loaded} to ${e.loaded}`);
      if (e.loaded > e.total) out.push(`event ${i}: loaded ${e.loaded} exceeds total ${e.total}`);
      const expected = e.total > 0 ? (100 * e.loaded) / e.total : 100;
      if (Math.abs(e.progress - expected) > 1e-9) out.push(`event ${i}: progress ${e.progress} is not 100 * loaded / total`);
      loaded = e.loaded;
    }
    if (e.status === 'ready' && i !== events.length - 1) out.push(`event ${i}: 'ready' is not the last event`);
  });
  const last = events[events.length - 1];
  if (last.status !== 'ready' || last.progress !== 100) out.push(`the last event is '${last.status}', not 'ready' at 100%`);
  return out;
}
