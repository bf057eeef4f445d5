// Planning a write before any file is written: the table schema after resolution or evolution, the
// partitioning, the protocol and metadata actions to commit, and the checks that refuse bad input early.

import type { Schema } from 'apache-arrow';
import { SchemaError } from '../errors.js';
import type { Metadata, Protocol } from '../kernel/actions/types.js';
import { assignColumnMapping, columnMappingMode } from '../kernel/features/column-mapping.js';
import { protocolForFeatures, requiredFeatures, upgradeProtocol } from '../kernel/features/protocol-for.js';
import { fromArrowSchema } from '../kernel/schema/arrow.js';
import { resolveWriteSchema } from '../kernel/schema/merge.js';
import { parseSchema, serializeSchema } from '../kernel/schema/parse.js';
import type { DataType, StructField, StructType } from '../kernel/schema/types.js';
import type { Snapshot } from '../snapshot.js';
import { compileReplaceWhere, type ReplaceWhere } from './replace-where.js';
import type { WriteMode, WriteOptions } from './write-table.js';

/** Everything decided before any file is written. */
export interface WritePlan {
  readonly mode: WriteMode;
  readonly schema: StructType;
  readonly partitionColumns: readonly string[];
  /** Logical partition fields, in partition order. */
  readonly partitionFields: readonly StructField[];
  readonly columnMapping: ReturnType<typeof columnMappingMode>;
  /** The table configuration in force after the commit. */
  readonly configuration: Readonly<Record<string, string>>;
  /** New protocol/metadata actions to commit, when they change. */
  readonly protocol?: Protocol;
  readonly metadata?: Metadata;
  readonly columnsAdded: readonly string[];
  readonly replaceWhere?: ReplaceWhere;
  readonly emptyAppend: boolean;
  readonly schemaOverwritten: boolean;
}

export function planWrite(table: string, existing: Snapshot | undefined, arrowSchema: Schema | undefined, mode: WriteMode, options: WriteOptions): WritePlan {
  if (arrowSchema === undefined && existing === undefined) {
    throw new SchemaError(`cannot create ${table} from a stream without batches: its schema is unknown; pass an Arrow Table (it carries a schema) or create the table with DeltaTable.create`);
  }
  const dataSchema = arrowSchema === undefined ? existing!.schema : fromArrowSchema(arrowSchema);
  const noRows = arrowSchema === undefined;

  if (existing === undefined || options.schemaMode === 'overwrite') {
    const partitionBy = options.partitionBy ?? existing?.partitionColumns.filter((p) => dataSchema.fields.some((f) => f.name === p)) ?? [];
    checkPartitionColumns(table, dataSchema, partitionBy);
    checkTimestampNtz(table, dataSchema, existing?.schema, options);
    if (existing === undefined) {
      const { protocol, metadata } = newTableActions(table, dataSchema, partitionBy, options);
      return finishPlan(table, mode, metadata, protocol, metadata, [], options, false, false);
    }
    // Overwrite with a new schema: same table id and history, new schema, partitioning and (merged) properties.
    const configuration = { ...existing.metadata.configuration, ...options.properties };
    checkColumnNames(table, dataSchema, configuration, partitionBy);
    const mapped = mapColumns(dataSchema, configuration);
    const metadata: Metadata = { ...existing.metadata, schemaString: serializeSchema(mapped.schema), partitionColumns: [...partitionBy], configuration: mapped.configuration };
    const protocol = upgradeProtocol(existing.protocol, requiredFeatures(mapped.schema, mapped.configuration));
    return finishPlan(table, mode, metadata, protocol, metadata, [], options, false, true);
  }

  if (options.partitionBy !== undefined && !sameNames(options.partitionBy, existing.partitionColumns)) {
    throw new SchemaError(
      `${table} is partitioned by [${existing.partitionColumns.join(', ')}], not [${options.partitionBy.join(', ')}]; ` +
        "leave partitionBy out, or rewrite the table with mode 'overwrite' and schemaMode 'overwrite' to change its partitioning",
    );
  }
  const resolved = resolveWriteSchema(table, existing.schema, dataSchema, options.schemaMode === 'merge' ? 'merge' : 'strict', noRows ? [] : existing.partitionColumns);
  let configuration: Record<string, string> = { ...existing.metadata.configuration };
  let configChanged = false;
  for (const [k, v] of Object.entries(options.properties ?? {})) {
    if (configuration[k] !== v) {
      configuration[k] = v;
      configChanged = true;
    }
  }
  let schema = resolved.schema;
  if (resolved.changed) {
    checkTimestampNtz(table, schema, existing.schema, options);
    checkColumnNames(table, schema, configuration, existing.partitionColumns, resolved.added);
    const mapped = mapColumns(schema, configuration);
    schema = mapped.schema;
    configuration = mapped.configuration;
  }
  // Emit metaData only when something really changed: a metaData action makes concurrent writers conflict.
  const metadata = resolved.changed || configChanged ? { ...existing.metadata, schemaString: serializeSchema(schema), configuration } : undefined;
  const protocol = metadata ? upgradeProtocol(existing.protocol, requiredFeatures(schema, configuration)) : undefined;
  const emptyAppend = noRows && mode === 'append' && metadata === undefined;
  return finishPlan(table, mode, metadata ?? existing.metadata, protocol, metadata, resolved.added, options, emptyAppend, false);
}

