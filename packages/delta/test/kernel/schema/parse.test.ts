import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isDuckrunError } from '@duckrun/storage';
import { parseSchema, serializeSchema } from '../../../src/kernel/schema/parse.js';
import { typeToString, type StructType } from '../../../src/kernel/schema/types.js';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const golden = path.resolve(repoRoot, '../shared/fixtures/delta-golden');
const haveGolden = fs.existsSync(golden);

// The example of PROTOCOL.md "Schema Serialization Format", compacted.
const PROTOCOL_EXAMPLE = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'a', type: 'integer', nullable: false, metadata: {} },
    { name: 'b', type: { type: 'struct', fields: [{ name: 'd', type: 'integer', nullable: false, metadata: {} }] }, nullable: true, metadata: {} },
    { name: 'c', type: { type: 'array', elementType: 'integer', containsNull: false }, nullable: true, metadata: {} },
    {
      name: 'e',
      type: {
        type: 'array',
        elementType: { type: 'struct', fields: [{ name: 'd', type: 'integer', nullable: false, metadata: {} }] },
        containsNull: true,
      },
      nullable: true,
      metadata: {},
    },
    { name: 'f', type: { type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true }, nullable: true, metadata: {} },
  ],
});

function expectSchemaError(text: string, message: RegExp): void {
  try {
    parseSchema(text);
    expect.unreachable();
  } catch (e) {
    expect(isDuckrunError(e, 'DELTA_SCHEMA')).toBe(true);
    expect((e as Error).message).toMatch(message);
  }
}

describe('parseSchema', () => {
  it('parses the nested example of PROTOCOL.md into structs, arrays and maps', () => {
    const schema = parseSchema(PROTOCOL_EXAMPLE);
    expect(schema.fields.map((f) => `${f.name}:${typeToString(f.type)}:${f.nullable}`)).toEqual([
      'a:integer:false',
      'b:struct<d:integer>:true',
      'c:array<integer>:true',
      'e:array<struct<d:integer>>:true',
      'f:map<string,string>:true',
    ]);
    expect(schema.fields[2]?.type).toEqual({ type: 'array', elementType: 'integer', containsNull: false });
    expect(schema.fields[4]?.type).toEqual({ type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true });
  });

  it('serializes back to the exact JSON it was parsed from', () => {
    expect(serializeSchema(parseSchema(PROTOCOL_EXAMPLE))).toBe(PROTOCOL_EXAMPLE);
  });

  it.each([
    ['decimal(10,2)', { type: 'decimal', precision: 10, scale: 2 }],
    ['decimal(38, 0)', { type: 'decimal', precision: 38, scale: 0 }],
    ['decimal', { type: 'decimal', precision: 10, scale: 0 }],
    ['timestamp_ntz', 'timestamp_ntz'],
    ['variant', 'variant'],
    ['void', 'void'],
    ['byte', 'byte'],
  ])('recognises the type %s', (name, expected) => {
    const schema = parseSchema(JSON.stringify({ type: 'struct', fields: [{ name: 'x', type: name, nullable: true, metadata: {} }] }));
    expect(schema.fields[0]?.type).toEqual(expected);
  });

  it('writes decimals without spaces', () => {
    const schema = parseSchema('{"type":"struct","fields":[{"name":"d","type":"decimal(5, 1)","nullable":true,"metadata":{}}]}');
    expect(serializeSchema(schema)).toBe('{"type":"struct","fields":[{"name":"d","type":"decimal(5,1)","nullable":true,"metadata":{}}]}');
  });

  it('keeps column metadata, including column mapping ids and nested JSON values', () => {
    const text = JSON.stringify({
      type: 'struct',
      fields: [
        {
          name: 'x',
          type: 'long',
          nullable: true,
          metadata: { 'delta.columnMapping.id': 5, 'delta.columnMapping.physicalName': 'col-1', other: { a: [1, 'b', null] } },
        },
      ],
    });
    const schema = parseSchema(text);
    expect(schema.fields[0]?.metadata).toEqual({ 'delta.columnMapping.id': 5, 'delta.columnMapping.physicalName': 'col-1', other: { a: [1, 'b', null] } });
    expect(serializeSchema(schema)).toBe(text);
  });

  it('defaults a missing metadata to {} and a missing nullable to true', () => {
    const schema = parseSchema('{"type":"struct","fields":[{"name":"x","type":"string"}]}');
    expect(schema.fields[0]).toEqual({ name: 'x', type: 'string', nullable: true, metadata: {} });
  });

  it.each([
    ['bad JSON', '{"type":', /not valid JSON/],
    ['a non-struct top level', '"integer"', /must be a struct/],
    ['an unknown primitive', '{"type":"struct","fields":[{"name":"a","type":"interval","nullable":true,"metadata":{}}]}', /field "a" has unknown type "interval"/],
    [
      'an unknown type nested in an array of structs',
      '{"type":"struct","fields":[{"name":"a","type":{"type":"array","elementType":{"type":"struct","fields":[{"name":"b","type":"uuid"}]},"containsNull":true}}]}',
      /field "a\.element\.b" has unknown type "uuid"/,
    ],
    ['a decimal precision above 38', '{"type":"struct","fields":[{"name":"d","type":"decimal(39,0)"}]}', /precision <= 38/],
    ['a decimal scale above its precision', '{"type":"struct","fields":[{"name":"d","type":"decimal(5,6)"}]}', /scale <= precision/],
    ['a field without a name', '{"type":"struct","fields":[{"type":"long"}]}', /"#0" has no string "name"/],
    ['a map without a value type', '{"type":"struct","fields":[{"name":"m","type":{"type":"map","keyType":"string"}}]}', /field "m" is a map without/],
    ['a non-boolean nullable', '{"type":"struct","fields":[{"name":"n","type":"long","nullable":"yes"}]}', /"n\.nullable" is string "yes"/],
    ['a struct without fields', '{"type":"struct"}', /without a "fields" array/],
  ])('rejects %s with a SchemaError naming the problem', (_name, text, message) => {
    expectSchemaError(text, message);
  });
});

function goldenSchemas(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const table of fs.readdirSync(golden)) {
    const log = path.join(golden, table, 'delta', '_delta_log');
    if (!fs.existsSync(log)) continue;
    for (const name of fs.readdirSync(log).filter((n) => n.endsWith('.json'))) {
      for (const line of fs.readFileSync(path.join(log, name), 'utf8').split('\n')) {
        if (!line.includes('"metaData"')) continue;
        const schemaString = (JSON.parse(line) as { metaData?: { schemaString?: string } }).metaData?.schemaString;
        if (schemaString !== undefined) out.push([`${table}/${name}`, schemaString]);
      }
    }
  }
  return out;
}

describe.skipIf(!haveGolden)('schemas of the golden tables (needs ../shared/fixtures/delta-golden; skipped when it is absent)', () => {
  const schemas = haveGolden ? goldenSchemas() : [];

  it('parses every schemaString of every golden table and serializes it back byte for byte', () => {
    expect(schemas.length).toBeGreaterThan(50);
    for (const [where, text] of schemas) {
      const schema: StructType = parseSchema(text);
      expect(serializeSchema(schema), where).toBe(text);
    }
  });
});
