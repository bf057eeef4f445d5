import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/kernel/actions/types.js';
import { commitInfo, DEFAULT_ENGINE_INFO, DUCKRUN_VERSION, nextInCommitTimestamp, readSetOf, tableIsolation, type CommitPlan } from '../../../src/kernel/txn/commit-plan.js';
import { checkConflicts, commitOperation, type IsolationLevel, type TxnReadSet, type WinningCommit } from '../../../src/kernel/txn/conflicts.js';

// Building blocks.

const add = (path: string, pv: Record<string, string | null> = {}, dataChange = true): Action => ({
  add: { path, partitionValues: pv, size: 1, modificationTime: 0, dataChange },
});
const remove = (path: string, pv?: Record<string, string | null>, dataChange = true): Action => ({
  remove: { path, dataChange, ...(pv ? { partitionValues: pv } : {}) },
});
const info = (operation: string, isBlindAppend?: boolean): Action => ({
  commitInfo: { operation, ...(isBlindAppend === undefined ? {} : { isBlindAppend }) },
});
const metaData: Action = {
  metaData: { id: 't', format: { provider: 'parquet' }, schemaString: '{"type":"struct","fields":[]}', partitionColumns: [], configuration: {} },
};
const protocol: Action = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const txnAction = (appId: string): Action => ({ txn: { appId, version: 1 } });
const domain = (name: string): Action => ({ domainMetadata: { domain: name, configuration: '{}', removed: false } });
const dayIs = (d: string) => (pv: Readonly<Record<string, string | null>>) => pv.day === d;

const win = (version: number, ...actions: Action[]): WinningCommit => ({ version, actions });

/** Winning commits, by name. */
const W = {
  blindAppend: win(6, info('WRITE', true), add('new.parquet')),
  blindAppendDay1: win(6, info('WRITE', true), add('day=1/new.parquet', { day: '1' })),
  blindAppendDay2: win(6, info('WRITE', true), add('day=2/new.parquet', { day: '2' })),
  unflaggedAppend: win(6, info('WRITE'), add('new.parquet')),
  mergeAddsDay1: win(6, info('MERGE', false), add('day=1/m.parquet', { day: '1' })),
  mergeAddsDay2: win(6, info('MERGE', false), add('day=2/m.parquet', { day: '2' })),
  compaction: win(6, info('OPTIMIZE', false), remove('a.parquet', undefined, false), remove('b.parquet', undefined, false), add('ab.parquet', {}, false)),
  deleteA: win(6, info('DELETE', false), remove('a.parquet')),
  deleteDay2: win(6, info('DELETE', false), remove('day=2/x.parquet', { day: '2' })),
  metadata: win(6, info('SET TBLPROPERTIES'), metaData),
  protocol: win(6, info('UPGRADE PROTOCOL'), protocol),
  txnApp: win(6, info('STREAMING UPDATE', true), txnAction('app-1'), add('s.parquet')),
  domainX: win(6, info('CLUSTER BY'), domain('delta.clustering')),
};

/** My transactions, by name. */
const base: TxnReadSet = {
  readVersion: 5,
  isolation: 'WriteSerializable',
  reads: [],
  removedFiles: [],
  changesMetadata: false,
  changesProtocol: false,
  appIds: [],
  blindAppend: false,
  dataChange: true,
};
const T = {
  blindAppend: { ...base, blindAppend: true } satisfies TxnReadSet,
  blindAppendSerializable: { ...base, blindAppend: true, isolation: 'Serializable' as IsolationLevel } satisfies TxnReadSet,
  overwrite: { ...base, reads: 'all', removedFiles: ['a.parquet', 'b.parquet'] } satisfies TxnReadSet,
  overwriteSerializable: { ...base, reads: 'all', removedFiles: ['a.parquet'], isolation: 'Serializable' as IsolationLevel } satisfies TxnReadSet,
  deleteDay1: { ...base, reads: [dayIs('1')], readFiles: ['day=1/x.parquet'], removedFiles: ['day=1/x.parquet'] } satisfies TxnReadSet,
  deleteDay1Serializable: { ...base, reads: [dayIs('1')], removedFiles: ['day=1/x.parquet'], isolation: 'Serializable' as IsolationLevel } satisfies TxnReadSet,
  deleteA: { ...base, reads: [], readFiles: ['a.parquet'], removedFiles: ['a.parquet'] } satisfies TxnReadSet,
  compaction: { ...base, reads: [], readFiles: ['a.parquet'], removedFiles: ['a.parquet'], dataChange: false } satisfies TxnReadSet,
  schemaMergeAppend: { ...base, blindAppend: true, changesMetadata: true } satisfies TxnReadSet,
  streamingApp1: { ...base, blindAppend: true, appIds: ['app-1'] } satisfies TxnReadSet,
  streamingApp2: { ...base, blindAppend: true, appIds: ['app-2'] } satisfies TxnReadSet,
  clusteringDomain: { ...base, blindAppend: true, domains: ['delta.clustering'] } satisfies TxnReadSet,
  pinnedAppend: { ...base, blindAppend: true, pinned: true } satisfies TxnReadSet,
  createTable: { ...base, readVersion: -1, changesMetadata: true, changesProtocol: true } satisfies TxnReadSet,
};

