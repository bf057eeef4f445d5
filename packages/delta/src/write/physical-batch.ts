// Projects an input record batch onto a table's data columns: checks each column against the Delta type,
// drops partition columns and renames fields (nested ones too) to their physical names with field ids.

import { Field, RecordBatch, Schema, Struct, Type, makeData, type Data, type DataType as ArrowType } from 'apache-arrow';
import { SchemaError } from '../errors.js';
import { decodeDictionary } from '../arrow/take.js';
import { fieldId, physicalName, type ColumnMappingMode } from '../kernel/features/column-mapping.js';
import { PARQUET_FIELD_ID_KEY, fromArrowType } from '../kernel/schema/arrow.js';
import { typeToString, type DataType, type StructField, type StructType } from '../kernel/schema/types.js';

/** Maps batches with logical column names to batches of the physical data columns written to parquet. */
export class PhysicalProjector {
  private readonly dataFields: readonly StructField[];
  private readonly allNames: Set<string>;

  /** `schema` is the full logical table schema; `partitionColumns` are left out of the output. */
  constructor(
    private readonly schema: StructType,
    partitionColumns: readonly string[],
    private readonly mode: ColumnMappingMode,
    private readonly table: string,
  ) {
    const parts = new Set(partitionColumns);
    this.dataFields = schema.fields.filter((f) => !parts.has(f.name));
    this.allNames = new Set(schema.fields.map((f) => f.name));
  }

  /** The physical-named batch of data columns for `batch`; throws SchemaError naming a mismatched column. */
  project(batch: RecordBatch): RecordBatch {
    for (const f of batch.schema.fields) {
      if (!this.allNames.has(f.name)) {
        throw new SchemaError(
          `column "${f.name}" of the data is not in the schema of ${this.table}; drop it, or evolve the schema (schemaMode 'merge') before writing`,
        );
      }
    }
    const fields: Field[] = [];
    const children: Data[] = [];
    for (const f of this.dataFields) {
      const idx = batch.schema.fields.findIndex((x) => x.name === f.name);
      const input = batch.schema.fields[idx];
      const raw = batch.data.children[idx];
      const data = raw !== undefined && raw.type.typeId === Type.Dictionary ? decodeDictionary(raw) : raw;
      if (raw !== undefined && data === undefined) {
        throw new SchemaError(`dictionary-encoded column "${f.name}" of the data for ${this.table} could not be decoded; cast it to its plain value type before writing`);
      }
      if (input === undefined || data === undefined) {
        throw new SchemaError(`column "${f.name}" of ${this.table} is missing from the data; add it (as nulls if need be) before writing`);
      }
      const got = fromArrowType(input.type, f.name);
      if (typeToString(got) !== typeToString(f.type)) {
        throw new SchemaError(
          `column "${f.name}" of ${this.table} has type ${typeToString(f.type)} but the data has ${typeToString(got)} (Arrow ${String(input.type)}); cast the column to the table's type`,
        );
      }
      if (!f.nullable && data.nullCount > 0) {
        throw new SchemaError(`column "${f.name}" of ${this.table} is NOT NULL but the data holds ${data.nullCount} nulls in it; filter or fill them before writing`);
      }
      const renamed = this.relabel(data, f.type);
      fields.push(new Field(physicalName(f, this.mode), renamed.type, f.nullable, this.fieldMetadata(f)));
      children.push(renamed);
    }
    const schema = new Schema(fields);
    return new RecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
  }

  /** The logical schema of the data columns (partition columns excluded). */
  get dataSchema(): StructType {
    return { type: 'struct', fields: this.dataFields };
  }

  /** The full logical table schema. */
  get tableSchema(): StructType {
    return this.schema;
  }

  private fieldMetadata(f: StructField): Map<string, string> | null {
    if (this.mode === 'none') return null;
    const id = fieldId(f);
    return id === undefined ? null : new Map([[PARQUET_FIELD_ID_KEY, String(id)]]);
  }

  /** Rebuilds `data`'s type with physical struct field names (buffers are shared, not copied). */
  private relabel(data: Data, type: DataType): Data {
    if (this.mode === 'none' || typeof type === 'string' || type.type === 'decimal') return data;
    const t = data.type as ArrowType;
    if (type.type === 'struct' && t.typeId === Type.Struct) {
      const inFields = (t as Struct).children;
      const fields: Field[] = [];
      const children: Data[] = [];
      for (const f of type.fields) {
        const i = inFields.findIndex((x) => x.name === f.name);
        const child = data.children[i];
        if (child === undefined) throw new SchemaError(`nested column "${f.name}" of ${this.table} is missing from the data; add it before writing`);
        const renamed = this.relabel(child, f.type);
        fields.push(new Field(physicalName(f, this.mode), renamed.type, f.nullable, this.fieldMetadata(f)));
        children.push(renamed);
      }
      return data.clone(new Struct(fields), data.offset, data.length, data.nullCount, undefined, children);
    }
    if (type.type === 'array' && data.children.length === 1 && (t.typeId === Type.List || t.typeId === Type.LargeList || t.typeId === Type.FixedSizeList)) {
      const child = this.relabel(data.children[0]!, type.elementType);
      const elem = t.children[0]!;
      const listType = cloneWithChild(t, new Field(elem.name, child.type, elem.nullable, elem.metadata));
      return data.clone(listType, data.offset, data.length, data.nullCount, undefined, [child]);
    }
    if (type.type === 'map' && t.typeId === Type.Map) {
      const entries = data.children[0]!;
      const key = this.relabel(entries.children[0]!, type.keyType);
      const value = this.relabel(entries.children[1]!, type.valueType);
      const entryType = entries.type as Struct;
      const [kf, vf] = [entryType.children[0]!, entryType.children[1]!];
      const newEntries = entries.clone(
        new Struct([new Field(kf.name, key.type, kf.nullable, kf.metadata), new Field(vf.name, value.type, vf.nullable, vf.metadata)]),
        entries.offset,
        entries.length,
        entries.nullCount,
        undefined,
        [key, value],
      );
      const entriesField = t.children[0]!;
      const mapType = cloneWithChild(t, new Field(entriesField.name, newEntries.type, entriesField.nullable, entriesField.metadata));
      return data.clone(mapType, data.offset, data.length, data.nullCount, undefined, [newEntries]);
    }
    return data;
  }
}

/** A copy of a list/map type whose single child field is `child` (the constructor differs per type). */
function cloneWithChild(t: ArrowType, child: Field): ArrowType {
  const copy = Object.create(Object.getPrototypeOf(t) as object) as ArrowType & { children: Field[] };
  Object.assign(copy, t);
  copy.children = [child];
  return copy;
}
