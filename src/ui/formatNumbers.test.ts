import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatTime } from './formatNumbers';

describe('format', () => {
  it('formats bytes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(4 * 1024 * 1024)).toBe('4.0 MB');
    expect(formatBytes(434_999_167)).toBe('415 MB');
  });
  it('formats time and counts', () => {
    expect(formatTime(0)).toBe('0:00');
    expect(formatTime(125)).toBe('2:05');
    expect(formatCount(108_700_000)).toBe('108.7 M');
    expect(formatCount(81_000)).toBe('81 k');
  });
});
