import { describe, expect, it } from 'vitest';
import { CommitConflictError } from '../../src/commit/errors.js';
import { commitTransaction } from '../../src/commit/transaction.js';
import { DeltaTable, InvalidOptionError } from '../../src/index.js';
import { buildDeletionVectorFile, encodeDeletionVectorUuidPath, serializeDeletionVector } from '../../src/kernel/dv/descriptor.js';
import { history } from '../../src/maintenance/history.js';
import { compact } from '../../src/maintenance/optimize.js';
import { freshMemoryStore } from '../helpers.js';
import { DV_PROTOCOL, append, commitActions, createTable, deleteFiles, expectedRows, interceptCommit, readRows, writeRows } from './fixtures.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('optimize compaction', () => {
  it('rewrites the small files of each partition into one file, keeping every row and partition', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store, { partitionColumns: ['part'] });
    for (let i = 0; i < 4; i++) await append(table, range(i * 10, i * 10 + 10));
    const before = await readRows(table);
    expect((await table.snapshot()).numFiles).toBe(8);

    const metrics = await compact(table);
    expect(metrics).toMatchObject({
      version: 5,
      readVersion: 4,
      numFilesAdded: 2,
      numFilesRemoved: 8,
      partitionsOptimized: 2,
      numBatches: 2,
      totalConsideredFiles: 8,
      totalFilesSkipped: 0,
    });
    expect(metrics.filesRemoved.totalFiles).toBe(8);
    expect(metrics.filesAdded.totalSize).toBeGreaterThan(0);
    const after = await table.snapshot();
    expect(after.numFiles).toBe(2);
    expect(after.addFiles().map((a) => a.partitionValues).sort((x, y) => String(x.part).localeCompare(String(y.part)))).toEqual([{ part: 'a' }, { part: 'b' }]);
    for (const add of after.addFiles()) expect(add.path.startsWith(`part=${add.partitionValues.part}/`)).toBe(true);
    expect(await readRows(table)).toEqual(before);
    expect(before).toEqual(expectedRows(range(0, 40)));
  });

  it('commits adds and removes with dataChange false and an OPTIMIZE commitInfo like Spark', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1, 2]);
    await append(table, [3, 4]);
    const { version } = await compact(table, { now: () => 1234 });
    const actions = await commitActions(store, version!);
    const info = actions[0]!.commitInfo!;
    expect(info).toMatchObject({
      operation: 'OPTIMIZE',
      operationParameters: { predicate: '[]', zOrderBy: '[]', clusterBy: '[]', auto: 'false', isFull: 'false' },
      isBlindAppend: false,
      isolationLevel: 'SnapshotIsolation',
      operationMetrics: { numAddedFiles: '1', numRemovedFiles: '2', numPartitionsOptimized: '1' },
    });
    const adds = actions.filter((a) => a.add).map((a) => a.add!);
    const removes = actions.filter((a) => a.remove).map((a) => a.remove!);
    expect(adds).toHaveLength(1);
    expect(removes).toHaveLength(2);
    for (const a of adds) {
      expect(a.dataChange).toBe(false);
      expect(JSON.parse(a.stats as string).numRecords).toBe(4);
    }
    for (const r of removes) expect(r).toMatchObject({ dataChange: false, deletionTimestamp: 1234, extendedFileMetadata: true, partitionValues: {} });
    expect(removes.every((r) => typeof r.size === 'number')).toBe(true);
  });

  it('does nothing, and commits nothing, when run again', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store, { partitionColumns: ['part'] });
    await append(table, [1, 2, 3]);
    await append(table, [4, 5, 6]);
    await compact(table);
    const again = await compact(table);
    expect(again).toMatchObject({ version: undefined, numFilesAdded: 0, numFilesRemoved: 0, numBatches: 0, totalFilesSkipped: 2 });
    expect(await table.version()).toBe(3);
  });

  it('leaves files at or above the target size alone', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, range(0, 200));
    await append(table, [1000]);
    await append(table, [1001]);
    const sizes = (await table.snapshot()).addFiles().map((a) => a.size).sort((a, b) => a - b);
    const metrics = await compact(table, { targetSize: sizes[2]! });
    expect(metrics).toMatchObject({ numFilesRemoved: 2, numFilesAdded: 1 });
    const big = (await table.snapshot()).addFiles().find((a) => a.size === sizes[2]);
    expect(big).toBeDefined();
    expect(await readRows(table)).toEqual(expectedRows([...range(0, 200), 1000, 1001]));
  });

  it('only compacts the partitions the filters select', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store, { partitionColumns: ['part'] });
    await append(table, [1, 2]);
    await append(table, [3, 4]);
    const metrics = await compact(table, { partitionFilters: [['part', '=', 'a']] });
    expect(metrics).toMatchObject({ numFilesRemoved: 2, numFilesAdded: 1, partitionsOptimized: 1 });
    const files = (await table.snapshot()).addFiles();
    expect(files.filter((f) => f.partitionValues.part === 'b')).toHaveLength(2);
    expect(files.filter((f) => f.partitionValues.part === 'a')).toHaveLength(1);
    const [entry] = await history(table, { limit: 1 });
    expect(entry!.operationParameters).toMatchObject({ predicate: JSON.stringify(["(part = 'a')"]) });

    const viaWhere = await compact(table, { where: (pv) => pv.part === 'b' });
    expect(viaWhere).toMatchObject({ numFilesRemoved: 2, partitionsOptimized: 1 });
    expect(await readRows(table)).toEqual(expectedRows([1, 2, 3, 4]));
  });

  it('refuses a partition filter on a column that is not a partition column', async () => {
    const table = await createTable(freshMemoryStore(), { partitionColumns: ['part'] });
    await expect(compact(table, { partitionFilters: [['name', '=', 'x']] })).rejects.toThrow(/filter on one of: part/);
    await expect(compact(table, { partitionFilters: [['name', '=', 'x']] })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('rewrites a lone file with a deletion vector, purging its deleted rows', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store, { protocol: DV_PROTOCOL });
    const { adds } = await append(table, [0, 1, 2, 3, 4, 5]);
    const body = serializeDeletionVector([1, 4]);
    const file = buildDeletionVectorFile([body]);
    const uuid = '0229ec3d-5100-44e1-8e53-702d448da8da';
    await store.put(`deletion_vector_${uuid}.bin`, file.bytes);
    const dv = { storageType: 'u' as const, pathOrInlineDv: encodeDeletionVectorUuidPath(uuid), offset: file.offsets[0]!, sizeInBytes: body.byteLength, cardinality: 2 };
    const add = adds[0]!;
    await commitTransaction(store, table.uri, await table.snapshot(), {
      actions: [
        { remove: { path: add.path, dataChange: true, deletionTimestamp: Date.now(), partitionValues: {}, size: add.size } },
        { add: { ...add, deletionVector: dv } },
      ],
      operation: 'DELETE',
      operationParameters: {},
      pinned: false,
      blindAppend: false,
    });
    expect(await readRows(table)).toEqual(expectedRows([0, 2, 3, 5]));

    const metrics = await compact(table);
    expect(metrics).toMatchObject({ numFilesRemoved: 1, numFilesAdded: 1 });
    const removed = (await commitActions(store, metrics.version!)).find((a) => a.remove)!.remove!;
    expect(removed.deletionVector).toEqual(dv);
    const [live] = (await table.snapshot()).addFiles();
    expect(live!.deletionVector ?? undefined).toBeUndefined();
    expect(JSON.parse(live!.stats!).numRecords).toBe(4);
    expect(await readRows(table)).toEqual(expectedRows([0, 2, 3, 5]));
  });

  it('rebases over a blind append committed after it read the table, without conflict', async () => {
    const base = freshMemoryStore();
    const setup = await createTable(base, { partitionColumns: ['part'] });
    await append(setup, [1, 2]);
    await append(setup, [3, 4]);
    const concurrent = await DeltaTable.open(base.url, { store: base });
    const store = interceptCommit(base, 3, async () => {
      await append(concurrent, [5, 6]);
    });
    const table = await DeltaTable.open(base.url, { store });

    const metrics = await compact(table, { commit: { backoff: { initialMs: 1, maxMs: 2 } } });
    expect(metrics.readVersion).toBe(2);
    expect(metrics.version).toBe(4);
    expect(await readRows(table)).toEqual(expectedRows([1, 2, 3, 4, 5, 6]));
    const ops = (await history(table)).map((e) => e.operation);
    expect(ops.slice(0, 2)).toEqual(['OPTIMIZE', 'WRITE']);
    // The appended files stay; the compacted ones are gone.
    expect((await table.snapshot()).numFiles).toBe(4);
  });

  it('conflicts with a concurrent delete of a file it compacted', async () => {
    const base = freshMemoryStore();
    const setup = await createTable(base);
    const first = await append(setup, [1, 2]);
    await append(setup, [3, 4]);
    const store = interceptCommit(base, 3, async () => {
      await deleteFiles(await DeltaTable.open(base.url, { store: base }), first.adds);
    });
    const table = await DeltaTable.open(base.url, { store });

    const err = await compact(table).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitConflictError);
    expect((err as CommitConflictError).winningOperation).toBe('DELETE');
    expect(await readRows(table)).toEqual(expectedRows([3, 4]));
  });

  it('writes the compacted files into the table store, leaving the old ones for vacuum', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    const a = await writeRows(table, [1]);
    const b = await writeRows(table, [2]);
    await commitTransaction(store, table.uri, await table.snapshot(), {
      actions: [...a, ...b].map((add) => ({ add })),
      operation: 'WRITE',
      operationParameters: {},
      pinned: false,
      blindAppend: true,
    });
    await compact(table);
    for (const old of [...a, ...b]) await expect(store.head(decodeURIComponent(old.path))).resolves.toBeDefined();
  });
});
