// DeltaTable: opens a table location and loads snapshots (latest, by version, by timestamp).

import { resolveStore, toUrl, type ObjectStore, type StorageOptions } from '@duckrun/storage';
import { DeltaProtocolError, InvalidOptionError, NotADeltaTableError, VersionNotFoundError } from './errors.js';
import { ensureReadable } from './kernel/features/ensure.js';
import { LogReplay } from './kernel/log/replay.js';
import { planLogSegment, selectCheckpoints, type CheckpointCandidate, type LogFile } from './kernel/log/log-segment.js';
import { adjustedTimestamps, versionAtTimestamp, type CommitTimestamp } from './kernel/log/timestamps.js';
import { listLog, readCheckpoint, readCommit, readCommits, readLastCheckpoint, LOG_DIR } from './log/reader.js';
import { Snapshot } from './snapshot.js';
import type { StructType } from './kernel/schema/types.js';
import { createDeltaTable, writeDeltaTable, type CreateOptions, type WriteOptions, type WriteResult } from './write/write-table.js';
import type { WriteData } from './write/input.js';
import { history, type HistoryEntry, type HistoryOptions } from './maintenance/history.js';
import { vacuum, type VacuumOptions, type VacuumResult } from './maintenance/vacuum.js';
import { compact, type CompactMetrics, type CompactOptions } from './maintenance/optimize.js';
import { restore, type RestoreOptions, type RestoreResult } from './maintenance/restore.js';
import { checkpointTable, type TableCheckpointOptions } from './checkpoint/table-checkpoint.js';
import type { CheckpointInfo } from './checkpoint/write.js';
import type { Schema } from 'apache-arrow';

/** Options of {@link DeltaTable.open}. */
export interface OpenOptions {
  /** Store options (`aws_region`, …) for the table's URL. */
  readonly storageOptions?: StorageOptions;
  /** Use this store instead of resolving one from the URL. */
  readonly store?: ObjectStore;
  /**
   * IANA time zone of zone-less legacy `timestamp` partition values (Spark writes them in its session
   * time zone). Default UTC, as Delta Kernel reads them.
   */
  readonly partitionTimeZone?: string;
}

/** Which snapshot to load: latest (default), a version, or the version current at a timestamp. */
export interface SnapshotSelector {
  readonly version?: number;
  /** ISO-8601 string, epoch milliseconds, or a Date. */
  readonly timestamp?: string | number | Date;
}

/**
 * A Delta table at a location.
 * @example
 * const table = await DeltaTable.open('s3://bucket/orders');
 * const snap = await table.snapshot({ version: 3 });
 * for await (const batch of snap.scan()) console.log(batch.numRows);
 */
export class DeltaTable {
  private constructor(
    /** The table's root URL. */
    readonly uri: string,
    /** The store rooted at the table. */
    readonly store: ObjectStore,
    private readonly storageOptions: StorageOptions,
    private readonly partitionTimeZone: string | undefined,
  ) {}

  /** Opens the table at `location` (URL or local path); throws `NotADeltaTableError` if there is none. */
  static async open(location: string, options: OpenOptions = {}): Promise<DeltaTable> {
    const store = options.store ?? (await resolveStore(location, options.storageOptions));
    if (options.partitionTimeZone !== undefined) validateTimeZone(options.partitionTimeZone);
    const table = new DeltaTable(options.store ? store.url : toUrl(location), store, options.storageOptions ?? {}, options.partitionTimeZone);
    await table.ensureIsTable();
    return table;
  }

  /**
   * Creates an empty table (version 0) with `schema` (Arrow or Delta) at `location`; fails with
   * TableExistsError if a table is there.
   */
  static async create(location: string, schema: Schema | StructType, options: CreateOptions = {}): Promise<DeltaTable> {
    return createDeltaTable(location, schema, options);
  }

  /** Loads the snapshot at the latest version, a given version, or a timestamp. */
  async snapshot(at: SnapshotSelector = {}): Promise<Snapshot> {
    if (at.version !== undefined && at.timestamp !== undefined) {
      throw new VersionNotFoundError(`give either a version or a timestamp for ${this.uri}, not both`);
    }
    if (at.timestamp !== undefined) return this.snapshot({ version: await this.versionAt(at.timestamp) });
    if (at.version !== undefined && (!Number.isInteger(at.version) || at.version < 0)) {
      throw new VersionNotFoundError(`version ${at.version} of ${this.uri} is not a valid version number (use an integer ≥ 0)`);
    }
    return this.load(at.version);
  }

  /** Writes `data` to this table (default mode `append`); see {@link writeDeltaTable}. */
  async write(data: WriteData, options: Omit<WriteOptions, 'store' | 'storageOptions'> = {}): Promise<WriteResult> {
    return writeDeltaTable(this.uri, data, { mode: 'append', ...options, store: this.store });
  }

  /** Commit history, newest first (commits removed by log cleanup are absent). */
  async history(options: HistoryOptions = {}): Promise<HistoryEntry[]> {
    return history(this, options);
  }

  /** Deletes data files no longer referenced and older than the retention (default 168 h); `dryRun` only lists them. */
  async vacuum(options: VacuumOptions = {}): Promise<VacuumResult> {
    return vacuum(this, options);
  }

  /** Table optimization: `compact` bin-packs small files per partition into files of about `targetSize` (dataChange false). */
  get optimize(): { compact(options?: CompactOptions): Promise<CompactMetrics> } {
    return { compact: (options: CompactOptions = {}) => compact(this, options) };
  }

