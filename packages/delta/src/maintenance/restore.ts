// RESTORE: make the latest version equal an earlier one by committing the difference of their file sets
// (and metadata), after checking that every file to bring back still exists.

import { isDuckrunError } from '@duckrun/storage';
import { commitTransaction, type TransactionOptions } from '../commit/transaction.js';
import { InvalidOptionError, RestoreFilesMissingError } from '../errors.js';
import type { Action, AddFile, Protocol } from '../kernel/actions/types.js';
import { deletionVectorId, resolveDeletionVector } from '../kernel/dv/descriptor.js';
import { readerFeaturesOf, writerFeaturesOf } from '../kernel/features/ensure.js';
import { canonicalFileKey } from '../kernel/log/file-key.js';
import type { DeltaTable } from '../table.js';
import { removeOf } from '../kernel/actions/remove-of.js';

/** Which version to restore: by number or by timestamp (the version current at that time). */
export type RestoreTarget =
  | { readonly version: number; readonly timestamp?: undefined }
  | { readonly timestamp: string | number | Date; readonly version?: undefined };

/** Options of {@link restore}. */
export type RestoreOptions = RestoreTarget & {
  /** The clock (epoch ms) for the removes' deletionTimestamp. Default `Date.now`. */
  readonly now?: () => number;
  /** Files checked for existence at once (default 16). */
  readonly checkConcurrency?: number;
  /** Options of the commit (retries, engineInfo, …). */
  readonly commit?: TransactionOptions;
};

/** What a restore committed (metric names as Spark reports them). */
export interface RestoreResult {
  /** The new version (equal to `readVersion` when nothing differed and nothing was committed). */
  readonly version: number;
  /** The version whose state was restored. */
  readonly restoredVersion: number;
  /** The latest version before the restore. */
  readonly readVersion: number;
  readonly committed: boolean;
  /** Files of the restored version added back. */
  readonly numRestoredFiles: number;
  /** Files live before the restore that it removed. */
  readonly numRemovedFiles: number;
  readonly restoredFilesSize: number;
  readonly removedFilesSize: number;
  readonly numOfFilesAfterRestore: number;
  readonly tableSizeAfterRestore: number;
  /** The restore also brought back the restored version's metadata (schema, partitioning, properties). */
  readonly metadataRestored: boolean;
}

const ABSOLUTE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * Commits a `RESTORE` making the table's files and metadata those of an earlier version: live files
 * absent from it are removed and its files absent now are re-added (both dataChange=true). The protocol
 * is never downgraded. Fails with `RestoreFilesMissingError` when a file to re-add was deleted (vacuum).
 */
export async function restore(table: DeltaTable, options: RestoreOptions): Promise<RestoreResult> {
  const concurrency = options.checkConcurrency ?? 16;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    throw new InvalidOptionError(`checkConcurrency ${concurrency} for restore of ${table.uri} is invalid; use a whole number ≥ 1`);
  }
  if (options.version === undefined && options.timestamp === undefined) {
    throw new InvalidOptionError(`restore of ${table.uri} needs a version or a timestamp to restore (see table.history())`);
  }
  // Target first: the log only grows, so the latest snapshot read after it is never older.
  const target = await table.snapshot(options.version !== undefined ? { version: options.version } : { timestamp: options.timestamp! });
  const current = await table.snapshot();

  const live = new Map(current.addFiles().map((a) => [fileIdentity(table.uri, a), a]));
  const wanted = new Map(target.addFiles().map((a) => [fileIdentity(table.uri, a), a]));
  const toRemove = [...live].filter(([k]) => !wanted.has(k)).map(([, a]) => a);
  const toAdd = [...wanted].filter(([k]) => !live.has(k)).map(([, a]) => a);
  const metadataRestored = canonicalJson(current.metadata) !== canonicalJson(target.metadata);
  const protocol = mergeProtocol(current.protocol, target.protocol);

  const sum = (files: readonly AddFile[]): number => files.reduce((n, f) => n + f.size, 0);
  const metrics = {
    restoredVersion: target.version,
    readVersion: current.version,
    numRestoredFiles: toAdd.length,
    numRemovedFiles: toRemove.length,
    restoredFilesSize: sum(toAdd),
    removedFilesSize: sum(toRemove),
    numOfFilesAfterRestore: wanted.size,
    tableSizeAfterRestore: sum([...wanted.values()]),
    metadataRestored,
  };
  if (toAdd.length === 0 && toRemove.length === 0 && !metadataRestored && protocol === undefined) {
    return { ...metrics, version: current.version, committed: false };
  }

  await ensureFilesExist(table, target.version, toAdd, concurrency);
  const now = (options.now ?? Date.now)();
  const actions: Action[] = [];
  if (protocol !== undefined) actions.push({ protocol });
  if (metadataRestored) actions.push({ metaData: target.metadata });
  for (const add of toRemove) actions.push({ remove: removeOf(add, now, true) });
  for (const add of toAdd) actions.push({ add: reAdd(add) });
  const result = await commitTransaction(
    table.store,
    table.uri,
    current,
    {
      actions,
      operation: 'RESTORE',
      operationParameters:
        options.version !== undefined ? { version: options.version } : { timestamp: timestampText(options.timestamp!) },
      operationMetrics: {
        numRestoredFiles: toAdd.length,
        numRemovedFiles: toRemove.length,
        restoredFilesSize: toAdd.reduce((n, a) => n + a.size, 0),
        removedFilesSize: toRemove.reduce((n, a) => n + a.size, 0),
      },
      pinned: false,
      blindAppend: false,
      // The result must equal the restored version: any concurrent data change makes that false, so
      // read everything at Serializable and let every such winner conflict.
      reads: 'all',
      isolation: 'Serializable',
    },
    options.commit,
  );
  return { ...metrics, version: result.version, committed: true };
}

