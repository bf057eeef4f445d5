// delta_scan() end to end on Spark-written golden tables: results, partition pruning, time travel, cleanup.
import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import type { DeltaScanReport } from '../src/delta-scan.js';
import { renderJson } from '../src/render/json.js';
import { openSession, type SqlSession } from '../src/session.js';
import { ENGINES } from './engines.js';
import { copyGoldenTables, goldenSkipReason } from './fixtures.js';

const TABLES = [
  'dat-basic_partitioned',
  'data-reader-partition-values',
  'data-reader-timestamp_ntz',
  'dv-partitioned-with-checkpoint',
  'time-travel-partition-changes-b',
  'basic-with-inserts-updates',
];

describe.skipIf(goldenSkipReason !== undefined)(`delta_scan on golden tables${goldenSkipReason ? ` (skipped: ${goldenSkipReason})` : ''}`, () => {
  describe.each(ENGINES)('%s engine', (kind) => {
    let session: SqlSession;
    let root: string;
    let cleanup: () => void;
    let reports: DeltaScanReport[] = [];

    beforeAll(async () => {
      ({ root, cleanup } = copyGoldenTables(TABLES));
      // Commit timestamps are the log files' modification times: pin them for timestamp time travel.
      const log = join(root, 'dat-basic_partitioned', '_delta_log');
      utimesSync(join(log, '00000000000000000000.json'), new Date('2024-01-01T00:00:00Z'), new Date('2024-01-01T00:00:00Z'));
      utimesSync(join(log, '00000000000000000001.json'), new Date('2024-02-01T00:00:00Z'), new Date('2024-02-01T00:00:00Z'));
      session = await openSession({ root, engine: kind, onDeltaScan: (r) => reports.push(r) });
    });
    afterAll(async () => {
      await session?.close();
      cleanup?.();
    });

    async function run(sql: string): Promise<{ rows: unknown[]; scans: DeltaScanReport[] }> {
      reports = [];
      const table = await session.sql(sql);
      return { rows: JSON.parse(renderJson(table)) as unknown[], scans: reports };
    }

    async function temporaries(): Promise<number> {
      const t = await session.engine.query("SELECT count(*) AS n FROM duckdb_tables() WHERE table_name LIKE '__duckrun%'");
      return Number(t.getChild('n')!.get(0));
    }

    it('reads a whole table with deletion vectors applied and checkpoint replayed', async () => {
      const { rows, scans } = await run("SELECT count(*) AS n, count(DISTINCT part) AS parts FROM delta_scan('dv-partitioned-with-checkpoint')");
      expect(rows).toEqual([{ n: 35, parts: 10 }]);
      expect(scans).toMatchObject([{ version: 15, filesTotal: 15, filesRead: 15 }]);
    });

    it.each([
      ['dat-basic_partitioned', "letter = 'a'", 2],
      ['dat-basic_partitioned', 'letter IS NULL', 1],
      ['dat-basic_partitioned', "t.letter IN ('a', 'c')", 3],
      ['dat-basic_partitioned', "letter NOT IN ('a')", 3],
      ['dat-basic_partitioned', "letter > 'b' AND number > 0", 2],
      ['dat-basic_partitioned', "(letter = 'a' OR letter IS NULL)", 3],
      ['dat-basic_partitioned', "coalesce(letter, 'zz') = 'zz'", 1],
      ['dat-basic_partitioned', "letter = 'a' OR number = 6", 6],
      ['dat-basic_partitioned', "letter = 'nope'", 0],
      ['dv-partitioned-with-checkpoint', 'part BETWEEN 3 AND 5', 5],
      ['dv-partitioned-with-checkpoint', 't.part >= 7 AND col1 > 0', 5],
      ['dv-partitioned-with-checkpoint', 'part % 2 = 0', 5],
      ['data-reader-partition-values', "as_date = DATE '2021-09-08'", 2],
      ['data-reader-partition-values', "as_date BETWEEN '2021-01-01' AND '2021-12-31' AND as_int = 1", 1],
      ['data-reader-partition-values', "as_timestamp = TIMESTAMPTZ '2021-09-08 11:11:11+00'", 2],
      ['data-reader-partition-values', 'as_big_decimal = 1', 1],
      ['data-reader-partition-values', 'as_long = 0 AND as_boolean', 1],
      ['data-reader-partition-values', 'NOT as_boolean', 1],
      ['data-reader-partition-values', 'as_float > 0.5', 1],
      ['data-reader-partition-values', "as_string_lit_null = 'null'", 2],
      ['data-reader-partition-values', 'as_int IS NULL AND as_string IS NULL', 1],
      ['data-reader-timestamp_ntz', "tsNtzPartition = TIMESTAMP '2013-07-05 17:01:00.123456'", 2],
      ['data-reader-timestamp_ntz', 'tsNtzPartition IS NULL', 1],
      ['time-travel-partition-changes-b', 'part2 = 1', 2],
    ])('%s WHERE %s reads %i files and returns exactly the unpruned rows', async (table, where, files) => {
      const pruned = await run(`SELECT * FROM delta_scan('${table}') AS t WHERE ${where} ORDER BY ALL`);
      // A filter in an outer block is never used for pruning: the baseline reads every file.
      const baseline = await run(`SELECT * FROM (SELECT * FROM delta_scan('${table}')) AS t WHERE ${where} ORDER BY ALL`);
      expect(baseline.scans[0]!.filesRead).toBe(baseline.scans[0]!.filesTotal);
      expect(pruned.scans[0]!.filesRead).toBe(files);
      expect(pruned.rows).toEqual(baseline.rows);
    });

    it('reports filters that name non-partition columns as skipped, not applied', async () => {
      const { scans } = await run(
        "SELECT * FROM delta_scan('dat-basic_partitioned') d, (VALUES (1)) other(x) WHERE d.letter = 'b' AND d.number = 2 AND other.x = 1",
      );
      expect(scans[0]).toMatchObject({ appliedFilters: ["d.letter = 'b'"], skippedFilters: ['d.number = 2', 'other.x = 1'] });
    });

    it('does not let the rowid pseudo-column of the partition table prune files', async () => {
      const pruned = await run("SELECT number FROM delta_scan('dat-basic_partitioned') WHERE rowid >= 0 ORDER BY 1");
      expect(pruned.rows).toHaveLength(6);
      expect(pruned.scans[0]!.filesRead).toBe(6);
    });

    it('does not prune the null-extended side of a LEFT JOIN, where pruning would change the result', async () => {
      const sql = `SELECT k.l, t.number FROM (VALUES ('a'), ('b'), ('x')) k(l)
        LEFT JOIN delta_scan('dat-basic_partitioned') t ON t.letter = k.l WHERE t.letter IS NULL OR t.letter = 'a' ORDER BY ALL`;
      const { rows, scans } = await run(sql);
      expect(rows).toEqual([{ l: 'a', number: 1 }, { l: 'a', number: 4 }, { l: 'x', number: null }]);
      expect(scans[0]!.filesRead).toBe(6);
    });

    it('reads an older version with version => N and the version current at a timestamp', async () => {
      const latest = await run("SELECT count(*) AS n FROM delta_scan('dat-basic_partitioned')");
      const v0 = await run("SELECT count(*) AS n FROM delta_scan('dat-basic_partitioned', version => 0)");
      const jan = await run("SELECT count(*) AS n FROM delta_scan('dat-basic_partitioned', timestamp => '2024-01-15T00:00:00Z')");
      expect([latest.rows, v0.rows, jan.rows]).toEqual([[{ n: 6 }], [{ n: 3 }], [{ n: 3 }]]);
      expect(v0.scans[0]!.version).toBe(0);
      expect(jan.scans[0]!.version).toBe(0);
    });

    it('supports several calls per statement: joins, CTEs, subqueries and a table compared with its own past', async () => {
      const sql = `WITH old AS (SELECT * FROM delta_scan('dat-basic_partitioned', version => 0))
        SELECT n.letter, n.number FROM delta_scan('dat-basic_partitioned') n
        WHERE n.number NOT IN (SELECT number FROM old)
          AND n.number IN (SELECT number FROM delta_scan('dat-basic_partitioned') WHERE letter IN ('a', 'e') OR letter IS NULL)
        ORDER BY n.number`;
      const { rows, scans } = await run(sql);
      expect(scans.map((s) => s.version)).toEqual([0, 1, 1]);
      expect(rows).toEqual([{ letter: 'a', number: 4 }, { letter: 'e', number: 5 }, { letter: null, number: 6 }]);
      expect(await temporaries()).toBe(0);
    });

    it('resolves relative URIs against the root and accepts absolute paths and file:// URLs', async () => {
      const abs = join(root, 'basic-with-inserts-updates');
      const sql = `SELECT (SELECT count(*) FROM delta_scan('./basic-with-inserts-updates')) a,
        (SELECT count(*) FROM delta_scan('${abs}')) b, (SELECT count(*) FROM delta_scan('${pathToFileURL(abs).href}')) c`;
      const { rows, scans } = await run(sql);
      expect(rows).toEqual([{ a: 100, b: 100, c: 100 }]);
      expect(new Set(scans.map((s) => s.tableUri)).size).toBe(1);
    });

    it('drops its temporary tables when the statement fails and when the table does not exist', async () => {
      await expect(session.sql("SELECT no_such_column FROM delta_scan('dat-basic_partitioned')")).rejects.toThrow(/no_such_column/);
      let error: unknown;
      try {
        await session.sql("SELECT * FROM delta_scan('dat-basic_partitioned') a, delta_scan('missing-table') b");
      } catch (e) {
        error = e;
      }
      expect(isDuckrunError(error, 'DELTA_NOT_A_TABLE')).toBe(true);
      expect((error as Error).message).toContain('missing-table');
      expect(await temporaries()).toBe(0);
    });

    it('streams a delta_scan result and drops the temporary table once the stream is consumed', async () => {
      let rows = 0;
      const stream = await session.stream("SELECT * FROM delta_scan('basic-with-inserts-updates')");
      expect(stream.schema.fields.map((f) => f.name)).toEqual(['id', 'str']);
      for await (const batch of stream) rows += batch.numRows;
      expect(rows).toBe(100);
      expect(await temporaries()).toBe(0);
      const closedEarly = await session.stream("SELECT * FROM delta_scan('basic-with-inserts-updates')");
      await closedEarly.close();
      expect(await temporaries()).toBe(0);
    });
  });
});
