/**
 * Decoded frames of a video file from the system's ffmpeg, streamed from its
 * pipe a frame at a time (never the whole video), each with its exact
 * presentation timestamp: ffprobe gives the stream's time base, ffmpeg's
 * `showinfo` filter each frame's pts in it. Every decoded frame is
 * considered once, with no frame-rate conversion (`-fps_mode passthrough`):
 * the frame rule (core/extractor/frameRule.ts) runs inside ffmpeg as a
 * `select` expression in whole ticks, so that only the frames taken are
 * converted to RGB (ffmpeg's default rgb24 conversion) and cross the pipe;
 * each one is held to the core's rule again as it arrives.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { EnvironmentError, InputError } from '../core/errors';
import type { FrameTime } from '../core/extractor/frameRule';

const FFMPEG = () => process.env.FFMPEG_PATH || 'ffmpeg';
const FFPROBE = () => process.env.FFPROBE_PATH || 'ffprobe';

const MISSING =
  'is not installed or not on the PATH: the extractor decodes videos with it (Debian and Ubuntu: apt-get install ffmpeg; macOS: brew install ffmpeg; or set FFMPEG_PATH and FFPROBE_PATH)';

function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new EnvironmentError(`${cmd} ${MISSING}`) : e));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** ffmpeg's and ffprobe's versions; an EnvironmentError saying how to install them when either is missing. */
export async function checkFfmpeg(): Promise<{ ffmpeg: string; ffprobe: string }> {
  const line = (s: string) => s.split('\n')[0].trim();
  const ffmpeg = await run(FFMPEG(), ['-hide_banner', '-version']);
  const ffprobe = await run(FFPROBE(), ['-hide_banner', '-version']);
  if (ffmpeg.code !== 0) throw new EnvironmentError(`${FFMPEG()} does not run (${line(ffmpeg.stderr) || `exit code ${ffmpeg.code}`})`);
  if (ffprobe.code !== 0) throw new EnvironmentError(`${FFPROBE()} does not run (${line(ffprobe.stderr) || `exit code ${ffprobe.code}`})`);
  const major = Number(/version n?(\d+)\./.exec(ffmpeg.stdout)?.[1] ?? NaN);
  if (major < 5) throw new EnvironmentError(`${line(ffmpeg.stdout)}: the extractor needs ffmpeg 5.1 or later (-fps_mode)`);
  return { ffmpeg: line(ffmpeg.stdout), ffprobe: line(ffprobe.stdout) };
}

export interface VideoInfo {
  width: number;
  height: number;
  /** The stream's time base, in which frame timestamps count. */
  timeBase: { num: number; den: number };
  /** Seconds, when the file says. */
  duration: number | null;
}

