// A Delta table's whole life on Azure Blob storage (a real Azurite), through az:// URLs and storage
// options only: create, append, two appends racing from separate OS processes (both land exactly once,
// the loser rebases after Azurite's 409), overwrite, checkpoint, vacuum, and reading back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaTable, writeDeltaTable } from '../../src/index.js';
import { collectRows } from '../helpers.js';
import { killAllWriters, startWriter, type WriterProcess } from '../support/processes.js';
import { idRange, rowsFor } from '../support/rows.js';
import { azuriteContainer } from '../../../storage/test/servers/azurite-admin.js';
import { useAzurite } from '../../../storage/test/servers/azurite-provided.js';

const azurite = await useAzurite();
const skip = azurite.skip;

const CONTAINER = `e2e-${process.pid}-${Date.now().toString(36)}`;
const TABLE = `az://${CONTAINER}/lake/events`;

let container: Awaited<ReturnType<typeof azuriteContainer>>;
let storageOptions: Record<string, string>;
let writers: WriterProcess[] = [];

beforeAll(async () => {
  if (azurite.skip !== undefined) return;
  // Emulator defaults plus the endpoint of this run's Azurite (it listens on a free port, not 10000).
  storageOptions = { azure_storage_use_emulator: 'true', azure_storage_endpoint: azurite.accountUrl };
  container = await azuriteContainer(azurite.accountUrl, CONTAINER);
  writers = [startWriter(), startWriter()];
  await Promise.all(writers.map((w) => w.ready()));
});

afterAll(async () => {
  await Promise.all(writers.map((w) => w.close().catch(() => undefined)));
  await killAllWriters();
  if (azurite.skip === undefined) await container?.deleteIfExists();
});

/** Blob names under the table, relative to it, sorted. */
async function blobs(): Promise<string[]> {
  const out: string[] = [];
  for await (const b of container.listBlobsFlat({ prefix: 'lake/events/' })) out.push(b.name.slice('lake/events/'.length));
  return out.sort();
}

async function ids(version?: number): Promise<number[]> {
  const table = await DeltaTable.open(TABLE, { storageOptions });
  const snap = await table.snapshot(version === undefined ? {} : { version });
  return (await collectRows(snap.scan())).map((r) => Number(r.id)).sort((a, b) => a - b);
}

