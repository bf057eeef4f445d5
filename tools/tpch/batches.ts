// lineitem as a stream of apache-arrow RecordBatches with the standard 16 columns; memory stays bounded by
// one batch however large the scale factor.

import { DateDay, Decimal, Field, Int32, Int64, RecordBatch, Schema, Struct, Utf8, makeData, type Data } from './arrow.js';
import { orderLines, type LineitemRow } from './rows.js';
import { TpchOptionError, checkScale, orderCount } from './spec.js';

/** The lineitem schema: TPC-H types (l_orderkey BIGINT, other keys INT), all NOT NULL; quantity, price, discount, tax DECIMAL(15,2). */
export const LINEITEM_SCHEMA = new Schema([
  new Field('l_orderkey', new Int64(), false),
  new Field('l_partkey', new Int32(), false),
  new Field('l_suppkey', new Int32(), false),
  new Field('l_linenumber', new Int32(), false),
  new Field('l_quantity', decimalType(), false),
  new Field('l_extendedprice', decimalType(), false),
  new Field('l_discount', decimalType(), false),
  new Field('l_tax', decimalType(), false),
  new Field('l_returnflag', new Utf8(), false),
  new Field('l_linestatus', new Utf8(), false),
  new Field('l_shipdate', new DateDay(), false),
  new Field('l_commitdate', new DateDay(), false),
  new Field('l_receiptdate', new DateDay(), false),
  new Field('l_shipinstruct', new Utf8(), false),
  new Field('l_shipmode', new Utf8(), false),
  new Field('l_comment', new Utf8(), false),
]);

/** Options of {@link lineitemBatches}. */
export interface LineitemOptions {
  /** TPC-H scale factor: ~6,000,000 rows per unit; fractions allowed (0.01 → ~60,000 rows). */
  readonly scale: number;
  /** PRNG seed; the same seed and scale give the same rows. Default 1. */
  readonly seed?: number;
  /** Rows per batch (the last may be shorter). Default 65,536. */
  readonly batchRows?: number;
  /** First order (0-based index into the scale's orders, or beyond it for appended data). Default 0. */
  readonly firstOrder?: number;
  /** Orders to generate from `firstOrder`. Default: up to the end of the scale's orders. */
  readonly orders?: number;
}

/** Default rows per batch: large enough to amortise per-batch costs in writers, small enough to stay bounded. */
export const DEFAULT_BATCH_ROWS = 65_536;

/**
 * Streams lineitem rows for scale factor `scale` as Arrow record batches, ready for writeDeltaTable.
 * @example
 * await writeDeltaTable('./lineitem', lineitemBatches({ scale: 0.01 }), { mode: 'overwrite' });
 */
export async function* lineitemBatches(options: LineitemOptions): AsyncGenerator<RecordBatch> {
  const { first, end } = orderRange(options);
  const builder = new LineitemBatchBuilder(batchRowsOf(options));
  const space = { scale: options.scale, seed: options.seed ?? 1 };
  for (let order = first; order < end; order++) {
    for (const row of orderLines(space, order)) {
      builder.add(row);
      if (builder.full) yield builder.flush();
    }
  }
  if (builder.length > 0) yield builder.flush();
}

/** The rows of {@link lineitemBatches} as plain values (no Arrow), for independent checks. */
export function* lineitemRows(options: Omit<LineitemOptions, 'batchRows'>): Generator<LineitemRow> {
  const { first, end } = orderRange(options);
  const space = { scale: options.scale, seed: options.seed ?? 1 };
  for (let order = first; order < end; order++) yield* orderLines(space, order);
}

/** Collects rows into columnar buffers and emits them as one RecordBatch of {@link LINEITEM_SCHEMA}. */
export class LineitemBatchBuilder {
  readonly capacity: number;
  #length = 0;
  #orderkey: BigInt64Array;
  #partkey: Int32Array;
  #suppkey: Int32Array;
  #linenumber: Int32Array;
  #quantity: Uint32Array;
  #extendedprice: Uint32Array;
  #discount: Uint32Array;
  #tax: Uint32Array;
  #shipdate: Int32Array;
  #commitdate: Int32Array;
  #receiptdate: Int32Array;
  #returnflag: Utf8Builder;
  #linestatus: Utf8Builder;
  #shipinstruct: Utf8Builder;
  #shipmode: Utf8Builder;
  #comment: Utf8Builder;

  /** A builder holding up to `capacity` rows per batch. */
  constructor(capacity: number = DEFAULT_BATCH_ROWS) {
    this.capacity = capacity;
    this.#orderkey = new BigInt64Array(capacity);
    this.#partkey = new Int32Array(capacity);
    this.#suppkey = new Int32Array(capacity);
    this.#linenumber = new Int32Array(capacity);
    // Decimal128 values are four little-endian 32-bit words; every value here fits in the lowest one.
    this.#quantity = new Uint32Array(capacity * 4);
    this.#extendedprice = new Uint32Array(capacity * 4);
    this.#discount = new Uint32Array(capacity * 4);
    this.#tax = new Uint32Array(capacity * 4);
    this.#shipdate = new Int32Array(capacity);
    this.#commitdate = new Int32Array(capacity);
    this.#receiptdate = new Int32Array(capacity);
    this.#returnflag = new Utf8Builder(capacity, 1);
    this.#linestatus = new Utf8Builder(capacity, 1);
    this.#shipinstruct = new Utf8Builder(capacity, 17);
    this.#shipmode = new Utf8Builder(capacity, 7);
    this.#comment = new Utf8Builder(capacity, 44);
  }

