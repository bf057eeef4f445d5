// The independent log check (test/support/log-check.ts) passes on tables the writer stack produced and
// fails on deliberately damaged copies: a check that cannot fail proves nothing.

import { cp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  Binary,
  Bool,
  DateDay,
  Decimal,
  Float64,
  Int32,
  Int64,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeData,
  makeVector,
  vectorFromArray,
} from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalStore } from '@duckrun/storage/local';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import type { Action } from '../../src/kernel/actions/types.js';
import { commitTransaction } from '../../src/commit/transaction.js';
import type { StructType } from '../../src/kernel/schema/types.js';
import { writeDataFiles } from '../../src/write/file-writer.js';
import { tempDir } from '../helpers.js';
import { rowsFor } from '../support/rows.js';
import { assertDeltaTable, checkDeltaTable, closeDuckDB, columnValues, diffRows, inspectDeltaLog } from '../support/log-check.js';

const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: false, metadata: {} },
    { name: 'i', type: 'integer', nullable: true, metadata: {} },
    { name: 's', type: 'string', nullable: true, metadata: {} },
    { name: 'd', type: 'double', nullable: true, metadata: {} },
    { name: 'b', type: 'boolean', nullable: true, metadata: {} },
    { name: 'day', type: 'date', nullable: true, metadata: {} },
    { name: 'ts', type: 'timestamp', nullable: true, metadata: {} },
    { name: 'amount', type: { type: 'decimal', precision: 12, scale: 3 }, nullable: true, metadata: {} },
    { name: 'bin', type: 'binary', nullable: true, metadata: {} },
    { name: 'region', type: 'string', nullable: true, metadata: {} },
  ],
};
const PARTITIONS = ['region', 'day'];
const SCHEMA_JSON = JSON.stringify({
  type: 'struct',
  fields: SCHEMA.fields.map((f) => ({ ...f, type: typeof f.type === 'object' && f.type.type === 'decimal' ? 'decimal(12,3)' : f.type })),
});

function decimalVector(unscaled: readonly (bigint | null)[]) {
  const words = new Uint32Array(unscaled.length * 4);
  const valid = new Uint8Array(Math.ceil(unscaled.length / 8));
  unscaled.forEach((v, i) => {
    if (v === null) return;
    valid[i >> 3]! |= 1 << (i & 7);
    let x = BigInt.asUintN(128, v);
    for (let w = 0; w < 4; w++) {
      words[i * 4 + w] = Number(x & 0xffffffffn);
      x >>= 32n;
    }
  });
  const nulls = unscaled.filter((v) => v === null).length;
  return makeVector(makeData({ type: new Decimal(3, 12, 128), length: unscaled.length, nullCount: nulls, nullBitmap: valid, data: words }));
}

/** Rows `from..to-1` with every type above; regions 'eu west' (a space), 'us/east' (a slash), null. */
function rows(from: number, to: number): Table {
  const ids = Array.from({ length: to - from }, (_, k) => from + k);
  const regions = ['eu west', 'us/east', null] as const;
  return new Table({
    id: vectorFromArray(ids.map(BigInt), new Int64()),
    i: vectorFromArray(ids.map((n) => (n % 7 === 0 ? null : n * 3 - 1000)), new Int32()),
    s: vectorFromArray(ids.map((n) => (n % 5 === 0 ? null : `s-${n}-é`)), new Utf8()),
    d: vectorFromArray(ids.map((n) => (n % 11 === 0 ? null : n / 8)), new Float64()),
    b: vectorFromArray(ids.map((n) => (n % 3 === 0 ? null : n % 2 === 0)), new Bool()),
    day: vectorFromArray(ids.map((n) => (n % 13 === 0 ? null : new Date(Date.UTC(2024, 0, 1 + (n % 3))))), new DateDay()),
    ts: makeVector(
      makeData({
        type: new TimestampMicrosecond('UTC'),
        length: ids.length,
        data: BigInt64Array.from(ids.map((n) => 1_700_000_000_000_000n + BigInt(n) * 1_234_567n)),
      }),
    ),
    amount: decimalVector(ids.map((n) => (n % 17 === 0 ? null : BigInt(n) * 1001n - 50_000n))),
    bin: vectorFromArray(ids.map((n) => (n % 4 === 0 ? null : Uint8Array.from([n & 255, 0, 255]))), new Binary()),
    region: vectorFromArray(ids.map((n) => regions[n % 3]!), new Utf8()),
  });
}

