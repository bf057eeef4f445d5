import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import {
  HIVE_DEFAULT_PARTITION,
  decodeAddPath,
  encodeAddPath,
  escapePartitionPathValue,
  parsePartitionDirectory,
  partitionDirectory,
  unescapePartitionPath,
} from '../../../src/kernel/partitions/path.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const golden = path.resolve(repoRoot, '../shared/fixtures/delta-golden');

describe('escapePartitionPathValue', () => {
  it.each<[string, string]>([
    ['plain-value_1.5', 'plain-value_1.5'],
    ['bar+%21', 'bar+%2521'],
    ['2021-09-08 11:11:11', '2021-09-08 11%3A11%3A11'],
    ['a/b\\c', 'a%2Fb%5Cc'],
    ['k=v?#', 'k%3Dv%3F%23'],
    ['"quoted" \'single\'', '%22quoted%22 %27single%27'],
    ['{[x]}^*', '%7B%5Bx%5D}%5E%2A'],
    ['tab\there\u0001\u007f', 'tab%09here%01%7F'],
    ['héllo wörld €', 'héllo wörld €'],
  ])('escapes %j as %j', (value, escaped) => {
    expect(escapePartitionPathValue(value)).toBe(escaped);
  });

  it('writes null and the empty string as __HIVE_DEFAULT_PARTITION__', () => {
    expect(escapePartitionPathValue(null)).toBe(HIVE_DEFAULT_PARTITION);
    expect(escapePartitionPathValue('')).toBe('__HIVE_DEFAULT_PARTITION__');
  });
});

describe('unescapePartitionPath', () => {
  it('reverses the escaping for every character of the escaped set', () => {
    const all = Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)).join('');
    expect(unescapePartitionPath(escapePartitionPathValue(all))).toBe(all);
  });

  it('accepts lower-case hex digits', () => {
    expect(unescapePartitionPath('a%3ab')).toBe('a:b');
  });

  it('keeps a % that does not start a valid escape', () => {
    expect(unescapePartitionPath('100%')).toBe('100%');
    expect(unescapePartitionPath('%zz%4')).toBe('%zz%4');
  });
});

describe('partitionDirectory and parsePartitionDirectory', () => {
  it('builds escaped col=value folders in column order', () => {
    expect(
      partitionDirectory([
        ['date', '2021-01-01'],
        ['ts', '2021-01-01 10:00:00'],
        ['weird=col', null],
      ]),
    ).toBe('date=2021-01-01/ts=2021-01-01 10%3A00%3A00/weird%3Dcol=__HIVE_DEFAULT_PARTITION__');
  });

  it('reads the folders of a data file path back, null partitions included', () => {
    expect(parsePartitionDirectory('date=2021-01-01/ts=2021-01-01 10%3A00%3A00/weird%3Dcol=__HIVE_DEFAULT_PARTITION__/part-0.parquet')).toEqual([
      ['date', '2021-01-01'],
      ['ts', '2021-01-01 10:00:00'],
      ['weird=col', null],
    ]);
  });

  it('ignores folders that are not col=value and the file name', () => {
    expect(parsePartitionDirectory('data/a=1/x=y.parquet')).toEqual([['a', '1']]);
  });
});

describe('decodeAddPath', () => {
  it.each<[string, string]>([
    ['part-00000-abc.c000.snappy.parquet', 'part-00000-abc.c000.snappy.parquet'],
    ['special%20p@%23h', 'special p@#h'],
    ['_2=bar+%252521/part-00000.parquet', '_2=bar+%2521/part-00000.parquet'],
    [
      'as_timestamp=2021-09-08%2011%253A11%253A11/as_big_decimal=0/part-0.parquet',
      'as_timestamp=2021-09-08 11%3A11%3A11/as_big_decimal=0/part-0.parquet',
    ],
    ['bar%2Dbar.snappy.parquet', 'bar-bar.snappy.parquet'],
    ['a:b/c.parquet', 'a:b/c.parquet'],
    ['caf%C3%A9/x.parquet', 'café/x.parquet'],
  ])('decodes the relative path %s to %s', (raw, decoded) => {
    expect(decodeAddPath(raw)).toEqual({ relative: decoded });
  });

  it.each<[string, string]>([
    ['s3://bucket/table/part-0.parquet', 's3://bucket/table/part-0.parquet'],
    ['abfss://c@acct.dfs.core.windows.net/t/x.parquet', 'abfss://c@acct.dfs.core.windows.net/t/x.parquet'],
    ['file:///some/unqualified/absolute/path', 'file:///some/unqualified/absolute/path'],
    ['file:/some/unqualified/absolute/path', 'file:///some/unqualified/absolute/path'],
    ['/some/unqualified/absolute/path', 'file:///some/unqualified/absolute/path'],
  ])('returns the absolute path %s as the URI %s', (raw, url) => {
    expect(decodeAddPath(raw)).toEqual({ absolute: url });
  });

  it('canonicalizes the three spellings of one absolute path in canonicalized-paths-special-* alike', () => {
    const spellings = ['/some/unqualified/with%20space/p@%23h', 'file:/some/unqualified/with%20space/p@%23h', 'file:///some/unqualified/with%20space/p@%23h'];
    const decoded = new Set(spellings.map((s) => JSON.stringify(decodeAddPath(s))));
    expect([...decoded]).toEqual([JSON.stringify({ absolute: 'file:///some/unqualified/with%20space/p@%23h' })]);
  });

  it("qualifies a scheme-less absolute path with the table root's scheme and authority", () => {
    expect(decodeAddPath('/other/x.parquet', 's3://bucket/tables/t')).toEqual({ absolute: 's3://bucket/other/x.parquet' });
    expect(decodeAddPath('/other/x.parquet', 'file:///tmp/t')).toEqual({ absolute: 'file:///other/x.parquet' });
  });

  it('rejects a relative path with a broken % escape', () => {
    try {
      decodeAddPath('bad%zzname.parquet');
      expect.unreachable();
    } catch (e) {
      expect(isDuckrunError(e, 'DELTA_PROTOCOL')).toBe(true);
      expect((e as Error).message).toMatch(/"bad%zzname\.parquet"/);
    }
  });
});

