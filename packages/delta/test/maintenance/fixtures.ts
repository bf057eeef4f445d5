// Fixtures for the maintenance tests: tables built with the real commit path and data-file writer.

import { Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import type { ObjectStore } from '@duckrun/storage';
import { commitTransaction } from '../../src/commit/transaction.js';
import { DeltaTable } from '../../src/index.js';
import type { Action, AddFile, Protocol } from '../../src/kernel/actions/types.js';
import type { StructType } from '../../src/kernel/schema/types.js';
import { writeDataFiles } from '../../src/write/file-writer.js';

export const SCHEMA: StructType = {
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'name', type: 'string', nullable: true, metadata: {} },
    { name: 'part', type: 'string', nullable: true, metadata: {} },
  ],
};

export const DV_PROTOCOL: Protocol = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] };

export interface Row {
  readonly id: number;
  readonly name: string | null;
  readonly part: string | null;
}

/** Creates the table (version 0) and opens it. */
export async function createTable(
  store: ObjectStore,
  options: { partitionColumns?: string[]; configuration?: Record<string, string>; protocol?: Protocol } = {},
): Promise<DeltaTable> {
  await commitTransaction(store, store.url, undefined, {
    actions: [
      { protocol: options.protocol ?? { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: crypto.randomUUID(),
          format: { provider: 'parquet', options: {} },
          schemaString: JSON.stringify(SCHEMA),
          partitionColumns: options.partitionColumns ?? [],
          configuration: options.configuration ?? {},
          createdTime: Date.now(),
        },
      },
    ],
    operation: 'CREATE TABLE',
    operationParameters: { partitionBy: options.partitionColumns ?? [] },
    pinned: false,
    blindAppend: false,
  });
  return DeltaTable.open(store.url, { store });
}

/** Rows with these ids; `part` is 'a' for even ids and 'b' for odd ones. */
export function rowsOf(ids: readonly number[]): Table {
  return new Table({
    id: vectorFromArray(ids.map((i) => BigInt(i)), new Int64()),
    name: vectorFromArray(ids.map((i) => `name-${i}`), new Utf8()),
    part: vectorFromArray(ids.map((i) => (i % 2 === 0 ? 'a' : 'b')), new Utf8()),
  });
}

/** Writes the rows as data files (one per partition) without committing them. */
export async function writeRows(table: DeltaTable, ids: readonly number[]): Promise<AddFile[]> {
  const snap = await table.snapshot();
  return writeDataFiles(table.store, { schema: snap.schema, partitionColumns: snap.partitionColumns, table: table.uri }, rowsOf(ids).batches);
}

/** Appends the rows as a blind-append WRITE; returns the version and the files added. */
export async function append(table: DeltaTable, ids: readonly number[]): Promise<{ version: number; adds: AddFile[] }> {
  const adds = await writeRows(table, ids);
  const read = await table.snapshot();
  const { version } = await commitTransaction(table.store, table.uri, read, {
    actions: adds.map((add) => ({ add })),
    operation: 'WRITE',
    operationParameters: { mode: 'Append', partitionBy: [] },
    pinned: false,
    blindAppend: true,
  });
  return { version, adds };
}

/** Commits a DELETE of whole files (dataChange true) with the given deletion time. */
export async function deleteFiles(table: DeltaTable, files: readonly AddFile[], deletionTimestamp = Date.now()): Promise<number> {
  const read = await table.snapshot();
  const actions: Action[] = files.map((f) => ({
    remove: { path: f.path, dataChange: true, deletionTimestamp, extendedFileMetadata: true, partitionValues: f.partitionValues, size: f.size },
  }));
  const { version } = await commitTransaction(table.store, table.uri, read, {
    actions,
    operation: 'DELETE',
    operationParameters: { predicate: [] },
    pinned: false,
    blindAppend: false,
  });
  return version;
}

/** The rows of a version (latest by default), sorted by id. */
export async function readRows(table: DeltaTable, version?: number): Promise<Row[]> {
  const snap = await table.snapshot(version === undefined ? {} : { version });
  const out: Row[] = [];
  for await (const batch of snap.scan()) {
    for (const r of batch.toArray()) {
      const o = (r as { toJSON(): Record<string, unknown> }).toJSON();
      out.push({ id: Number(o.id), name: (o.name as string | null) ?? null, part: (o.part as string | null) ?? null });
    }
  }
  return out.sort((a, b) => a.id - b.id);
}

/** The ids 0..n-1 as expected rows. */
export function expectedRows(ids: readonly number[]): Row[] {
  return [...ids].sort((a, b) => a - b).map((id) => ({ id, name: `name-${id}`, part: id % 2 === 0 ? 'a' : 'b' }));
}

/** The parsed actions of a commit file. */
export async function commitActions(store: ObjectStore, version: number): Promise<Record<string, Record<string, unknown>>[]> {
  const text = new TextDecoder().decode(await store.get(`_delta_log/${String(version).padStart(20, '0')}.json`));
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

/**
 * A store that runs `hook` once, just before the first attempt to create commit file `version` — i.e.
 * after the operation under test has read the table and written its data, before it commits.
 */
export function interceptCommit(inner: ObjectStore, version: number, hook: () => Promise<void>): ObjectStore {
  const key = `_delta_log/${String(version).padStart(20, '0')}.json`;
  let fired = false;
  return {
    url: inner.url,
    capabilities: inner.capabilities,
    get: (p, r) => inner.get(p, r),
    head: (p) => inner.head(p),
    list: (p, o) => inner.list(p, o),
    put: (p, d) => inner.put(p, d),
    putStream: (p, c) => inner.putStream(p, c),
    delete: (ps) => inner.delete(ps),
    async putIfAbsent(p, d) {
      if (p === key && !fired) {
        fired = true;
        await hook();
      }
      return inner.putIfAbsent(p, d);
    },
  };
}
