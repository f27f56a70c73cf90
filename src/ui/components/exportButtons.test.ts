import { describe, expect, it } from 'vitest';
import { exportNote } from './ExportButtons';

describe('what an export says it holds', () => {
  it('says nothing when every video is in it, and how many of how many otherwise', () => {
    expect(exportNote(12, 12, false)).toBeNull();
    expect(exportNote(5, 12, false)).toBe('Holds the 5 finished videos of 12; the other 7 are still being predicted.');
    expect(exportNote(1, 1500, true)).toBe(
      'Holds the 1 finished video of the 1,500 read so far; the files are still being read and predicted.',
    );
  });
});
