import { describe, expect, it } from 'vitest';
import { Field, Int32, Schema, tableFromArrays, tableFromIPC } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { writeParquetBytes } from '../../src/io/parquet.js';

describe('writeParquetBytes', () => {
  it('writes batches as a parquet file that reads back with the same rows', async () => {
    const table = tableFromArrays({ n: Int32Array.from([1, 2, 3]), s: ['a', null, 'c'] });
    const bytes = await writeParquetBytes(table.schema, table.batches);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('PAR1');
    const back = tableFromIPC(readParquet(bytes).intoIPCStream());
    expect(back.toArray().map((r) => r.toJSON())).toEqual([{ n: 1, s: 'a' }, { n: 2, s: null }, { n: 3, s: 'c' }]);
  });

  it('writes a schema-only file when there are no rows', async () => {
    const schema = new Schema([new Field('n', new Int32(), true)]);
    const back = tableFromIPC(readParquet(await writeParquetBytes(schema, [])).intoIPCStream());
    expect(back.numRows).toBe(0);
    expect(back.schema.fields.map((f) => f.name)).toEqual(['n']);
  });
});
