import { describe, expect, it } from 'vitest';
import { Field, Int64, Struct, Table, Utf8, Int32, List, Bool, Map_, makeData, RecordBatch, Schema, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { DeltaTable } from '../../src/index.js';
import { addAction, collectRows, freshMemoryStore, parquetBytes, tableHeader, writeCommit } from '../helpers.js';

const str = (name: string) => new Field(name, new Utf8(), true);
const i64 = (name: string) => new Field(name, new Int64(), true);

/** A parquet file whose rows are the given actions, with one nullable struct column per action kind. */
async function actionParquet(columns: Record<string, { type: Struct; rows: (object | null)[] }>): Promise<Uint8Array> {
  const fields = Object.entries(columns).map(([name, c]) => new Field(name, c.type, true));
  const length = Object.values(columns)[0]!.rows.length;
  const children = Object.values(columns).map((c) => vectorFromArray(c.rows, c.type).data[0]!);
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length, nullCount: 0, children }));
  return parquetBytes(new Table(batch));
}

describe('v2 checkpoints in parquet', () => {
  it('reads a v2 parquet checkpoint whose adds live in sidecar files, then replays later commits', async () => {
    const store = freshMemoryStore();
    const data = await parquetBytes(tableFromArrays({ id: BigInt64Array.from([1n, 2n]) }));
    for (const f of ['a.parquet', 'b.parquet', 'c.parquet']) await store.put(f, data);

    const header = tableHeader([{ name: 'id', type: 'long' }], {
      protocol: { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['v2Checkpoint'], writerFeatures: ['v2Checkpoint'] },
      configuration: { 'delta.checkpointPolicy': 'v2' },
    });
    await writeCommit(store, 0, [...header, addAction('a.parquet', data.byteLength)]);
    await writeCommit(store, 1, [addAction('b.parquet', data.byteLength)]);

    const addType = new Struct([
      str('path'),
      new Field('partitionValues', new Map_(new Field('entries', new Struct([new Field('key', new Utf8(), false), str('value')]), false)), true),
      i64('size'),
      i64('modificationTime'),
      new Field('dataChange', new Bool(), true),
      str('stats'),
    ]);
    const sidecar = await actionParquet({
      add: {
        type: addType,
        rows: ['a.parquet', 'b.parquet'].map((path) => ({ path, partitionValues: new Map(), size: BigInt(data.byteLength), modificationTime: 0n, dataChange: true, stats: null })),
      },
    });
    const sidecarName = '00000000000000000001.checkpoint.0000000001.0000000001.9b2e1c4e-0000-4000-8000-000000000001.parquet';
    await store.put(`_delta_log/_sidecars/${sidecarName}`, sidecar);

    const [protocol, metadata] = header as [{ protocol: Record<string, unknown> }, { metaData: Record<string, unknown> }];
    const protocolType = new Struct([new Field('minReaderVersion', new Int32(), true), new Field('minWriterVersion', new Int32(), true), new Field('readerFeatures', new List(new Field('element', new Utf8(), true)), true), new Field('writerFeatures', new List(new Field('element', new Utf8(), true)), true)]);
    const metaType = new Struct([str('id'), new Field('format', new Struct([str('provider')]), true), str('schemaString'), new Field('partitionColumns', new List(new Field('element', new Utf8(), true)), true), new Field('configuration', new Map_(new Field('entries', new Struct([new Field('key', new Utf8(), false), str('value')]), false)), true)]);
    const sidecarType = new Struct([str('path'), i64('sizeInBytes'), i64('modificationTime')]);
    const cpMetaType = new Struct([i64('version')]);
    const md = metadata.metaData;
    const top = await actionParquet({
      checkpointMetadata: { type: cpMetaType, rows: [{ version: 1n }, null, null, null] },
      protocol: { type: protocolType, rows: [null, protocol.protocol, null, null] },
      metaData: {
        type: metaType,
        rows: [null, null, { id: md.id, format: { provider: 'parquet' }, schemaString: md.schemaString, partitionColumns: [], configuration: new Map(Object.entries(md.configuration as object)) }, null],
      },
      sidecar: { type: sidecarType, rows: [null, null, null, { path: sidecarName, sizeInBytes: BigInt(sidecar.byteLength), modificationTime: 0n }] },
    });
    await store.put('_delta_log/00000000000000000001.checkpoint.0b3f4d51-1111-4222-8333-944455556666.parquet', top);
    await store.put('_delta_log/_last_checkpoint', new TextEncoder().encode('{"version":1,"size":4}'));
    // The checkpoint must be what makes the table readable: drop the commits it covers.
    await store.delete(['_delta_log/00000000000000000000.json', '_delta_log/00000000000000000001.json']);
    await writeCommit(store, 2, [addAction('c.parquet', data.byteLength)]);

    const snap = await (await DeltaTable.open(store.url, { store })).snapshot();
    expect(snap.version).toBe(2);
    expect(snap.addFiles().map((f) => f.path).sort()).toEqual(['a.parquet', 'b.parquet', 'c.parquet']);
    expect(snap.protocol.readerFeatures).toEqual(['v2Checkpoint']);
    expect((await collectRows(snap.scan())).length).toBe(6);
  });
});
