/**
 * Helper threads of the SIMD recurrence, on one shared memory: each step's
 * product and gates are split by units between the kernel's thread (0) and
 * its helpers (1, 2, ...), which meet at each step's end in the memory's
 * control words (recurrence.ts). Split so, the threads together read one
 * LSTM's weights (16 MB at full size) per step, which stay in the 32 MB
 * cache; two LSTMs at a time on two threads (32 MB, with the inputs beside)
 * ran each slower than alone. A helper is told a job by message.
 */
import { LSTM_SIMD_PANEL } from './layout';
import { type LinearJob, type LstmSimdExports, type RecurrenceJob, runLinear, runRecurrence } from './recurrence';

export type HelperRequest =
  | { type: 'start'; module: WebAssembly.Module; memory: WebAssembly.Memory }
  | { type: 'run'; self: number; job: RecurrenceJob }
  | { type: 'linear'; self: number; job: LinearJob };
export type HelperReply = { type: 'ready' } | { type: 'error'; message: string };

/** A helper as its owner sees it (a Web Worker in the page). */
export interface HelperPort {
  post(m: HelperRequest): void;
  onMessage(fn: (m: HelperReply) => void): void;
  terminate(): void;
}

/** The helper's side, over its thread's message port. */
export function serveLstmHelper(port: { onMessage(fn: (m: HelperRequest) => void): void; post(m: HelperReply): void }): void {
  let ex: LstmSimdExports | null = null;
  let memory: WebAssembly.Memory | null = null;
  port.onMessage((m) => {
    if (m.type === 'start') {
      memory = m.memory;
      void WebAssembly.instantiate(m.module, { env: { memory } }).then(
        (instance) => {
          ex = instance.exports as unknown as LstmSimdExports;
          port.post({ type: 'ready' });
        },
        (e: unknown) => port.post({ type: 'error', message: String(e) }),
      );
      return;
    }
    if (!ex || !memory) return;
    try {
      if (m.type === 'run') runRecurrence(ex, memory, m.job, m.self);
      else runLinear(ex, memory, m.job, m.self, LSTM_SIMD_PANEL);
    } catch (e) {
      // The kernel's thread learns of it from the control words (and stops); the console says why.
      console.error('LSTM helper thread:', e);
    }
  });
}