  /** Rows added since the last flush. */
  get length(): number {
    return this.#length;
  }

  /** Whether the batch holds `capacity` rows. */
  get full(): boolean {
    return this.#length >= this.capacity;
  }

  /** Appends one row (the builder must not be full). */
  add(row: LineitemRow): void {
    const i = this.#length++;
    this.#orderkey[i] = BigInt(row.l_orderkey);
    this.#partkey[i] = row.l_partkey;
    this.#suppkey[i] = row.l_suppkey;
    this.#linenumber[i] = row.l_linenumber;
    this.#quantity[i * 4] = row.l_quantity;
    this.#extendedprice[i * 4] = row.l_extendedprice;
    this.#discount[i * 4] = row.l_discount;
    this.#tax[i * 4] = row.l_tax;
    this.#shipdate[i] = row.l_shipdate;
    this.#commitdate[i] = row.l_commitdate;
    this.#receiptdate[i] = row.l_receiptdate;
    this.#returnflag.add(row.l_returnflag);
    this.#linestatus.add(row.l_linestatus);
    this.#shipinstruct.add(row.l_shipinstruct);
    this.#shipmode.add(row.l_shipmode);
    this.#comment.add(row.l_comment);
  }

  /** Emits the rows added so far as a batch and starts an empty one (buffers are copied, not shared). */
  flush(): RecordBatch {
    const n = this.#length;
    const fixed = <T extends BigInt64Array | Int32Array | Uint32Array>(type: Field['type'], values: T, stride = 1): Data =>
      makeData({ type, length: n, nullCount: 0, data: values.slice(0, n * stride) as never });
    const fields = LINEITEM_SCHEMA.fields;
    const children: Data[] = [
      fixed(fields[0]!.type, this.#orderkey),
      fixed(fields[1]!.type, this.#partkey),
      fixed(fields[2]!.type, this.#suppkey),
      fixed(fields[3]!.type, this.#linenumber),
      fixed(fields[4]!.type, this.#quantity, 4),
      fixed(fields[5]!.type, this.#extendedprice, 4),
      fixed(fields[6]!.type, this.#discount, 4),
      fixed(fields[7]!.type, this.#tax, 4),
      this.#returnflag.flush(),
      this.#linestatus.flush(),
      fixed(fields[10]!.type, this.#shipdate),
      fixed(fields[11]!.type, this.#commitdate),
      fixed(fields[12]!.type, this.#receiptdate),
      this.#shipinstruct.flush(),
      this.#shipmode.flush(),
      this.#comment.flush(),
    ];
    this.#length = 0;
    return new RecordBatch(LINEITEM_SCHEMA, makeData({ type: new Struct(fields), length: n, nullCount: 0, children }));
  }
}

/** Order indexes [first, end) that `options` selects. */
export function orderRange(options: Omit<LineitemOptions, 'batchRows'>): { first: number; end: number } {
  checkScale(options.scale);
  const first = options.firstOrder ?? 0;
  if (!Number.isSafeInteger(first) || first < 0) throw new TpchOptionError(`firstOrder is ${first}; use a non-negative integer order index`);
  const orders = options.orders ?? Math.max(0, orderCount(options.scale) - first);
  if (!Number.isSafeInteger(orders) || orders < 0) throw new TpchOptionError(`orders is ${orders}; use a non-negative integer count`);
  const seed = options.seed ?? 1;
  if (!Number.isSafeInteger(seed)) throw new TpchOptionError(`seed is ${seed}; use an integer`);
  return { first, end: first + orders };
}

function batchRowsOf(options: LineitemOptions): number {
  const rows = options.batchRows ?? DEFAULT_BATCH_ROWS;
  if (!Number.isSafeInteger(rows) || rows < 1) throw new TpchOptionError(`batchRows is ${rows}; use a positive integer such as ${DEFAULT_BATCH_ROWS}`);
  return rows;
}

function decimalType(): Decimal {
  return new Decimal(2, 15, 128);
}

/** An ASCII string column under construction (every generated string is ASCII, so a byte is a char). */
class Utf8Builder {
  #offsets: Int32Array;
  #bytes: Uint8Array;
  #length = 0;

  constructor(capacity: number, typicalChars: number) {
    this.#offsets = new Int32Array(capacity + 1);
    this.#bytes = new Uint8Array(capacity * typicalChars);
  }

  add(text: string): void {
    let at = this.#offsets[this.#length]!;
    if (at + text.length > this.#bytes.length) {
      const grown = new Uint8Array(Math.max(this.#bytes.length * 2, at + text.length));
      grown.set(this.#bytes.subarray(0, at));
      this.#bytes = grown;
    }
    for (let c = 0; c < text.length; c++) this.#bytes[at++] = text.charCodeAt(c);
    this.#offsets[++this.#length] = at;
  }

  flush(): Data<Utf8> {
    const n = this.#length;
    const end = this.#offsets[n]!;
    const data = makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: this.#offsets.slice(0, n + 1), data: this.#bytes.slice(0, end) });
    this.#length = 0;
    this.#offsets[0] = 0;
    return data;
  }
}
