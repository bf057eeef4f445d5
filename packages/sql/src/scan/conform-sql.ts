// SQL expressions that turn a column as DuckDB's read_parquet gives it (physical names, the file's types) into
// the table's logical column, converting exactly as the Arrow path's conformData does (renames, NULL for
// fields missing in older files, integer/float/decimal widening, timestamps floored to microseconds).
// Anything that cannot be matched value for value throws NativeScanUnsupported, and the caller falls back.
import { physicalName, type ColumnMappingMode, type DataType } from '@duckrun/delta';
import { quoteIdentifier, quoteString } from '../sql/literals.js';
import { duckTypeOfDelta, renderDuckType, type DuckType } from './duckdb-type.js';

/** The native read_parquet path cannot give exactly the Arrow path's values; `message` says why. */
export class NativeScanUnsupported extends Error {}

const SIGNED_INTS = ['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT'];
// UBIGINT is left out: values past 2^63 would fail the cast where the Arrow path wraps them.
const INTS = [...SIGNED_INTS, 'UTINYINT', 'USMALLINT', 'UINTEGER'];
const TIMESTAMPS = ['TIMESTAMP', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP_MS', 'TIMESTAMP_S', 'TIMESTAMP_NS'];

/** Which source primitives convert to a target primitive with the same values as the Arrow path. */
function convertible(source: string, target: string): boolean {
  if (SIGNED_INTS.includes(target)) return INTS.includes(source);
  if (target === 'FLOAT' || target === 'DOUBLE') return INTS.includes(source) || source === 'FLOAT' || source === 'DOUBLE';
  if (target.startsWith('DECIMAL(')) return source.startsWith('DECIMAL(');
  if (target === 'TIMESTAMP' || target === 'TIMESTAMP WITH TIME ZONE') return TIMESTAMPS.includes(source);
  // VARCHAR ↔ BLOB casts escape or unescape bytes (the Arrow path reinterprets them), so they stay out.
  return false;
}

/** The logical value of a column: `expr` (a `source`-typed value) converted to Delta type `target`. */
export function conformExpression(expr: string, source: DuckType, target: DataType, mode: ColumnMappingMode, where: string): string {
  return conform(expr, source, target, mode, where, 0) ?? expr;
}

/** The DuckDB type of a Delta type, or NativeScanUnsupported for types read only by the Arrow path. */
export function requireDuckType(type: DataType, where: string): DuckType {
  const t = duckTypeOfDelta(type);
  if (t === undefined) throw new NativeScanUnsupported(`column ${where} has type ${JSON.stringify(type)}, which read_parquet does not return as the Arrow path does`);
  return t;
}

/** `expr` converted, or undefined when it already is the target value (no expression needed). */
function conform(expr: string, source: DuckType, target: DataType, mode: ColumnMappingMode, where: string, depth: number): string | undefined {
  const want = requireDuckType(target, where);
  if (typeof target === 'string' || target.type === 'decimal') {
    if (source.kind !== 'primitive' || want.kind !== 'primitive') throw mismatch(where, source, want);
    if (source.name === want.name) return undefined;
    if (!convertible(source.name, want.name)) throw mismatch(where, source, want);
    if (source.name === 'TIMESTAMP_NS') {
      // DuckDB's cast truncates toward zero; the Arrow path floors (pre-1970 instants go to the earlier microsecond).
      const ns = `epoch_ns(${expr})`;
      return `CAST(make_timestamp(${ns} // 1000 - CASE WHEN ${ns} % 1000 < 0 THEN 1 ELSE 0 END) AS ${want.name})`;
    }
    // TIMESTAMP ↔ TIMESTAMP WITH TIME ZONE casts read the session time zone, which the native engine pins to UTC.
    return `CAST(${expr} AS ${want.name})`;
  }
  switch (target.type) {
    case 'struct': {
      if (source.kind !== 'struct') throw mismatch(where, source, want);
      let changed = source.fields.length !== target.fields.length;
      const parts = target.fields.map((f, i) => {
        const idx = findSourceField(source.fields, physicalName(f, mode));
        const name = `${where}.${f.name}`;
        if (idx < 0) {
          changed = true;
          return `${quoteIdentifier(f.name)} := CAST(NULL AS ${renderDuckType(requireDuckType(f.type, name))})`;
        }
        const src = source.fields[idx]!;
        const child = `struct_extract(${expr}, ${quoteString(src.name)})`;
        const value = conform(child, src.type, f.type, mode, name, depth + 1);
        if (value !== undefined || idx !== i || src.name !== f.name) changed = true;
        return `${quoteIdentifier(f.name)} := ${value ?? child}`;
      });
      if (!changed) return undefined;
      // struct_pack would turn a NULL struct into a struct of NULLs.
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE struct_pack(${parts.join(', ')}) END`;
    }
    case 'array': {
      if (source.kind !== 'list') throw mismatch(where, source, want);
      const v = `__duckrun_e${depth}`;
      const element = conform(v, source.element, target.elementType, mode, `${where}[]`, depth + 1);
      return element === undefined ? undefined : `list_transform(${expr}, lambda ${v}: ${element})`;
    }
    case 'map': {
      if (source.kind !== 'map') throw mismatch(where, source, want);
      const v = `__duckrun_e${depth}`;
      const key = conform(`${v}.key`, source.key, target.keyType, mode, `${where}.key`, depth + 1);
      const value = conform(`${v}.value`, source.value, target.valueType, mode, `${where}.value`, depth + 1);
      if (key === undefined && value === undefined) return undefined;
      const entry = `struct_pack(key := ${key ?? `${v}.key`}, value := ${value ?? `${v}.value`})`;
      return `CASE WHEN ${expr} IS NULL THEN NULL ELSE map_from_entries(list_transform(map_entries(${expr}), lambda ${v}: ${entry})) END`;
    }
  }
}

/** The source field for a physical name: exact, then case-insensitively (as the Arrow path's findSourceField). */
export function findSourceField(fields: readonly { readonly name: string }[], name: string): number {
  const exact = fields.findIndex((f) => f.name === name);
  if (exact >= 0) return exact;
  const lower = name.toLowerCase();
  return fields.findIndex((f) => f.name.toLowerCase() === lower);
}

function mismatch(where: string, source: DuckType, target: DuckType): NativeScanUnsupported {
  return new NativeScanUnsupported(`column ${where} is ${renderDuckType(source)} in the data files, not convertible to ${renderDuckType(target)} as the Arrow path converts it`);
}
