// Delta optimistic-concurrency rules: may my transaction rebase over the commits that won the race?
// Mirrors Delta's ConflictChecker (PROTOCOL.md "Optimistic Concurrency Control"); pure, no IO.

import type { Action, AddFile, RemoveFile } from '../actions/types.js';

/** Isolation levels of PROTOCOL.md / Delta (`delta.isolationLevel`). */
export type IsolationLevel = 'Serializable' | 'WriteSerializable' | 'SnapshotIsolation';

/** A partition predicate: true when a file with these partition values was part of what I read. */
export type PartitionPredicate = (partitionValues: Readonly<Record<string, string | null>>) => boolean;

/** What my transaction read and wrote, as far as conflict detection cares. */
export interface TxnReadSet {
  /** The table version my transaction read (-1 when it creates the table). */
  readonly readVersion: number;
  readonly isolation: IsolationLevel;
  /** `'all'`: I read the whole table; otherwise the partition predicates I read by (empty: read nothing). */
  readonly reads: 'all' | readonly PartitionPredicate[];
  /** Paths of the files I read, when known exactly. */
  readonly readFiles?: readonly string[];
  /** Paths my transaction removes. */
  readonly removedFiles: readonly string[];
  /** My transaction writes a `metaData` action. */
  readonly changesMetadata: boolean;
  /** My transaction writes a `protocol` action. */
  readonly changesProtocol: boolean;
  /** `txn` app ids my transaction read or sets. */
  readonly appIds: readonly string[];
  /** Domains whose `domainMetadata` my transaction writes. */
  readonly domains?: readonly string[];
  /** My transaction only adds files and read nothing. */
  readonly blindAppend: boolean;
  /** False when none of my file actions change data (compaction). */
  readonly dataChange: boolean;
  /** Pinned: no intervening commit at all is acceptable. */
  readonly pinned?: boolean;
}

/** One commit that landed after my read version. */
export interface WinningCommit {
  readonly version: number;
  readonly actions: readonly Action[];
}

/** Why a rebase was refused (names follow Delta's exception classes). */
export type ConflictReason =
  | 'pinned'
  | 'tableExists'
  | 'protocolChanged'
  | 'metadataChanged'
  | 'concurrentDomainMetadata'
  | 'concurrentTransaction'
  | 'concurrentAppend'
  | 'concurrentDeleteRead'
  | 'concurrentDeleteDelete';

/** The verdict: rebase is safe, or the first winning commit that conflicts and why. */
export type ConflictResult =
  | { readonly kind: 'ok' }
  | {
      readonly kind: 'conflict';
      readonly reason: ConflictReason;
      /** Human-readable detail (the file, partition, app id or domain involved). */
      readonly detail: string;
      readonly winningVersion: number;
      readonly winningOperation: string;
    };

/** The operation a commit declares in its `commitInfo`, or `'UNKNOWN'`. */
export function commitOperation(actions: readonly Action[]): string {
  for (const a of actions) if ('commitInfo' in a) return typeof a.commitInfo.operation === 'string' ? a.commitInfo.operation : 'UNKNOWN';
  return 'UNKNOWN';
}

/** Checks my transaction against the winning commits in version order; the first conflict wins. */
export function checkConflicts(txn: TxnReadSet, winners: readonly WinningCommit[]): ConflictResult {
  const addedByWinners = new Set<string>();
  for (const w of [...winners].sort((a, b) => a.version - b.version)) {
    const r = checkWinner(txn, w, addedByWinners);
    if (r.kind === 'conflict') return r;
    for (const a of w.actions) if ('add' in a) addedByWinners.add(a.add.path);
  }
  return { kind: 'ok' };
}

/**
 * One winner against my transaction. `addedByWinners`: paths added by earlier winners (not in my
 * snapshot, so their later removal cannot be a file I read through a predicate).
 */
