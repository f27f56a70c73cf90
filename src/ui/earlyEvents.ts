import type { WorkerClient } from '../protocol/client';
import type { WorkerEvent } from '../protocol/protocol';

/**
 * The client, with the events that arrive before anyone listens kept and
 * handed to the first listener (the worker starts before the page's store).
 */
export function bufferEvents(client: WorkerClient): WorkerClient {
  let early: WorkerEvent[] | null = [];
  const stop = client.onEvent((e) => early?.push(e));
  return {
    call: (type, args) => client.call(type, args),
    onEvent(listener) {
      const off = client.onEvent(listener);
      if (early) {
        const kept = early;
        early = null;
        stop();
        kept.forEach(listener);
      }
      return off;
    },
    terminate: () => client.terminate(),
  };
}
