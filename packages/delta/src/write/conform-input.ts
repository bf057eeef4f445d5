// Brings input batches to the table's logical Arrow schema before they are split and encoded: columns in
// table order under the table's names, missing nullable columns as nulls, implicit lossless widening,
// timestamps in microseconds. Column types were already checked by resolveWriteSchema.

import { Field, RecordBatch, Schema, Struct, Type, makeData, type Data } from 'apache-arrow';
import { SchemaError } from '../errors.js';
import { toArrowType } from '../kernel/schema/arrow.js';
import type { StructType } from '../kernel/schema/types.js';
import { conformData, nullData } from '../scan/conform.js';
import { decodeDictionary } from '../arrow/take.js';

/** Converts batches with the data's schema to batches with the table's logical schema. */
export class InputConformer {
  private readonly arrowFields: Field[];

  constructor(
    private readonly schema: StructType,
    private readonly table: string,
  ) {
    this.arrowFields = schema.fields.map((f) => new Field(f.name, toArrowType(f.type), f.nullable));
  }

  /** The batch with exactly the table's columns, in table order, with the table's Arrow types. */
  conform(batch: RecordBatch): RecordBatch {
    const byName = new Map<string, number>();
    batch.schema.fields.forEach((f, i) => byName.set(f.name.toLowerCase(), i));
    const children: Data[] = this.schema.fields.map((field, i) => {
      const target = this.arrowFields[i]!;
      const idx = byName.get(field.name.toLowerCase());
      if (idx === undefined) return nullData(target.type, batch.numRows);
      let data = batch.data.children[idx]!;
      if (!field.nullable && data.nullCount > 0) {
        throw new SchemaError(`column "${field.name}" of ${this.table} is NOT NULL but the data holds ${data.nullCount} nulls in it; filter or fill them before writing`);
      }
      if (data.type.typeId === Type.Dictionary) {
        const plain = decodeDictionary(data);
        if (plain === undefined) {
          throw new SchemaError(`dictionary-encoded column "${field.name}" of the data for ${this.table} could not be decoded; cast it to its plain value type before writing`);
        }
        data = plain;
      }
      if (String(data.type) === String(target.type) && data.type.typeId !== Type.Struct) return data;
      try {
        return conformData(data, target.type, field.type, 'none', field.name);
      } catch (e) {
        throw new SchemaError(
          `column "${field.name}" of the data (${String(data.type)}) cannot be written to ${this.table} as ${String(target.type)}: ${(e as Error).message}; cast it first`,
          { cause: e },
        );
      }
    });
    return new RecordBatch(
      new Schema(this.arrowFields),
      makeData({ type: new Struct(this.arrowFields), length: batch.numRows, nullCount: 0, children }),
    );
  }
}
