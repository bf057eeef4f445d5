import { randomUUID } from 'node:crypto';
import {
  Binary,
  DateDay,
  Field as ArrowField,
  Int64,
  Map_,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  Utf8,
  makeBuilder,
  makeData,
  tableFromIPC,
  type DataType,
  type Field,
} from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { MemoryStore, isDuckrunError, type ObjectStore } from '@duckrun/storage';
import { DeltaTable } from '../../src/table.js';
import type { Action, AddFile, DomainMetadata, Metadata, Protocol, RemoveFile, Txn } from '../../src/kernel/actions/types.js';
import { checkpointKeys, writeCheckpoint, type CheckpointActions } from '../../src/checkpoint/write.js';
import { sparkPartition, sparkStringHash } from '../../src/checkpoint/spark-hash.js';
import { readParquetFooter } from '../../src/checkpoint/parquet-footer.js';
import { parquetWasm } from '../../src/parquet/wasm.js';
import { readLastCheckpoint } from '../../src/log/reader.js';
import { actionsFromArrow } from '../../src/log/arrow-actions.js';

const SCHEMA = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'id', type: 'long', nullable: true, metadata: {} },
    { name: 'date', type: 'date', nullable: true, metadata: {} },
    { name: 'region', type: 'string', nullable: true, metadata: {} },
  ],
});

const protocol: Protocol = {
  minReaderVersion: 3,
  minWriterVersion: 7,
  readerFeatures: ['deletionVectors'],
  writerFeatures: ['deletionVectors', 'domainMetadata', 'rowTracking'],
};

const metadata: Metadata = {
  id: 'b7f1a0e2-0000-4000-8000-000000000001',
  name: 'orders',
  format: { provider: 'parquet', options: {} },
  schemaString: SCHEMA,
  partitionColumns: ['date', 'region'],
  createdTime: 1_700_000_000_000,
  configuration: { 'delta.enableDeletionVectors': 'true', 'delta.checkpointInterval': '10' },
};

function addFile(i: number, extra: Partial<AddFile> = {}): AddFile {
  const date = `2024-01-${String((i % 28) + 1).padStart(2, '0')}`;
  const region = i % 7 === 0 ? null : `r${i % 3}`;
  return {
    path: `date=${date}/region=${region ?? '__HIVE_DEFAULT_PARTITION__'}/part-${String(i).padStart(5, '0')}-${randomUUID()}.c000.snappy.parquet`,
    partitionValues: { date, region },
    size: 10_000 + i,
    modificationTime: 1_700_000_000_000 + i,
    dataChange: true,
    stats: JSON.stringify({ numRecords: 100 + i, minValues: { id: i * 100 }, maxValues: { id: i * 100 + 99 }, nullCount: { id: 0 } }),
    baseRowId: i * 100,
    defaultRowCommitVersion: 1,
    ...extra,
  };
}

const dvFile: AddFile = addFile(1000, {
  deletionVector: { storageType: 'u', pathOrInlineDv: 'ab^-aqEH.-t@S}K{vb[*k^', offset: 4, sizeInBytes: 40, cardinality: 6 },
  tags: { INSERTION_TIME: '1700000000000000', OPTIMIZE_TARGET_SIZE: '268435456' },
});
const inlineDvFile: AddFile = addFile(1001, {
  deletionVector: { storageType: 'i', pathOrInlineDv: 'wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L', sizeInBytes: 40, cardinality: 6 },
  stats: null,
});
const txns: Txn[] = [
  { appId: 'streaming-job-1', version: 42, lastUpdated: 1_700_000_000_123 },
  { appId: 'streaming-job-2', version: 7 },
];
const domains: DomainMetadata[] = [
  { domain: 'delta.rowTracking', configuration: '{"rowIdHighWaterMark":1000099}', removed: false },
  { domain: 'myapp.settings', configuration: '{"a":1}', removed: false },
];

function bucket(): MemoryStore {
  return new MemoryStore(`checkpoint-write-${randomUUID()}`);
}

