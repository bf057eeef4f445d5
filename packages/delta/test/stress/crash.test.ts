// Crash safety of writeDeltaTable: a child process writes to a local table in a loop (appends and some
// overwrites; delta.checkpointInterval = 2 so checkpoints are written often) and is SIGKILLed at a random
// moment. After every kill the table must load with our reader at its latest commit, every commit file
// must be complete, the log must pass the independent check (DuckDB reads exactly the rows our reader
// does), and those rows must be exactly the rows of that version: the child reports each write before and
// after its commit, so the parent knows the rows of every version it may find. Orphan data files of the
// killed write may remain (vacuum removes them). The same table is used across all trials, so every
// trial also starts from whatever the previous crash left behind.
//
// Reproduce a failure with DUCKRUN_CRASH_SEED=<seed printed in the failure>; DUCKRUN_CRASH_DEBUG=1 prints
// each trial (kill point, version, timings).

import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDeltaTable } from '../../src/index.js';
import { tempDir } from '../helpers.js';
import { assertDeltaTable, closeDuckDB, columnValues } from '../support/log-check.js';
import { killAllWriters, startWriter, type ChildEvent, type WriterProcess } from '../support/processes.js';
import { seededRandom } from '../support/random.js';
import { idRange, rowsFor } from '../support/rows.js';

const TRIALS = 20;
const SEED = Number(process.env.DUCKRUN_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));

let tmp: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  tmp = await tempDir();
});

