// Test helpers: build small Delta logs and parquet data files by hand (no writer involved).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { tableToIPC, type Table } from 'apache-arrow';
import { MemoryStore, type ObjectStore } from '@duckrun/storage';
import { parquetWasm } from '../src/parquet/wasm.js';
import { formatVersion } from '../src/kernel/log/log-path.js';

let bucketSeq = 0;

/** A fresh, empty memory store. */
export function freshMemoryStore(): MemoryStore {
  return new MemoryStore(`delta-test-${process.pid}-${Date.now()}-${bucketSeq++}`);
}

/** A temporary directory removed by the returned cleanup function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'duckrun-delta-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes commit `version` with the given actions (one JSON object per line). */
export async function writeCommit(store: ObjectStore, version: number, actions: readonly object[]): Promise<void> {
  const text = actions.map((a) => JSON.stringify(a)).join('\n') + '\n';
  await store.put(`_delta_log/${formatVersion(version)}.json`, new TextEncoder().encode(text));
}

/** Encodes an Arrow table as a parquet file with parquet-wasm. */
export async function parquetBytes(table: Table): Promise<Uint8Array> {
  const pw = await parquetWasm();
  return pw.writeParquet(pw.Table.fromIPCStream(tableToIPC(table, 'stream')));
}

/** A minimal protocol + metaData pair for a schema given as Delta JSON fields. */
export function tableHeader(
  fields: readonly { name: string; type: unknown; nullable?: boolean; metadata?: object }[],
  options: { partitionColumns?: string[]; configuration?: Record<string, string>; protocol?: object } = {},
): object[] {
  return [
    { protocol: options.protocol ?? { minReaderVersion: 1, minWriterVersion: 2 } },
    {
      metaData: {
        id: 'test-table',
        format: { provider: 'parquet', options: {} },
        schemaString: JSON.stringify({
          type: 'struct',
          fields: fields.map((f) => ({ name: f.name, type: f.type, nullable: f.nullable ?? true, metadata: f.metadata ?? {} })),
        }),
        partitionColumns: options.partitionColumns ?? [],
        configuration: options.configuration ?? {},
        createdTime: 0,
      },
    },
  ];
}

/** An `add` action for a data file. */
export function addAction(filePath: string, size: number, extra: object = {}): object {
  return { add: { path: filePath, partitionValues: {}, size, modificationTime: 0, dataChange: true, ...extra } };
}

/** All rows of an async iterable of record batches, as plain objects. */
export async function collectRows(batches: AsyncIterable<{ toArray(): unknown[] }>): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const b of batches) for (const r of b.toArray()) rows.push((r as { toJSON(): Record<string, unknown> }).toJSON());
  return rows;
}