  /** Restores the table to an earlier version (or the version current at a timestamp) with a new commit. */
  async restore(target: number | RestoreOptions): Promise<RestoreResult> {
    return restore(this, typeof target === 'number' ? { version: target } : target);
  }

  /** Writes a classic parquet checkpoint of the latest (or given) version and `_last_checkpoint`. */
  async checkpoint(options: TableCheckpointOptions = {}): Promise<CheckpointInfo> {
    return checkpointTable(this, options);
  }

  /** The latest version of the table. */
  async version(): Promise<number> {
    return (await this.snapshot()).version;
  }

  private async load(version: number | undefined): Promise<Snapshot> {
    const hint = await readLastCheckpoint(this.store);
    const useHint = hint !== undefined && hint.version > 0 && (version === undefined || version >= hint.version);
    let listing = await listLog(this.store, useHint ? hint.version : 0);
    let fromStart = !useHint;
    for (;;) {
      const candidates = selectCheckpoints(listing, version);
      const failures: Error[] = [];
      for (const candidate of candidates) {
        const replay = new LogReplay(this.uri);
        try {
          for await (const batch of readCheckpoint(this.store, this.uri, candidate)) replay.checkpoint(batch);
        } catch (e) {
          if (!(e instanceof DeltaProtocolError)) throw e;
          failures.push(e);
          continue; // A corrupt or partial checkpoint: fall back to an older one.
        }
        return this.finish(replay, listing, version, candidate);
      }
      if (fromStart) {
        try {
          return await this.finish(new LogReplay(this.uri), listing, version, undefined);
        } catch (e) {
          if (failures.length > 0 && e instanceof VersionNotFoundError) {
            throw new DeltaProtocolError(
              `cannot load ${this.uri}: every checkpoint is unreadable (${failures.map((f) => f.message).join('; ')}) and the earlier commits are gone`,
              { cause: e },
            );
          }
          throw e;
        }
      }
      // The hint pointed at a checkpoint we could not use: list the whole log and decide again.
      listing = await listLog(this.store, 0);
      fromStart = true;
    }
  }

  private async finish(
    replay: LogReplay,
    listing: readonly LogFile[],
    version: number | undefined,
    checkpoint: CheckpointCandidate | undefined,
  ): Promise<Snapshot> {
    const segment = planLogSegment(this.uri, listing, version, checkpoint);
    const versions = segment.commits.map((c) => c.path.version);
    for await (const { actions } of readCommits(this.store, this.uri, versions)) replay.commit(actions);
    const state = replay.state();
    if (!state.protocol) {
      throw new DeltaProtocolError(`the log of ${this.uri} has no protocol action at version ${segment.version}; the table is corrupt`);
    }
    if (!state.metadata) {
      throw new DeltaProtocolError(`the log of ${this.uri} has no metaData action at version ${segment.version}; the table is corrupt`);
    }
    ensureReadable(this.uri, state.protocol);
    const last = segment.commits[segment.commits.length - 1] ?? segment.checkpoint?.files[0];
    return new Snapshot({
      tableUri: this.uri,
      store: this.store,
      storageOptions: this.storageOptions,
      version: segment.version,
      state,
      ...(last ? { lastModified: last.lastModified } : {}),
      ...(this.partitionTimeZone ? { partitionTimeZone: this.partitionTimeZone } : {}),
    });
  }

  private async versionAt(timestamp: string | number | Date): Promise<number> {
    const ms = toMillis(timestamp, this.uri);
    const listing = await listLog(this.store, 0);
    const commits = listing
      .filter((f) => f.path.kind === 'commit')
      .map((f) => ({ version: f.path.version, lastModified: f.lastModified }))
      .sort((a, b) => a.version - b.version);
    let timeline: CommitTimestamp[] = adjustedTimestamps(commits);
    const config = (await this.snapshot()).metadata.configuration;
    if (config['delta.enableInCommitTimestamps'] === 'true') {
      // PROTOCOL.md "In-Commit Timestamps": from the enablement version on, commitInfo carries the time.
      const since = Number(config['delta.inCommitTimestampEnablementVersion'] ?? 0);
      timeline = await Promise.all(
        timeline.map(async (t) => {
          if (t.version < since) return t;
          const info = (await readCommit(this.store, this.uri, t.version)).find((a) => 'commitInfo' in a);
          const ict = info && 'commitInfo' in info ? info.commitInfo.inCommitTimestamp : undefined;
          return typeof ict === 'number' ? { version: t.version, timestamp: ict } : t;
        }),
      );
    }
    return versionAtTimestamp(this.uri, timeline, ms);
  }

  private async ensureIsTable(): Promise<void> {
    for await (const _ of this.store.list(`${LOG_DIR}/`)) return;
    for await (const _ of this.store.list('')) {
      throw new NotADeltaTableError(
        `${this.uri} is not a Delta table: it has files but no _delta_log folder (convert it to Delta first, or point at the table's root folder)`,
      );
    }
    throw new NotADeltaTableError(`${this.uri} is not a Delta table: nothing exists at that location`);
  }
}

function toMillis(timestamp: string | number | Date, table: string): number {
  const ms = timestamp instanceof Date ? timestamp.getTime() : typeof timestamp === 'number' ? timestamp : Date.parse(timestamp);
  if (!Number.isFinite(ms)) {
    throw new VersionNotFoundError(`timestamp ${String(timestamp)} for ${table} is not a valid date/time (use ISO-8601, e.g. 2024-05-01T12:00:00Z)`);
  }
  return ms;
}

function validateTimeZone(zone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch (e) {
    throw new InvalidOptionError(`partitionTimeZone ${zone} is not a known IANA time zone (e.g. UTC, America/Los_Angeles)`, { cause: e });
  }
}
