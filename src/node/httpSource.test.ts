import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamFeatureFile } from '../core/features/stream';
import { writeTfRecordFeatures } from '../core/features/tfrecordFeatures';
import { EnvironmentError, InputError } from '../core/errors';
import { httpSource } from './httpSource';

/** How the test server misbehaves for one path. */
interface Fault {
  /** Each response sends at most this many body bytes, then destroys the connection (the first `times` responses; then it behaves). */
  dropAfter?: number;
  times?: number;
  /** Claims this many bytes, sends the real (shorter) file, and closes: a truncated file behind a longer Content-Length. */
  claim?: number;
  /** Answers every request with this status. */
  status?: number;
  /** Ignores Range and sends the whole file with 200. */
  noRange?: boolean;
  /** The first responses answer 503. */
  unavailable?: number;
}

const bytes = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251);
const videos = Array.from({ length: 6 }, (_, v) => ({
  id: `v${v}`,
  labels: [v % 3],
  rgb: Array.from({ length: 10 + v }, (_, f) => Uint8Array.from({ length: 1024 }, (_, i) => (i + f + v) & 255)),
  audio: Array.from({ length: 10 + v }, (_, f) => Uint8Array.from({ length: 128 }, (_, i) => (i * 3 + f) & 255)),
}));
const record = writeTfRecordFeatures(videos);

