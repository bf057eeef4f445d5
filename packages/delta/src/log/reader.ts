// Reads `_delta_log` through an ObjectStore: listings, the `_last_checkpoint` hint, commits and checkpoints.

import { isDuckrunError, type ObjectStore } from '@duckrun/storage';
import { DeltaProtocolError } from '../errors.js';
import { parseActions } from '../kernel/actions/parse.js';
import type { Action, Sidecar } from '../kernel/actions/types.js';
import { formatVersion, parseLogPath, type CheckpointPath } from '../kernel/log/log-path.js';
import type { CheckpointCandidate, LogFile } from '../kernel/log/log-segment.js';
import { readParquetRowGroups, parquetColumnNames } from '../parquet/read.js';
import { actionColumns, actionsFromArrow } from './arrow-actions.js';

/** The log folder, relative to the table root. */
export const LOG_DIR = '_delta_log';

/** The `_last_checkpoint` hint (PROTOCOL.md "Last Checkpoint File"); only `version` is relied upon. */
export interface LastCheckpointHint {
  readonly version: number;
  readonly parts?: number;
}

/** Lists the log entries, starting at `fromVersion` (0 lists everything). */
export async function listLog(store: ObjectStore, fromVersion = 0): Promise<LogFile[]> {
  const out: LogFile[] = [];
  const options = fromVersion > 0 ? { startAfter: `${LOG_DIR}/${formatVersion(fromVersion - 1)}.~` } : {};
  for await (const meta of store.list(`${LOG_DIR}/`, options)) {
    const name = meta.path.slice(LOG_DIR.length + 1);
    if (name.includes('/')) continue;
    const path = parseLogPath(name);
    if (path) out.push({ path, size: meta.size, lastModified: meta.lastModified });
  }
  return out;
}

/** True when `_delta_log` holds at least one commit or checkpoint; stops at the first (no full listing). */
export async function hasLogEntry(store: ObjectStore): Promise<boolean> {
  for await (const meta of store.list(`${LOG_DIR}/`)) {
    const name = meta.path.slice(LOG_DIR.length + 1);
    if (!name.includes('/') && parseLogPath(name) !== undefined) return true;
  }
  return false;
}

/** Reads `_last_checkpoint`; a missing, unreadable or malformed hint yields undefined (it is only a hint). */
export async function readLastCheckpoint(store: ObjectStore): Promise<LastCheckpointHint | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await store.get(`${LOG_DIR}/_last_checkpoint`);
  } catch (e) {
    if (isDuckrunError(e, 'STORE_NOT_FOUND')) return undefined;
    throw e;
  }
  try {
    const hint = JSON.parse(new TextDecoder().decode(bytes)) as { version?: unknown; parts?: unknown };
    if (typeof hint.version !== 'number' || !Number.isInteger(hint.version) || hint.version < 0) return undefined;
    return typeof hint.parts === 'number' ? { version: hint.version, parts: hint.parts } : { version: hint.version };
  } catch {
    return undefined;
  }
}

/** Reads and parses one commit file. */
export async function readCommit(store: ObjectStore, table: string, version: number): Promise<Action[]> {
  const name = `${LOG_DIR}/${formatVersion(version)}.json`;
  const bytes = await store.get(name);
  return parseActions(new TextDecoder().decode(bytes), `${table}/${name}`);
}

/** Reads many commits with bounded concurrency, yielding them in version order. */
export async function* readCommits(
  store: ObjectStore,
  table: string,
  versions: readonly number[],
  concurrency = 16,
): AsyncIterable<{ version: number; actions: Action[] }> {
  const pending: Promise<Action[]>[] = [];
  let next = 0;
  const launch = () => {
    while (pending.length < concurrency && next < versions.length) pending.push(readCommit(store, table, versions[next++]!));
  };
  launch();
  for (let i = 0; i < versions.length; i++) {
    const actions = await pending.shift()!;
    launch();
    yield { version: versions[i]!, actions };
  }
}

/**
 * Reads a checkpoint's actions in batches (one per parquet row group or JSON file), following v2
 * sidecars. Failures are `DeltaProtocolError`s naming the file, so the caller can fall back.
 */
export async function* readCheckpoint(store: ObjectStore, table: string, checkpoint: CheckpointCandidate): AsyncIterable<Action[]> {
  for (const file of checkpoint.files) {
    const key = `${LOG_DIR}/${file.path.name}`;
    const sidecars: Sidecar[] = [];
    for await (const batch of readCheckpointFile(store, table, key, file.path)) {
      const rest: Action[] = [];
      for (const a of batch) {
        if ('sidecar' in a) sidecars.push(a.sidecar);
        else rest.push(a);
      }
      yield rest;
    }
    if (sidecars.length > 0 && checkpoint.type !== 'v2') {
      throw new DeltaProtocolError(`${table}/${key} is a classic checkpoint but references sidecar files; the checkpoint is malformed`);
    }
    for (const sc of sidecars) {
      // Sidecar paths are relative to `_delta_log/_sidecars` unless absolute.
      const sidecarKey = sc.path.includes('/') ? sc.path : `${LOG_DIR}/_sidecars/${sc.path}`;
      yield* readCheckpointFile(store, table, sidecarKey, undefined);
    }
  }
}

async function* readCheckpointFile(
  store: ObjectStore,
  table: string,
  key: string,
  path: CheckpointPath | undefined,
): AsyncIterable<Action[]> {
  const where = `${table}/${key}`;
  let bytes: Uint8Array | Blob;
  try {
    // Parquet checkpoints from a store that can hand out a lazy Blob are read by row group from it.
    bytes = path?.format !== 'json' && store.openBlob !== undefined ? await store.openBlob(key) : await store.get(key);
  } catch (e) {
    throw new DeltaProtocolError(`checkpoint file ${where} cannot be read: ${(e as Error).message}`, { cause: e });
  }
  if (path?.format === 'json') {
    yield parseActions(new TextDecoder().decode(bytes as Uint8Array), where);
    return;
  }
  try {
    const columns = actionColumns(await parquetColumnNames(bytes));
    for await (const group of readParquetRowGroups(bytes, { columns })) yield actionsFromArrow(group, where);
  } catch (e) {
    if (isDuckrunError(e)) throw e;
    throw new DeltaProtocolError(`checkpoint file ${where} is not a readable parquet checkpoint: ${String((e as Error).message ?? e)}`, { cause: e });
  }
}
