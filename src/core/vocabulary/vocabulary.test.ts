import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InputError } from '../errors';
import { classNamesFor, parseVocabularyCsv } from './vocabulary';

const publicCsv = fileURLToPath(new URL('../../../public/vocabulary/yt8m_vocabulary.csv', import.meta.url));

describe('parseVocabularyCsv', () => {
  it('reads the committed public vocabulary', () => {
    const names = parseVocabularyCsv(readFileSync(publicCsv, 'utf8'));
    expect(names).toHaveLength(3862);
    expect(names[0]).toBe('Game');
    expect(names[1]).toBe('Video game');
    expect(names[271]).toBe('Nike, Inc.');
    expect(names[2533]).toBe('Toys "R" Us');
    // Empty in the source.
    expect(names[120]).toBe('class 120');
  });

  it('reads the full header with quoted commas, quotes and line breaks', () => {
    const text =
      'Index,TrainVideoCount,KnowledgeGraphId,Name,WikiUrl,Vertical1,Vertical2,Vertical3,WikiDescription\r\n' +
      '1,5,/m/b,"Warhammer 40,000",https://x,Games,,,"Says ""hi"", then\nmore"\r\n' +
      '0,9,/m/a,Game,https://y,Games,,,"A game, played."\r\n';
    expect(parseVocabularyCsv(text)).toEqual(['Game', 'Warhammer 40,000']);
  });

  it('accepts a trimmed file with Index and Name among other columns, and a BOM', () => {
    expect(parseVocabularyCsv('\uFEFFName,Extra,Index\nB,x,1\nA,y,0\n')).toEqual(['A', 'B']);
  });

  it('rejects malformed CSV naming the row', () => {
    expect(() => parseVocabularyCsv('Index,Name\n0,a\n1,"b\n2,c\n', 'v.csv')).toThrow(
      /^v\.csv: row 2 opens a quoted field that is never closed/,
    );
    expect(() => parseVocabularyCsv('Index,Name\n0,a\n1,b,c\n', 'v.csv')).toThrow(
      /^v\.csv: row 2 \(Index 1\) does not match the header: Too many fields/,
    );
    expect(() => parseVocabularyCsv('Index,Name\n0,a\n1,b,c\n')).toThrow(InputError);
  });

  it('rejects missing columns, bad, duplicate and missing indices', () => {
    expect(() => parseVocabularyCsv('Id,Name\n0,a\n')).toThrow(/no "Index" column/);
    expect(() => parseVocabularyCsv('Index,Label\n0,a\n')).toThrow(/no "Name" column/);
    expect(() => parseVocabularyCsv('Index,Name\n')).toThrow(/no rows/);
    expect(() => parseVocabularyCsv('Index,Name\n0,a\nx,b\n')).toThrow(/row 2: Index "x" is not a whole number/);
    expect(() => parseVocabularyCsv('Index,Name\n0,a\n1,b\n0,c\n')).toThrow(/row 3: Index 0 was already given by row 1/);
    expect(() => parseVocabularyCsv('Index,Name\n0,a\n1,b\n3,d\n')).toThrow(/no row has Index 2, but row 3 has Index 3/);
    expect(() => parseVocabularyCsv('Index,Name\n0,a\n1,b\n3,d\n')).toThrow(InputError);
  });
});

describe('classNamesFor', () => {
  it('uses the names when their count matches', () => {
    expect(classNamesFor(2, ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('falls back to class N otherwise', () => {
    expect(classNamesFor(3)).toEqual(['class 0', 'class 1', 'class 2']);
    expect(classNamesFor(3, ['a', 'b'])).toEqual(['class 0', 'class 1', 'class 2']);
    expect(classNamesFor(0)).toEqual([]);
  });
});