/** Log-replay identity of a live file: its path and deletion vector (PROTOCOL.md "Action Reconciliation"). */
function fileIdentity(uri: string, add: AddFile): string {
  return `${canonicalFileKey(uri, add.path)}\u0000${add.deletionVector ? deletionVectorId(add.deletionVector) : ''}`;
}

/** Heads every data and deletion-vector file inside the table that `adds` need; throws naming the missing ones. */
async function ensureFilesExist(table: DeltaTable, version: number, adds: readonly AddFile[], concurrency: number): Promise<void> {
  const keys = new Set<string>();
  for (const add of adds) {
    keys.add(canonicalFileKey(table.uri, add.path));
    if (add.deletionVector) {
      const dv = resolveDeletionVector(add.deletionVector);
      if (dv.kind === 'relative') keys.add(dv.path);
      else if (dv.kind === 'absolute') keys.add(canonicalFileKey(table.uri, dv.url));
    }
  }
  // Files outside the table's folder live in other stores; the table's store cannot check them.
  const inside = [...keys].filter((k) => !ABSOLUTE.test(k));
  const missing: string[] = [];
  for (let i = 0; i < inside.length; i += concurrency) {
    await Promise.all(
      inside.slice(i, i + concurrency).map(async (key) => {
        try {
          await table.store.head(key);
        } catch (e) {
          if (isDuckrunError(e, 'STORE_NOT_FOUND')) missing.push(key);
          else throw e;
        }
      }),
    );
  }
  if (missing.length === 0) return;
  missing.sort();
  const shown = missing.slice(0, 10).join(', ') + (missing.length > 10 ? `, … (${missing.length - 10} more)` : '');
  throw new RestoreFilesMissingError(
    `cannot restore ${table.uri} to version ${version}: ${missing.length} file${missing.length === 1 ? '' : 's'} it needs no longer exist ` +
      `(deleted by vacuum, or outside Delta): ${shown}. Version ${version} can no longer be restored; restore a later version whose files still exist (see table.history())`,
    missing,
  );
}


/** The restored version's `add`, as data again; `statsParsed` is a reader-side field, not part of the wire format. */
function reAdd(add: AddFile): AddFile {
  const { statsParsed: _parsed, ...wire } = add;
  return { ...wire, dataChange: true };
}

/**
 * The protocol to commit so that both versions' features stay covered, or undefined when the current
 * one already covers the restored one (the usual case: restore never downgrades).
 */
function mergeProtocol(current: Protocol, restored: Protocol): Protocol | undefined {
  const curReader = new Set(readerFeaturesOf(current));
  const curWriter = new Set(writerFeaturesOf(current));
  const covered =
    restored.minReaderVersion <= current.minReaderVersion &&
    restored.minWriterVersion <= current.minWriterVersion &&
    readerFeaturesOf(restored).every((f) => curReader.has(f)) &&
    writerFeaturesOf(restored).every((f) => curWriter.has(f));
  if (covered) return undefined;
  const minReaderVersion = Math.max(current.minReaderVersion, restored.minReaderVersion);
  const minWriterVersion = Math.max(current.minWriterVersion, restored.minWriterVersion);
  // Moving to table features (reader 3 / writer 7) must list the features the legacy versions implied.
  const union = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])].sort();
  return {
    minReaderVersion,
    minWriterVersion,
    ...(minReaderVersion >= 3 ? { readerFeatures: union(readerFeaturesOf(current), readerFeaturesOf(restored)) } : {}),
    ...(minWriterVersion >= 7 ? { writerFeatures: union(writerFeaturesOf(current), writerFeaturesOf(restored)) } : {}),
  };
}

function timestampText(t: string | number | Date): string {
  if (typeof t === 'string') return t;
  return new Date(t).toISOString();
}

/** JSON with object keys sorted, so equal metadata written in another key order compares equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
