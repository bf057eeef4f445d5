import { describe, expect, it } from 'vitest';
import type { Action, AddFile, DeletionVectorDescriptor } from '../../../src/kernel/actions/types.js';
import { LogReplay } from '../../../src/kernel/log/replay.js';
import { canonicalFileKey } from '../../../src/kernel/log/file-key.js';

const ROOT = 'file:///data/tbl';
const add = (path: string, dv?: DeletionVectorDescriptor): Action => ({
  add: { path, partitionValues: {}, size: 1, modificationTime: 0, dataChange: true, ...(dv ? { deletionVector: dv } : {}) } as AddFile,
});
const remove = (path: string, dv?: DeletionVectorDescriptor): Action => ({ remove: { path, dataChange: true, ...(dv ? { deletionVector: dv } : {}) } });
const dv = (id: string): DeletionVectorDescriptor => ({ storageType: 'u', pathOrInlineDv: id, offset: 1, sizeInBytes: 10, cardinality: 1 });
const protocol: Action = { protocol: { minReaderVersion: 1, minWriterVersion: 2 } };
const meta = (id: string): Action => ({ metaData: { id, format: { provider: 'parquet' }, schemaString: '{}', partitionColumns: [], configuration: {} } });

function paths(r: LogReplay): string[] {
  return [...r.state().files.values()].map((f) => f.path).sort();
}

describe('LogReplay', () => {
  it('removes a file added in an earlier commit and keeps the rest', () => {
    const r = new LogReplay(ROOT);
    r.commit([protocol, meta('a'), add('x.parquet'), add('y.parquet')]);
    r.commit([remove('x.parquet')]);
    expect(paths(r)).toEqual(['y.parquet']);
  });

  it('lets a file be re-added after its removal', () => {
    const r = new LogReplay(ROOT);
    r.commit([add('foo')]);
    r.commit([remove('foo')]);
    r.commit([add('foo'), add('bar')]);
    expect(paths(r)).toEqual(['bar', 'foo']);
  });

  it('reconciles by path and deletion vector: swapping a DV keeps one live entry with the new DV', () => {
    const r = new LogReplay(ROOT);
    r.commit([add('f.parquet')]);
    r.commit([remove('f.parquet'), add('f.parquet', dv('first'))]);
    r.commit([remove('f.parquet', dv('first')), add('f.parquet', dv('second'))]);
    const files = [...r.state().files.values()];
    expect(files).toHaveLength(1);
    expect(files[0]?.deletionVector?.pathOrInlineDv).toBe('second');
  });

  it('does not let a remove with a different DV cancel an add', () => {
    const r = new LogReplay(ROOT);
    r.commit([add('f.parquet', dv('a'))]);
    r.commit([remove('f.parquet', dv('b'))]);
    expect(paths(r)).toEqual(['f.parquet']);
  });

  it('treats checkpoint removes as tombstones only', () => {
    const r = new LogReplay(ROOT);
    r.checkpoint([protocol, meta('m'), add('live.parquet'), remove('gone.parquet')]);
    expect(paths(r)).toEqual(['live.parquet']);
  });

  it('remembers a removed file as a tombstone keyed like its add, with the remove action kept whole', () => {
    const r = new LogReplay(ROOT);
    r.commit([add('x.parquet'), add('y.parquet', dv('d'))]);
    r.commit([{ remove: { path: 'x.parquet', deletionTimestamp: 5, dataChange: true, size: 1 } }, remove('y.parquet', dv('d'))]);
    const tombstones = r.state().tombstones;
    expect([...tombstones.keys()].sort()).toEqual([canonicalFileKey(ROOT, 'x.parquet'), `${canonicalFileKey(ROOT, 'y.parquet')}\u0000ud@1`].sort());
    expect(tombstones.get(canonicalFileKey(ROOT, 'x.parquet'))).toEqual({ path: 'x.parquet', deletionTimestamp: 5, dataChange: true, size: 1 });
  });

  it('drops the tombstone of a file that is added again, but not for a different deletion vector', () => {
    const r = new LogReplay(ROOT);
    r.commit([add('f.parquet'), add('g.parquet')]);
    r.commit([remove('f.parquet'), remove('g.parquet')]);
    r.commit([add('f.parquet'), add('g.parquet', dv('n'))]);
    expect([...r.state().tombstones.values()].map((t) => t.path)).toEqual(['g.parquet']);
  });

  it('keeps checkpoint removes as tombstones, and a commit re-adding the file drops them', () => {
    const r = new LogReplay(ROOT);
    r.checkpoint([protocol, meta('m'), add('live.parquet'), remove('gone.parquet'), remove('back.parquet')]);
    r.commit([add('back.parquet')]);
    expect([...r.state().tombstones.values()].map((t) => t.path)).toEqual(['gone.parquet']);
    expect(paths(r)).toEqual(['back.parquet', 'live.parquet']);
  });

  it('keeps the latest protocol, metadata, txn per app and domain metadata', () => {
    const r = new LogReplay(ROOT);
    r.commit([protocol, meta('one'), { txn: { appId: 'a', version: 1 } }, { domainMetadata: { domain: 'd', configuration: '{}', removed: false } }]);
    r.commit([{ protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: [], writerFeatures: [] } }, meta('two'), { txn: { appId: 'a', version: 2 } }]);
    r.commit([{ domainMetadata: { domain: 'd', configuration: '{}', removed: true } }]);
    const s = r.state();
    expect(s.protocol?.minReaderVersion).toBe(3);
    expect(s.metadata?.id).toBe('two');
    expect(s.txns.get('a')?.version).toBe(2);
    expect(s.domains.has('d')).toBe(false);
  });

  it('treats unqualified, file:/ and file:/// spellings of one absolute path as the same file', () => {
    const r = new LogReplay(ROOT);
    r.commit([add('/some/with%20space/p@%23h')]);
    r.commit([remove('file:///some/with%20space/p@%23h')]);
    r.commit([add('/other/path')]);
    r.commit([remove('file:/other/path')]);
    expect(paths(r)).toEqual([]);
  });

  it('matches an absolute path inside the table with its relative spelling', () => {
    const r = new LogReplay(ROOT);
    r.commit([add('part%3D1/a%20b.parquet')]);
    r.commit([remove('file:///data/tbl/part=1/a b.parquet')]);
    expect(paths(r)).toEqual([]);
  });
});

describe('canonicalFileKey', () => {
  it('percent-decodes relative paths', () => {
    expect(canonicalFileKey(ROOT, 'a%3Ab/c%20d.parquet')).toBe('a:b/c d.parquet');
  });
  it('qualifies unqualified absolute paths with the table root scheme and authority', () => {
    expect(canonicalFileKey('s3://bucket/t', '/elsewhere/f.parquet')).toBe('s3://bucket/elsewhere/f.parquet');
    expect(canonicalFileKey('s3://bucket/t', 's3://bucket/t/f.parquet')).toBe('f.parquet');
  });
});
