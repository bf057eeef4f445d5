import { describe, expect, it } from 'vitest';
import { CommitConflictError } from '../../src/commit/errors.js';
import { commitTransaction } from '../../src/commit/transaction.js';
import { RestoreFilesMissingError } from '../../src/errors.js';
import { DeltaTable, InvalidOptionError, VersionNotFoundError } from '../../src/index.js';
import { history } from '../../src/maintenance/history.js';
import { compact } from '../../src/maintenance/optimize.js';
import { restore } from '../../src/maintenance/restore.js';
import { vacuum } from '../../src/maintenance/vacuum.js';
import { freshMemoryStore } from '../helpers.js';
import { DV_PROTOCOL, append, commitActions, createTable, deleteFiles, expectedRows, interceptCommit, readRows } from './fixtures.js';

/** v1: ids 1-3, v2: + ids 4-6, v3: the v1 file deleted. */
async function threeVersions() {
  const store = freshMemoryStore();
  const table = await createTable(store);
  const first = await append(table, [1, 2, 3]);
  await append(table, [4, 5, 6]);
  await deleteFiles(table, first.adds);
  return { store, table, first };
}

describe('restore', () => {
  it("restores an earlier version's exact rows by re-adding and removing files", async () => {
    const { store, table } = await threeVersions();
    expect(await readRows(table)).toEqual(expectedRows([4, 5, 6]));

    const result = await restore(table, { version: 2, now: () => 99 });
    expect(result).toMatchObject({ version: 4, restoredVersion: 2, readVersion: 3, committed: true, numRestoredFiles: 1, numRemovedFiles: 0, numOfFilesAfterRestore: 2, metadataRestored: false });
    expect(await readRows(table)).toEqual(await readRows(table, 2));

    const back = await restore(table, { version: 1, now: () => 100 });
    expect(back).toMatchObject({ version: 5, numRestoredFiles: 0, numRemovedFiles: 1 });
    expect(await readRows(table)).toEqual(expectedRows([1, 2, 3]));
    const actions = await commitActions(store, 5);
    expect(actions[0]!.commitInfo).toMatchObject({ operation: 'RESTORE', operationParameters: { version: '1' }, isBlindAppend: false, isolationLevel: 'Serializable' });
    expect(actions.find((a) => a.remove)!.remove).toMatchObject({ dataChange: true, deletionTimestamp: 100, extendedFileMetadata: true });

    await restore(table, { version: 0 });
    expect(await readRows(table)).toEqual([]);
  });

  it('re-adds files with dataChange true and without reader-side fields', async () => {
    const { store, table } = await threeVersions();
    const { version } = await restore(table, { version: 1 });
    const adds = (await commitActions(store, version)).filter((a) => a.add).map((a) => a.add!);
    expect(adds).toHaveLength(1);
    expect(adds[0]!.dataChange).toBe(true);
    expect(adds[0]).not.toHaveProperty('statsParsed');
    expect(JSON.parse(adds[0]!.stats as string).numRecords).toBe(3);
  });

  it('restores by timestamp to the version current at that time', async () => {
    const { table } = await threeVersions();
    const v2 = (await history(table)).find((e) => e.version === 2)!;
    const result = await restore(table, { timestamp: v2.timestamp });
    expect(result.restoredVersion).toBe(2);
    expect(await readRows(table)).toEqual(expectedRows([1, 2, 3, 4, 5, 6]));
    const [entry] = await history(table, { limit: 1 });
    expect(entry!.operationParameters).toEqual({ timestamp: new Date(v2.timestamp).toISOString() });
  });

  it('brings back the metadata of the restored version when it differs', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1]);
    const before = await table.snapshot();
    await commitTransaction(store, table.uri, before, {
      actions: [{ metaData: { ...before.metadata, configuration: { 'custom.owner': 'team-x' } } }],
      operation: 'SET TBLPROPERTIES',
      operationParameters: {},
      pinned: false,
      blindAppend: false,
    });
    const result = await restore(table, { version: 1 });
    expect(result).toMatchObject({ metadataRestored: true, numRestoredFiles: 0, numRemovedFiles: 0, committed: true });
    expect((await table.snapshot()).metadata.configuration).toEqual({});
    const actions = await commitActions(store, result.version);
    expect(actions.some((a) => a.protocol)).toBe(false);
  });

  it('never downgrades the protocol when restoring a version from before an upgrade', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1]);
    // Writer 2's implied features (appendOnly, invariants) listed, as a correct upgrade to table features does.
    const upgraded = { ...DV_PROTOCOL, writerFeatures: ['appendOnly', 'deletionVectors', 'invariants'] };
    await commitTransaction(store, table.uri, await table.snapshot(), {
      actions: [{ protocol: upgraded }],
      operation: 'UPGRADE PROTOCOL',
      operationParameters: {},
      pinned: false,
      blindAppend: false,
    });
    await append(table, [2]);
    const result = await restore(table, { version: 1 });
    expect(result.numRemovedFiles).toBe(1);
    expect((await table.snapshot()).protocol).toEqual(upgraded);
    expect((await commitActions(store, result.version)).some((a) => a.protocol)).toBe(false);
    expect(await readRows(table)).toEqual(expectedRows([1]));
  });

  it('merges the protocols, listing legacy-implied features, when the current one does not cover the restored one', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1]);
    await commitTransaction(store, table.uri, await table.snapshot(), {
      actions: [{ protocol: DV_PROTOCOL }],
      operation: 'UPGRADE PROTOCOL',
      operationParameters: {},
      pinned: false,
      blindAppend: false,
    });
    await restore(table, { version: 1 });
    expect((await table.snapshot()).protocol).toEqual({ ...DV_PROTOCOL, writerFeatures: ['appendOnly', 'deletionVectors', 'invariants'] });
  });

  it('commits nothing when the table already equals the version asked for', async () => {
    const { table } = await threeVersions();
    const result = await restore(table, { version: 3 });
    expect(result).toMatchObject({ version: 3, committed: false, numRestoredFiles: 0, numRemovedFiles: 0 });
    expect(await table.version()).toBe(3);
  });

  it('restores across a compaction to the same rows', async () => {
    const store = freshMemoryStore();
    const table = await createTable(store);
    await append(table, [1, 2]);
    await append(table, [3, 4]);
    await compact(table);
    await append(table, [5]);
    await restore(table, { version: 2 });
    expect(await readRows(table)).toEqual(expectedRows([1, 2, 3, 4]));
    expect((await table.snapshot()).numFiles).toBe(2);
  });

  it('fails clearly, committing nothing, when vacuum already deleted files the version needs', async () => {
    const { store, table, first } = await threeVersions();
    await vacuum(table, { now: () => Date.now() + 8 * 24 * 3_600_000, logToHistory: false });
    const gone = decodeURIComponent(first.adds[0]!.path);
    await expect(store.head(gone)).rejects.toThrow();

    const err = await restore(table, { version: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RestoreFilesMissingError);
    expect((err as RestoreFilesMissingError).missingFiles).toEqual([gone]);
    const message = (err as Error).message;
    expect(message).toContain(table.uri);
    expect(message).toContain(gone);
    expect(message).toContain('Version 1 can no longer be restored');
    expect(await table.version()).toBe(3);
  });

  it('conflicts with a data change committed while it was restoring', async () => {
    const { store: base } = await threeVersions();
    const store = interceptCommit(base, 4, async () => {
      await append(await DeltaTable.open(base.url, { store: base }), [7]);
    });
    const table = await DeltaTable.open(base.url, { store });
    await expect(restore(table, { version: 2 })).rejects.toBeInstanceOf(CommitConflictError);
    expect(await readRows(table)).toEqual(expectedRows([4, 5, 6, 7]));
  });

  it('refuses a version the table does not have, and a call without a target', async () => {
    const { table } = await threeVersions();
    await expect(restore(table, { version: 9 })).rejects.toBeInstanceOf(VersionNotFoundError);
    await expect(restore(table, {} as never)).rejects.toBeInstanceOf(InvalidOptionError);
  });
});
