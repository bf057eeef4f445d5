import { describe, expect, it } from 'vitest';
import { parseLogPath, formatVersion } from '../../../src/kernel/log/log-path.js';
import { planLogSegment, selectCheckpoints, type LogFile } from '../../../src/kernel/log/log-segment.js';

function listing(...names: string[]): LogFile[] {
  return names.map((n, i) => {
    const path = parseLogPath(n);
    if (!path) throw new Error(`not a log path: ${n}`);
    return { path, size: 1, lastModified: 1000 + i };
  });
}
const commit = (v: number) => `${formatVersion(v)}.json`;
const classic = (v: number) => `${formatVersion(v)}.checkpoint.parquet`;
const part = (v: number, p: number, n: number) => `${formatVersion(v)}.checkpoint.${String(p).padStart(10, '0')}.${String(n).padStart(10, '0')}.parquet`;

describe('parseLogPath', () => {
  it.each([
    ['00000000000000000007.json', { kind: 'commit', version: 7 }],
    ['00000000000000000010.checkpoint.parquet', { kind: 'checkpoint', version: 10, type: 'classic' }],
    ['00000000000000000010.checkpoint.0000000002.0000000003.parquet', { kind: 'checkpoint', type: 'multipart', part: 2, parts: 3 }],
    ['00000000000000000002.checkpoint.6374b053-df23-479b-b2cf-c9c550132b49.json', { kind: 'checkpoint', type: 'v2', format: 'json' }],
    ['00000000000000000002.checkpoint.6374b053-df23-479b-b2cf-c9c550132b49.parquet', { kind: 'checkpoint', type: 'v2', format: 'parquet' }],
    ['00000000000000000003.crc', { kind: 'crc', version: 3 }],
    ['00000000000000000003.00000000000000000005.compacted.json', { kind: 'compaction', version: 3, endVersion: 5 }],
  ])('recognises %s', (name, expected) => {
    expect(parseLogPath(name)).toMatchObject(expected);
  });

  it.each(['_last_checkpoint', '0001.json', '00000000000000000001.json.tmp', '00000000000000000010.checkpoint.0000000004.0000000003.parquet'])(
    'ignores %s',
    (name) => {
      expect(parseLogPath(name)).toBeUndefined();
    },
  );
});

describe('selectCheckpoints', () => {
  it('prefers the newest checkpoint at or below the wanted version', () => {
    const files = listing(commit(0), classic(10), commit(10), classic(20), commit(20), commit(21));
    expect(selectCheckpoints(files).map((c) => c.version)).toEqual([20, 10]);
    expect(selectCheckpoints(files, 15).map((c) => c.version)).toEqual([10]);
  });

  it('uses a multi-part checkpoint only when every part is present', () => {
    const incomplete = listing(part(10, 1, 3), part(10, 3, 3), classic(5));
    expect(selectCheckpoints(incomplete).map((c) => [c.version, c.type])).toEqual([[5, 'classic']]);
    const complete = listing(part(10, 2, 2), part(10, 1, 2));
    const [cp] = selectCheckpoints(complete);
    expect(cp?.type).toBe('multipart');
    expect(cp?.files.map((f) => f.path.part)).toEqual([1, 2]);
  });
});

describe('planLogSegment', () => {
  it('replays only the commits after the checkpoint', () => {
    const files = listing(commit(8), commit(9), classic(10), commit(10), commit(11), commit(12));
    const [cp] = selectCheckpoints(files);
    const seg = planLogSegment('t', files, undefined, cp);
    expect(seg.version).toBe(12);
    expect(seg.commits.map((c) => c.path.version)).toEqual([11, 12]);
  });

  it('replays from version 0 when there is no checkpoint', () => {
    const files = listing(commit(0), commit(1), commit(2));
    const seg = planLogSegment('t', files, 1, undefined);
    expect(seg.version).toBe(1);
    expect(seg.commits.map((c) => c.path.version)).toEqual([0, 1]);
  });

  it('loads a snapshot exactly at a checkpoint version without commits', () => {
    const files = listing(classic(5), commit(6));
    const [cp] = selectCheckpoints(files, 5);
    expect(planLogSegment('t', files, 5, cp).commits).toEqual([]);
  });

  it('rejects a gap in the commit sequence, naming the missing version', () => {
    const files = listing(commit(0), commit(1), commit(3));
    expect(() => planLogSegment('s3://b/t', files, undefined, undefined)).toThrow(/s3:\/\/b\/t.*commit 2 is missing/);
  });

  it('refuses to replay from a cleaned-up log prefix instead of returning a plausible wrong snapshot', () => {
    const files = listing(commit(5), commit(6));
    expect(() => planLogSegment('t', files, undefined, undefined)).toThrow(/cleaned up/);
  });

  it('rejects versions beyond the latest', () => {
    const files = listing(commit(0), commit(1));
    expect(() => planLogSegment('t', files, 7, undefined)).toThrow(/no version 7.*latest version is 1/);
  });

  it('says a location with an empty log is not a Delta table', () => {
    expect(() => planLogSegment('t', [], undefined, undefined)).toThrow(/not a Delta table/);
  });
});
