import { describe, expect, it } from 'vitest';
import { formatVersion, parseLogPath } from '../../../src/kernel/log/log-path.js';
import { planLogCleanup } from '../../../src/kernel/log/log-cleanup.js';
import type { LogFile } from '../../../src/kernel/log/log-segment.js';

const DAY = 86_400_000;
const commit = (v: number) => `${formatVersion(v)}.json`;
const crc = (v: number) => `${formatVersion(v)}.crc`;
const classic = (v: number) => `${formatVersion(v)}.checkpoint.parquet`;
const part = (v: number, p: number, n: number) => `${formatVersion(v)}.checkpoint.${String(p).padStart(10, '0')}.${String(n).padStart(10, '0')}.parquet`;

/** A listing where each entry is [file name, age in days at `now`]. */
function listing(now: number, entries: [string, number][]): LogFile[] {
  return entries.map(([name, ageDays]) => ({ path: parseLogPath(name)!, size: 1, lastModified: now - ageDays * DAY }));
}

function names(files: readonly LogFile[]): string[] {
  return files.map((f) => f.path.name);
}

const NOW = 100 * DAY;
const CUTOFF = NOW - 30 * DAY;

describe('planLogCleanup', () => {
  it('deletes every kind of log file below the newest checkpoint older than the cutoff, and nothing from it on', () => {
    const files = listing(NOW, [
      [commit(0), 50], [crc(0), 50], [commit(1), 49], [classic(1), 49], [commit(2), 48],
      [commit(3), 40], [part(3, 1, 2), 40], [part(3, 2, 2), 40], ['00000000000000000001.00000000000000000002.compacted.json', 45],
      [commit(4), 35], [commit(5), 1], [classic(5), 1],
    ]);
    const plan = planLogCleanup(files, CUTOFF);
    expect(plan.checkpointVersion).toBe(3);
    expect(names(plan.expired).sort()).toEqual(
      [commit(0), crc(0), commit(1), classic(1), commit(2), '00000000000000000001.00000000000000000002.compacted.json'].sort(),
    );
  });

  it('deletes nothing when no checkpoint exists', () => {
    const plan = planLogCleanup(listing(NOW, [[commit(0), 90], [commit(1), 80], [commit(2), 70]]), CUTOFF);
    expect(plan).toEqual({ expired: [] });
  });

  it('does not use a checkpoint whose commit is inside the retention window', () => {
    const files = listing(NOW, [[commit(0), 90], [commit(1), 80], [classic(1), 80], [commit(2), 70], [commit(3), 10], [classic(3), 10]]);
    const plan = planLogCleanup(files, CUTOFF);
    expect(plan.checkpointVersion).toBe(1);
    expect(names(plan.expired)).toEqual([commit(0)]);
  });

  it('falls back to an older checkpoint when a file below the newer one is still young (non-monotonic file times)', () => {
    const files = listing(NOW, [[commit(0), 90], [commit(1), 80], [classic(1), 80], [commit(2), 5], [commit(3), 70], [classic(3), 70], [commit(4), 1]]);
    const plan = planLogCleanup(files, CUTOFF);
    expect(plan.checkpointVersion).toBe(1);
    expect(names(plan.expired)).toEqual([commit(0)]);
  });

  it('ignores an incomplete multi-part checkpoint as a boundary', () => {
    const files = listing(NOW, [[commit(0), 90], [commit(1), 80], [classic(1), 80], [commit(2), 70], [part(2, 1, 2), 70], [commit(3), 1]]);
    expect(planLogCleanup(files, CUTOFF).checkpointVersion).toBe(1);
  });

  it('uses the checkpoint file time when the checkpoint commit itself is gone', () => {
    const files = listing(NOW, [[classic(4), 60], [commit(5), 55], [commit(6), 50], [classic(6), 50], [commit(7), 1]]);
    const plan = planLogCleanup(files, CUTOFF);
    expect(plan.checkpointVersion).toBe(6);
    expect(names(plan.expired)).toEqual([classic(4), commit(5)]);
  });
});
