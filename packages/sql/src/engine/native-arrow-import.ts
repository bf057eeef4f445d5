// Arrow data into native DuckDB: node-api has no Arrow scan, so batches go through temporary parquet files
// (written by parquet-wasm, read by DuckDB's built-in reader), which keeps every Delta type including nested ones.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordBatch, Table } from 'apache-arrow';
import { batchesToIPCStream, emptyIPCStream, tableToIPCStream } from './arrow-ipc.js';
import type { ArrowSource } from './engine.js';
import { ipcStreamToParquet } from '../io/parquet.js';

/** Rows gathered from small batches before one parquet file is written and loaded. */
const LOAD_CHUNK_ROWS = 262_144;

/**
 * Creates table `name` from Arrow data: the first part with CREATE TABLE … AS (so an existing name fails),
 * further parts with INSERT; on failure a half-created table is dropped.
 */
export async function registerArrowViaParquet(name: string, source: ArrowSource, run: (sql: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'duckrun-arrow-'));
  let created = false;
  let files = 0;
  const load = async (ipc: Uint8Array): Promise<void> => {
    const file = join(dir, `${files++}.parquet`);
    await writeFile(file, await ipcStreamToParquet(ipc));
    const scan = `read_parquet('${file.replace(/'/g, "''")}')`;
    await run(created ? `INSERT INTO ${quoteName(name)} SELECT * FROM ${scan}` : `CREATE TABLE ${quoteName(name)} AS SELECT * FROM ${scan}`);
    created = true;
    await rm(file, { force: true });
  };
  try {
    if (source instanceof Uint8Array) {
      await load(source);
    } else if ('batches' in source && !('numRows' in source)) {
      let pending: RecordBatch[] = [];
      let pendingRows = 0;
      for await (const batch of source.batches) {
        if (batch.numRows === 0) continue;
        pending.push(batch);
        pendingRows += batch.numRows;
        if (pendingRows >= LOAD_CHUNK_ROWS) {
          await load(batchesToIPCStream(pending));
          pending = [];
          pendingRows = 0;
        }
      }
      if (pending.length > 0) await load(batchesToIPCStream(pending));
      if (!created) await load(emptyIPCStream(source.schema));
    } else {
      const table = source as Table;
      await load(table.numRows === 0 ? emptyIPCStream(table.schema) : tableToIPCStream(table));
    }
  } catch (e) {
    if (created) await run(`DROP TABLE IF EXISTS ${quoteName(name)}`).catch(() => {});
    throw e;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function quoteName(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