function checkWinner(txn: TxnReadSet, w: WinningCommit, addedByWinners: ReadonlySet<string>): ConflictResult {
  const op = commitOperation(w.actions);
  const conflict = (reason: ConflictReason, detail: string): ConflictResult => ({
    kind: 'conflict',
    reason,
    detail,
    winningVersion: w.version,
    winningOperation: op,
  });
  if (txn.readVersion < 0) return conflict('tableExists', `another writer created the table first (version ${w.version})`);
  if (txn.pinned) return conflict('pinned', `the commit is pinned to version ${txn.readVersion} and version ${w.version} landed first`);

  const adds: AddFile[] = [];
  const removes: RemoveFile[] = [];
  let winnerBlind = false;
  for (const a of w.actions) {
    if ('protocol' in a) return conflict('protocolChanged', 'the winner changed the protocol');
    if ('metaData' in a) return conflict('metadataChanged', 'the winner changed the table metadata (schema, partitioning or properties)');
    if ('add' in a) adds.push(a.add);
    else if ('remove' in a) removes.push(a.remove);
    // An absent isBlindAppend means "not blind" (Delta: isBlindAppend.getOrElse(false)).
    else if ('commitInfo' in a) winnerBlind = a.commitInfo.isBlindAppend === true;
  }

  const domains = new Set(txn.domains ?? []);
  for (const a of w.actions) {
    if ('domainMetadata' in a && domains.has(a.domainMetadata.domain)) {
      return conflict('concurrentDomainMetadata', `both transactions write domain metadata '${a.domainMetadata.domain}'`);
    }
  }

  const appIds = new Set(txn.appIds);
  for (const a of w.actions) {
    if ('txn' in a && appIds.has(a.txn.appId)) return conflict('concurrentTransaction', `the winner also advanced application transaction '${a.txn.appId}'`);
  }

  // Added files my transaction should have read. A transaction that changes no data (compaction)
  // runs at SnapshotIsolation, as in Delta; WriteSerializable exempts blind-append winners unless my
  // own transaction changes the metadata.
  const isolation = txn.dataChange ? txn.isolation : 'SnapshotIsolation';
  const examineAdds = isolation === 'Serializable' || (isolation === 'WriteSerializable' && (!winnerBlind || txn.changesMetadata));
  if (examineAdds && readsAnything(txn)) {
    for (const add of adds) {
      // dataChange=false adds re-arrange rows I already saw; their removes are checked below.
      if (!add.dataChange) continue;
      if (matchesReads(txn, add.partitionValues)) {
        return conflict('concurrentAppend', `the winner added ${add.path}${partitionText(add.partitionValues)}, which my transaction should have read`);
      }
    }
  }

  const readFiles = new Set(txn.readFiles ?? []);
  for (const rm of removes) {
    const readIt =
      txn.reads === 'all' ||
      readFiles.has(rm.path) ||
      (!addedByWinners.has(rm.path) && txn.reads.length > 0 && (rm.partitionValues == null || matchesReads(txn, rm.partitionValues)));
    if (readIt) return conflict('concurrentDeleteRead', `the winner removed ${rm.path}, which my transaction read`);
  }

  const removed = new Set(txn.removedFiles);
  for (const rm of removes) {
    if (removed.has(rm.path)) return conflict('concurrentDeleteDelete', `both transactions removed ${rm.path}`);
  }
  return { kind: 'ok' };
}

function readsAnything(txn: TxnReadSet): boolean {
  return txn.reads === 'all' || txn.reads.length > 0 || (txn.readFiles?.length ?? 0) > 0;
}

function matchesReads(txn: TxnReadSet, partitionValues: Readonly<Record<string, string | null>>): boolean {
  if (txn.reads === 'all') return true;
  return txn.reads.some((p) => p(partitionValues));
}

function partitionText(pv: Readonly<Record<string, string | null>>): string {
  const keys = Object.keys(pv);
  if (keys.length === 0) return '';
  return ` in partition ${keys.map((k) => `${k}=${pv[k] ?? 'null'}`).join('/')}`;
}
