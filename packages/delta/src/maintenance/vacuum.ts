// VACUUM: physically delete data files the table no longer references once they are older than the
// retention window. Only data files — log cleanup after checkpoints is a different job (design §8).

import { InvalidOptionError, VacuumRetentionError } from '../errors.js';
import { deletedFileRetentionMs } from '../kernel/config/table-properties.js';
import { ensureWritable } from '../kernel/features/ensure.js';
import { commitTransaction, type TransactionOptions } from '../commit/transaction.js';
import { LOG_DIR } from '../log/reader.js';
import type { Snapshot } from '../snapshot.js';
import type { DeltaTable } from '../table.js';
import { retainedKeys } from './retained-files.js';

/** Options of {@link vacuum}. */
export interface VacuumOptions {
  /** Keep unreferenced files younger than this (default: `delta.deletedFileRetentionDuration`, 168 h). */
  readonly retentionHours?: number;
  /** Only list what would be deleted (default false). */
  readonly dryRun?: boolean;
  /**
   * Refuse a retention shorter than the table's `delta.deletedFileRetentionDuration` (default true).
   * Turn off only when no reader or writer is using the table: a short window can delete files an
   * in-flight write has not committed yet, or that a running query still reads.
   */
  readonly enforceRetentionDuration?: boolean;
  /** Record `VACUUM START` / `VACUUM END` commits in the history, as Delta does (default true; never on a dry run). */
  readonly logToHistory?: boolean;
  /** Store keys deleted per request (default 1000, the S3 DeleteObjects limit). */
  readonly deleteBatchSize?: number;
  /** The clock (epoch ms), injectable for tests. Default `Date.now`. */
  readonly now?: () => number;
  /** Options of the history commits (retries, engineInfo, …). */
  readonly commit?: TransactionOptions;
}

/** What a vacuum deleted (or, on a dry run, would delete). */
export interface VacuumResult {
  readonly dryRun: boolean;
  /** Store keys (paths relative to the table root), sorted. */
  readonly filesDeleted: string[];
  /** Total bytes of `filesDeleted`. */
  readonly bytesDeleted: number;
  /** The table version whose references were kept. */
  readonly version: number;
  /** The retention window applied, in ms. */
  readonly retentionMs: number;
  /** Files last modified before this time (epoch ms) were eligible. */
  readonly cutoff: number;
}

const HOUR_MS = 3_600_000;
const DEFAULT_DELETE_BATCH = 1000;

/**
 * Deletes the files under the table that neither the latest snapshot nor a tombstone inside the
 * retention window references, and that were last modified before `now - retention`. Never touches
 * `_delta_log` or hidden (`_x`, `.x`) files and folders; `col=value` folders are data even if they start with `_`.
 */
export async function vacuum(table: DeltaTable, options: VacuumOptions = {}): Promise<VacuumResult> {
  const dryRun = options.dryRun ?? false;
  const batchSize = options.deleteBatchSize ?? DEFAULT_DELETE_BATCH;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new InvalidOptionError(`deleteBatchSize ${batchSize} for vacuum of ${table.uri} is invalid; use a whole number ≥ 1`);
  }
  const snapshot = await table.snapshot();
  // PROTOCOL.md "Vacuum Protocol Check": vacuum must pass the writer protocol check, whether or not the table names the feature.
  ensureWritable(table.uri, snapshot.protocol, snapshot.metadata, 'metadata');
  const tableRetention = deletedFileRetentionMs(table.uri, snapshot.metadata.configuration);
  const retentionMs = retentionOf(table.uri, options, tableRetention);
  const now = (options.now ?? Date.now)();
  const cutoff = now - retentionMs;

  const keep = retainedKeys(snapshot, cutoff);
  const doomed: { key: string; size: number }[] = [];
  for await (const meta of table.store.list('')) {
    if (meta.path.startsWith(`${LOG_DIR}/`) || isHidden(meta.path) || keep.has(meta.path)) continue;
    if (meta.lastModified < cutoff) doomed.push({ key: meta.path, size: meta.size });
  }
  const filesDeleted = doomed.map((d) => d.key).sort();
  const bytesDeleted = doomed.reduce((n, d) => n + d.size, 0);
  const result: VacuumResult = { dryRun, filesDeleted, bytesDeleted, version: snapshot.version, retentionMs, cutoff };
  if (dryRun) return result;

  const log = options.logToHistory ?? true;
  if (log) {
    await logCommit(table, snapshot, 'VACUUM START', {
      retentionCheckEnabled: options.enforceRetentionDuration ?? true,
      ...(options.retentionHours !== undefined ? { specifiedRetentionMillis: retentionMs } : {}),
      defaultRetentionMillis: tableRetention,
    }, options.commit, { numFilesToDelete: filesDeleted.length, sizeOfDataToDelete: bytesDeleted });
  }
  for (let i = 0; i < filesDeleted.length; i += batchSize) await table.store.delete(filesDeleted.slice(i, i + batchSize));
  if (log) await logCommit(table, snapshot, 'VACUUM END', { status: 'COMPLETED' }, options.commit, { numDeletedFiles: filesDeleted.length, numVacuumedDirectories: 0 });
  return result;
}

function retentionOf(uri: string, options: VacuumOptions, tableRetention: number): number {
  const hours = options.retentionHours;
  if (hours === undefined) return tableRetention;
  if (!(Number.isFinite(hours) && hours >= 0)) {
    throw new InvalidOptionError(`retentionHours ${hours} for vacuum of ${uri} is invalid; use a number of hours ≥ 0 (default ${tableRetention / HOUR_MS})`);
  }
  const ms = hours * HOUR_MS;
  if (ms < tableRetention && (options.enforceRetentionDuration ?? true)) {
    throw new VacuumRetentionError(
      `vacuum of ${uri} with retentionHours ${hours} is refused: it is shorter than the table's retention of ${tableRetention / HOUR_MS} hours ` +
        '(delta.deletedFileRetentionDuration), so it could delete files that running queries, uncommitted writes or time travel still need. ' +
        `Use retentionHours ≥ ${tableRetention / HOUR_MS}, or, if nothing else is using the table, pass enforceRetentionDuration: false`,
    );
  }
  return ms;
}

/**
 * Hidden entries are not the table's to delete (`_SUCCESS`, `.crc` sidecars, tooling folders). A
 * folder containing `=` is a partition folder even when it starts with `_`; `_change_data` holds the
 * change-data files Delta itself vacuums.
 */
function isHidden(key: string): boolean {
  const segments = key.split('/');
  const name = segments.pop()!;
  if (name.startsWith('_') || name.startsWith('.')) return true;
  return segments.some((s) => (s.startsWith('_') || s.startsWith('.')) && !s.includes('=') && s !== '_change_data');
}

async function logCommit(
  table: DeltaTable,
  snapshot: Snapshot,
  operation: string,
  operationParameters: Record<string, unknown>,
  options: TransactionOptions | undefined,
  operationMetrics: Record<string, number>,
): Promise<void> {
  // No actions and nothing read: these commits only record provenance and conflict with nothing but protocol/metadata changes.
  await commitTransaction(
    table.store,
    table.uri,
    snapshot,
    { actions: [], operation, operationParameters, operationMetrics, pinned: false, blindAppend: false, reads: [] },
    options,
  );
}
