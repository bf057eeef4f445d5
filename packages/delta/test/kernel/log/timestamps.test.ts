import { describe, expect, it } from 'vitest';
import { adjustedTimestamps, versionAtTimestamp } from '../../../src/kernel/log/timestamps.js';

describe('commit timestamps', () => {
  it('makes file modification times monotonic, as Delta does for clock skew', () => {
    const t = adjustedTimestamps([
      { version: 0, lastModified: 1000 },
      { version: 1, lastModified: 900 },
      { version: 2, lastModified: 2000 },
    ]);
    expect(t.map((x) => x.timestamp)).toEqual([1000, 1001, 2000]);
  });

  it('picks the latest version committed at or before the timestamp', () => {
    const timeline = [
      { version: 0, timestamp: 100 },
      { version: 1, timestamp: 200 },
      { version: 2, timestamp: 300 },
    ];
    expect(versionAtTimestamp('t', timeline, 100)).toBe(0);
    expect(versionAtTimestamp('t', timeline, 250)).toBe(1);
    expect(versionAtTimestamp('t', timeline, 10_000)).toBe(2);
  });

  it('rejects a timestamp before the first commit, naming the earliest one', () => {
    expect(() => versionAtTimestamp('tbl', [{ version: 3, timestamp: 5000 }], 10)).toThrow(/before the earliest available commit of tbl \(version 3/);
  });
});
