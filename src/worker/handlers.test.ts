import { describe, expect, it } from 'vitest';
import { EnvironmentError, InputError } from '../core/errors';
import { type Handlers, reply } from './handlers';
import type { CachedModelInfo } from '../protocol/protocol';

// Type-level: each handler is checked against its own request's result (npm test type-checks this file).
export const wrongResult: Pick<Handlers, 'listModels'> = {
  // @ts-expect-error listModels must resolve with the cached models, not another request's result (clearVideos's null)
  listModels: async () => null,
};
export const wrongRequest: Pick<Handlers, 'deleteModel'> = {
  // @ts-expect-error deleteModel's request carries a modelId, not a key
  deleteModel: async (r) => [{ id: r.key, name: '', source: '', bytes: 0, savedAt: 0 }],
};

const cached: CachedModelInfo[] = [{ id: 'm', name: 'm', source: 's', bytes: 1, savedAt: 2 }];

/** Every handler rejects, except those a test gives. */
function table(some: Partial<Handlers>): Handlers {
  return new Proxy(some, {
    get: (t, k: string) =>
      (t as Record<string, unknown>)[k] ??
      (async () => {
        throw new Error(`unexpected ${k}`);
      }),
  }) as Handlers;
}

describe('the handler table', () => {
  it('answers a request with its own id, type and result', async () => {
    const handlers = table({ deleteModel: async (r) => cached.filter((m) => m.id !== r.modelId) });
    expect(await reply(handlers, { type: 'deleteModel', id: 7, modelId: 'x' })).toEqual({
      kind: 'reply',
      id: 7,
      type: 'deleteModel',
      ok: true,
      result: cached,
    });
  });

  it('turns errors into messages a user can read: the user’s and the machine’s as they are, others marked internal', async () => {
    const failing = (e: Error) =>
      table({
        listModels: async () => {
          throw e;
        },
      });
    const answer = async (e: Error) => reply(failing(e), { type: 'listModels', id: 1 });
    expect(await answer(new InputError('a.npy: not a feature file'))).toMatchObject({ ok: false, error: 'a.npy: not a feature file' });
    expect(await answer(new EnvironmentError('No backend could start in this browser (wasm: x).'))).toMatchObject({
      ok: false,
      error: 'No backend could start in this browser (wasm: x).',
    });
    expect(await answer(new TypeError('x is undefined'))).toMatchObject({ ok: false, error: 'internal error: x is undefined' });
  });
});