// The matrix.

describe('checkConflicts rule matrix', () => {
  it.each<[string, keyof typeof T, keyof typeof W, string | 'ok']>([
    // protocol and metadata changes by the winner always conflict
    ['a blind append after a protocol change', 'blindAppend', 'protocol', 'protocolChanged'],
    ['a blind append after a metadata change', 'blindAppend', 'metadata', 'metadataChanged'],
    ['an overwrite after a metadata change', 'overwrite', 'metadata', 'metadataChanged'],
    // blind appends rebase over appends and compaction
    ['a blind append after a blind append', 'blindAppend', 'blindAppend', 'ok'],
    ['a blind append after an unflagged append', 'blindAppend', 'unflaggedAppend', 'ok'],
    ['a blind append after a MERGE that added files', 'blindAppend', 'mergeAddsDay1', 'ok'],
    ['a Serializable blind append after a blind append', 'blindAppendSerializable', 'blindAppend', 'ok'],
    ['a blind append after a compaction (dataChange=false)', 'blindAppend', 'compaction', 'ok'],
    ['a blind append after a delete', 'blindAppend', 'deleteA', 'ok'],
    // winners adding files in what I read
    ['an overwrite (WriteSerializable) after a blind append', 'overwrite', 'blindAppend', 'ok'],
    ['an overwrite (Serializable) after a blind append', 'overwriteSerializable', 'blindAppend', 'concurrentAppend'],
    ['an overwrite after an append without isBlindAppend', 'overwrite', 'unflaggedAppend', 'concurrentAppend'],
    ['a delete of day 1 after a MERGE that added to day 1', 'deleteDay1', 'mergeAddsDay1', 'concurrentAppend'],
    ['a delete of day 1 after a MERGE that added to day 2', 'deleteDay1', 'mergeAddsDay2', 'ok'],
    ['a delete of day 1 (WriteSerializable) after a blind append to day 1', 'deleteDay1', 'blindAppendDay1', 'ok'],
    ['a delete of day 1 (Serializable) after a blind append to day 1', 'deleteDay1Serializable', 'blindAppendDay1', 'concurrentAppend'],
    ['a delete of day 1 (Serializable) after a blind append to day 2', 'deleteDay1Serializable', 'blindAppendDay2', 'ok'],
    ['a schema-merging append (WriteSerializable) after a blind append it read nothing of', 'schemaMergeAppend', 'blindAppend', 'ok'],
    // winners removing files I read or removed
    ['an overwrite after a delete', 'overwrite', 'deleteA', 'concurrentDeleteRead'],
    ['an overwrite after a compaction that rewrote files it read', 'overwrite', 'compaction', 'concurrentDeleteRead'],
    ['a delete of a.parquet after a delete of a.parquet', 'deleteA', 'deleteA', 'concurrentDeleteRead'],
    ['a delete of day 1 after a delete in day 2', 'deleteDay1', 'deleteDay2', 'ok'],
    ['a compaction of a.parquet after a delete of a.parquet', 'compaction', 'deleteA', 'concurrentDeleteRead'],
    ['a compaction after a blind append', 'compaction', 'blindAppend', 'ok'],
    ['a compaction after a MERGE that added files', 'compaction', 'mergeAddsDay1', 'ok'],
    // application transactions and domains
    ['a streaming append after a commit advancing the same appId', 'streamingApp1', 'txnApp', 'concurrentTransaction'],
    ['a streaming append after a commit advancing another appId', 'streamingApp2', 'txnApp', 'ok'],
    ['a commit of domain metadata after one to the same domain', 'clusteringDomain', 'domainX', 'concurrentDomainMetadata'],
    // pinned commits accept nothing
    ['a pinned append after a blind append', 'pinnedAppend', 'blindAppend', 'pinned'],
    ['a pinned append after a compaction', 'pinnedAppend', 'compaction', 'pinned'],
    // creating a table: any winner means someone else created it
    ['a table creation after any commit', 'createTable', 'blindAppend', 'tableExists'],
  ])('%s → %s', (_name, txn, winner, expected) => {
    const r = checkConflicts(T[txn], [W[winner]]);
    if (expected === 'ok') expect(r).toEqual({ kind: 'ok' });
    else {
      expect(r.kind).toBe('conflict');
      if (r.kind === 'conflict') {
        expect(r.reason).toBe(expected);
        expect(r.winningVersion).toBe(6);
        expect(r.winningOperation).toBe(commitOperation(W[winner].actions));
      }
    }
  });

  it('delete-delete is reported when the file was removed but not read through a predicate', () => {
    const txn: TxnReadSet = { ...base, reads: [], removedFiles: ['z.parquet'] };
    const r = checkConflicts(txn, [win(6, info('DELETE', false), remove('z.parquet'))]);
    expect(r).toMatchObject({ kind: 'conflict', reason: 'concurrentDeleteDelete' });
  });

  it('a remove without partition values conflicts with any predicate read (conservative)', () => {
    const r = checkConflicts(T.deleteDay1, [win(6, info('DELETE', false), remove('somewhere.parquet'))]);
    expect(r).toMatchObject({ kind: 'conflict', reason: 'concurrentDeleteRead' });
  });

  it('names the first conflicting winner among several, in version order', () => {
    const r = checkConflicts(T.blindAppend, [win(9, info('SET TBLPROPERTIES'), metaData), win(7, info('WRITE', true), add('x')), win(8, info('OPTIMIZE', false), remove('a.parquet', undefined, false))]);
    expect(r).toMatchObject({ kind: 'conflict', reason: 'metadataChanged', winningVersion: 9, winningOperation: 'SET TBLPROPERTIES' });
  });

  it('ignores the removal of a file that an earlier winner added (it was never in my snapshot)', () => {
    const r = checkConflicts(T.deleteDay1, [
      win(6, info('WRITE', true), add('day=1/late.parquet', { day: '1' })),
      win(7, info('DELETE', false), remove('day=1/late.parquet', { day: '1' })),
    ]);
    expect(r).toEqual({ kind: 'ok' });
  });

  it('reports UNKNOWN as the operation of a winner without commitInfo', () => {
    expect(checkConflicts(T.blindAppend, [win(6, metaData)])).toMatchObject({ winningOperation: 'UNKNOWN' });
  });

  it('a metadata-changing transaction (WriteSerializable) examines blind-append winners in what it read', () => {
    const txn: TxnReadSet = { ...base, reads: 'all', changesMetadata: true };
    expect(checkConflicts(txn, [W.blindAppend])).toMatchObject({ kind: 'conflict', reason: 'concurrentAppend' });
  });
});

