// Which target files a MERGE must read. A target row can only match when every conjunct of the ON condition
// holds, so each conjunct `t.k = s.j` limits t.k to the source's values of j: for a partition column the
// partitions of those values, for a data column the files whose min/max range overlaps the source's range.
// Conjuncts over the target alone (`t.day = '2024-05-01'`) prune as a WHERE would. Nothing else prunes.
import type { ScanFile } from '@duckrun/delta';
import type { Engine } from '../engine/engine.js';
import { pruningConjuncts } from '../sql/delta-scan-calls.js';
import { quoteIdentifier, quoteString } from '../sql/literals.js';
import { identifierName, significantTokens, tokenize, type Token } from '../sql/tokenize.js';
import { candidateFiles, findColumn, type DmlTarget } from './target.js';

/** A conjunct `target.column = source.column`. */
export interface KeyEquality {
  readonly targetColumn: string;
  readonly sourceColumn: string;
}

/** The ON condition's `t.a = s.b` conjuncts (either order), with t's column resolved in the table schema. */
export function keyEqualities(condition: string, target: DmlTarget, targetAlias: string, sourceAlias: string, sourceColumns: readonly string[]): KeyEquality[] {
  const out: KeyEquality[] = [];
  for (const conjunct of pruningConjuncts(condition)) {
    const t = significantTokens(tokenize(conjunct));
    while (t.length >= 2 && t[0]!.text === '(' && t[t.length - 1]!.text === ')') {
      t.shift();
      t.pop();
    }
    if (t.length !== 7 || t[3]!.text !== '=' || t[1]!.text !== '.' || t[5]!.text !== '.') continue;
    const left = qualified(t[0]!, t[2]!);
    const right = qualified(t[4]!, t[6]!);
    if (left === undefined || right === undefined) continue;
    const pair = sameName(left.qualifier, targetAlias) && sameName(right.qualifier, sourceAlias) ? [left, right] : sameName(right.qualifier, targetAlias) && sameName(left.qualifier, sourceAlias) ? [right, left] : undefined;
    if (pair === undefined) continue;
    const targetColumn = findColumn(target.snapshot, pair[0]!.name);
    const sourceColumn = sourceColumns.find((c) => c.toLowerCase() === pair[1]!.name.toLowerCase());
    if (targetColumn !== undefined && sourceColumn !== undefined) out.push({ targetColumn, sourceColumn });
  }
  return out;
}

/**
 * The target files that may hold a row matching the condition, given the source table `source` (a DuckDB
 * table) and its column types (DuckDB type names).
 */
export async function mergeCandidates(
  engine: Engine,
  target: DmlTarget,
  condition: string,
  aliases: { readonly target: string; readonly source: string },
  source: { readonly table: string; readonly columns: ReadonlyMap<string, string> },
): Promise<readonly ScanFile[]> {
  const filters = [...pruningConjuncts(condition)];
  const partitions = new Set(target.snapshot.partitionColumns);
  const t = quoteIdentifier(aliases.target);
  for (const key of keyEqualities(condition, target, aliases.target, aliases.source, [...source.columns.keys()])) {
    const col = `${t}.${quoteIdentifier(key.targetColumn)}`;
    const sourceCol = quoteIdentifier(key.sourceColumn);
    if (partitions.has(key.targetColumn)) {
      // Evaluated by DuckDB per file against its partition values: exactly the partitions the source names.
      filters.push(`${col} IN (SELECT ${sourceCol} FROM ${quoteIdentifier(source.table)})`);
      continue;
    }
    const bounds = await engine.query(`SELECT min(${sourceCol})::VARCHAR AS lo, max(${sourceCol})::VARCHAR AS hi FROM ${quoteIdentifier(source.table)}`);
    const lo = bounds.getChild('lo')?.get(0) as string | null;
    const hi = bounds.getChild('hi')?.get(0) as string | null;
    const literal = literalFor(source.columns.get(key.sourceColumn) ?? '');
    if (lo === null || hi === null || literal === undefined) continue;
    filters.push(`${col} >= ${literal(lo)}`, `${col} <= ${literal(hi)}`);
  }
  return candidateFiles(engine, target.snapshot, filters, aliases.target);
}

/** How a value of a DuckDB type is written as a literal the stats pruner understands. */
function literalFor(duckType: string): ((text: string) => string) | undefined {
  const type = duckType.toUpperCase();
  if (/^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|DOUBLE|FLOAT|DECIMAL.*)$/.test(type)) return (v) => v;
  if (type === 'VARCHAR') return quoteString;
  if (type === 'DATE') return (v) => `DATE ${quoteString(v)}`;
  if (type === 'TIMESTAMP') return (v) => `TIMESTAMP ${quoteString(v)}`;
  if (type === 'TIMESTAMP WITH TIME ZONE' || type === 'TIMESTAMPTZ') return (v) => `TIMESTAMPTZ ${quoteString(v)}`;
  return undefined;
}

function qualified(q: Token, n: Token): { qualifier: string; name: string } | undefined {
  const ok = (x: Token): boolean => x.kind === 'identifier' || x.kind === 'quoted-identifier';
  return ok(q) && ok(n) ? { qualifier: identifierName(q), name: identifierName(n) } : undefined;
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