async function putCommit(store: ObjectStore, version: number, actions: readonly Action[]): Promise<void> {
  const text = actions.map((a) => JSON.stringify(a)).join('\n');
  await store.put(`_delta_log/${String(version).padStart(20, '0')}.json`, new TextEncoder().encode(text));
}

/** Drops null/absent fields (a checkpoint column is null where a JSON action has no key), except partition values. */
function clean(value: unknown, keepNulls = false): unknown {
  if (Array.isArray(value)) return value.map((v) => clean(v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if ((v === null || v === undefined) && !keepNulls) continue;
    out[k] = clean(v, k === 'partitionValues');
  }
  return out;
}

function byPath(files: readonly AddFile[]): unknown[] {
  return [...files].sort((a, b) => (a.path < b.path ? -1 : 1)).map((f) => clean(f));
}

async function load(store: ObjectStore, version?: number) {
  const table = await DeltaTable.open(store.url, { store });
  return table.snapshot(version === undefined ? {} : { version });
}

function state(files: readonly AddFile[], extra: Partial<CheckpointActions> = {}): CheckpointActions {
  return { protocol, metadata, files, txns, domains, ...extra };
}

/** A store wrapper recording which keys were read, to show what a snapshot load touched. */
function recording(store: ObjectStore): { store: ObjectStore; reads: string[] } {
  const reads: string[] = [];
  const wrapped: ObjectStore = {
    url: store.url,
    capabilities: store.capabilities,
    get: (path, range) => {
      reads.push(path);
      return store.get(path, range);
    },
    head: (path) => store.head(path),
    list: (prefix, options) => store.list(prefix, options),
    put: (path, data) => store.put(path, data),
    putStream: (path, chunks) => store.putStream(path, chunks),
    putIfAbsent: (path, data) => store.putIfAbsent(path, data),
    delete: (paths) => store.delete(paths),
  };
  return { store: wrapped, reads };
}

function nullability(field: Field, at = ''): string[] {
  const name = `${at}${field.name}`;
  const out = field.nullable ? [] : [name];
  const type: DataType = field.type;
  // Parquet requires map keys (and the repeated key_value group) to be non-null; everything else is nullable.
  if (type.typeId === 17 /* Map */) {
    const entries = type.children[0] as Field;
    for (const c of entries.type.children as Field[]) if (c.name !== 'key') out.push(...nullability(c, `${name}.`));
    return out;
  }
  for (const c of (type.children ?? []) as Field[]) out.push(...nullability(c, `${name}.`));
  return out;
}

describe('writeCheckpoint', () => {
  it('round-trips files, partition values, deletion vectors, stats, txns, domains, protocol and metadata', async () => {
    const store = bucket();
    const files = [...Array.from({ length: 50 }, (_, i) => addFile(i)), dvFile, inlineDvFile];
    const info = await writeCheckpoint(store, 5, state(files));
    expect(info).toMatchObject({ version: 5, size: 2 + txns.length + domains.length + files.length, parts: 1, numOfAddFiles: files.length });
    expect(info.files).toEqual(['_delta_log/00000000000000000005.checkpoint.parquet']);

    const snap = await load(store);
    expect(snap.version).toBe(5);
    expect(byPath(snap.addFiles())).toEqual(byPath(files));
    expect(clean(snap.protocol)).toEqual(clean(protocol));
    expect(clean(snap.metadata)).toEqual(clean(metadata));
    expect([...snap.txns.values()].map((t) => clean(t))).toEqual(txns.map((t) => clean(t)));
    expect([...snap.domainMetadata.values()].map((d) => clean(d))).toEqual(domains);
    const nullRegion = snap.addFiles().find((f) => f.path === files[0]!.path)!;
    expect(nullRegion.partitionValues).toEqual({ date: '2024-01-01', region: null });
    expect(snap.files().find((f) => f.path === files[0]!.path)?.numRecords).toBe(100);
  });

  it('writes a multi-part checkpoint that reads back the same as a classic one', async () => {
    const files = Array.from({ length: 300 }, (_, i) => addFile(i));
    const removes: RemoveFile[] = [{ path: 'old/part-1.parquet', deletionTimestamp: 1_700_000_000_000, dataChange: true, size: 5 }];
    const classicStore = bucket();
    const multiStore = bucket();
    await writeCheckpoint(classicStore, 3, state(files, { removes }));
    const info = await writeCheckpoint(multiStore, 3, state(files, { removes }), { parts: 3 });
    expect(info.files).toEqual([
      '_delta_log/00000000000000000003.checkpoint.0000000001.0000000003.parquet',
      '_delta_log/00000000000000000003.checkpoint.0000000002.0000000003.parquet',
      '_delta_log/00000000000000000003.checkpoint.0000000003.0000000003.parquet',
    ]);
    expect(info.size).toBe(2 + txns.length + domains.length + files.length + removes.length);

    const classic = await load(classicStore);
    const multi = await load(multiStore);
    expect(byPath(multi.addFiles())).toEqual(byPath(classic.addFiles()));
    expect(byPath(multi.addFiles())).toEqual(byPath(files));
    expect(clean(multi.protocol)).toEqual(clean(classic.protocol));
    expect(clean(multi.metadata)).toEqual(clean(classic.metadata));
    expect([...multi.txns.values()]).toEqual([...classic.txns.values()]);
    expect([...multi.domainMetadata.values()]).toEqual([...classic.domainMetadata.values()]);
    expect(await readLastCheckpoint(multiStore)).toEqual({ version: 3, parts: 3 });
  });

  it('clusters multi-part rows by Spark hash partitioning of the path', async () => {
    const store = bucket();
    const files = Array.from({ length: 60 }, (_, i) => addFile(i));
    const info = await writeCheckpoint(store, 1, state(files), { parts: 4 });
    const pw = await parquetWasm();
    for (const [part, key] of info.files.entries()) {
      const table = tableFromIPC(pw.readParquet(await store.get(key)).intoIPCStream());
      const paths = table.getChild('add')!.toArray().flatMap((r: { path: string } | null) => (r ? [r.path] : []));
      expect(paths.every((p: string) => sparkPartition(p, 4) === part)).toBe(true);
      // Non-file actions hash as null (the seed 42), which Spark puts in part 42 mod 4.
      expect(table.getChild('protocol')!.nullCount < table.numRows).toBe(part === 42 % 4);
    }
  });

  it("hashes strings the way Spark's hash() does", () => {
    // SELECT hash('Spark', array(123), 2) = -1321691492; an int hashes like its 4 little-endian bytes.
    const h = sparkStringHash('\u0002\u0000\u0000\u0000', sparkStringHash('{\u0000\u0000\u0000', sparkStringHash('Spark', 42)));
    expect(h).toBe(-1321691492);
  });

  it('replays only the commits after the checkpoint when loading a later version', async () => {
    const store = bucket();
    const first = Array.from({ length: 10 }, (_, i) => addFile(i));
    await putCommit(store, 0, [{ protocol }, { metaData: metadata }, ...first.slice(0, 5).map((add) => ({ add }))]);
    for (let v = 1; v <= 3; v++) await putCommit(store, v, [{ add: first[4 + v]! }]);
    const at3 = await load(store, 3);
    await writeCheckpoint(store, 3, {
      protocol: at3.protocol,
      metadata: at3.metadata,
      files: at3.addFiles(),
      txns: at3.txns.values(),
      domains: at3.domainMetadata.values(),
    });
    const later = addFile(500);
    await putCommit(store, 4, [{ add: later }, { remove: { path: first[0]!.path, deletionTimestamp: 1, dataChange: true } }]);
    await putCommit(store, 5, [{ txn: { appId: 'late', version: 1 } }]);

    const rec = recording(store);
    const snap = await load(rec.store);
    expect(snap.version).toBe(5);
    expect(rec.reads.filter((k) => k.endsWith('.json'))).toEqual(['_delta_log/00000000000000000004.json', '_delta_log/00000000000000000005.json']);
    expect(rec.reads).toContain('_delta_log/00000000000000000003.checkpoint.parquet');
    expect(byPath(snap.addFiles())).toEqual(byPath([...first.slice(1, 8), later]));
    expect(snap.txns.get('late')?.version).toBe(1);

    // Even with the early commits gone, the checkpoint alone yields version 3 and the later ones.
    await store.delete([0, 1, 2, 3].map((v) => `_delta_log/${String(v).padStart(20, '0')}.json`));
    expect(byPath((await load(store, 3)).addFiles())).toEqual(byPath(first.slice(0, 8)));
    expect((await load(store)).numFiles).toBe(8);
  });

  it('writes _last_checkpoint after the checkpoint, with size, sizeInBytes and numOfAddFiles', async () => {
    const store = bucket();
    const files = Array.from({ length: 20 }, (_, i) => addFile(i));
    const info = await writeCheckpoint(store, 12, state(files));
    const hint = JSON.parse(new TextDecoder().decode(await store.get('_delta_log/_last_checkpoint'))) as Record<string, unknown>;
    const head = await store.head(info.files[0]!);
    expect(hint).toEqual({ version: 12, size: 2 + txns.length + domains.length + 20, sizeInBytes: head.size, numOfAddFiles: 20 });
    const cp = await store.head('_delta_log/00000000000000000012.checkpoint.parquet');
    const last = await store.head('_delta_log/_last_checkpoint');
    expect(last.lastModified).toBeGreaterThanOrEqual(cp.lastModified);
  });

  it('writes _last_checkpoint only once the checkpoint upload has completed', async () => {
    const inner = bucket();
    const events: string[] = [];
    const store: ObjectStore = {
      ...recording(inner).store,
      putStream: async (path, chunks) => {
        events.push(`start ${path}`);
        await inner.putStream(path, chunks);
        events.push(`done ${path}`);
      },
      put: async (path, data) => {
        events.push(`put ${path}`);
        await inner.put(path, data);
      },
    };
    await writeCheckpoint(store, 9, state([addFile(1)]), { parts: 2 });
    expect(events.slice(-1)).toEqual(['put _delta_log/_last_checkpoint']);
    expect(events.filter((e) => e.startsWith('done'))).toHaveLength(2);
    expect(events.indexOf('put _delta_log/_last_checkpoint')).toBeGreaterThan(Math.max(...events.map((e, i) => (e.startsWith('done') ? i : -1))));
  });

  it('leaves no checkpoint and no _last_checkpoint when the upload fails', async () => {
    const inner = bucket();
    const store: ObjectStore = {
      ...recording(inner).store,
      putStream: async (path, chunks) => {
        let n = 0;
        await inner.putStream(
          path,
          (async function* () {
            for await (const c of chunks) {
              if (++n > 1) throw new Error('connection reset');
              yield c;
            }
          })(),
        );
      },
    };
    const files = Array.from({ length: 2000 }, (_, i) => addFile(i));
    await expect(writeCheckpoint(store, 3, state(files), { rowGroupRows: 100 })).rejects.toThrow(/connection reset/);
    const keys: string[] = [];
    for await (const m of inner.list('')) keys.push(m.path);
    expect(keys).toEqual([]);
  });

  it('writes an add that only has parsed stats (from a stats_parsed checkpoint) without stats', async () => {
    const store = bucket();
    const { stats: _, ...noJson } = addFile(3);
    await writeCheckpoint(store, 1, state([{ ...noJson, statsParsed: { numRecords: 7 } }]));
    const [add] = (await load(store)).addFiles();
    expect(add?.stats).toBeNull();
    expect(add?.path).toBe(noJson.path);
  });

  it('never moves _last_checkpoint back to an older version', async () => {
    const store = bucket();
    await writeCheckpoint(store, 20, state([addFile(1)]));
    await writeCheckpoint(store, 10, state([addFile(2)]));
    expect((await readLastCheckpoint(store))?.version).toBe(20);
  });

  it('declares every checkpoint column nullable, in the protocol order, with bounded row groups', async () => {
    const store = bucket();
    const files = Array.from({ length: 1000 }, (_, i) => addFile(i));
    const info = await writeCheckpoint(store, 7, state(files), { rowGroupRows: 100, batchRows: 64 });
    const bytes = await store.get(info.files[0]!);
    const pw = await parquetWasm();
    const schema = tableFromIPC(pw.readSchema(bytes).intoIPCStream()).schema;
    expect(schema.fields.map((f) => f.name)).toEqual(['txn', 'add', 'remove', 'metaData', 'protocol', 'domainMetadata']);
    expect(schema.fields.flatMap((f) => nullability(f))).toEqual([]);
    const add = schema.fields[1]!.type.children.map((f: Field) => f.name);
    expect(add).toEqual([
      'path',
      'partitionValues',
      'size',
      'modificationTime',
      'dataChange',
      'tags',
      'deletionVector',
      'baseRowId',
      'defaultRowCommitVersion',
      'clusteringProvider',
      'stats',
    ]);
    const footer = readParquetFooter(bytes, 'checkpoint');
    expect(footer.numRows).toBe(info.size);
    expect(footer.rowGroups).toBe(Math.ceil(info.size / 100));
    expect(footer.footerBytes).toBeLessThan(bytes.length);
  });

  it('writes null reader/writer features below reader 3 / writer 7', async () => {
    const store = bucket();
    await writeCheckpoint(store, 0, { protocol: { minReaderVersion: 1, minWriterVersion: 2, readerFeatures: [] }, metadata, files: [] });
    const pw = await parquetWasm();
    const table = tableFromIPC(pw.readParquet(await store.get(checkpointKeys(0, 1)[0]!)).intoIPCStream());
    const row = table.getChild('protocol')!.get(0)!.toJSON();
    expect(row).toEqual({ minReaderVersion: 1, minWriterVersion: 2, readerFeatures: null, writerFeatures: null });
    expect((await load(store)).numFiles).toBe(0);
  });

  it('keeps tombstones in the checkpoint without treating them as removals of live files', async () => {
    const store = bucket();
    const files = [addFile(1), addFile(2)];
    const removes: RemoveFile[] = [{ path: files[0]!.path, deletionTimestamp: 5, dataChange: false, extendedFileMetadata: true, partitionValues: files[0]!.partitionValues, size: 3 }];
    const info = await writeCheckpoint(store, 2, state(files, { removes }));
    expect(info.size).toBe(2 + txns.length + domains.length + 3);
    expect((await load(store)).numFiles).toBe(2);
  });

  it('accepts files from an async generator', async () => {
    const store = bucket();
    async function* gen(): AsyncIterable<AddFile> {
      for (let i = 0; i < 25; i++) yield addFile(i);
    }
    const info = await writeCheckpoint(store, 1, state([], { files: gen() }), { batchRows: 7 });
    expect(info.numOfAddFiles).toBe(25);
    expect((await load(store)).numFiles).toBe(25);
  });

  it('fails with CheckpointError and leaves nothing behind when an action is malformed', async () => {
    const store = bucket();
    const files = [addFile(1), { ...addFile(2), size: 1.5 }];
    await expect(writeCheckpoint(store, 4, state(files))).rejects.toSatisfy((e: unknown) => isDuckrunError(e, 'DELTA_CHECKPOINT'));
    const keys: string[] = [];
    for await (const m of store.list('')) keys.push(m.path);
    expect(keys).toEqual([]);
    const multi = bucket();
    await expect(writeCheckpoint(multi, 4, state(files), { parts: 2 })).rejects.toThrow(/add\.size must be an integer/);
    for await (const m of multi.list('')) keys.push(m.path);
    expect(keys).toEqual([]);
  });

  it('rejects invalid versions and part counts', async () => {
    await expect(writeCheckpoint(bucket(), -1, state([]))).rejects.toThrow(/versions are integers/);
    await expect(writeCheckpoint(bucket(), 1, state([]), { parts: 0 })).rejects.toThrow(/whole number of parts/);
  });
});

describe('checkpoint rows → actions (log/arrow-actions)', () => {
  const f = (name: string, type: DataType) => new ArrowField(name, type, true);
  const stringMap = () =>
    new Map_<Utf8, Utf8>(new ArrowField('key_value', new Struct<{ key: Utf8; value: Utf8 }>([new ArrowField('key', new Utf8(), false), new ArrowField('value', new Utf8(), true)]), false));
  const addType = new Struct([
    f('path', new Utf8()),
    f('partitionValues', stringMap()),
    f('size', new Int64()),
    f('stats', new Utf8()),
    f('stats_parsed', new Struct([f('numRecords', new Int64()), f('minValues', new Struct([f('ts', new TimestampMicrosecond('UTC')), f('d', new DateDay())]))])),
    f('partitionValues_parsed', new Struct([f('d', new DateDay())])),
    f('tags', stringMap()),
    f('blob', new Binary()),
  ]);
  const schema = new Schema([f('add', addType), f('txn', new Struct([f('appId', new Utf8()), f('version', new Int64())]))]);
  const batch = (rows: { add?: unknown; txn?: unknown }[]): RecordBatch => {
    const adds = makeBuilder({ type: addType, nullValues: [null, undefined] });
    const txns = makeBuilder({ type: schema.fields[1]!.type as Struct, nullValues: [null, undefined] });
    for (const r of rows) {
      adds.append(r.add as never);
      txns.append(r.txn as never);
    }
    const children = [adds.finish().flush(), txns.finish().flush()];
    return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: rows.length, nullCount: 0, children }));
  };

  it('converts rows of every batch, in order, with non-ASCII text, big longs, maps with null values and binary', () => {
    const table = new Table([
      batch([{ txn: { appId: 'app', version: 3n } }, { add: { path: 'a/ü.parquet', partitionValues: new Map([['k', null], ['é', 'ß']]), size: 2n ** 40n + 1n, stats: '{"numRecords":1}', tags: null, blob: new Uint8Array([1, 2]) } }]),
      batch([{ add: { path: 'b.parquet', partitionValues: new Map(), size: 5n, stats: null, tags: new Map([['t', 'v']]), blob: null } }]),
    ]);
    const actions = actionsFromArrow(table, 'cp.parquet');
    expect(actions).toHaveLength(3);
    expect(actions[0]).toEqual({ txn: { appId: 'app', version: 3 } });
    expect(actions[1]).toEqual({
      add: { path: 'a/ü.parquet', partitionValues: { k: null, é: 'ß' }, size: 2 ** 40 + 1, stats: '{"numRecords":1}', tags: null, blob: new Uint8Array([1, 2]) },
    });
    expect(actions[2]).toEqual({ add: { path: 'b.parquet', partitionValues: {}, size: 5, stats: null, tags: { t: 'v' }, blob: null } });
  });

  it('keeps stats_parsed as statsParsed only when the JSON stats are missing, and drops partitionValues_parsed', () => {
    const parsed = { numRecords: 7n, minValues: { ts: 1_700_000_000_000, d: 19_000 * 86_400_000 } };
    const table = new Table([
      batch([
        { add: { path: 'p1', partitionValues: new Map(), size: 1n, stats: null, stats_parsed: parsed, partitionValues_parsed: { d: 0 } } },
        { add: { path: 'p2', partitionValues: new Map(), size: 1n, stats: '{"numRecords":7}', stats_parsed: parsed } },
      ]),
    ]);
    const [first, second] = actionsFromArrow(table, 'cp.parquet') as { add: AddFile }[];
    expect(first!.add.statsParsed).toEqual({ numRecords: 7, minValues: { ts: 1_700_000_000_000, d: 19_000 * 86_400_000 } });
    expect(first!.add).not.toHaveProperty('stats_parsed');
    expect(first!.add).not.toHaveProperty('partitionValues_parsed');
    expect(second!.add.stats).toBe('{"numRecords":7}');
    expect(second!.add).not.toHaveProperty('statsParsed');
  });

  it('rejects an add row without a path, naming the file', () => {
    const table = new Table([batch([{ add: { path: null, partitionValues: new Map(), size: 1n } }])]);
    expect(() => actionsFromArrow(table, 'cp.parquet')).toThrow(/cp\.parquet.*add\.path/);
  });
});