/** Builds a table with the lower-level writer pieces: create + 3 appends + an overwrite of everything. */
async function buildTable(dir: string): Promise<void> {
  const store = new LocalStore(dir);
  const target = { schema: SCHEMA, partitionColumns: PARTITIONS };
  const header: Action[] = [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    {
      metaData: {
        id: 'log-check-table',
        format: { provider: 'parquet', options: {} },
        schemaString: SCHEMA_JSON,
        partitionColumns: PARTITIONS,
        configuration: {},
        createdTime: Date.now(),
      },
    },
  ];
  const plan = (actions: Action[], mode: string) => ({ actions, operation: 'WRITE', operationParameters: { mode }, pinned: false, blindAppend: mode === 'Append' });
  await commitTransaction(store, store.url, undefined, plan(header, 'ErrorIfExists'));
  for (let k = 0; k < 3; k++) {
    const adds = await writeDataFiles(store, target, rows(k * 40, k * 40 + 40).batches);
    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    await commitTransaction(store, store.url, snap, plan(adds.map((add) => ({ add })), 'Append'));
  }
  const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
  const adds = await writeDataFiles(store, target, rows(1000, 1060).batches);
  const removes: Action[] = snap.addFiles().map((a) => ({ remove: { path: a.path, deletionTimestamp: Date.now(), dataChange: true, partitionValues: a.partitionValues, size: a.size } }));
  await commitTransaction(store, store.url, snap, { ...plan([...removes, ...adds.map((add) => ({ add }))], 'Overwrite'), reads: 'all' });
  const more = await writeDataFiles(store, target, rows(2000, 2030).batches);
  const snap2 = await (await DeltaTable.open(store.url, { store })).snapshot();
  await commitTransaction(store, store.url, snap2, plan(more.map((add) => ({ add })), 'Append'));
}

/** The canonical row the check should produce for id `n` of {@link rows}. */
function expectedRow(n: number): string {
  const regions = ['eu west', 'us/east', null];
  const hexByte = (x: number) => x.toString(16).padStart(2, '0');
  const amount = BigInt(n) * 1001n - 50_000n;
  const amountText = `${amount < 0n ? '-' : ''}${(amount < 0n ? -amount : amount) / 1000n}.${String((amount < 0n ? -amount : amount) % 1000n).padStart(3, '0')}`;
  return JSON.stringify([
    String(n),
    n % 7 === 0 ? null : String(n * 3 - 1000),
    n % 5 === 0 ? null : `s-${n}-é`,
    n % 11 === 0 ? null : String(n / 8),
    n % 3 === 0 ? null : n % 2 === 0,
    n % 13 === 0 ? null : String(Date.UTC(2024, 0, 1 + (n % 3)) / 86_400_000),
    String(1_700_000_000_000_000n + BigInt(n) * 1_234_567n),
    n % 17 === 0 ? null : amountText,
    n % 4 === 0 ? null : `${hexByte(n & 255)}00ff`,
    regions[n % 3],
  ]);
}

const commitFile = (dir: string, v: number) => path.join(dir, '_delta_log', `${String(v).padStart(20, '0')}.json`);

async function editCommit(dir: string, v: number, edit: (lines: Record<string, any>[]) => Record<string, any>[]): Promise<void> {
  const text = await readFile(commitFile(dir, v), 'utf8');
  const lines = text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
  await writeFile(commitFile(dir, v), edit(lines).map((l) => JSON.stringify(l)).join('\n') + '\n');
}

let base: { dir: string; cleanup: () => Promise<void> };
const copies: string[] = [];

async function damagedCopy(): Promise<string> {
  const dir = path.join(base.dir, `copy-${copies.length}`);
  copies.push(dir);
  await cp(path.join(base.dir, 'table'), dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  base = await tempDir();
  await buildTable(path.join(base.dir, 'table'));
});

afterAll(async () => {
  await closeDuckDB();
  await base?.cleanup();
});

