// Scenario (d): writeDeltaTable of 2,000,000 generated rows to local disk (unpartitioned and partitioned by
// day), against the floor of the same job: parquet-wasm encoding the same Arrow data as one snappy file.
// Also the latency of small appends (one row, one commit each).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DateDay, Field, Float64, Int32, Int64, RecordBatch, Schema, Struct, Table, Utf8, makeData, makeVector, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { writeDeltaTable } from '@duckrun/delta';
import * as parquet from 'parquet-wasm';
import { formatMs, stats, time, type BenchContext, type Measurement, type Scenario, type ScenarioResult } from '../harness.js';

const ROWS = 2_000_000;
const BATCH_ROWS = 65_536;
const DAYS = 16;
const RUNS = 3;
const SMALL_APPENDS = 50;

/** Bulk write throughput and small-append latency. */
export const writeThroughput: Scenario = {
  name: 'write',
  title: 'Write: 2,000,000 rows × 5 columns to local disk',
  async run(context: BenchContext): Promise<ScenarioResult> {
    const batches = generate();
    const table = new Table(batches);
    const root = await mkdtemp(path.join(context.workDir, 'write-'));
    let n = 0;
    const fresh = (): string => path.join(root, `t${n++}`);
    try {
      context.log('write: parquet-wasm baseline …');
      const baseline: Measurement = {
        label: 'baseline: parquet-wasm encode of the same data, one snappy file',
        samples: await time(async () => {
          const ipc = tableToIPC(table, 'stream');
          const bytes = parquet.writeParquet(parquet.Table.fromIPCStream(ipc), new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).build());
          await writeFile(`${fresh()}.parquet`, bytes);
        }, RUNS, 1),
      };
      context.log('write: writeDeltaTable unpartitioned …');
      const plain: Measurement = {
        label: 'writeDeltaTable, unpartitioned (new table)',
        samples: await time(() => writeDeltaTable(fresh(), batches), RUNS, 1),
        baseline: baseline.label,
        note: 'stats for every column, 1 data file, commit 0',
      };
      context.log('write: writeDeltaTable partitioned …');
      const partitioned: Measurement = {
        label: `writeDeltaTable, partitioned by day (${DAYS} partitions)`,
        samples: await time(() => writeDeltaTable(fresh(), batches, { partitionBy: ['day'] }), RUNS, 1),
        baseline: baseline.label,
        note: `${DAYS} data files, each row routed to its partition`,
      };
      context.log('write: small appends …');
      const target = fresh();
      const one = tableFromArrays({ id: BigInt64Array.from([1n]), name: ['x'] });
      await writeDeltaTable(target, one);
      const appendSamples = await time(() => writeDeltaTable(target, one, { mode: 'append' }), SMALL_APPENDS);
      const appends: Measurement = {
        label: `one-row append (${SMALL_APPENDS} commits in a row)`,
        samples: appendSamples,
        note: 'snapshot load + one data file + create-if-absent commit, per append',
      };
      const ratio = stats(plain.samples).median / stats(baseline.samples).median;
      const rowsPerSec = ROWS / (stats(plain.samples).median / 1000);
      return {
        name: this.name,
        title: this.title,
        setup: `${ROWS.toLocaleString('en-US')} generated rows in batches of ${BATCH_ROWS.toLocaleString('en-US')} (id int64, qty int32, amount double, name string ~12 chars, day date over ${DAYS} values), written ${RUNS} times each (after one warm-up) to fresh local directories; snappy.`,
        measurements: [baseline, plain, partitioned, appends],
        checks: [],
        notes: [
          `Unpartitioned writeDeltaTable runs at ${Math.round(rowsPerSec).toLocaleString('en-US')} rows/s, ${ratio.toFixed(2)}× the bare parquet-wasm encode: the difference is per-column stats, conforming batches to the table schema, and the commit.`,
          `A one-row append takes ${formatMs(stats(appendSamples).median)} (median): it loads the snapshot, writes a data file and commits with create-if-absent.`,
        ],
      };
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
};

function generate(): RecordBatch[] {
  const schema = new Schema([
    new Field('id', new Int64(), false),
    new Field('qty', new Int32(), true),
    new Field('amount', new Float64(), true),
    new Field('name', new Utf8(), true),
    new Field('day', new DateDay(), true),
  ]);
  const out: RecordBatch[] = [];
  for (let start = 0; start < ROWS; start += BATCH_ROWS) {
    const len = Math.min(BATCH_ROWS, ROWS - start);
    const id = new BigInt64Array(len);
    const qty = new Int32Array(len);
    const amount = new Float64Array(len);
    const names: string[] = new Array<string>(len);
    const days: Date[] = new Array<Date>(len);
    for (let i = 0; i < len; i++) {
      const r = start + i;
      id[i] = BigInt(r);
      qty[i] = (r * 7919) % 1000;
      amount[i] = ((r * 104729) % 100000) / 100;
      names[i] = `customer-${(r * 31) % 50000}`;
      days[i] = new Date(Date.UTC(2024, 0, 1 + (r % DAYS)));
    }
    const children = [
      makeVector(id).data[0]!,
      makeVector(qty).data[0]!,
      makeVector(amount).data[0]!,
      vectorFromArray(names, new Utf8()).data[0]!,
      vectorFromArray(days, new DateDay()).data[0]!,
    ];
    out.push(new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: len, nullCount: 0, children })));
  }
  return out;
}
