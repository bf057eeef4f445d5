// Several OS processes write one local Delta table at once through writeDeltaTable. Concurrent blind
// appends must all land (rebasing over each other) at contiguous versions without losing a row, and an
// overwrite racing an append must either see the append or fail with CommitConflictError: it can never
// commit on top of an append it did not read (that would silently keep rows the overwrite replaced).

import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeltaTable, DeltaTable, writeDeltaTable } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { assertDeltaTable, closeDuckDB, columnValues, type TableCheck } from '../support/log-check.js';
import { killAllWriters, startWriter, type ChildEvent, type WriterProcess } from '../support/processes.js';
import { idRange, rowsFor } from '../support/rows.js';

const PROCESSES = 4;
const APPENDS = 25;
const ROWS_EACH = 3;

let tmp: { dir: string; cleanup: () => Promise<void> };
let writers: WriterProcess[] = [];
let tableSeq = 0;

beforeAll(async () => {
  tmp = await tempDir();
  writers = Array.from({ length: PROCESSES }, () => startWriter());
  await Promise.all(writers.map((w) => w.ready()));
});

afterAll(async () => {
  await Promise.all(writers.map((w) => w.close().catch(() => undefined)));
  await killAllWriters();
  await closeDuckDB();
  await tmp?.cleanup();
});

const idsOf = (check: TableCheck): number[] => columnValues(check, 'id').map(Number).sort((a, b) => a - b);
const sorted = (ids: number[]): number[] => [...ids].sort((a, b) => a - b);

/** Data files on disk that no commit adds. */
async function unreferencedDataFiles(dir: string, check: TableCheck): Promise<string[]> {
  const referenced = new Set([...check.commits.values()].flat().filter((a) => 'add' in a).map((a) => decodeURIComponent((a.add as { path: string }).path)));
  const files = (await readdir(dir, { recursive: true })).filter((n) => n.endsWith('.parquet') && !n.startsWith('_delta_log'));
  return files.map((n) => n.split(path.sep).join('/')).filter((n) => !referenced.has(n));
}

/** A fresh table holding ids 0…n-1 at version 0. */
async function seededTable(n: number, isolation: 'WriteSerializable' | 'Serializable' = 'WriteSerializable'): Promise<string> {
  const dir = path.join(tmp.dir, `t${tableSeq++}`);
  await writeDeltaTable(dir, rowsFor(0, n, 9), isolation === 'Serializable' ? { properties: { 'delta.isolationLevel': 'Serializable' } } : {});
  return dir;
}