describe('feature files over http(s)', () => {
  let server: Server;
  let base: string;
  const faults = new Map<string, Fault>();
  const served = new Map<string, number>();
  const ranges: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const [path] = (req.url ?? '/').split('?');
      const body =
        path.startsWith('/record') || path.startsWith('/cut-record')
          ? path.startsWith('/cut')
            ? record.subarray(0, record.length - 100)
            : record
          : bytes;
      const f = faults.get(path) ?? {};
      const n = (served.get(path) ?? 0) + 1;
      served.set(path, n);
      if (path === '/missing') {
        res.writeHead(404).end();
        return;
      }
      if (f.status) {
        res.writeHead(f.status).end();
        return;
      }
      if (f.unavailable && n <= f.unavailable) {
        res.writeHead(503).end();
        return;
      }
      const range = /bytes=(\d+)-(\d+)?/.exec(req.headers.range ?? '');
      ranges.push(`${path} ${req.headers.range ?? ''}`);
      const size = f.claim ?? body.length;
      let start = 0;
      let end = size - 1;
      if (range && !f.noRange) {
        start = Number(range[1]);
        end = Math.min(size - 1, range[2] ? Number(range[2]) : size - 1);
        res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1, ETag: '"v1"' });
      } else {
        res.writeHead(200, { 'Content-Length': size, ETag: '"v1"' });
      }
      let chunk = body.subarray(start, Math.min(body.length, end + 1));
      const dropping = f.dropAfter !== undefined && (f.times === undefined || n <= f.times);
      if (dropping) chunk = chunk.subarray(0, f.dropAfter);
      res.write(chunk, () => {
        if (dropping || chunk.length < end - start + 1) res.destroy();
        else res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const fast = { retries: 3, backoffMs: 1, idleTimeoutMs: 5000 };

  it('reads any range of a file, as a local file reads', async () => {
    const src = await httpSource(`${base}/plain`, fast);
    expect(src.size).toBe(bytes.length);
    expect(Buffer.from(await src.read(1000, 5000)).equals(Buffer.from(bytes.subarray(1000, 6000)))).toBe(true);
    expect((await src.read(bytes.length - 10, 100)).length).toBe(10);
    expect(ranges).toContain('/plain bytes=1000-5999');
  });

  it('resumes where a dropped connection broke, with a range request from that byte', async () => {
    faults.set('/dropping', { dropAfter: 40_000 });
    const src = await httpSource(`${base}/dropping`, fast);
    const got = await src.read(0, bytes.length);
    expect(Buffer.from(got).equals(Buffer.from(bytes))).toBe(true);
    // Each try brought 40,000 bytes and the next one asked from there.
    expect(ranges).toContain('/dropping bytes=40000-299999');
    expect(ranges).toContain('/dropping bytes=280000-299999');
  });

  it('waits out a server that is unavailable for a while', async () => {
    faults.set('/busy', { unavailable: 2 });
    const src = await httpSource(`${base}/busy`, fast);
    expect((await src.read(0, 10)).length).toBe(10);
  });

  it('streams a TFRecord over http in chunks through drops, giving the videos a local file gives', async () => {
    faults.set('/record', { dropAfter: 3000, times: 40 });
    const src = await httpSource(`${base}/record`, fast);
    const got = [];
    for await (const item of streamFeatureFile({ ...src, name: 'remote.tfrecord' }, { chunkBytes: 8192 }))
      if (item.kind === 'video') got.push(item.video.id);
    expect(got).toEqual(videos.map((v) => v.id));
    // A chunk at a time, as a local file is read: no request asks for the whole file.
    const asked = ranges
      .filter((r) => r.startsWith('/record '))
      .map((r) => /=(\d+)-(\d+)/.exec(r)!)
      .map((m) => Number(m[2]) - Number(m[1]) + 1);
    expect(Math.max(...asked)).toBeLessThan(record.length / 2);
  });

  it('a truncated TFRecord served whole is the same warning as on disk, naming the file', async () => {
    const src = await httpSource(`${base}/cut-record`, fast);
    const items = [];
    for await (const item of streamFeatureFile({ ...src, name: 'cut.tfrecord' })) items.push(item);
    expect(items.filter((i) => i.kind === 'video').length).toBe(5);
    expect(items.find((i) => i.kind === 'warning')).toMatchObject({ message: expect.stringMatching(/^cut\.tfrecord: .*record 5/) });
  });

  it('a file shorter than its Content-Length: resumed until the last retry, then a clear error saying where', async () => {
    faults.set('/short', { claim: bytes.length + 5000 });
    const src = await httpSource(`${base}/short`, fast);
    expect(src.size).toBe(bytes.length + 5000);
    const err = await src.read(290_000, 20_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(
      new RegExp(
        `^${base}/short: reading failed at byte 300000 of 305000 after 4 tries in a row \\(last: the connection (closed early|broke \\(other side closed\\))\\)$`,
      ),
    );
  });

  it('a server without range requests: read from the start, the bytes before dropped', async () => {
    faults.set('/norange', { noRange: true });
    const src = await httpSource(`${base}/norange`, fast);
    expect(Buffer.from(await src.read(123_456, 1000)).equals(Buffer.from(bytes.subarray(123_456, 124_456)))).toBe(true);
  });

  it('a missing file or a refusal is an InputError at once; a server that keeps failing, an error after the last retry; nothing listening, too', async () => {
    const missing = await httpSource(`${base}/missing`, fast).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(InputError);
    expect((missing as Error).message).toBe(`${base}/missing: the server answered HTTP 404 Not Found (no such file)`);
    faults.set('/broken', { status: 500 });
    const broken = await httpSource(`${base}/broken`, fast).catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(EnvironmentError);
    expect((broken as Error).message).toBe(`${base}/broken: reading failed after 4 tries in a row (last: HTTP 500 Internal Server Error)`);
    expect(served.get('/broken')).toBe(4);
    // A port where nothing listens: one just closed.
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const nobody = await httpSource(`http://127.0.0.1:${port}/x.tfrecord`, fast).catch((e: unknown) => e);
    expect((nobody as Error).message).toBe(
      `http://127.0.0.1:${port}/x.tfrecord: reading failed after 4 tries in a row (last: cannot connect (ECONNREFUSED))`,
    );
  });

  it('refuses a URL with a user name and password (they would go to every server it redirects to)', async () => {
    await expect(httpSource('http://me:secret@127.0.0.1:9/x.tfrecord', fast)).rejects.toThrow(
      /^http:\/\/127\.0\.0\.1:9\/x\.tfrecord: a user name and password in the URL are not supported/,
    );
  });

  it('says when the file changed on the server between reads', async () => {
    const src = await httpSource(`${base}/plain`, fast);
    faults.set('/plain', { claim: bytes.length - 1 });
    const err = await src.read(0, 10).catch((e: unknown) => e);
    faults.delete('/plain');
    expect((err as Error).message).toMatch(
      /\/plain: the file changed on the server while it was read \(300000 bytes, now 299999\): run again$/,
    );
  });
});