describe('readSetOf', () => {
  const plan = (actions: Action[], extra: Partial<CommitPlan> = {}): CommitPlan => ({
    actions,
    operation: 'WRITE',
    operationParameters: {},
    readVersion: 3,
    isolation: 'WriteSerializable',
    pinned: false,
    blindAppend: false,
    ...extra,
  });

  it('derives removals, metadata/protocol changes, app ids and domains from the actions', () => {
    const rs = readSetOf(plan([metaData, protocol, remove('r.parquet'), add('a.parquet'), txnAction('app'), domain('d')], { readAppIds: ['other'] }));
    expect(rs).toMatchObject({ removedFiles: ['r.parquet'], changesMetadata: true, changesProtocol: true, domains: ['d'], dataChange: true, reads: 'all' });
    expect([...rs.appIds].sort()).toEqual(['app', 'other']);
  });

  it('treats a blind append as reading nothing and a compaction as changing no data', () => {
    expect(readSetOf(plan([add('a')], { blindAppend: true })).reads).toEqual([]);
    expect(readSetOf(plan([remove('a', undefined, false), add('b', {}, false)])).dataChange).toBe(false);
  });
});

describe('commitInfo', () => {
  const p: CommitPlan = {
    actions: [],
    operation: 'WRITE',
    operationParameters: { mode: 'Append', partitionBy: ['day'], predicate: undefined, replaceWhere: null },
    readVersion: 4,
    isolation: 'Serializable',
    pinned: false,
    blindAppend: true,
  };

  it('writes operation parameters as JSON strings like Spark, and the provenance fields', () => {
    expect(commitInfo(p, { timestamp: 123, readVersion: 4, txnId: 'abc' })).toEqual({
      commitInfo: {
        timestamp: 123,
        operation: 'WRITE',
        operationParameters: { mode: 'Append', partitionBy: '["day"]', replaceWhere: 'null' },
        isolationLevel: 'Serializable',
        isBlindAppend: true,
        engineInfo: DEFAULT_ENGINE_INFO,
        readVersion: 4,
        txnId: 'abc',
      },
    });
  });

  it('omits readVersion when the commit creates the table', () => {
    expect(commitInfo({ ...p, readVersion: -1 }, { timestamp: 1, readVersion: -1 }).commitInfo).not.toHaveProperty('readVersion');
  });

  it('names the engine with the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(DUCKRUN_VERSION).toBe(pkg.version);
    expect(DEFAULT_ENGINE_INFO).toBe(`duckrun/${pkg.version}`);
  });

  it('writes inCommitTimestamp first and as the timestamp when the table has in-commit timestamps', () => {
    const ci = commitInfo(p, { timestamp: 100, readVersion: 4, inCommitTimestamp: 500 }).commitInfo;
    expect(Object.keys(ci)[0]).toBe('inCommitTimestamp');
    expect(ci).toMatchObject({ inCommitTimestamp: 500, timestamp: 500 });
    expect(nextInCommitTimestamp(100, 500)).toBe(501);
    expect(nextInCommitTimestamp(900, 500)).toBe(900);
  });

  it('reads the isolation level from table properties', () => {
    expect(tableIsolation({})).toBe('WriteSerializable');
    expect(tableIsolation({ 'delta.isolationLevel': 'Serializable' })).toBe('Serializable');
  });
});
