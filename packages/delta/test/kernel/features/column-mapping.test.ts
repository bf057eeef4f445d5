import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC, Type, type DataType as ArrowDataType } from 'apache-arrow';
import { readParquet } from 'parquet-wasm';
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import {
  columnMappingMode,
  fieldId,
  logicalToPhysicalSchema,
  physicalName,
  physicalNamesByLogical,
} from '../../../src/kernel/features/column-mapping.js';
import { parseSchema } from '../../../src/kernel/schema/parse.js';
import type { DataType, StructField, StructType } from '../../../src/kernel/schema/types.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const golden = path.resolve(repoRoot, '../shared/fixtures/delta-golden');

const field = (name: string, type: DataType, id?: number, phys?: string): StructField => ({
  name,
  type,
  nullable: true,
  metadata: id === undefined ? {} : { 'delta.columnMapping.id': id, 'delta.columnMapping.physicalName': phys ?? `col-${id}` },
});

const nested: StructType = {
  type: 'struct',
  fields: [
    field('id', 'long', 1),
    field('s', { type: 'struct', fields: [field('a', 'string', 3), field('b', { type: 'struct', fields: [field('c', 'integer', 4)] }, 5)] }, 2),
    field('arr', { type: 'array', elementType: { type: 'struct', fields: [field('x', 'double', 7)] }, containsNull: true }, 6),
    field(
      'm',
      {
        type: 'map',
        keyType: { type: 'struct', fields: [field('k', 'string', 9)] },
        valueType: { type: 'array', elementType: { type: 'struct', fields: [field('v', 'date', 10)] }, containsNull: false },
        valueContainsNull: true,
      },
      8,
    ),
    field('d', { type: 'decimal', precision: 10, scale: 2 }, 11),
  ],
};

describe('columnMappingMode', () => {
  it.each([
    [{}, 'none'],
    [{ 'delta.columnMapping.mode': 'none' }, 'none'],
    [{ 'delta.columnMapping.mode': 'name' }, 'name'],
    [{ 'delta.columnMapping.mode': 'id' }, 'id'],
    [{ 'delta.columnMapping.mode': 'NAME' }, 'name'],
  ])('reads %j as %s', (configuration, mode) => {
    expect(columnMappingMode(configuration)).toBe(mode);
  });

  it('treats a missing configuration as none', () => {
    expect(columnMappingMode(undefined)).toBe('none');
  });

  it('rejects an unknown mode with a protocol error naming the value', () => {
    try {
      columnMappingMode({ 'delta.columnMapping.mode': 'position' });
      expect.unreachable();
    } catch (e) {
      expect(isDuckrunError(e, 'DELTA_PROTOCOL')).toBe(true);
      expect((e as Error).message).toMatch(/"position"/);
    }
  });
});

describe('physicalName and fieldId', () => {
  it('uses the display name in mode none even when a physical name exists', () => {
    expect(physicalName(field('a', 'long', 1, 'col-x'), 'none')).toBe('a');
  });

  it('uses delta.columnMapping.physicalName in modes name and id', () => {
    expect(physicalName(field('a', 'long', 1, 'col-x'), 'name')).toBe('col-x');
    expect(physicalName(field('a', 'long', 1, 'col-x'), 'id')).toBe('col-x');
  });

  it('refuses a mapped table whose field lacks a physical name', () => {
    try {
      physicalName(field('a', 'long'), 'name');
      expect.unreachable();
    } catch (e) {
      expect(isDuckrunError(e, 'DELTA_SCHEMA')).toBe(true);
      expect((e as Error).message).toMatch(/column "a" has no delta\.columnMapping\.physicalName/);
    }
  });

  it('returns the column id, or undefined when there is none', () => {
    expect(fieldId(field('a', 'long', 42))).toBe(42);
    expect(fieldId(field('a', 'long'))).toBeUndefined();
  });

  it('rejects an id that is not a 32-bit integer', () => {
    const bad: StructField = { name: 'a', type: 'long', nullable: true, metadata: { 'delta.columnMapping.id': 2 ** 40 } };
    expect(() => fieldId(bad)).toThrow(/not a 32-bit integer/);
  });
});