afterAll(async () => {
  await killAllWriters();
  await closeDuckDB();
  await tmp?.cleanup();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The highest commit version in `_delta_log`, by listing it. */
async function latestCommit(dir: string): Promise<number> {
  const versions = (await readdir(path.join(dir, '_delta_log'))).filter((n) => /^\d{20}\.json$/.test(n)).map((n) => Number(n.slice(0, 20)));
  return Math.max(...versions);
}

interface Write {
  mode: 'append' | 'overwrite';
  firstId: number;
  rows: number;
}

function apply(ids: Set<number>, w: Write): Set<number> {
  const next = w.mode === 'overwrite' ? new Set<number>() : new Set(ids);
  for (const id of idRange(w.firstId, w.rows)) next.add(id);
  return next;
}

describe('writeDeltaTable killed at random moments', () => {
  // About 15 s on an idle 2-core machine; the timeout leaves room for a loaded one.
  it(`leaves a readable table holding exactly the rows of its latest commit after ${TRIALS} SIGKILLs`, { timeout: 180_000 }, async () => {
    const rnd = seededRandom(SEED);
    const dir = path.join(tmp.dir, 'table');
    const started = Date.now();
    await writeDeltaTable(dir, rowsFor(0, 5, 0), { properties: { 'delta.checkpointInterval': '2' } });
    let ids = new Set(idRange(0, 5));
    let version = 0;
    let nextId = 5;
    const stats = { pendingCommitted: 0, pendingLost: 0, commits: 0, killedBeforeFirstCommit: 0, checkpoints: 0 };
    const writeMs: number[] = [];

    // Warm spares: the next children load their modules while the current trial runs.
    const spares: WriterProcess[] = [startWriter(), startWriter()];
    for (let trial = 0; trial < TRIALS; trial++) {
      const context = () => `seed ${SEED} (DUCKRUN_CRASH_SEED=${SEED}), trial ${trial}`;
      try {
        const child = spares.shift()!;
        const t0 = Date.now();
        await child.ready();
        const t1 = Date.now();
        if (trial + spares.length + 1 < TRIALS) spares.push(startWriter());
        // Kill after the k-th write started (k alternates 1, 2: every other trial commits at least once),
        // plus a random part of a typical write's duration: anywhere in reading the table, writing data
        // files, committing, or the checkpoint after the commit.
        const k = 1 + (trial % 2);
        const extraMs = Math.floor(rnd() * 1.2 * (writeMs.length > 0 ? writeMs.reduce((a, b) => a + b, 0) / writeMs.length : 100));
        const seq = child.command({ cmd: 'loop', dir, firstId: nextId, seed: Math.floor(rnd() * 2 ** 31) });
        await child.waitFor(() => child.events.filter((e) => e.seq === seq && e.pending !== undefined).length >= k);
        await sleep(extraMs);
        await child.kill();
        const tKill = Date.now();
        expect(child.stderr, context()).toBe('');

        // Replay what the child reported: every `committed` is certain; a last `pending` may or may not have landed.
        let pending: Write | undefined;
        let pendingAt = 0;
        let committedHere = 0;
        for (const e of child.events.filter((x: ChildEvent) => x.seq === seq)) {
          if (e.pending) {
            pending = e.pending as Write;
            pendingAt = e.at as number;
          } else if (e.committed !== undefined) {
            expect(e.committed, context()).toBe(version + 1);
            expect({ mode: e.mode, firstId: e.firstId, rows: e.rows }, context()).toEqual(pending);
            version = e.committed as number;
            ids = apply(ids, pending!);
            nextId = pending!.firstId + pending!.rows;
            pending = undefined;
            committedHere++;
            writeMs.push((e.at as number) - pendingAt);
            if (e.checkpoint) stats.checkpoints++;
            if (e.checkpointError) throw new Error(`the checkpoint after version ${version} failed: ${e.checkpointError}`);
          }
        }
        stats.commits += committedHere;
        if (committedHere === 0) stats.killedBeforeFirstCommit++;

        const latest = await latestCommit(dir);
        if (pending !== undefined) {
          nextId = pending.firstId + pending.rows;
          expect([version, version + 1], `${context()}: latest commit ${latest}, last reported ${version}`).toContain(latest);
          if (latest === version + 1) {
            // The killed write committed before it could report it.
            ids = apply(ids, pending);
            version = latest;
            stats.pendingCommitted++;
          } else stats.pendingLost++;
        } else {
          expect(latest, context()).toBe(version);
        }

        // Our reader loads the latest version; the independent check agrees with it; rows are exactly those of that version.
        const check = await assertDeltaTable(dir);
        expect(check.version, context()).toBe(version);
        expect(check.readerVersion, context()).toBe(version);
        if (process.env.DUCKRUN_CRASH_DEBUG) console.log(`trial ${trial}: k=${k} +${extraMs}ms → version ${version}, ${ids.size} rows; ready ${t1 - t0} ms, writes ${tKill - t1} ms, check ${Date.now() - tKill} ms`);
        const got = columnValues(check, 'id').map(Number).sort((a, b) => a - b);
        expect(got, `${context()}: rows of version ${version}`).toEqual([...ids].sort((a, b) => a - b));
      } catch (e) {
        console.error(`crash test failed: ${context()}`);
        if (e instanceof Error) e.message = `[${context()}] ${e.message}`;
        throw e;
      }
    }
    await Promise.all(spares.map((w) => w.kill()));

    const log = await readdir(path.join(dir, '_delta_log'));
    const checkpoints = log.filter((n) => n.includes('.checkpoint.')).length;
    // Data files of killed writes stay behind unreferenced (vacuum's job); count them for the record.
    const final = await assertDeltaTable(dir);
    const referenced = new Set([...final.commits.values()].flat().filter((a) => 'add' in a).map((a) => decodeURIComponent((a.add as { path: string }).path)));
    const dataFiles = (await readdir(dir, { recursive: true })).filter((n) => n.endsWith('.parquet') && !n.startsWith('_delta_log'));
    const orphans = dataFiles.filter((n) => !referenced.has(n.split(path.sep).join('/'))).length;
    console.log(
      `crash test seed ${SEED}: ${TRIALS} kills in ${Date.now() - started} ms, table at version ${version}, ${stats.commits} reported commits, ` +
        `${stats.pendingCommitted} killed writes had committed unreported, ${stats.pendingLost} had not, ` +
        `${stats.killedBeforeFirstCommit} kills before the child's first commit, ${stats.checkpoints} reported checkpoints, ${checkpoints} checkpoint files, ${orphans} orphan data files, ` +
        `writes took ${Math.min(...writeMs)}–${Math.max(...writeMs)} ms`,
    );
    expect(stats.commits).toBeGreaterThanOrEqual(TRIALS / 2);
  });
});
