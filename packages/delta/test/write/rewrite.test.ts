import { Int32, RecordBatch, tableFromArrays, type Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '@duckrun/storage';
import { addColumns, CommitConflictError, type AddFile, DeltaTable, InvalidOptionError, rewriteFiles, SchemaError, writeDeltaTable } from '../../src/index.js';
import { selectRows } from '../../src/arrow/take.js';
import { formatVersion } from '../../src/kernel/log/log-path.js';
import { freshMemoryStore } from '../helpers.js';

type Row = Record<string, unknown>;

async function rowsOf(table: DeltaTable): Promise<Row[]> {
  const rows: Row[] = [];
  for await (const b of (await table.snapshot()).scan()) for (const r of b.toArray()) rows.push(r.toJSON() as Row);
  return rows.sort((a, b) => Number(a.id) - Number(b.id));
}

async function commitOf(store: ObjectStore, version: number): Promise<Record<string, Record<string, unknown>>[]> {
  const text = new TextDecoder().decode(await store.get(`_delta_log/${formatVersion(version)}.json`));
  return text.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>);
}

const people = (ids: number[], day: string): Table => tableFromArrays({ id: Int32Array.from(ids), name: ids.map((i) => `p${i}`), day: ids.map(() => day) });

async function twoPartitionTable(): Promise<{ store: ObjectStore; table: DeltaTable }> {
  const store = freshMemoryStore();
  await writeDeltaTable(store.url, people([1, 2, 3], 'a'), { store, partitionBy: ['day'] });
  await writeDeltaTable(store.url, people([4, 5], 'b'), { store, mode: 'append' });
  return { store, table: await DeltaTable.open(store.url, { store }) };
}

/** The rows of `file` without those whose id is in `drop` (what a DELETE would keep). */
async function* survivors(snapshot: Awaited<ReturnType<DeltaTable['snapshot']>>, path: string, drop: number[]): AsyncIterable<RecordBatch> {
  const file = snapshot.files().find((f) => f.path === path)!;
  for await (const batch of snapshot.scan({ files: [file] })) {
    const ids = batch.getChild('id')!;
    const keep: number[] = [];
    for (let i = 0; i < batch.numRows; i++) if (!drop.includes(ids.get(i) as number)) keep.push(i);
    yield* selectRows(batch, Int32Array.from(keep));
  }
}

