// One lineitem operation chain on one table layout and one SQL engine, each step on the result of the
// previous one: create (overwrite), the merge steps (hooks), append 5%, full-scan aggregate, point lookup.
// Every step is measured in its own child process next to its native DuckDB baseline over plain parquet,
// and checked against an independent computation (the generator's rows, or DuckDB over the plain files).

import { mkdir, readdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { writeDeltaTable } from '@duckrun/delta';
import type { EngineKind } from '@duckrun/sql';
import { addChecksums, lineitemChangeSet, sameChecksum, type LineitemChecksum } from '../../tools/tpch/index.js';
import { mib, runChild, type ChildReport, type Check, type Measurement } from '../harness.js';
import { layoutBatches, type Layout } from './layout.js';
import { MERGE_STEPS, mergeBaselineSql, type MergeStepInput } from './merge-hooks.js';
import type { LineitemOp, OpFacts, RowsSpec } from './ops.js';
import { checksumSql, deltaRelation, lookupSql, parquetRelation, q1Sql } from './queries.js';

/** Heap limit of the measuring children: generous, so RSS is what the code needs rather than what a limit forces. */
const CHILD_HEAP_MIB = 8192;
/** The Delta table's folder name under the chain directory (delta_scan resolves it against the chain root). */
const TABLE = 'lineitem';
/** The staged rows the overwrite reads: an unpartitioned Delta table, its data files plain parquet. */
const STAGED = 'staged';
/** DUCKRUN_BENCH_NATIVE_WRITE=0 keeps the native engine's overwrite on the Arrow path (to compare the two). */
const nativeWriteOff = process.env['DUCKRUN_BENCH_NATIVE_WRITE'] === '0';

/** What every chain of a run shares: the data, and what the generator says the results must be. */
export interface ChainPlan {
  readonly base: RowsSpec;
  readonly append: RowsSpec;
  /** Checksums of the base rows and of the appended rows, computed from the generator's plain rows. */
  readonly expectedBase: LineitemChecksum;
  readonly expectedAppend: LineitemChecksum;
  /** The point lookup: an order key of the base data and what its rows sum to. */
  readonly lookup: { readonly orderkey: number; readonly rows: number; readonly priceSum: bigint };
}

/** Where and on what a chain runs. */
export interface ChainSetting {
  readonly layout: Layout;
  readonly engine: EngineKind;
  /** Empty directory of the chain (the Delta table and the plain parquet baseline go below it). */
  readonly dir: string;
  log(line: string): void;
}

/** A chain's measurements and checks. */
export interface ChainOutcome {
  readonly measurements: Measurement[];
  readonly checks: Check[];
  readonly notes: string[];
}

/** Runs the chain `setting` describes over the data of `plan`. */
export async function runChain(plan: ChainPlan, setting: ChainSetting): Promise<ChainOutcome> {
  const { layout, engine, dir } = setting;
  const name = `${layout.name}/${engine}`;
  const table = path.join(dir, TABLE);
  const plainDir = path.join(dir, 'plain');
  await rm(dir, { recursive: true, force: true });
  await mkdir(plainDir, { recursive: true });
  const partitioned = layout.partitionBy.length > 0;
  const measurements: Measurement[] = [];
  const checks: Check[] = [];
  const notes: string[] = [];
  const label = (what: string) => `${name}: ${what}`;
  const OVERWRITE = label('overwrite (create) SF rows');
  const measure = (what: string, r: Run, extra: Partial<Measurement> = {}): void => {
    measurements.push({ label: label(what), samples: [r.facts.opMs], peakRssMiB: mib(r.report.maxRssBytes), ...extra });
  };
  const op = async (what: string, spec: LineitemOp): Promise<Run> => {
    setting.log(`lineitem ${name}: ${what} …`);
    const report = await runChild(['lineitem', '-', JSON.stringify(spec)], CHILD_HEAP_MIB);
    return { report, facts: report as unknown as OpFacts };
  };
  const sql = (what: string, text: string) => op(what, { op: 'sql', engine, root: dir, sql: text });
  const duckdb = (what: string, text: string) => op(what, { op: 'duckdb', sql: text });
  /** The plain parquet files that hold the baseline's current table state (one per step that wrote rows). */
  let plain: string[] = [];
  /** What the generator says the table holds; unknown once a merge changed it (then DuckDB's plain files decide). */
  let expected: LineitemChecksum | undefined = plan.expectedBase;

  const checkState = async (step: string): Promise<void> => {
    const delta = checksumOf((await sql(`${step}: checksum via delta_scan`, checksumSql(deltaRelation(TABLE)))).facts);
    const base = checksumOf((await duckdb(`${step}: checksum of the plain parquet`, checksumSql(parquetRelation(plain)))).facts);
    const want = expected ?? base;
    checks.push({
      target: `${name} ${step}: table rows and checksum match ${expected ? 'the generator' : 'native DuckDB over plain parquet'}`,
      measured: `${describe(delta)}${sameChecksum(delta, want) ? '' : ` vs ${describe(want)}`}`,
      pass: sameChecksum(delta, want) && sameChecksum(base, want),
    });
  };

  // create (overwrite): the SQL layer's write on this engine, from staged rows, against DuckDB's COPY of the
  // same staged rows. Staging (untimed): the generator's rows, with the layout's columns, as one unpartitioned
  // Delta table whose data files are plain parquet. Timed: native — writeQueryToDelta of
  // `SELECT * FROM read_parquet(<staged files>)` (what CREATE OR REPLACE TABLE … AS, DataFrame writes and dbt
  // run), where DuckDB writes the data files with COPY and duckrun reads their footers and commits; wasm — the
  // same write of `SELECT * FROM delta_scan('staged')` (the staged table decoded by parquet-wasm in a worker
  // thread, the rows streamed out of DuckDB-WASM as Arrow and encoded by parquet-wasm in worker threads).
  // Both with the layout's partitioning.
  // Baseline: native DuckDB's `COPY (SELECT * FROM read_parquet(<staged files>)) TO … (FORMAT parquet
  // [, PARTITION_BY])`, i.e. reading and writing the same rows with no Delta log.
  const staged = path.join(dir, STAGED);
  await op('stage the rows (untimed)', { op: 'write', table: staged, mode: 'overwrite', layout: layout.name, rows: plan.base, unpartitioned: true });
  const stagedFiles = parquetRelation([path.join(staged, '*.parquet')]);
  const source = engine === 'native' ? `SELECT * FROM ${stagedFiles}` : `SELECT * FROM delta_scan('${STAGED}')`;
  const create = await op('overwrite', { op: 'sql-write', engine, root: dir, table, query: source, partitionBy: layout.partitionBy, ...(nativeWriteOff ? { nativeWrite: false } : {}) });
  const writer = `${String(create.facts['dataFiles'])}${create.facts['encoder'] ? ` (${String(create.facts['encoder'])})` : ''}${create.facts['fallback'] ? ` (fallback: ${String(create.facts['fallback'])})` : ''}`;
  measure('overwrite (create) SF rows', create, { baseline: label('baseline: DuckDB COPY … TO parquet'), note: `${String(create.facts['filesAdded'])} data files, writer ${writer}` });
  const baseOut = path.join(plainDir, partitioned ? 'base' : 'base.parquet');
  const copy = await duckdb('COPY baseline', copySql(stagedFiles, baseOut, layout));
  measure('baseline: DuckDB COPY … TO parquet', copy);
  plain = [partitioned ? path.join(baseOut, '*/*.parquet') : baseOut];
  await checkState('create');

  // Merge steps: measured once their hook exists (bench/lineitem/merge-hooks.ts), with their baseline.
  for (const step of MERGE_STEPS) {
    if (!step.run) {
      notes.push(`${name}: ${step.label} — pending (no \`run\` in bench/lineitem/merge-hooks.ts).`);
      continue;
    }
    const changes = { ...step.changes, scale: plan.base.scale, seed: plan.base.seed, baseOrders: plan.base.orders };
    const source = path.join(dir, `changes-${step.name}`);
    // The source staged as plain parquet (untimed) so DuckDB's baseline reads the same rows the merge gets.
    await writeDeltaTable(source, layoutBatches(layout, lineitemChangeSet(changes).batches()), { mode: 'overwrite' });
    const input: MergeStepInput = { table, engine, partitionBy: layout.partitionBy, changes, source, keys: ['l_orderkey', 'l_linenumber'] };
    const merged = await op(step.name, { op: 'merge', step: step.name, input });
    const out = path.join(plainDir, step.name + (partitioned ? '' : '.parquet'));
    const baseline = await duckdb(`${step.name} baseline`, mergeBaselineSql(step.kind, parquetRelation(plain), parquetRelation([path.join(source, '*.parquet')]), out, layout.partitionBy));
    measure(`baseline: DuckDB ${step.label} over parquet`, baseline);
    measure(step.label, merged, { baseline: label(`baseline: DuckDB ${step.label} over parquet`), reference: OVERWRITE });
    plain = [partitioned ? path.join(out, '*/*.parquet') : out];
    expected = undefined;
    await checkState(step.name);
  }

  // append 5% (new orders past the last key) and its baseline: DuckDB copies the appended files.
  const before = new Set(await dataFiles(table));
  const append = await op('append', { op: 'write', table, mode: 'append', layout: layout.name, rows: plan.append });
  const added = (await dataFiles(table)).filter((f) => !before.has(f));
  measure('append 5%', append, { baseline: label('baseline: DuckDB COPY of the appended rows'), reference: OVERWRITE });
  const appendOut = path.join(plainDir, partitioned ? 'append' : 'append.parquet');
  measure('baseline: DuckDB COPY of the appended rows', await duckdb('append baseline', copySql(parquetRelation(added), appendOut, layout)));
  plain.push(partitioned ? path.join(appendOut, '*/*.parquet') : appendOut);
  if (expected) expected = addChecksums(expected, plan.expectedAppend);
  await checkState('append');

  // Full-scan aggregate (TPC-H Q1) through the SQL layer, and the same query by DuckDB over the plain files.
  const q1 = await sql('Q1 via delta_scan', q1Sql(deltaRelation(TABLE)));
  const q1Base = await duckdb('Q1 baseline', q1Sql(parquetRelation(plain)));
  measure('full scan: TPC-H Q1 via delta_scan', q1, { baseline: label('baseline: DuckDB Q1 over plain parquet'), reference: OVERWRITE });
  measure('baseline: DuckDB Q1 over plain parquet', q1Base);
  const same = JSON.stringify(q1.facts.rows) === JSON.stringify(q1Base.facts.rows);
  checks.push({ target: `${name} Q1: delta_scan answers as DuckDB over plain parquet`, measured: `${q1.facts.rows?.length ?? 0} groups${same ? ', identical' : `: ${JSON.stringify(q1.facts.rows)} vs ${JSON.stringify(q1Base.facts.rows)}`}`, pass: same });

  // Point lookup on l_orderkey: file min/max stats should leave one file per partition at most.
  const lookup = await sql('point lookup via delta_scan', lookupSql(deltaRelation(TABLE), plan.lookup.orderkey));
  const lookupBase = await duckdb('point lookup baseline', lookupSql(parquetRelation(plain), plan.lookup.orderkey));
  const scan = lookup.facts.scans?.[0];
  measure(`point lookup l_orderkey = ${plan.lookup.orderkey}`, lookup, {
    baseline: label('baseline: DuckDB point lookup over plain parquet'),
    reference: OVERWRITE,
    note: scan ? `${scan.filesRead} of ${scan.filesTotal} files read` : 'no delta_scan report',
  });
  measure('baseline: DuckDB point lookup over plain parquet', lookupBase);
  const got = lookup.facts.rows?.[0];
  const want = expected ? { rows: String(plan.lookup.rows), price_sum: hundredths(plan.lookup.priceSum) } : lookupBase.facts.rows?.[0];
  const lookupOk = got?.['rows'] === want?.['rows'] && sameDecimal(got?.['price_sum'], want?.['price_sum']);
  checks.push({ target: `${name} point lookup: rows and price sum match ${expected ? 'the generator' : 'DuckDB over plain parquet'}`, measured: `${String(got?.['rows'])} rows, Σprice ${String(got?.['price_sum'])}`, pass: lookupOk });

  return { measurements, checks, notes };
}

interface Run {
  readonly report: ChildReport;
  readonly facts: OpFacts;
}

function copySql(relation: string, out: string, layout: Layout): string {
  const partition = layout.partitionBy.length > 0 ? `, PARTITION_BY (${layout.partitionBy.join(', ')})` : '';
  return `COPY (SELECT * FROM ${relation}) TO '${out.replaceAll("'", "''")}' (FORMAT parquet${partition})`;
}

/** Data files of a Delta table folder (recursively, skipping the log). */
async function dataFiles(table: string): Promise<string[]> {
  const entries = await readdir(table, { recursive: true });
  return entries.filter((e) => e.endsWith('.parquet') && !e.startsWith('_delta_log')).map((e) => path.join(table, e));
}

function checksumOf(facts: OpFacts): LineitemChecksum {
  const row = facts.rows?.[0] ?? {};
  return { rows: Number(row['rows']), keySum: BigInt(String(row['key_sum'])), priceSum: parseHundredths(String(row['price_sum'])) };
}

function parseHundredths(text: string): bigint {
  const [whole = '0', frac = ''] = text.split('.');
  const cents = BigInt(whole.replace('-', '')) * 100n + BigInt((frac + '00').slice(0, 2));
  return whole.startsWith('-') ? -cents : cents;
}

function hundredths(v: bigint): string {
  return `${v / 100n}.${String(v % 100n).padStart(2, '0')}`;
}

function sameDecimal(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && parseHundredths(a) === parseHundredths(b);
}

function describe(c: LineitemChecksum): string {
  return `${c.rows} rows, Σ(orderkey×linenumber) ${c.keySum}, Σprice ${hundredths(c.priceSum)}`;
}