function finishPlan(
  table: string,
  mode: WriteMode,
  effective: Metadata,
  protocol: Protocol | undefined,
  metadata: Metadata | undefined,
  columnsAdded: readonly string[],
  options: WriteOptions,
  emptyAppend: boolean,
  schemaOverwritten: boolean,
): WritePlan {
  const schema = parseSchema(effective.schemaString);
  const partitionFields = effective.partitionColumns.map((p) => schema.fields.find((f) => f.name === p)!);
  return {
    mode,
    schema,
    partitionColumns: effective.partitionColumns,
    partitionFields,
    columnMapping: columnMappingMode(effective.configuration),
    configuration: effective.configuration,
    ...(protocol ? { protocol } : {}),
    ...(metadata ? { metadata } : {}),
    columnsAdded,
    ...(options.replaceWhere !== undefined
      ? { replaceWhere: compileReplaceWhere(options.replaceWhere, schema, effective.partitionColumns, columnMappingMode(effective.configuration), table) }
      : {}),
    emptyAppend,
    schemaOverwritten,
  };
}

export function newTableActions(
  table: string,
  schema: StructType,
  partitionBy: readonly string[],
  options: Pick<WriteOptions, 'properties' | 'name' | 'description' | 'allowTimestampNtz'>,
): { protocol: Protocol; metadata: Metadata } {
  checkPartitionColumns(table, schema, partitionBy);
  checkTimestampNtz(table, schema, undefined, options);
  checkColumnNames(table, schema, options.properties ?? {}, partitionBy);
  const mapped = mapColumns(schema, { ...options.properties });
  const protocol = protocolForFeatures(requiredFeatures(mapped.schema, mapped.configuration));
  const metadata: Metadata = {
    id: globalThis.crypto.randomUUID(),
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.description !== undefined ? { description: options.description } : {}),
    format: { provider: 'parquet', options: {} },
    schemaString: serializeSchema(mapped.schema),
    partitionColumns: [...partitionBy],
    configuration: mapped.configuration,
    createdTime: Date.now(),
  };
  return { protocol, metadata };
}

// Spark refuses these in parquet column names (ParquetSchemaConverter.checkFieldName) unless column mapping
// gives the files physical names, so a table with them would be unreadable there.
const INVALID_NAME_CHARS = /[ ,;{}()\n\t=]/;

/**
 * Refuses names of data columns other Delta readers cannot read from parquet, unless column mapping is on.
 * Partition columns never reach a parquet file, so any name is fine for them.
 */