describe('writeDeltaTable from several processes', () => {
  it(`lands ${PROCESSES} × ${APPENDS} concurrent appends at versions 1…${PROCESSES * APPENDS} with every row`, async () => {
    const dir = path.join(tmp.dir, 'appends');
    await createDeltaTable(dir, rowsFor(0, 0, 0).schema);
    const started = Date.now();
    const seqs = writers.map((w, i) => w.command({ cmd: 'append', dir, firstId: i * 100_000, count: APPENDS, rowsEach: ROWS_EACH, writer: i }));
    const results = await Promise.all(writers.map((w, i) => w.result(seqs[i]!)));
    const elapsed = Date.now() - started;

    const versions = results.flat().map((e) => e.committed as number);
    expect(sorted(versions)).toEqual(idRange(1, PROCESSES * APPENDS));
    // Each process's own commits come in increasing version order.
    for (const r of results) expect(r.map((e) => e.committed)).toEqual(sorted(r.map((e) => e.committed as number)));
    const retries = results.flat().reduce((n, e) => n + (e.attempts as number) - 1, 0);
    console.log(`${PROCESSES}×${APPENDS} appends in ${elapsed} ms, ${retries} rebased retries`);

    const table = await DeltaTable.open(dir);
    expect(await table.version()).toBe(PROCESSES * APPENDS);
    const check = await assertDeltaTable(dir);
    expect(check.version).toBe(PROCESSES * APPENDS);
    const expected = writers.flatMap((_, i) => idRange(i * 100_000, APPENDS * ROWS_EACH));
    expect(idsOf(check)).toEqual(sorted(expected));
    // Every append is a blind append of its own files; none carries metaData (which would make appends conflict).
    for (const v of idRange(1, PROCESSES * APPENDS)) {
      const actions = check.commits.get(v)!;
      expect(actions.some((a) => 'metaData' in a || 'remove' in a)).toBe(false);
      expect((actions.find((a) => 'commitInfo' in a)!.commitInfo as { isBlindAppend?: boolean }).isBlindAppend).toBe(true);
    }
  });

  // Delta's conflict rules for an overwrite (it reads the whole table) against a blind append that commits
  // between the overwrite's read and its commit: at Serializable the overwrite must fail with
  // CommitConflictError; at WriteSerializable (the default) Delta exempts blind appends, so the overwrite
  // commits after it and the table ends as if the append had come after the overwrite (the overwrite
  // removes only the files it read; the appended rows stay). Both are serializable outcomes; what must
  // never happen is a third one (rows of the old table surviving an overwrite, or appended rows lost).
  it('fails an overwrite with CommitConflictError at Serializable when an append commits between its read and its commit', async () => {
    const dir = await seededTable(10, 'Serializable');
    const [ow, ap] = [writers[0]!, writers[1]!];
    const o = ow.command({ cmd: 'write', dir, mode: 'overwrite', firstId: 1000, rows: 5, writer: 1, gate: true });
    await ow.waitFor((e) => e.seq === o && e.gate === 'commit'); // it has read version 0 and written its files
    const [appended] = await ap.result(ap.command({ cmd: 'write', dir, mode: 'append', firstId: 2000, rows: 4, writer: 2 }));
    expect(appended).toMatchObject({ committed: 1, attempts: 1 });
    ow.release();
    const [outcome] = await ow.result(o);
    expect(outcome!.conflict).toMatchObject({ winningVersion: 1, winningOperation: 'WRITE', reason: 'concurrentAppend' });
    expect(outcome!.committed).toBeUndefined();

    const check = await assertDeltaTable(dir);
    expect(check.version).toBe(1);
    expect(idsOf(check)).toEqual([...idRange(0, 10), ...idRange(2000, 4)]);
    // The failed overwrite deleted the data files it had written: every parquet file is in the log.
    expect(await unreferencedDataFiles(dir, check)).toEqual([]);
  });

  it('commits such an overwrite at WriteSerializable as if the blind append came after it', async () => {
    const dir = await seededTable(10);
    const [ow, ap] = [writers[2]!, writers[3]!];
    const o = ow.command({ cmd: 'write', dir, mode: 'overwrite', firstId: 1000, rows: 5, writer: 1, gate: true });
    await ow.waitFor((e) => e.seq === o && e.gate === 'commit');
    const [appended] = await ap.result(ap.command({ cmd: 'write', dir, mode: 'append', firstId: 2000, rows: 4, writer: 2 }));
    expect(appended).toMatchObject({ committed: 1, attempts: 1 });
    ow.release();
    const [outcome] = await ow.result(o);
    expect(outcome).toMatchObject({ committed: 2, attempts: 2, filesRemoved: 1 });

    const check = await assertDeltaTable(dir);
    expect(check.version).toBe(2);
    // The overwrite removed exactly the file of version 0 (what it read), not the append's.
    const removed = check.commits.get(2)!.filter((a) => 'remove' in a).map((a) => (a.remove as { path: string }).path);
    const v0 = check.commits.get(0)!.filter((a) => 'add' in a).map((a) => (a.add as { path: string }).path);
    expect(removed).toEqual(v0);
    expect(idsOf(check)).toEqual([...idRange(1000, 5), ...idRange(2000, 4)]);
  });

  it('rebases an append over an overwrite that committed after the append read the table', async () => {
    for (const isolation of ['WriteSerializable', 'Serializable'] as const) {
      const dir = await seededTable(10, isolation);
      const [ap, ow] = [writers[2]!, writers[3]!];
      const a = ap.command({ cmd: 'write', dir, mode: 'append', firstId: 2000, rows: 4, writer: 2, gate: true });
      await ap.waitFor((e) => e.seq === a && e.gate === 'commit');
      const [overwritten] = await ow.result(ow.command({ cmd: 'write', dir, mode: 'overwrite', firstId: 1000, rows: 5, writer: 1 }));
      expect(overwritten).toMatchObject({ committed: 1, attempts: 1, filesRemoved: 1 });
      ap.release();
      const [appended] = await ap.result(a);
      expect(appended, isolation).toMatchObject({ committed: 2, attempts: 2 });

      const check = await assertDeltaTable(dir);
      expect(check.version).toBe(2);
      expect(idsOf(check)).toEqual([...idRange(1000, 5), ...idRange(2000, 4)]);
    }
  });

  it('ends an overwrite racing an append freely in a serializable state, at either isolation level', async () => {
    const outcomes: string[] = [];
    for (let trial = 0; trial < 4; trial++) {
      const isolation = trial % 2 === 0 ? 'WriteSerializable' : 'Serializable';
      const dir = await seededTable(10, isolation);
      const [ow, ap] = trial < 2 ? [writers[0]!, writers[1]!] : [writers[1]!, writers[0]!];
      const o = ow.command({ cmd: 'write', dir, mode: 'overwrite', firstId: 1000, rows: 5, writer: 1 });
      const a = ap.command({ cmd: 'write', dir, mode: 'append', firstId: 2000, rows: 4, writer: 2 });
      const [[overwrite], [append]] = (await Promise.all([ow.result(o), ap.result(a)])) as [ChildEvent[], ChildEvent[]];
      const check = await assertDeltaTable(dir);
      const ids = idsOf(check);
      const label = `trial ${trial} (${isolation}): overwrite ${JSON.stringify(overwrite)}, append ${JSON.stringify(append)}`;

      // A blind append never conflicts with an overwrite: it always commits.
      expect(append!.committed, label).toBeTypeOf('number');
      const va = append!.committed as number;
      if (overwrite!.conflict) {
        // Only Serializable refuses; the append landed after the overwrite read version 0, and the overwrite left no trace.
        outcomes.push(`${isolation}: overwrite conflicted`);
        expect(isolation, label).toBe('Serializable');
        expect(overwrite!.conflict, label).toMatchObject({ winningVersion: va, winningOperation: 'WRITE', reason: 'concurrentAppend' });
        expect(check.version).toBe(va);
        expect(ids, label).toEqual([...idRange(0, 10), ...idRange(2000, 4)]);
        continue;
      }
      const vo = overwrite!.committed as number;
      expect(sorted([va, vo]), label).toEqual([1, 2]);
      const readVersion = (check.commits.get(vo)!.find((x) => 'commitInfo' in x)!.commitInfo as { readVersion?: number }).readVersion!;
      if (vo < va) {
        outcomes.push(`${isolation}: overwrite then append`);
        expect(ids, label).toEqual([...idRange(1000, 5), ...idRange(2000, 4)]);
      } else if (readVersion >= va) {
        outcomes.push(`${isolation}: append then overwrite`);
        expect(ids, label).toEqual(idRange(1000, 5));
      } else {
        // The overwrite read version 0 and committed after the append: WriteSerializable's reordering only.
        outcomes.push(`${isolation}: overwrite reordered before the append`);
        expect(isolation, label).toBe('WriteSerializable');
        expect(ids, label).toEqual([...idRange(1000, 5), ...idRange(2000, 4)]);
      }
    }
    console.log(`free overwrite/append races: ${outcomes.join('; ')}`);
  });
});
