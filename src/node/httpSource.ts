/**
 * A feature file served over http(s) as a ByteSource: each read asks for its
 * bytes with an HTTP range request, so a file is streamed a chunk at a time
 * (4 MiB, as a local file is read) and never held whole. A connection that
 * breaks or stalls is asked again from the byte where it broke (Range), up to
 * `retries` times in a row with a growing pause; a try that brought bytes
 * starts the count again. After the last try: an EnvironmentError that says
 * where and why (a worker of a sharded run then fails, and its scheduler runs
 * it again). A server without range requests is read from the start each
 * time, the bytes before the offset dropped. A file that changes on the
 * server while it is read (its size, ETag or Last-Modified) is an InputError.
 */
import { EnvironmentError, InputError } from '../core/errors';
import type { ByteSource } from '../core/io/byteSource';

export interface HttpOptions {
  /** Tries after the first, in a row without progress. Default ALSTM_HTTP_RETRIES or 5. */
  retries?: number;
  /** The first pause before a retry, doubled each time (at most 30 s). Default ALSTM_HTTP_BACKOFF_MS or 1000. */
  backoffMs?: number;
  /** A response that sends nothing for this long is broken off and retried. Default ALSTM_HTTP_TIMEOUT_MS or 60000. */
  idleTimeoutMs?: number;
}

export function isUrl(input: string): boolean {
  return /^https?:\/\//i.test(input);
}

/** A failure worth another try (a broken connection, a stall, a 5xx, 429, 408); anything else is final. */
class Retryable extends Error {}

function envNumber(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InputError(`${name} must be a number of at least 0, not '${v}'`);
  return n;
}