function checkColumnNames(
  table: string,
  schema: StructType,
  configuration: Readonly<Record<string, string>>,
  partitionColumns: readonly string[],
  columns?: readonly string[],
): void {
  if (columnMappingMode(configuration) !== 'none') return;
  const data: StructType = { type: 'struct', fields: schema.fields.filter((f) => !partitionColumns.includes(f.name)) };
  const bad: string[] = [];
  const visit = (type: DataType, prefix: string): void => {
    if (typeof type !== 'object') return;
    if (type.type === 'struct') {
      for (const f of type.fields) {
        const path = `${prefix}${f.name}`;
        if (INVALID_NAME_CHARS.test(f.name) && (columns === undefined || columns.some((c) => path === c || path.startsWith(`${c}.`)))) bad.push(path);
        visit(f.type, `${path}.`);
      }
    } else if (type.type === 'array') visit(type.elementType, prefix);
    else if (type.type === 'map') {
      visit(type.keyType, prefix);
      visit(type.valueType, prefix);
    }
  };
  visit(data, '');
  if (bad.length === 0) return;
  throw new SchemaError(
    `column name${bad.length === 1 ? '' : 's'} ${bad.map((c) => JSON.stringify(c)).join(', ')} of ${table} contain${bad.length === 1 ? 's' : ''} a character of " ,;{}()\\n\\t=", ` +
      "which Spark and other Delta readers refuse in parquet column names; rename the column (e.g. SELECT count(*) AS n), or create the table with properties { 'delta.columnMapping.mode': 'name' }",
  );
}

/** With column mapping on, gives new columns ids and physical names and records the max id. */
function mapColumns(schema: StructType, configuration: Record<string, string>): { schema: StructType; configuration: Record<string, string> } {
  if (columnMappingMode(configuration) === 'none') return { schema, configuration };
  const max = Number(configuration['delta.columnMapping.maxColumnId'] ?? 0);
  const mapped = assignColumnMapping(schema, Number.isFinite(max) ? max : 0, () => globalThis.crypto.randomUUID());
  return { schema: mapped.schema, configuration: { ...configuration, 'delta.columnMapping.maxColumnId': String(mapped.maxColumnId) } };
}

function checkPartitionColumns(table: string, schema: StructType, partitionBy: readonly string[]): void {
  const seen = new Set<string>();
  for (const p of partitionBy) {
    if (typeof p !== 'string' || !schema.fields.some((f) => f.name === p)) {
      throw new SchemaError(
        `partition column "${String(p)}" is missing from the data written to ${table}; partition by one of its columns (${schema.fields.map((f) => f.name).join(', ')})`,
      );
    }
    if (seen.has(p)) throw new SchemaError(`partition column "${p}" of ${table} is listed twice; list each partition column once`);
    seen.add(p);
  }
  if (partitionBy.length > 0 && partitionBy.length === schema.fields.length) {
    throw new SchemaError(`every column of ${table} would be a partition column, leaving its data files without columns; keep at least one non-partition column`);
  }
}

/** Design rule: never create a `timestamp_ntz` column by accident (it raises the protocol and some readers refuse it). */
function checkTimestampNtz(table: string, schema: StructType, before: StructType | undefined, options: Pick<WriteOptions, 'allowTimestampNtz'>): void {
  if (options.allowTimestampNtz === true) return;
  const had = new Set(before ? ntzColumns(before, '') : []);
  const fresh = ntzColumns(schema, '').filter((c) => !had.has(c));
  if (fresh.length === 0) return;
  throw new SchemaError(
    `column${fresh.length === 1 ? '' : 's'} ${fresh.map((c) => `"${c}"`).join(', ')} of the data for ${table} ${fresh.length === 1 ? 'is a timestamp' : 'are timestamps'} without a time zone, which would create timestamp_ntz columns ` +
      "(reader 3 / writer 7; some readers refuse them); give the Arrow timestamp a time zone (e.g. 'UTC') to write a Delta timestamp, or pass allowTimestampNtz: true",
  );
}

function ntzColumns(struct: StructType, prefix: string): string[] {
  const out: string[] = [];
  const visit = (type: DataType, path: string): void => {
    if (type === 'timestamp_ntz') out.push(path);
    else if (typeof type === 'object' && type.type === 'struct') for (const f of type.fields) visit(f.type, `${path}.${f.name}`);
    else if (typeof type === 'object' && type.type === 'array') visit(type.elementType, `${path}.element`);
    else if (typeof type === 'object' && type.type === 'map') {
      visit(type.keyType, `${path}.key`);
      visit(type.valueType, `${path}.value`);
    }
  };
  for (const f of struct.fields) visit(f.type, `${prefix}${f.name}`);
  return out;
}

export function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