describe.skipIf(skip !== undefined)(`Delta table on Azurite (${skip !== undefined ? `skipped: ${skip}` : TABLE})`, () => {
  // One table, built up step by step: each test depends on the ones before it.
  it('creates the table with writeDeltaTable on an az:// URL', async () => {
    const started = Date.now();
    const r = await writeDeltaTable(TABLE, rowsFor(0, 10, 0), { storageOptions });
    expect(r).toMatchObject({ version: 0, created: true, committed: true, rowsWritten: 10, uri: TABLE });
    expect(await ids()).toEqual(idRange(0, 10));
    const names = await blobs();
    expect(names).toContain('_delta_log/00000000000000000000.json');
    expect(names.filter((n) => n.endsWith('.parquet'))).toHaveLength(1);
    console.log(`[azure e2e] create + read back in ${Date.now() - started} ms`);
  });

  it('appends', async () => {
    const r = await writeDeltaTable(TABLE, rowsFor(10, 5, 0), { mode: 'append', storageOptions });
    expect(r).toMatchObject({ version: 1, committed: true, attempts: 1 });
    expect(await ids()).toEqual(idRange(0, 15));
  });

  it('lands two appends racing from separate processes exactly once each, the loser rebasing after a 409', async () => {
    const [a, b] = [writers[0]!, writers[1]!];
    // Both read version 1, write their files, then wait at the commit until released together.
    const sa = a.command({ cmd: 'write', dir: TABLE, mode: 'append', firstId: 1000, rows: 6, writer: 1, gate: true, storageOptions });
    const sb = b.command({ cmd: 'write', dir: TABLE, mode: 'append', firstId: 2000, rows: 4, writer: 2, gate: true, storageOptions });
    await Promise.all([a.waitFor((e) => e.seq === sa && e.gate === 'commit'), b.waitFor((e) => e.seq === sb && e.gate === 'commit')]);
    a.release();
    b.release();
    const [[ra], [rb]] = await Promise.all([a.result(sa), b.result(sb)]);
    expect([ra!.committed, rb!.committed].sort()).toEqual([2, 3]);
    // Both tried version 2 first; exactly one won it and the other committed 3 on its second attempt.
    expect([ra!.attempts, rb!.attempts].sort()).toEqual([1, 2]);
    expect(await ids()).toEqual([...idRange(0, 15), ...idRange(1000, 6), ...idRange(2000, 4)]);
    const log = (await blobs()).filter((n) => /^_delta_log\/\d{20}\.json$/.test(n));
    expect(log).toEqual(idRange(0, 4).map((v) => `_delta_log/${String(v).padStart(20, '0')}.json`));
  });

  it('overwrites', async () => {
    const r = await writeDeltaTable(TABLE, rowsFor(5000, 7, 3), { mode: 'overwrite', storageOptions });
    expect(r).toMatchObject({ version: 4, committed: true, filesRemoved: 4, filesAdded: 1 });
    expect(await ids()).toEqual(idRange(5000, 7));
    // Time travel still reads the appended state.
    expect((await ids(3)).length).toBe(25);
  });

  it('checkpoints, and a fresh open reads the table from the checkpoint', async () => {
    const table = await DeltaTable.open(TABLE, { storageOptions });
    const info = await table.checkpoint();
    expect(info).toMatchObject({ version: 4, parts: 1, numOfAddFiles: 1 });
    const names = await blobs();
    expect(names).toContain('_delta_log/00000000000000000004.checkpoint.parquet');
    expect(names).toContain('_delta_log/_last_checkpoint');
    // Hide the JSON commits the checkpoint covers: the snapshot must come from the checkpoint alone.
    const log = container;
    const hidden = idRange(0, 5).map((v) => `lake/events/_delta_log/${String(v).padStart(20, '0')}.json`);
    const saved = await Promise.all(hidden.map(async (n) => [n, await log.getBlobClient(n).downloadToBuffer()] as const));
    await Promise.all(hidden.map((n) => log.getBlobClient(n).delete()));
    try {
      expect(await ids()).toEqual(idRange(5000, 7));
    } finally {
      await Promise.all(saved.map(([n, body]) => log.getBlockBlobClient(n).upload(body, body.byteLength)));
    }
  });

  it('vacuums the files the overwrite removed and keeps the current ones', async () => {
    const table = await DeltaTable.open(TABLE, { storageOptions });
    const before = (await blobs()).filter((n) => n.endsWith('.parquet') && !n.startsWith('_delta_log/'));
    expect(before).toHaveLength(5);
    const result = await table.vacuum({ retentionHours: 0, enforceRetentionDuration: false });
    expect(result.dryRun).toBe(false);
    expect(result.filesDeleted).toHaveLength(4);
    const after = (await blobs()).filter((n) => n.endsWith('.parquet') && !n.startsWith('_delta_log/'));
    expect(after).toHaveLength(1);
    expect(before.filter((n) => !result.filesDeleted.includes(n))).toEqual(after);
    expect(await ids()).toEqual(idRange(5000, 7));
  });

  it('appends after vacuum and reads the whole history back', async () => {
    // Vacuum logs its start and end as commits of their own (VACUUM START / VACUUM END).
    const vacuumed = await (await DeltaTable.open(TABLE, { storageOptions })).version();
    expect(vacuumed).toBeGreaterThanOrEqual(4);
    const r = await writeDeltaTable(TABLE, rowsFor(6000, 3, 4), { mode: 'append', storageOptions });
    expect(r.version).toBe(vacuumed + 1);
    const table = await DeltaTable.open(TABLE, { storageOptions });
    expect(await table.version()).toBe(vacuumed + 1);
    expect(await ids()).toEqual([...idRange(5000, 7), ...idRange(6000, 3)]);
    const history = await table.history();
    expect(history.map((h) => h.version)).toEqual(idRange(0, vacuumed + 2).reverse());
    expect(history.map((h) => h.operation)).toEqual(expect.arrayContaining(['WRITE', 'VACUUM START', 'VACUUM END']));
  });
});
