import { describe, expect, it, vi } from 'vitest';
import { clientFor, WorkerError } from './client';
import type { AnyRequest, WorkerEvent, WorkerMessage } from './protocol';

/** A stand-in for the Worker: records what the page posts and lets the test answer. */
function fakePort() {
  const posted: AnyRequest[] = [];
  const listeners: Record<string, ((ev: unknown) => void)[]> = {};
  return {
    posted,
    send: (m: WorkerMessage) => (listeners.message ?? []).forEach((l) => l({ data: m })),
    crash: (message: string) => (listeners.error ?? []).forEach((l) => l({ message })),
    port: {
      postMessage: (m: AnyRequest) => void posted.push(m),
      addEventListener: (type: string, l: (ev: unknown) => void) => void (listeners[type] ??= []).push(l),
      terminate: () => {},
    } as unknown as Worker,
  };
}

describe('the worker client', () => {
  it('gives every request its own id and resolves each with its own reply, in any order', async () => {
    const f = fakePort();
    const client = clientFor(f.port);
    const a = client.call('listModels', {});
    const b = client.call('setBackend', { backend: 'wasm' });
    expect(f.posted.map((r) => [r.type, r.id])).toEqual([
      ['listModels', 1],
      ['setBackend', 2],
    ]);
    expect(f.posted[1]).toMatchObject({ backend: 'wasm' });
    const status = {
      requested: 'wasm',
      active: 'wasm',
      state: 'ready',
      adapter: null,
      reason: null,
      layout: 'in-out',
      threads: 1,
    } as const;
    f.send({ kind: 'reply', id: 2, type: 'setBackend', ok: true, result: status });
    f.send({ kind: 'reply', id: 1, type: 'listModels', ok: false, error: 'the cache is blocked' });
    await expect(b).resolves.toEqual(status);
    await expect(a).rejects.toEqual(new WorkerError('the cache is blocked', 'listModels'));
  });

  it('passes events to every listener until it stops listening', () => {
    const f = fakePort();
    const client = clientFor(f.port);
    const seen: WorkerEvent[] = [];
    const stop = client.onEvent((e) => seen.push(e));
    const e: WorkerEvent = { type: 'notice', level: 'info', message: 'hello' };
    f.send({ kind: 'event', event: e });
    stop();
    f.send({ kind: 'event', event: e });
    expect(seen).toEqual([e]);
  });

  it('rejects what is pending and tells the page when the worker crashes', async () => {
    const f = fakePort();
    const client = clientFor(f.port);
    const seen: WorkerEvent[] = [];
    client.onEvent((e) => seen.push(e));
    const pending = client.call('clearVideos', {});
    f.crash('out of memory');
    await expect(pending).rejects.toThrow('out of memory');
    expect(seen[0]).toMatchObject({ type: 'notice', level: 'error', message: expect.stringMatching(/crashed: out of memory/) });
  });

  it('delivers events that arrive close together in one go, in order, and always before a later reply', async () => {
    vi.useFakeTimers();
    try {
      const f = fakePort();
      const client = clientFor(f.port, { batchEventsMs: 40 });
      const seen: string[] = [];
      client.onEvent((e) => seen.push(e.type === 'notice' ? e.message : e.type));
      const note = (message: string): WorkerEvent => ({ type: 'notice', level: 'info', message });
      f.send({ kind: 'event', event: note('a') });
      f.send({ kind: 'event', event: note('b') });
      expect(seen).toEqual([]);
      vi.advanceTimersByTime(39);
      expect(seen).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(seen).toEqual(['a', 'b']);
      // A reply hands over the events sent before it first.
      const reply = client.call('clearVideos', {});
      f.send({ kind: 'event', event: note('c') });
      f.send({ kind: 'reply', id: 1, type: 'clearVideos', ok: true, result: null });
      expect(seen).toEqual(['a', 'b', 'c']);
      await reply;
      // So does a crash, before its own notice.
      f.send({ kind: 'event', event: note('d') });
      f.crash('gone');
      expect(seen.slice(3, 4)).toEqual(['d']);
      expect(seen[4]).toMatch(/crashed: gone/);
      vi.advanceTimersByTime(100);
      expect(seen.length).toBe(5);
    } finally {
      vi.useRealTimers();
    }
  });

  it('spaces its deliveries while events keep coming, and delivers the first after a pause soon', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const f = fakePort();
      const client = clientFor(f.port, { batchEventsMs: 40, streamSpacingMs: 200 });
      const seen: string[] = [];
      client.onEvent((e) => seen.push(e.type === 'notice' ? e.message : e.type));
      const note = (message: string): WorkerEvent => ({ type: 'notice', level: 'info', message });
      f.send({ kind: 'event', event: note('a') });
      vi.advanceTimersByTime(40);
      expect(seen).toEqual(['a']);
      // Right after a delivery: this one waits until 200 ms after it, with those that follow.
      f.send({ kind: 'event', event: note('b') });
      vi.advanceTimersByTime(100);
      f.send({ kind: 'event', event: note('c') });
      vi.advanceTimersByTime(99);
      expect(seen).toEqual(['a']);
      vi.advanceTimersByTime(1);
      expect(seen).toEqual(['a', 'b', 'c']);
      // After a pause longer than the spacing, the next event comes after the batch's 40 ms again.
      vi.advanceTimersByTime(1000);
      f.send({ kind: 'event', event: note('d') });
      vi.advanceTimersByTime(40);
      expect(seen).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      vi.useRealTimers();
    }
  });
});
