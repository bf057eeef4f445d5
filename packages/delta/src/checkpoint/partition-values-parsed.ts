// `add.partitionValues_parsed` (PROTOCOL.md "Checkpoint Schema"): the partition values typed as their
// columns, one struct field per partition column under its physical name, so readers can prune without
// parsing strings. Written only when every partition column has a type whose string form is unambiguous.

import { DateDay } from 'apache-arrow';
import type { Metadata } from '../kernel/actions/types.js';
import { columnMappingMode, physicalName } from '../kernel/features/column-mapping.js';
import { parsePartitionValue, type PartitionScalar } from '../kernel/partitions/values.js';
import { parseSchema } from '../kernel/schema/parse.js';
import { BoolColumn, IntColumn, LongColumn, StringColumn, StructColumn, type ColumnBuilder } from './columns.js';

/** Partition column types written typed. Timestamps are left out: legacy zone-less values were written in
 * the writer's session time zone, so a typed value could disagree with what another engine infers. */
const TYPED = ['string', 'boolean', 'integer', 'long', 'date'] as const;

const CACHE_LIMIT = 10_000;

/** One field of `partitionValues_parsed`. */
export interface ParsedPartitionField {
  /** Physical name: the key in `partitionValues` and the struct field name. */
  readonly name: string;
  readonly type: (typeof TYPED)[number];
}

/**
 * The fields of `partitionValues_parsed` for a table, or undefined when the table is unpartitioned or a
 * partition column has a type left out above (a struct missing a column would read as null values).
 */
export function parsedPartitionFields(metadata: Metadata): ParsedPartitionField[] | undefined {
  if (metadata.partitionColumns.length === 0) return undefined;
  const schema = parseSchema(metadata.schemaString);
  const mode = columnMappingMode(metadata.configuration);
  const fields: ParsedPartitionField[] = [];
  for (const column of metadata.partitionColumns) {
    const field = schema.fields.find((f) => f.name === column);
    const type = field?.type;
    if (field === undefined || typeof type !== 'string' || !(TYPED as readonly string[]).includes(type)) return undefined;
    fields.push({ name: physicalName(field, mode), type: type as ParsedPartitionField['type'] });
  }
  return fields;
}

/** Builds `partitionValues_parsed` from each add's `partitionValues` map. */
export class PartitionValuesParsedColumn implements ColumnBuilder {
  private readonly inner: StructColumn;
  private readonly scratch: Record<string, PartitionScalar> = {};
  /** Parsed values by raw string, per field: a table has few distinct partition values and many files. */
  private readonly cache: Map<string, PartitionScalar>[];

  constructor(
    private readonly fields: readonly ParsedPartitionField[],
    private readonly table: string,
  ) {
    this.inner = new StructColumn(
      'add.partitionValues_parsed',
      fields.map((f) => [f.name, builderFor(f)] as const),
    );
    this.cache = fields.map(() => new Map());
  }

  get type() {
    return this.inner.type;
  }

  get length(): number {
    return this.inner.length;
  }

  append(value: unknown): void {
    if (value === null || value === undefined) return this.inner.append(null);
    // The map column takes plain objects or Maps, so this one does too.
    const raw = value instanceof Map ? (Object.fromEntries(value) as Record<string, string | null>) : (value as Readonly<Record<string, string | null>>);
    // StructColumn reads the object synchronously and keeps nothing, so one scratch object serves every row.
    const typed = this.scratch;
    for (let i = 0; i < this.fields.length; i++) {
      const f = this.fields[i]!;
      typed[f.name] = this.parse(i, raw[f.name]);
    }
    this.inner.append(typed);
  }

  padTo(length: number): void {
    this.inner.padTo(length);
  }

  private parse(field: number, raw: string | null | undefined): PartitionScalar {
    if (raw === null || raw === undefined) return null;
    const cache = this.cache[field]!;
    let v = cache.get(raw);
    if (v === undefined) {
      const f = this.fields[field]!;
      v = parsePartitionValue(raw, f.type, `${f.name} in ${this.table}`);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(raw, v);
    }
    return v;
  }

  finish() {
    return this.inner.finish();
  }
}

function builderFor(f: ParsedPartitionField): ColumnBuilder {
  const at = `add.partitionValues_parsed.${f.name}`;
  switch (f.type) {
    case 'string':
      return new StringColumn(at);
    case 'boolean':
      return new BoolColumn(at);
    case 'integer':
      return new IntColumn(at);
    case 'long':
      return new LongColumn(at);
    case 'date':
      return new IntColumn(at, new DateDay());
  }
}
