// Table layouts of the lineitem chain: unpartitioned, and partitioned by the year of l_shipdate.
//
// Why ship year: fact tables are partitioned by a date in practice, and a year of lineitem is ~850,000 rows
// per scale factor, enough for well-sized files (by month, SF 1 would scatter into 84 partitions of ~70,000
// rows). l_returnflag has three skewed values nobody partitions by. A key-based merge cannot prune ship-year
// partitions, which is exactly the realistic hard case for MERGE.

import { Field, Int32, RecordBatch, Schema, Struct, makeData } from 'apache-arrow';

/** A table layout: a name for labels and the partition columns of the Delta table. */
export interface Layout {
  readonly name: 'plain' | 'by-year';
  readonly partitionBy: readonly string[];
}

/** The derived partition column: the year of l_shipdate. */
export const SHIP_YEAR = 'l_shipyear';

export const LAYOUTS: readonly Layout[] = [
  { name: 'plain', partitionBy: [] },
  { name: 'by-year', partitionBy: [SHIP_YEAR] },
];

/** The batches a layout writes: lineitem as is, or with the derived partition column appended. */
export async function* layoutBatches(layout: Layout, batches: AsyncIterable<RecordBatch>): AsyncGenerator<RecordBatch> {
  if (layout.partitionBy.length === 0) {
    yield* batches;
    return;
  }
  let schema: Schema | undefined;
  for await (const batch of batches) {
    schema ??= new Schema([...batch.schema.fields, new Field(SHIP_YEAR, new Int32(), false)]);
    const days = batch.getChild('l_shipdate')!.data[0]!.values as Int32Array;
    const years = new Int32Array(batch.numRows);
    for (let i = 0; i < years.length; i++) years[i] = yearOfDay(days[i]!);
    const children = [...batch.data.children, makeData({ type: new Int32(), length: years.length, nullCount: 0, data: years })];
    yield new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: batch.numRows, nullCount: 0, children }));
  }
}

// Year starts as days since 1970-01-01, for the years TPC-H dates can fall in; a table lookup is much
// cheaper than a Date per row.
const FIRST_YEAR = 1990;
const YEAR_STARTS = Array.from({ length: 13 }, (_, i) => Date.UTC(FIRST_YEAR + i, 0, 1) / 86_400_000);

function yearOfDay(day: number): number {
  for (let i = YEAR_STARTS.length - 1; i >= 0; i--) if (day >= YEAR_STARTS[i]!) return FIRST_YEAR + i;
  return new Date(day * 86_400_000).getUTCFullYear();
}