describe('logicalToPhysicalSchema', () => {
  it('renames fields nested in structs, arrays and map keys and values', () => {
    const physical = logicalToPhysicalSchema(nested, 'name');
    expect(physical).toEqual({
      type: 'struct',
      fields: [
        field('col-1', 'long', 1),
        field('col-2', { type: 'struct', fields: [field('col-3', 'string', 3), field('col-5', { type: 'struct', fields: [field('col-4', 'integer', 4)] }, 5)] }, 2),
        field('col-6', { type: 'array', elementType: { type: 'struct', fields: [field('col-7', 'double', 7)] }, containsNull: true }, 6),
        field(
          'col-8',
          {
            type: 'map',
            keyType: { type: 'struct', fields: [field('col-9', 'string', 9)] },
            valueType: { type: 'array', elementType: { type: 'struct', fields: [field('col-10', 'date', 10)] }, containsNull: false },
            valueContainsNull: true,
          },
          8,
        ),
        field('col-11', { type: 'decimal', precision: 10, scale: 2 }, 11),
      ],
    });
  });

  it('keeps field ids in the metadata for id mode', () => {
    const physical = logicalToPhysicalSchema(nested, 'id');
    expect(physical.fields.map((f) => fieldId(f))).toEqual([1, 2, 6, 8, 11]);
  });

  it('returns the same schema in mode none', () => {
    expect(logicalToPhysicalSchema(nested, 'none')).toBe(nested);
  });

  it('maps top-level logical names to physical names', () => {
    expect(physicalNamesByLogical(nested, 'name').get('arr')).toBe('col-6');
    expect(physicalNamesByLogical(nested, 'none').get('arr')).toBe('arr');
  });
});

/** Struct field names of an Arrow type, recursively, as `a.b` paths (list/map wrappers skipped). */
function arrowNames(type: ArrowDataType, prefix: string, out: string[]): string[] {
  const children = type.children ?? [];
  if (type.typeId === Type.Struct) {
    for (const c of children) {
      out.push(`${prefix}${c.name}`);
      arrowNames(c.type, `${prefix}${c.name}.`, out);
    }
  } else if (type.typeId === Type.Map) {
    for (const kv of children[0]?.type.children ?? []) arrowNames(kv.type, prefix, out);
  } else {
    for (const c of children) arrowNames(c.type, prefix, out);
  }
  return out;
}

function deltaNames(type: DataType, prefix: string, out: string[]): string[] {
  if (typeof type === 'string') return out;
  if (type.type === 'struct') {
    for (const f of type.fields) {
      out.push(`${prefix}${f.name}`);
      deltaNames(f.type, `${prefix}${f.name}.`, out);
    }
  } else if (type.type === 'array') {
    deltaNames(type.elementType, prefix, out);
  } else if (type.type === 'map') {
    deltaNames(type.keyType, prefix, out);
    deltaNames(type.valueType, prefix, out);
  }
  return out;
}

describe.each(['table-with-columnmapping-mode-name', 'table-with-columnmapping-mode-id'])('golden table %s', (name) => {
  const table = path.join(golden, name, 'delta');
  describe.skipIf(!fs.existsSync(table))('(needs ../shared/fixtures/delta-golden; skipped when it is absent)', () => {
    it('gives the physical schema exactly the column names of its parquet data files, nested ones included', () => {
      const commit = fs.readFileSync(path.join(table, '_delta_log/00000000000000000000.json'), 'utf8');
      const metaData = commit
        .split('\n')
        .filter((l) => l.includes('"metaData"'))
        .map((l) => (JSON.parse(l) as { metaData: { schemaString: string; configuration: Record<string, string> } }).metaData)[0]!;
      const mode = columnMappingMode(metaData.configuration);
      expect(mode).toBe(name.endsWith('name') ? 'name' : 'id');
      const physical = logicalToPhysicalSchema(parseSchema(metaData.schemaString), mode);
      const dataFile = fs.readdirSync(table).find((f) => f.endsWith('.parquet'))!;
      const arrow = tableFromIPC(readParquet(new Uint8Array(fs.readFileSync(path.join(table, dataFile)))).intoIPCStream());
      const fileNames = arrow.schema.fields.flatMap((f) => [f.name, ...arrowNames(f.type, `${f.name}.`, [])]);
      expect(deltaNames(physical, '', [])).toEqual(fileNames);
    });
  });
});
