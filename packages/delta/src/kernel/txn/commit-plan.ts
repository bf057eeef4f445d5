// A planned commit (its actions plus what it read) and the `commitInfo` action that heads it.
// Pure: the commit loop (src/commit/) does the IO.

import type { Action, CommitInfo } from '../actions/types.js';
import type { IsolationLevel, PartitionPredicate, TxnReadSet } from './conflicts.js';

/** duckrun's release version, written into `commitInfo.engineInfo` (kept equal to package.json by a test). */
export const DUCKRUN_VERSION = '0.1.0';

/** The default `commitInfo.engineInfo`. */
export const DEFAULT_ENGINE_INFO = `duckrun/${DUCKRUN_VERSION}`;

/** Everything needed to commit one transaction: its actions and its read set. */
export interface CommitPlan {
  /** The actions to commit, without `commitInfo` (the commit loop writes that first). */
  readonly actions: readonly Action[];
  /** Spark-style operation name: `WRITE`, `CREATE TABLE`, `DELETE`, `MERGE`, `OPTIMIZE`, … */
  readonly operation: string;
  /** Operation parameters; non-string values are written JSON-encoded, as Spark does. */
  readonly operationParameters: Readonly<Record<string, unknown>>;
  /** Spark-style operation metrics (`numFiles`, `numOutputRows`, …), written as strings as Spark does. */
  readonly operationMetrics?: Readonly<Record<string, number | string>>;
  /** The version the transaction read; -1 when it creates the table (commits version 0). */
  readonly readVersion: number;
  readonly isolation: IsolationLevel;
  /** Accept no intervening commit at all (safeappend, pinned merge). */
  readonly pinned: boolean;
  /** Only adds files and read nothing. */
  readonly blindAppend: boolean;
  /** What the transaction read: the whole table, partition predicates, or nothing (default: nothing if blind, else all). */
  readonly reads?: 'all' | readonly PartitionPredicate[];
  /** Paths of the files the transaction read, when known exactly. */
  readonly readFiles?: readonly string[];
  /** `txn` app ids the transaction read (those it sets are taken from its actions). */
  readonly readAppIds?: readonly string[];
  /**
   * Set when the table has `delta.enableInCommitTimestamps`: the `inCommitTimestamp` of the commit at
   * `readVersion` (each commit's must be strictly greater, PROTOCOL.md "In-Commit Timestamps").
   */
  readonly previousInCommitTimestamp?: number;
}

/** Inputs of {@link commitInfo} that the commit loop decides. */
export interface CommitInfoContext {
  readonly timestamp: number;
  readonly engineInfo?: string;
  readonly readVersion: number;
  readonly txnId?: string;
  /** Written as `inCommitTimestamp` (and used as `timestamp`) when the table has in-commit timestamps. */
  readonly inCommitTimestamp?: number;
}

/** The `commitInfo` action heading a commit of `plan`. */
export function commitInfo(plan: CommitPlan, ctx: CommitInfoContext): { readonly commitInfo: CommitInfo } {
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(plan.operationParameters)) {
    if (v === undefined) continue;
    params[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  const info: Record<string, unknown> = {};
  if (ctx.inCommitTimestamp !== undefined) info.inCommitTimestamp = ctx.inCommitTimestamp;
  Object.assign(info, {
    timestamp: ctx.inCommitTimestamp ?? ctx.timestamp,
    operation: plan.operation,
    operationParameters: params,
    isolationLevel: plan.isolation,
    isBlindAppend: plan.blindAppend,
    ...(plan.operationMetrics ? { operationMetrics: Object.fromEntries(Object.entries(plan.operationMetrics).map(([k, v]) => [k, String(v)])) } : {}),
    engineInfo: ctx.engineInfo ?? DEFAULT_ENGINE_INFO,
  });
  if (ctx.readVersion >= 0) info.readVersion = ctx.readVersion;
  if (ctx.txnId !== undefined) info.txnId = ctx.txnId;
  return { commitInfo: info as CommitInfo };
}

/** The conflict-detection view of a plan (what it removes, changes and depends on). */
export function readSetOf(plan: CommitPlan): TxnReadSet {
  const removedFiles: string[] = [];
  const appIds = new Set(plan.readAppIds ?? []);
  const domains: string[] = [];
  let changesMetadata = false;
  let changesProtocol = false;
  let dataChanges = 0;
  for (const a of plan.actions) {
    if ('remove' in a) {
      removedFiles.push(a.remove.path);
      if (a.remove.dataChange) dataChanges++;
    } else if ('add' in a) {
      if (a.add.dataChange) dataChanges++;
    } else if ('metaData' in a) changesMetadata = true;
    else if ('protocol' in a) changesProtocol = true;
    else if ('txn' in a) appIds.add(a.txn.appId);
    else if ('domainMetadata' in a) domains.push(a.domainMetadata.domain);
  }
  return {
    readVersion: plan.readVersion,
    isolation: plan.isolation,
    reads: plan.reads ?? (plan.blindAppend ? [] : 'all'),
    readFiles: plan.readFiles ?? [],
    removedFiles,
    changesMetadata,
    changesProtocol,
    appIds: [...appIds],
    domains,
    blindAppend: plan.blindAppend,
    // Delta: a commit whose file actions all have dataChange=false (or that has none) changes no data.
    dataChange: dataChanges > 0,
    pinned: plan.pinned,
  };
}

/** The in-commit timestamp of a commit made at `now` after one stamped `previous` (strictly increasing). */
export function nextInCommitTimestamp(now: number, previous: number): number {
  return Math.max(now, previous + 1);
}

/** The isolation level a table asks for (`delta.isolationLevel`, default WriteSerializable). */
export function tableIsolation(configuration: Readonly<Record<string, string>>): IsolationLevel {
  return configuration['delta.isolationLevel'] === 'Serializable' ? 'Serializable' : 'WriteSerializable';
}
