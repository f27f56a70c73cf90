/**
 * How the slices tell the user that something failed. The worker's messages
 * were written for the user (its handlers pass every error through
 * userMessage), so they are shown as they came; anything else goes through
 * userMessage here.
 */
import { userMessage } from '../../core/errors';
import { WorkerError } from '../../protocol/client';
import type { NoticeLevel } from './slices/notices';

/** What the user reads of a failure. */
export function errorMessage(e: unknown): string {
  return e instanceof WorkerError ? e.message : userMessage(e);
}

/** Runs `work`; if it fails, says "`failed`: why" (or why alone) in an error notice and gives undefined. */
export async function attempt<T>(
  notify: (level: NoticeLevel, message: string) => void,
  failed: string | null,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    const why = errorMessage(e);
    notify('error', failed ? `${failed}: ${why}` : why);
    return undefined;
  }
}
