/**
 * A dropped video's frames, decoded in the worker with WebCodecs, the
 * container read by mediabunny (mp4, mov, webm, mkv, ...): each decoded frame
 * in presentation order with its time in microseconds (WebCodecs' own unit),
 * so that the frame rule sees every frame once. The caller asks for the
 * pixels of the frames it takes only; a frame is closed as soon as the
 * caller is done with it, so the decoder holds a few frames at most.
 */
import { ALL_FORMATS, BlobSource, Input, type InputVideoTrack, VideoSampleSink, type VideoSample } from 'mediabunny';
import { InputError } from '../../core/errors';

export interface OpenedVideo {
  /** Seconds from the first frame to the end (the container's account), for the expected frame count. */
  duration: number;
  codec: string;
  width: number;
  height: number;
  frames(): AsyncGenerator<DecodedFrame>;
  close(): void;
}

interface DecodedFrame {
  /** Presentation time in whole microseconds. */
  us: number;
  /** RGBA bytes of the frame at its display size, rotated as the file says (the browser's colour conversion). */
  rgba(): { width: number; height: number; data: Uint8Array };
  /** Draws the frame scaled into a box of a canvas (the filmstrip's sprite). */
  drawInto(ctx: OffscreenCanvasRenderingContext2D, x: number, y: number, width: number, height: number): void;
}

function reason(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\.$/, '');
}

/** Opens a video file; a file that is not a video the browser can decode is one InputError naming it. */
export async function openVideo(file: Blob, name: string): Promise<OpenedVideo> {
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS });
  let track: InputVideoTrack | null;
  try {
    track = await input.getPrimaryVideoTrack();
  } catch (e) {
    input.dispose();
    throw new InputError(`${name}: the browser cannot read it as a video (${reason(e)})`);
  }
  if (!track) {
    input.dispose();
    throw new InputError(`${name}: the file holds no video track`);
  }
  const codec = track.codec ?? 'unknown';
  let decodable: boolean;
  try {
    decodable = await track.canDecode();
  } catch {
    decodable = false;
  }
  if (!decodable) {
    input.dispose();
    throw new InputError(`${name}: this browser cannot decode its ${codec} video`);
  }
  let duration: number;
  try {
    const first = await track.getFirstTimestamp();
    duration = Math.max(0, (await track.computeDuration()) - first);
  } catch {
    duration = 0;
  }
  const videoTrack = track;
  return {
    duration,
    codec,
    width: videoTrack.displayWidth,
    height: videoTrack.displayHeight,
    frames: () => decodeFrames(videoTrack, name),
    close: () => input.dispose(),
  };
}

async function* decodeFrames(track: InputVideoTrack, name: string): AsyncGenerator<DecodedFrame> {
  const sink = new VideoSampleSink(track);
  let canvas: OffscreenCanvas | null = null;
  let ctx: OffscreenCanvasRenderingContext2D | null = null;
  const draw = (sample: VideoSample, width: number, height: number) => {
    if (!canvas || canvas.width !== width || canvas.height !== height) {
      canvas = new OffscreenCanvas(width, height);
      ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
      if (!ctx) throw new InputError(`${name}: the browser gave no canvas to convert its frames`);
    }
    sample.drawWithFit(ctx!, { fit: 'fill' });
    return ctx!;
  };
  const samples = sink.samples();
  try {
    while (true) {
      let next: IteratorResult<VideoSample>;
      try {
        next = await samples.next();
      } catch (e) {
        throw new InputError(`${name}: the video could not be decoded (${reason(e)})`);
      }
      if (next.done) return;
      const sample = next.value;
      try {
        const rotated = sample.rotation === 90 || sample.rotation === 270;
        const width = rotated ? sample.displayHeight : sample.displayWidth;
        const height = rotated ? sample.displayWidth : sample.displayHeight;
        yield {
          us: Math.round(sample.timestamp * 1e6),
          rgba: () => {
            const c = draw(sample, width, height);
            const image = c.getImageData(0, 0, width, height);
            return { width, height, data: new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.byteLength) };
          },
          drawInto: (target, x, y, w, h) => {
            // The full frame first (rotated as the file says), then scaled into the box.
            const c = draw(sample, width, height);
            target.drawImage(c.canvas, x, y, w, h);
          },
        };
      } finally {
        sample.close();
      }
    }
  } finally {
    await samples.return(undefined).catch(() => {});
  }
}
