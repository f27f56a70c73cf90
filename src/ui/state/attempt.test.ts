import { describe, expect, it } from 'vitest';
import { InputError } from '../../core/errors';
import { WorkerError } from '../../protocol/client';
import { attempt, errorMessage } from './attempt';

describe('telling the user what failed', () => {
  it('shows the worker’s and the user’s errors as they are, anything else as an internal error', () => {
    expect(errorMessage(new WorkerError('x.npy: not a .npy file', 'addFeatures'))).toBe('x.npy: not a .npy file');
    expect(errorMessage(new InputError("there is no sample set 'y'"))).toBe("there is no sample set 'y'");
    expect(errorMessage(new TypeError('a is undefined'))).toBe('internal error: a is undefined');
  });

  it('gives the result, or says the failure in one error notice and gives undefined', async () => {
    const notices: string[] = [];
    const notify = (level: string, message: string) => notices.push(`${level}: ${message}`);
    expect(await attempt(notify, 'The video could not be removed', async () => 7)).toBe(7);
    expect(
      await attempt(notify, 'The video could not be removed', async () => {
        throw new WorkerError('it is gone', 'removeVideo');
      }),
    ).toBeUndefined();
    expect(
      await attempt(notify, null, async () => {
        throw new WorkerError('no backend could start', 'setBackend');
      }),
    ).toBeUndefined();
    expect(notices).toEqual(['error: The video could not be removed: it is gone', 'error: no backend could start']);
  });
});
