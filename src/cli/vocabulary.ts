import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseVocabularyCsv } from '../core/vocabulary';

/**
 * The YouTube-8M class names the app ships in public/. Found from this file,
 * two levels below the root, as the command line's bundle is too
 * (dist-cli/<build>/: scripts/cli.mjs).
 */
export async function yt8mVocabulary(): Promise<string[]> {
  const file = fileURLToPath(new URL('../../public/vocabulary/yt8m_vocabulary.csv', import.meta.url));
  return parseVocabularyCsv(await readFile(file, 'utf8'), file);
}