/** The last thing ffmpeg or ffprobe said that reads as the reason, without its "[demuxer @ 0x...]" prefix. */
function reason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) =>
      l
        .replace(/^\[(error|fatal|warning|info)\]\s*/, '')
        .replace(/^\[[^\]]+ @ 0x[0-9a-f]+\]\s*/, '')
        .trim(),
    )
    .filter(Boolean);
  const last = lines
    .filter((l) => !/^(n:|config |side data|color_range|Input #|Output #|Stream #|Duration|Metadata|Press \[q\])/.test(l))
    .pop();
  return (last ?? 'no reason given').replace(/^.*?: (?=[A-Z])/, '').replace(/\.$/, '');
}

export async function probeVideo(file: string): Promise<VideoInfo> {
  const r = await run(FFPROBE(), [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_type,width,height,time_base,duration:format=duration',
    '-of',
    'json',
    file,
  ]);
  if (r.code !== 0) throw new InputError(`${file}: ffmpeg cannot read it as a video (${reason(r.stderr)})`);
  let info: { streams?: { width?: number; height?: number; time_base?: string; duration?: string }[]; format?: { duration?: string } };
  try {
    info = JSON.parse(r.stdout);
  } catch {
    throw new InputError(`${file}: ffprobe's description of it could not be read`);
  }
  const s = info.streams?.[0];
  if (!s) throw new InputError(`${file}: it holds no video stream`);
  const tb = /^(\d+)\/(\d+)$/.exec(s.time_base ?? '');
  if (!tb || Number(tb[1]) <= 0 || Number(tb[2]) <= 0)
    throw new InputError(`${file}: its video stream has no usable time base (${s.time_base ?? 'none'})`);
  if (!(Number(s.width) > 0 && Number(s.height) > 0)) throw new InputError(`${file}: its video stream has no frame size`);
  const d = Number(s.duration ?? info.format?.duration);
  return {
    width: Number(s.width),
    height: Number(s.height),
    timeBase: { num: Number(tb[1]), den: Number(tb[2]) },
    duration: Number.isFinite(d) && d > 0 ? d : null,
  };
}

export interface DecodedFrame {
  /** 0, 1, 2, ... among the frames ffmpeg passed on. */
  index: number;
  time: FrameTime;
  width: number;
  height: number;
  /** RGB, 3 bytes a pixel, row by row; valid until the next frame is asked for. */
  data: Uint8Array;
}

export interface DecodeOptions {
  /**
   * The frame rule inside ffmpeg: pass only the first frame and then each
   * first one at least this many milliseconds after the last passed
   * (exactly, in ticks of the stream's time base). Unset: every decoded frame.
   */
  everyMs?: number;
  /** Problems ffmpeg reported while frames still came (a cut-off file): one line each. */
  onWarning?: (message: string) => void;
}

/** The select expression of the frame rule in whole ticks: (pts - last) * num * 1000 >= everyMs * den, exact in doubles. */
function selectExpression(timeBase: { num: number; den: number }, everyMs: number): string {
  return `select='isnan(prev_selected_pts)+gte((pts-prev_selected_pts)*${timeBase.num * 1000}\\,${everyMs * timeBase.den})'`;
}

const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(\S+)\s+pts_time:\S+.*?\bs:(\d+)x(\d+)/;
const CONFIG = /config in time_base:\s*(\d+)\/(\d+)/;

/**
 * The frames of the first video stream, in presentation order. Stopping the
 * iteration early stops ffmpeg. A file ffmpeg cannot decode is an InputError
 * naming it; one that ends in errors after some frames gives its frames and a
 * warning.
 */
export async function* decodeVideo(file: string, info: VideoInfo, opts: DecodeOptions = {}): AsyncGenerator<DecodedFrame> {
  const filters = [...(opts.everyMs !== undefined ? [selectExpression(info.timeBase, opts.everyMs)] : []), 'showinfo'];
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'level+info',
    '-i',
    file,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-fps_mode',
    'passthrough',
    '-vf',
    filters.join(','),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const child: ChildProcess = spawn(FFMPEG(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const stdout = child.stdout!;
  const frames: { n: number; pts: number | null; width: number; height: number }[] = [];
  const errors: string[] = [];
  let stderrTail = '';
  let filterTimeBase: { num: number; den: number } | null = null;
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  let spawnError: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };

  createInterface({ input: child.stderr! }).on('line', (line) => {
    const info = SHOWINFO.exec(line);
    if (info) {
      frames.push({
        n: Number(info[1]),
        pts: /^-?\d+$/.test(info[2]) ? Number(info[2]) : null,
        width: Number(info[3]),
        height: Number(info[4]),
      });
      poke();
      return;
    }
    const config = CONFIG.exec(line);
    if (config && !filterTimeBase) filterTimeBase = { num: Number(config[1]), den: Number(config[2]) };
    if (/^\[(error|fatal)\]/.test(line)) errors.push(line);
    if (!/^\[info\]/.test(line)) stderrTail = (stderrTail + line + '\n').slice(-4000);
  });
  const chunks: Buffer[] = [];
  let buffered = 0;
  let ended = false;
  stdout.on('data', (d: Buffer) => {
    chunks.push(d);
    buffered += d.length;
    // Backpressure: at most about two frames wait in memory.
    const next = frames[0];
    if (next && buffered > 2 * next.width * next.height * 3) stdout.pause();
    poke();
  });
  stdout.on('end', () => {
    ended = true;
    poke();
  });
  child.on('error', (e: NodeJS.ErrnoException) => {
    spawnError = e.code === 'ENOENT' ? new EnvironmentError(`${FFMPEG()} ${MISSING}`) : e;
    poke();
  });
  const closed = new Promise<void>((resolve) =>
    child.on('close', (code, signal) => {
      exit = { code, signal };
      poke();
      resolve();
    }),
  );

  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = chunks[0];
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) chunks.shift();
      else chunks[0] = c.subarray(k);
    }
    buffered -= n;
    return out;
  };

  let index = 0;
  let finishedNormally = false;
  try {
    for (;;) {
      if (spawnError) throw spawnError;
      const next = frames[0];
      const size = next ? next.width * next.height * 3 : 0;
      if (next && buffered >= size) {
        frames.shift();
        const data = take(size);
        if (stdout.isPaused() && buffered < 2 * size) stdout.resume();
        if (next.pts === null) throw new InputError(`${file}: frame ${next.n} has no timestamp, so the frame rule cannot place it`);
        // Assigned in the stderr listener, which the compiler does not follow.
        const ftb = filterTimeBase as { num: number; den: number } | null;
        const tb = ftb ?? info.timeBase;
        if (ftb && (ftb.num !== info.timeBase.num || ftb.den !== info.timeBase.den)) {
          throw new Error(
            `ffmpeg's filter counts time in ${ftb.num}/${ftb.den}, not the stream's ${info.timeBase.num}/${info.timeBase.den}`,
          );
        }
        yield { index: index++, time: { pts: next.pts, num: tb.num, den: tb.den }, width: next.width, height: next.height, data };
        continue;
      }
      if (ended && exit) break;
      if (stdout.isPaused()) stdout.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    await closed;
    const { code } = exit ?? { code: null };
    if (code !== 0) {
      const why = reason(errors.join('\n') || stderrTail);
      if (index === 0) throw new InputError(`${file}: ffmpeg cannot decode it (${why})`);
      opts.onWarning?.(
        `${file}: ffmpeg stopped with an error after ${index} frame${index === 1 ? '' : 's'} (${why}): the features cover the video up to there`,
      );
    } else if (errors.length > 0 && index > 0) {
      opts.onWarning?.(
        `${file}: ffmpeg reported errors while decoding (${reason(errors.join('\n'))}): the file may be damaged or cut off, and the features cover what could be decoded`,
      );
    } else if (errors.length > 0 && index === 0) {
      throw new InputError(`${file}: ffmpeg cannot decode it (${reason(errors.join('\n'))})`);
    }
    if (buffered > 0 && index === 0 && frames.length === 0) throw new InputError(`${file}: ffmpeg gave ${buffered} bytes but no frame`);
    finishedNormally = true;
  } finally {
    if (!finishedNormally && exit === null) {
      child.kill('SIGKILL');
      await closed;
    }
  }
}