describe('encodeAddPath', () => {
  it.each<[string, string]>([
    ['special p@#h', 'special%20p@%23h'],
    ['_2=bar+%2521/part-00000.parquet', '_2=bar+%252521/part-00000.parquet'],
    ['as_timestamp=2021-09-08 11%3A11%3A11/part-0.parquet', 'as_timestamp=2021-09-08%2011%253A11%253A11/part-0.parquet'],
    ['café/x.parquet', 'caf%C3%A9/x.parquet'],
    ['a;b&c=d$e,f~g(h)/i!j*k\'l.parquet', 'a;b&c=d$e,f~g(h)/i!j*k\'l.parquet'],
  ])('encodes %s as Spark does: %s', (relative, encoded) => {
    expect(encodeAddPath(relative)).toBe(encoded);
  });

  it('round-trips any relative path through decodeAddPath', () => {
    const weird = 'x=%41 b/y=[]{}<>|^`"\\#?/é😀/part 0.parquet';
    expect(decodeAddPath(encodeAddPath(weird))).toEqual({ relative: weird });
  });

  it('round-trips partition folders built by partitionDirectory', () => {
    const dir = partitionDirectory([
      ['p', 'a/b:c%d e'],
      ['q', null],
    ]);
    const decoded = decodeAddPath(encodeAddPath(`${dir}/part-0.parquet`));
    expect('relative' in decoded && parsePartitionDirectory(decoded.relative)).toEqual([
      ['p', 'a/b:c%d e'],
      ['q', null],
    ]);
  });
});

const TABLES_WITH_FILES = [
  'basic-decimal-table',
  'dat-basic_partitioned',
  'data-reader-escaped-chars',
  'data-reader-partition-values',
  'data-reader-timestamp_ntz',
  'dv-partitioned-with-checkpoint',
  'kernel-timestamp-pst',
  'time-travel-partition-changes-a',
];

describe.skipIf(!fs.existsSync(golden))('data file paths of golden tables (needs ../shared/fixtures/delta-golden; skipped when it is absent)', () => {
  const adds = (table: string): Array<{ path: string; partitionValues: Record<string, string | null> }> => {
    const log = path.join(golden, table, 'delta/_delta_log');
    return fs
      .readdirSync(log)
      .filter((n) => n.endsWith('.json'))
      .flatMap((n) => fs.readFileSync(path.join(log, n), 'utf8').split('\n'))
      .filter((l) => l.includes('"add"'))
      .map((l) => (JSON.parse(l) as { add?: { path: string; partitionValues: Record<string, string | null> } }).add)
      .filter((a): a is { path: string; partitionValues: Record<string, string | null> } => a !== undefined);
  };

  it.each(TABLES_WITH_FILES)('decodes every add.path of %s to a file that exists', (table) => {
    for (const add of adds(table)) {
      const decoded = decodeAddPath(add.path);
      expect('relative' in decoded, add.path).toBe(true);
      if ('relative' in decoded) expect(fs.existsSync(path.join(golden, table, 'delta', decoded.relative)), decoded.relative).toBe(true);
    }
  });

  it.each(TABLES_WITH_FILES)('finds in the folders of %s exactly the partitionValues of the log', (table) => {
    for (const add of adds(table)) {
      const decoded = decodeAddPath(add.path);
      if (!('relative' in decoded)) continue;
      expect(Object.fromEntries(parsePartitionDirectory(decoded.relative)), add.path).toEqual(add.partitionValues);
    }
  });

  it.each(TABLES_WITH_FILES)('re-encodes every add.path of %s exactly as Spark wrote it', (table) => {
    for (const add of adds(table)) {
      const decoded = decodeAddPath(add.path);
      if ('relative' in decoded) expect(encodeAddPath(decoded.relative)).toBe(add.path);
    }
  });

  it('writes the partition folders of data-reader-escaped-chars as Spark did', () => {
    for (const add of adds('data-reader-escaped-chars')) {
      const decoded = decodeAddPath(add.path);
      const folder = 'relative' in decoded ? decoded.relative.split('/')[0] : undefined;
      expect(folder).toBe(partitionDirectory(Object.entries(add.partitionValues)));
    }
  });
});
