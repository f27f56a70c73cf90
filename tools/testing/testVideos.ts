/**
 * Videos made by the tests with known frames: seeded RGB frames encoded
 * losslessly by the system's ffmpeg (FFV1 in Matroska, or H.264 RGB at qp 0
 * in MP4), at a constant rate or at given presentation times, so that every
 * decoded frame is known to the byte; ffprobe lists the timestamps of every
 * frame, as an account of the file apart from the product's decoder.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { rng } from './random';

const exec = promisify(execFile);

export interface TestVideo {
  path: string;
  width: number;
  height: number;
  /** Each frame's RGB bytes, in presentation order. */
  frames: Uint8Array[];
}

export interface VideoSpec {
  width: number;
  height: number;
  count: number;
  seed: number;
  /** A constant rate ('30000/1001', '25', '25/2'), or each frame's presentation time in seconds. */
  rate?: string;
  times?: number[];
  /** ffv1 and h264rgb are lossless (the command line's tests); vp9 (WebM) and h264 (yuv420p MP4) are what browsers decode (the page's tests, which compare with the frames the browser decoded). */
  codec?: 'ffv1' | 'h264rgb' | 'vp9' | 'h264';
  /** Per-pixel noise added to the smooth content (default 30 levels; 0 for content that chroma subsampling leaves almost alone). */
  noise?: number;
}

/** Frames with smooth content (gradients that move) plus noise, so that every frame differs and a resize has something to interpolate. */
export function testFrames(spec: { width: number; height: number; count: number; seed: number; noise?: number }): Uint8Array[] {
  const r = rng(spec.seed);
  return Array.from({ length: spec.count }, (_, t) => {
    const f = new Uint8Array(spec.width * spec.height * 3);
    const phase = r() * 6.28;
    for (let y = 0; y < spec.height; y++)
      for (let x = 0; x < spec.width; x++)
        for (let c = 0; c < 3; c++) {
          const v = 128 + 90 * Math.sin(x * 0.21 + y * 0.13 * (c + 1) + phase + t * 0.7) + (spec.noise ?? 30) * (r() - 0.5);
          f[(y * spec.width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
        }
    return f;
  });
}

export async function makeVideo(dir: string, name: string, spec: VideoSpec): Promise<TestVideo> {
  const frames = testFrames(spec);
  const out = path.join(dir, name);
  const codec = spec.codec ?? (name.endsWith('.mp4') ? 'h264rgb' : 'ffv1');
  const input = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${spec.width}x${spec.height}`, '-r', spec.rate ?? '1000', '-i', 'pipe:0'];
  const filters: string[] = [];
  if (spec.times) {
    // Each frame's time set by its index: if(eq(N,0),t0,if(eq(N,1),t1,...)).
    let expr = String(spec.times[spec.times.length - 1]);
    for (let i = spec.times.length - 2; i >= 0; i--) expr = `if(eq(N\\,${i})\\,${spec.times[i]}\\,${expr})`;
    filters.push('-vf', `setpts=(${expr})/TB`, '-fps_mode', 'passthrough');
  }
  // YUV made with the BT.709 matrix and tagged so: every decoder (ffmpeg's, a browser's) then converts back with the same matrix.
  const bt709 = ['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709', '-color_range', 'tv'];
  const yuv = (extra: string[]) => [...(spec.times ? [] : ['-vf', 'scale=out_color_matrix=bt709:out_range=tv']), ...extra, ...bt709];
  const enc = {
    ffv1: ['-c:v', 'ffv1', '-pix_fmt', 'gbrp'],
    h264rgb: ['-c:v', 'libx264rgb', '-qp', '0', '-pix_fmt', 'rgb24'],
    vp9: yuv(['-c:v', 'libvpx-vp9', '-crf', '12', '-b:v', '0', '-pix_fmt', 'yuv420p', '-g', '30']),
    h264: yuv(['-c:v', 'libx264', '-qp', '12', '-pix_fmt', 'yuv420p', '-g', '30', '-movflags', '+faststart']),
  }[codec];
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...input, ...filters, ...enc, out], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg made no ${name}: ${err}`))));
    for (const f of frames) child.stdin.write(f);
    child.stdin.end();
  });
  return { path: out, width: spec.width, height: spec.height, frames };
}

/** Every decoded frame's presentation timestamp, in ticks of the stream's time base, in presentation order (ffprobe's account). */
export async function probeFrameTimes(file: string): Promise<{ pts: number[]; num: number; den: number }> {
  const { stdout: tb } = await exec('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=time_base',
    '-of',
    'csv=p=0',
    file,
  ]);
  const [num, den] = tb.trim().split('/').map(Number);
  const { stdout } = await exec(
    'ffprobe',
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts,best_effort_timestamp', '-of', 'csv=p=0', file],
    { maxBuffer: 64 << 20 },
  );
  const pts = stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [p, b] = l.split(',');
      return Number(p === 'N/A' || p === '' ? b : p);
    });
  return { pts: [...pts].sort((a, b) => a - b), num, den };
}

/** The frame rule written apart from the product's: indices of the frames taken. */
export function expectedTaken(times: { pts: number[]; num: number; den: number }, everyMs = 1000, max = 300): number[] {
  const taken: number[] = [];
  let last: number | null = null;
  times.pts.forEach((p, i) => {
    if (taken.length >= max) return;
    // (p - last) * num / den * 1000 >= everyMs, in integers.
    if (last === null || (p - last) * times.num * 1000 >= everyMs * times.den) {
      taken.push(i);
      last = p;
    }
  });
  return taken;
}

/** An MP4 whose header (moov, written first) describes a video stream but whose frames are gone: a video with no frames to decode. */
export async function mp4WithoutFrames(dir: string, name: string): Promise<string> {
  const full = path.join(dir, `${name}.full.mp4`);
  await exec('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=32x24:rate=25',
    '-t',
    '2',
    '-c:v',
    'libx264rgb',
    '-qp',
    '0',
    '-movflags',
    '+faststart',
    full,
  ]);
  const { readFile, writeFile, rm } = await import('node:fs/promises');
  const d = await readFile(full);
  let at = 0;
  while (at + 8 <= d.length) {
    const size = d.readUInt32BE(at);
    if (d.toString('latin1', at + 4, at + 8) === 'mdat') break;
    at += size;
  }
  const out = path.join(dir, name);
  await writeFile(out, d.subarray(0, at + 8));
  await rm(full);
  return out;
}