/** The URL without user and password, for messages. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

export async function httpSource(url: string, opts: HttpOptions = {}): Promise<ByteSource> {
  const name = shown(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${name}: not a valid URL`);
  }
  if (parsed.username || parsed.password)
    throw new InputError(`${name}: a user name and password in the URL are not supported: use a pre-signed or public URL`);
  const retries = opts.retries ?? envNumber('ALSTM_HTTP_RETRIES', 5);
  const backoffMs = opts.backoffMs ?? envNumber('ALSTM_HTTP_BACKOFF_MS', 1000);
  const idleMs = opts.idleTimeoutMs ?? envNumber('ALSTM_HTTP_TIMEOUT_MS', 60_000);
  let validator: string | null = null;
  let size = -1;

  /** One request for bytes [from, end) into `into` at `at`; returns the bytes received (fewer if the connection broke). */
  async function fetchRange(
    from: number,
    end: number,
    into: Uint8Array | null,
    at: number,
  ): Promise<{ got: number; broke: string | null }> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let stalled = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = true;
        controller.abort();
      }, idleMs);
    };
    arm();
    try {
      let res: Response;
      try {
        res = await fetch(url, {
          headers: { Range: `bytes=${from}-${Math.max(from, end - 1)}`, 'Accept-Encoding': 'identity' },
          signal: controller.signal,
          redirect: 'follow',
        });
      } catch (e) {
        const cause = causeOf(e);
        // A certificate that does not verify will not verify on the next try either.
        if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(cause))
          throw new EnvironmentError(`${name}: cannot connect securely (${cause})`);
        throw new Retryable(stalled ? `no answer for ${idleMs / 1000} s` : `cannot connect (${cause})`);
      }
      if (res.status === 416 && size === -1) {
        // An empty file: nothing satisfies bytes=0-0.
        await res.body?.cancel();
        size = sizeFromContentRange(res.headers.get('content-range')) ?? 0;
        return { got: 0, broke: null };
      }
      if (res.status === 408 || res.status === 429 || res.status >= 500) {
        await res.body?.cancel().catch(() => {});
        throw new Retryable(`HTTP ${res.status} ${res.statusText}`);
      }
      if (res.status !== 200 && res.status !== 206) {
        await res.body?.cancel().catch(() => {});
        throw new InputError(
          `${name}: the server answered HTTP ${res.status} ${res.statusText}${res.status === 404 ? ' (no such file)' : ''}`,
        );
      }
      const total =
        res.status === 206 ? sizeFromContentRange(res.headers.get('content-range')) : lengthOf(res.headers.get('content-length'));
      const tag = res.headers.get('etag') ?? res.headers.get('last-modified');
      if (size === -1) {
        if (total === null)
          throw new InputError(`${name}: the server does not say how long the file is (no Content-Range or Content-Length)`);
        size = total;
        validator = tag;
      } else if ((total !== null && total !== size) || (tag !== null && validator !== null && tag !== validator)) {
        throw new InputError(
          `${name}: the file changed on the server while it was read (${total !== size ? `${size} bytes, now ${total}` : 'its ETag or Last-Modified changed'}): run again`,
        );
      }
      // 206 starts at `from`; a server that ignores Range sends the whole file from byte 0.
      let skip = res.status === 206 ? 0 : from;
      if (res.status === 206) {
        const start = startFromContentRange(res.headers.get('content-range'));
        if (start !== from) throw new Retryable(`asked for bytes from ${from}, the server sent from ${start}`);
      }
      let got = 0;
      const want = end - from;
      const reader = res.body!.getReader();
      try {
        while (got < want) {
          arm();
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (e) {
            return { got, broke: stalled ? `no bytes for ${idleMs / 1000} s` : `the connection broke (${causeOf(e)})` };
          }
          if (chunk.done) return { got, broke: got < want ? 'the connection closed early' : null };
          let bytes = chunk.value;
          if (skip > 0) {
            const drop = Math.min(skip, bytes.length);
            skip -= drop;
            bytes = bytes.subarray(drop);
          }
          const take = Math.min(bytes.length, want - got);
          if (into && take > 0) into.set(bytes.subarray(0, take), at + got);
          got += take;
        }
        return { got, broke: null };
      } finally {
        reader.cancel().catch(() => {});
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Bytes [offset, end) with retries that resume where the last try stopped. */
  async function readRange(offset: number, end: number, into: Uint8Array | null): Promise<void> {
    let done = 0;
    let failures = 0;
    for (;;) {
      let reason: string;
      try {
        const { got, broke } = await fetchRange(offset + done, end, into, done);
        done += got;
        if (got > 0) failures = 0;
        if (broke === null) return;
        reason = broke ?? 'the connection closed early';
      } catch (e) {
        if (!(e instanceof Retryable)) throw e;
        reason = e.message;
      }
      failures++;
      if (failures > retries) {
        const at = size >= 0 ? ` at byte ${offset + done} of ${size}` : '';
        throw new EnvironmentError(`${name}: reading failed${at} after ${retries + 1} tries in a row (last: ${reason})`);
      }
      await new Promise((r) => setTimeout(r, Math.min(30_000, backoffMs * 2 ** (failures - 1))));
    }
  }

  // The size (and the validator) from a one-byte request.
  await readRange(0, 1, null);
  const fileSize = size;
  return {
    name,
    size: fileSize,
    read: async (offset, length) => {
      const end = Math.min(fileSize, offset + length);
      if (end <= offset) return new Uint8Array(0);
      const buf = new Uint8Array(end - offset);
      await readRange(offset, end, buf);
      return buf;
    },
  };
}

function causeOf(e: unknown): string {
  const err = e as { cause?: { code?: string; message?: string }; message?: string };
  // undici's own codes (UND_ERR_SOCKET) say less than its messages ("other side closed"); the system's (ECONNREFUSED) more.
  const code = err?.cause?.code;
  if (code && !code.startsWith('UND_ERR')) return code;
  return err?.cause?.message ?? err?.message ?? String(e);
}

function lengthOf(h: string | null): number | null {
  if (h === null || !/^\d+$/.test(h.trim())) return null;
  return Number(h.trim());
}

function sizeFromContentRange(h: string | null): number | null {
  const m = h ? /\/(\d+)\s*$/.exec(h) : null;
  return m ? Number(m[1]) : null;
}

function startFromContentRange(h: string | null): number | null {
  const m = h ? /^\s*bytes\s+(\d+)-/.exec(h) : null;
  return m ? Number(m[1]) : null;
}