describe('independent Delta log check', () => {
  it('passes on a partitioned table with every primitive type, written, overwritten and appended', async () => {
    const check = await assertDeltaTable(path.join(base.dir, 'table'));
    expect(check.version).toBe(5);
    expect(check.readerVersion).toBe(5);
    // Only the overwrite's 60 rows and the last append's 30 remain.
    expect(check.rows).toHaveLength(90);
    const ids = columnValues(check, 'id').map(Number).sort((a, b) => a - b);
    expect(ids).toEqual([...Array.from({ length: 60 }, (_, k) => 1000 + k), ...Array.from({ length: 30 }, (_, k) => 2000 + k)]);
    // Every canonical value is what was written (so both sides' conversions are right, not just equal).
    const expected = [...Array.from({ length: 60 }, (_, k) => 1000 + k), ...Array.from({ length: 30 }, (_, k) => 2000 + k)].map(expectedRow).sort();
    expect(diffRows(['expected', 'checked'], expected, check.rows)).toEqual([]);
    expect(check.rows.find((r) => r.startsWith('["2003"'))).toBe(JSON.stringify(['2003', '5009', 's-2003-é', String(2003 / 8), false, String(19723 + (2003 % 3)), '1700002472837701', '1955.003', 'd300ff', null]));
  });

  it('passes on a column-mapped table partitioned by a date, a timestamp and a decimal, written by writeDeltaTable', async () => {
    const dir = path.join(base.dir, 'mapped');
    copies.push(dir);
    const all = rows(0, 30);
    const pick = (t: Table) => t.select(['id', 's', 'day', 'ts', 'amount']);
    await writeDeltaTable(dir, pick(rows(0, 20)), { partitionBy: ['day', 'ts', 'amount'], properties: { 'delta.columnMapping.mode': 'name' } });
    await writeDeltaTable(dir, pick(rows(20, 30)), { mode: 'append' });
    const check = await assertDeltaTable(dir);
    expect(check.metadata!.configuration).toMatchObject({ 'delta.columnMapping.mode': 'name' });
    // Physical names differ from logical ones, so DuckDB really read by physical name.
    expect(check.schema.every((f) => f.physical !== f.name)).toBe(true);
    expect(check.rows).toHaveLength(all.numRows);
    const expected = Array.from({ length: 30 }, (_, n) => {
      const full = JSON.parse(expectedRow(n)) as unknown[];
      return JSON.stringify([full[0], full[2], full[5], full[6], full[7]]);
    }).sort();
    expect(diffRows(['expected', 'checked'], expected, check.rows)).toEqual([]);
  });

  it('reports a data file whose size differs from the log', async () => {
    const dir = await damagedCopy();
    const inspection = await inspectDeltaLog(dir);
    const victim = [...inspection.live.values()][0]!;
    await truncate(victim.file, victim.size - 1);
    const check = await checkDeltaTable(dir);
    expect(check.problems.some((p) => p.includes(`add ${victim.path}: size in the log is ${victim.size} but the file on disk has ${victim.size - 1} bytes`))).toBe(true);
    await expect(assertDeltaTable(dir)).rejects.toThrow(/failed the log check/);
  });

  it('reports an add whose size field is wrong', async () => {
    const dir = await damagedCopy();
    await editCommit(dir, 5, (lines) => lines.map((l, k) => (k === lines.findIndex((x) => x.add) ? { add: { ...l.add, size: l.add.size + 7 } } : l)));
    const check = await checkDeltaTable(dir);
    expect(check.problems.filter((p) => /size in the log is \d+ but the file on disk has \d+ bytes/.test(p))).toHaveLength(1);
  });

  it('reports a commit without commitInfo, and one with a foreign engineInfo', async () => {
    const dir = await damagedCopy();
    await editCommit(dir, 2, (lines) => lines.filter((l) => !l.commitInfo));
    await editCommit(dir, 3, (lines) => lines.map((l) => (l.commitInfo ? { commitInfo: { ...l.commitInfo, engineInfo: 'Apache-Spark/3.5' } } : l)));
    const check = await checkDeltaTable(dir);
    expect(check.problems).toContain('commit 2 has 0 commitInfo actions, expected 1');
    expect(check.problems.some((p) => p.startsWith('commit 3 commitInfo.engineInfo is "Apache-Spark/3.5"'))).toBe(true);
  });

  it('reports a gap in the versions, a torn commit and missing stats', async () => {
    const dir = await damagedCopy();
    await rm(commitFile(dir, 4));
    const text = await readFile(commitFile(dir, 5), 'utf8');
    await writeFile(commitFile(dir, 5), text.slice(0, Math.floor(text.length / 2)));
    await editCommit(dir, 1, (lines) => lines.map((l) => (l.add ? { add: { ...l.add, stats: undefined } } : l)));
    const problems = (await inspectDeltaLog(dir)).problems;
    expect(problems.some((p) => p.startsWith('commit versions are not contiguous from 0'))).toBe(true);
    expect(problems).toContain('commit 5 does not end with a newline (torn or not ours)');
    expect(problems.some((p) => /^commit 5 line \d+ is not valid JSON/.test(p))).toBe(true);
    expect(problems.some((p) => /^commit 1 add .*: stats is missing$/.test(p))).toBe(true);
  });

  it('reports stats.numRecords that disagree with the rows DuckDB reads, and a missing live file', async () => {
    const dir = await damagedCopy();
    await editCommit(dir, 5, (lines) =>
      lines.map((l) => (l.add ? { add: { ...l.add, stats: JSON.stringify({ ...JSON.parse(l.add.stats), numRecords: 999 }) } } : l)),
    );
    const check = await checkDeltaTable(dir);
    expect(check.problems.some((p) => /stats\.numRecords is 999 but DuckDB reads \d+ rows/.test(p))).toBe(true);

    const dir2 = await damagedCopy();
    const victim = [...(await inspectDeltaLog(dir2)).live.values()][0]!;
    await rm(victim.file);
    const check2 = await checkDeltaTable(dir2);
    expect(check2.problems.some((p) => p.startsWith(`live file ${victim.path}`))).toBe(true);
  });

  it('reports version 0 without protocol/metaData', async () => {
    const dir = await damagedCopy();
    await editCommit(dir, 0, (lines) => lines.filter((l) => !l.protocol));
    expect((await inspectDeltaLog(dir)).problems).toContain('commit 0 has no protocol action');
  });

  it('reports a checkpoint that disagrees with the replayed log, and the rows our reader then gets wrong', async () => {
    // A table written by writeDeltaTable with a checkpoint every 2 commits; passes as written.
    const dir = path.join(base.dir, 'checkpointed');
    copies.push(dir);
    await writeDeltaTable(dir, rowsFor(0, 5, 0), { properties: { 'delta.checkpointInterval': '2' } });
    for (let i = 1; i <= 5; i++) await writeDeltaTable(dir, rowsFor(i * 10, 5, 0), { mode: i === 3 ? 'overwrite' : 'append' });
    const good = await assertDeltaTable(dir);
    expect([...good.checkpoints.keys()].sort()).toEqual([2, 4]);
    expect(good.version).toBe(5);

    // Replace checkpoint 4 with checkpoint 2: it lists the files of version 2, and our reader (which starts
    // from the newest checkpoint) now returns version 2's rows plus version 5's — not the log's.
    const cp2 = path.join(dir, '_delta_log', `${'2'.padStart(20, '0')}.checkpoint.parquet`);
    await cp(cp2, path.join(dir, '_delta_log', `${'4'.padStart(20, '0')}.checkpoint.parquet`));
    const check = await checkDeltaTable(dir);
    expect(check.problems.some((p) => p.startsWith('checkpoint 4 lists other files than the replayed log'))).toBe(true);
    expect(check.problems.some((p) => /^\d+ rows only in our reader/.test(p))).toBe(true);
  });

  it('diffRows names the rows only one side has', () => {
    expect(diffRows(['A', 'B'], ['["1"]', '["2"]'], ['["1"]', '["2"]'])).toEqual([]);
    expect(diffRows(['A', 'B'], ['["1"]', '["2"]', '["2"]'], ['["1"]', '["3"]'])).toEqual([
      'A has 3 rows, B has 2',
      '2 rows only in A, e.g. ["2"] ["2"]',
      '1 rows only in B, e.g. ["3"]',
    ]);
  });
});
