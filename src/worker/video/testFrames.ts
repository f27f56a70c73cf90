/**
 * For the end-to-end tests (testHooks.ts): the frames of a video exactly as
 * the page's extraction decodes and takes them (the same decoder, the same
 * frame rule), so that a test can run the float64 reference on the frames
 * the browser decoded and compare with the page's features.
 */
import { FrameSampler, microseconds } from '../../core/extractor/frameRule';
import { openVideo } from './videoFrames';

export interface TakenFrames {
  times: number[];
  width: number;
  height: number;
  /** Each frame taken as RGB bytes, base64 (plain data across Playwright's boundary). */
  rgb: string[];
  considered: number;
}

export async function takenFrames(bytes: Uint8Array<ArrayBuffer>, name: string): Promise<TakenFrames> {
  const video = await openVideo(new Blob([bytes]), name);
  const sampler = new FrameSampler();
  const out: TakenFrames = { times: [], width: 0, height: 0, rgb: [], considered: 0 };
  try {
    for await (const frame of video.frames()) {
      if (!sampler.consider(microseconds(frame.us))) continue;
      const { width, height, data } = frame.rgba();
      const rgb = new Uint8Array(width * height * 3);
      for (let i = 0, j = 0; i < data.length; i += 4, j += 3) {
        rgb[j] = data[i];
        rgb[j + 1] = data[i + 1];
        rgb[j + 2] = data[i + 2];
      }
      let bin = '';
      for (let i = 0; i < rgb.length; i += 0x8000) bin += String.fromCharCode(...rgb.subarray(i, i + 0x8000));
      out.rgb.push(btoa(bin));
      out.times.push(frame.us / 1e6);
      out.width = width;
      out.height = height;
      if (sampler.full) break;
    }
  } finally {
    video.close();
  }
  out.considered = sampler.considered;
  return out;
}
