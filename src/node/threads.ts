import os from 'node:os';

/** The threads asked for: the option, else ALSTM_WASM_THREADS, else 1; at most the machine's cores. */
export function wasmThreadsWanted(opts: { threads?: number } = {}): number {
  const asked = opts.threads ?? (Number(process.env.ALSTM_WASM_THREADS) || 1);
  return Math.max(1, Math.min(Math.floor(asked), os.availableParallelism()));
}