describe('rewriteFiles', () => {
  it('replaces one file with its surviving rows in one commit that touches nothing else', async () => {
    const { store, table } = await twoPartitionTable();
    const snap = await table.snapshot();
    const fileA = snap.addFiles().find((a) => a.partitionValues.day === 'a')!;
    const r = await rewriteFiles(table, snap, { data: survivors(snap, fileA.path, [2]), remove: [fileA] }, { operation: 'DELETE', operationParameters: { predicate: ['id = 2'] } });
    expect(r).toMatchObject({ version: 2, committed: true, filesRemoved: 1, filesAdded: 1, rowsWritten: 2 });
    expect((await rowsOf(table)).map((x) => x.id)).toEqual([1, 3, 4, 5]);
    const actions = await commitOf(store, 2);
    expect(actions[0]!.commitInfo).toMatchObject({ operation: 'DELETE', readVersion: 1, operationParameters: { predicate: '["id = 2"]' } });
    expect(actions.filter((a) => a.remove).map((a) => a.remove!.path)).toEqual([fileA.path]);
    expect(actions.filter((a) => a.remove).every((a) => a.remove!.dataChange === true)).toBe(true);
    expect(actions.filter((a) => a.add).map((a) => (a.add!.partitionValues as Record<string, string>).day)).toEqual(['a']);
  });

  it('commits nothing when no file is removed and no row written', async () => {
    const { table } = await twoPartitionTable();
    const snap = await table.snapshot();
    const r = await rewriteFiles(table, snap, { data: [], remove: [] }, { operation: 'DELETE' });
    expect(r).toMatchObject({ committed: false, version: 1 });
    expect(await table.version()).toBe(1);
  });

  it('reads the files to remove after the data is consumed, so they can be decided while streaming', async () => {
    const { table } = await twoPartitionTable();
    const snap = await table.snapshot();
    const removed: AddFile[] = [];
    const fileB = snap.addFiles().find((a) => a.partitionValues.day === 'b')!;
    async function* data(): AsyncIterable<RecordBatch> {
      yield* survivors(snap, fileB.path, [4]);
      removed.push(fileB);
    }
    await rewriteFiles(table, snap, { data: data(), remove: () => removed }, { operation: 'DELETE' });
    expect((await rowsOf(table)).map((x) => x.id)).toEqual([1, 2, 3, 5]);
  });

  it('pinned: a concurrent append fails the rewrite with CommitConflictError and leaves no files behind', async () => {
    const { store, table } = await twoPartitionTable();
    const snap = await table.snapshot();
    await writeDeltaTable(store.url, people([9], 'c'), { store, mode: 'append' });
    const before = (await store.list('day=a/')).length;
    const fileA = snap.addFiles().find((a) => a.partitionValues.day === 'a')!;
    await expect(rewriteFiles(table, snap, { data: survivors(snap, fileA.path, [1]), remove: [fileA] }, { operation: 'MERGE', pinned: true })).rejects.toBeInstanceOf(
      CommitConflictError,
    );
    expect((await store.list('day=a/')).length).toBe(before);
    expect((await rowsOf(table)).map((x) => x.id)).toEqual([1, 2, 3, 4, 5, 9]);
  });

  it('not pinned: rebases over a concurrent blind append, but conflicts with a concurrent delete of a removed file', async () => {
    const { store, table } = await twoPartitionTable();
    const snap = await table.snapshot();
    const fileA = snap.addFiles().find((a) => a.partitionValues.day === 'a')!;
    await writeDeltaTable(store.url, people([9], 'c'), { store, mode: 'append' });
    const r = await rewriteFiles(table, snap, { data: survivors(snap, fileA.path, [1]), remove: [fileA] }, { operation: 'DELETE' });
    expect(r.attempts).toBe(2);
    expect((await rowsOf(table)).map((x) => x.id)).toEqual([2, 3, 4, 5, 9]);

    const snap2 = await table.snapshot();
    const fileB = snap2.addFiles().find((a) => a.partitionValues.day === 'b')!;
    await rewriteFiles(table, snap2, { data: [], remove: [fileB] }, { operation: 'DELETE' });
    await expect(rewriteFiles(table, snap2, { data: survivors(snap2, fileB.path, [5]), remove: [fileB] }, { operation: 'DELETE' })).rejects.toBeInstanceOf(CommitConflictError);
  });

  it('refuses to remove a file that is not live in the snapshot', async () => {
    const { table } = await twoPartitionTable();
    const snap = await table.snapshot();
    const ghost = { ...snap.addFiles()[0]!, path: 'day=a/ghost.parquet' };
    await expect(rewriteFiles(table, snap, { data: [], remove: [ghost] }, { operation: 'DELETE' })).rejects.toBeInstanceOf(InvalidOptionError);
  });
});

describe('addColumns', () => {
  it('adds nullable columns in a metadata-only commit; old rows read them as null and new writes may fill them', async () => {
    const { store, table } = await twoPartitionTable();
    const r = await addColumns(table, [{ name: 'score', type: 'integer', nullable: true, metadata: {} }]);
    expect(r).toEqual({ version: 2, columnsAdded: ['score'] });
    const actions = await commitOf(store, 2);
    expect(actions[0]!.commitInfo).toMatchObject({ operation: 'ADD COLUMNS' });
    expect(actions.some((a) => a.add || a.remove)).toBe(false);
    const snap = await table.snapshot();
    expect(snap.schema.fields.map((f) => f.name)).toEqual(['id', 'name', 'day', 'score']);
    expect(snap.arrowSchema().fields[3]!.type).toBeInstanceOf(Int32);
    expect((await rowsOf(table)).every((x) => x.score === null)).toBe(true);
    await writeDeltaTable(store.url, tableFromArrays({ id: Int32Array.of(6), name: ['p6'], day: ['a'], score: Int32Array.of(7) }), { store, mode: 'append' });
    expect((await rowsOf(table)).find((x) => x.id === 6)!.score).toBe(7);
  });

  it('refuses an existing name (case-insensitively) and non-nullable columns', async () => {
    const { table } = await twoPartitionTable();
    await expect(addColumns(table, [{ name: 'NAME', type: 'string', nullable: true, metadata: {} }])).rejects.toThrow(/column "NAME" already exists/);
    await expect(addColumns(table, [{ name: 'x', type: 'string', nullable: false, metadata: {} }])).rejects.toBeInstanceOf(SchemaError);
    expect(await table.version()).toBe(1);
  });
});
