/**
 * Reading one feature source (a file the user gave, or a bundled sample by
 * URL) into videos. A source that yields no video at all is an error naming
 * it; a broken record only costs itself and comes back as a warning.
 */
import { InputError } from '../../core/errors';
import { readFeatureFile } from '../../core/features/read';
import type { VideoFeatures } from '../../core/features/types';
import type { FeatureSource } from '../protocol';

export function sourceName(src: FeatureSource): string {
  return src.kind === 'file' ? src.file.name : src.name;
}

export async function readFeatureSource(
  src: FeatureSource, fetch: (url: string) => Promise<Response>,
): Promise<{ videos: VideoFeatures[]; warnings: string[] }> {
  const name = sourceName(src);
  const bytes = src.kind === 'file' ? new Uint8Array(await src.file.arrayBuffer()) : await fetchBytes(src.url, name, fetch);
  const { videos, warnings } = readFeatureFile(bytes, name);
  if (videos.length === 0) throw new InputError(`${name}: no video could be read from it${warnings[0] ? ` (${warnings[0]})` : ''}`);
  return { videos, warnings };
}

async function fetchBytes(url: string, name: string, fetch: (url: string) => Promise<Response>): Promise<Uint8Array> {
  const r = await fetch(url);
  if (!r.ok) throw new InputError(`${name}: the server answered ${r.status} ${r.statusText}`.trim());
  return new Uint8Array(await r.arrayBuffer());
}
