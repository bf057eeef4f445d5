// Recognises the row-level and DDL statements routed to Delta: UPDATE, DELETE, ALTER TABLE … ADD COLUMN,
// DROP TABLE and CREATE TABLE name (column definitions). Forms Delta cannot express through the writer
// (UPDATE … FROM, DELETE … USING, RETURNING, MERGE) fail here with a pointer to what to use instead.
import { WriteStatementError } from '../errors.js';
import { identifierName, isWord, type Token } from '../sql/tokenize.js';
import { tableNameText, type TableName } from './table-name.js';

/** `UPDATE name [[AS] alias] SET col = expr, … [WHERE predicate]`. */
export interface UpdateStatement {
  readonly kind: 'update';
  readonly table: TableName;
  /** The name columns may be qualified with (the alias, else the table's last name part). */
  readonly alias: string;
  readonly set: ReadonlyArray<readonly [column: string, expression: string]>;
  readonly where?: string;
}

/** `DELETE FROM name [[AS] alias] [WHERE predicate]`. */
export interface DeleteStatement {
  readonly kind: 'delete';
  readonly table: TableName;
  readonly alias: string;
  readonly where?: string;
}

/** `ALTER TABLE name ADD [COLUMN] [IF NOT EXISTS] column type`. */
export interface AddColumnStatement {
  readonly kind: 'add-column';
  readonly table: TableName;
  readonly column: string;
  /** The column's DuckDB type as written. */
  readonly type: string;
  readonly ifNotExists: boolean;
}

/** `DROP TABLE [IF EXISTS] name`: a soft tombstone; the files and history stay. */
export interface DropStatement {
  readonly kind: 'drop';
  readonly table: TableName;
  readonly ifExists: boolean;
}

/** `CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name (column definitions)`: an empty table. */
export interface CreateEmptyStatement {
  readonly kind: 'create-empty';
  readonly table: TableName;
  readonly mode: 'error' | 'overwrite' | 'ignore';
  /** The text between the parentheses, as written (DuckDB parses it). */
  readonly columns: string;
}

export type DmlStatement = UpdateStatement | DeleteStatement | AddColumnStatement | DropStatement | CreateEmptyStatement;

type NameAt = { name: TableName; next: number };
type ParseName = (tokens: Token[], i: number) => NameAt | undefined;

const MERGE_HINT = 'use DeltaTable.forName(conn, name).merge(source, condition) from the connect() API';

/** `UPDATE …` starting at token 0. */
export function parseUpdate(tokens: Token[], sql: string, parseName: ParseName, depth: readonly number[]): UpdateStatement {
  const at = parseName(tokens, 1);
  if (at === undefined) throw new WriteStatementError('UPDATE needs a table name, e.g. UPDATE orders SET status = \'done\' WHERE id = 1');
  const text = tableNameText(at.name);
  const { alias, next } = aliasAt(tokens, at);
  if (!isWord(tokens[next], 'set')) throw new WriteStatementError(`UPDATE ${text} must be followed by SET column = value, …`);
  const clauses = topLevelWords(tokens, depth, next + 1);
  if (clauses.from !== undefined) {
    throw new WriteStatementError(`UPDATE ${text} … FROM is not supported on Delta tables (it is a join); ${MERGE_HINT} with whenMatchedUpdate`);
  }
  refuseReturning(clauses, `UPDATE ${text}`);
  const setEnd = clauses.where ?? tokens.length;
  const set: [string, string][] = [];
  for (const item of splitTopLevel(tokens, depth, next + 1, setEnd)) {
    const eq = item.findIndex((t) => t.text === '=');
    if (eq < 1 || eq === item.length - 1) throw new WriteStatementError(`UPDATE ${text}: each SET item must be column = expression`);
    const target = item.slice(0, eq).filter((t) => t.text !== '.');
    const column = target[target.length - 1]!;
    if (column.kind !== 'identifier' && column.kind !== 'quoted-identifier') throw new WriteStatementError(`UPDATE ${text}: "${sql.slice(item[0]!.start, item[eq]!.start).trim()}" is not a column name`);
    set.push([identifierName(column), sql.slice(item[eq + 1]!.start, item[item.length - 1]!.end)]);
  }
  if (set.length === 0) throw new WriteStatementError(`UPDATE ${text} needs at least one column = value after SET`);
  const where = clauses.where === undefined ? undefined : fragment(tokens, clauses.where + 1, tokens.length, sql, `UPDATE ${text} … WHERE`);
  return { kind: 'update', table: at.name, alias, set, ...(where !== undefined ? { where } : {}) };
}

/** `DELETE FROM …` starting at token 0. */
export function parseDelete(tokens: Token[], sql: string, parseName: ParseName, depth: readonly number[]): DeleteStatement | undefined {
  const at = parseName(tokens, 2);
  if (at === undefined) throw new WriteStatementError('DELETE FROM needs a table name, e.g. DELETE FROM orders WHERE id = 1');
  const text = tableNameText(at.name);
  const { alias, next } = aliasAt(tokens, at);
  const clauses = topLevelWords(tokens, depth, next);
  if (clauses.using !== undefined) {
    throw new WriteStatementError(`DELETE FROM ${text} USING … is not supported on Delta tables (it is a join); use WHERE … IN (SELECT …), or ${MERGE_HINT} with whenMatchedDelete`);
  }
  refuseReturning(clauses, `DELETE FROM ${text}`);
  if (next < tokens.length && clauses.where !== next) throw new WriteStatementError(`DELETE FROM ${text}: expected WHERE after the table name`);
  const where = clauses.where === undefined ? undefined : fragment(tokens, clauses.where + 1, tokens.length, sql, `DELETE FROM ${text} WHERE`);
  return { kind: 'delete', table: at.name, alias, ...(where !== undefined ? { where } : {}) };
}

/** `ALTER TABLE …` starting at token 0; only ADD COLUMN is routed, other forms are refused. */
export function parseAlter(tokens: Token[], sql: string, at: NameAt): AddColumnStatement {
  const text = tableNameText(at.name);
  let i = at.next;
  if (!isWord(tokens[i], 'add')) {
    throw new WriteStatementError(`ALTER TABLE ${text} ${tokens[i]?.text ?? ''}… is not supported on Delta tables; duckrun supports ALTER TABLE ${text} ADD COLUMN name type`);
  }
  i++;
  if (isWord(tokens[i], 'column')) i++;
  let ifNotExists = false;
  if (isWord(tokens[i], 'if') && isWord(tokens[i + 1], 'not') && isWord(tokens[i + 2], 'exists')) {
    ifNotExists = true;
    i += 3;
  }
  const column = tokens[i];
  if (column === undefined || (column.kind !== 'identifier' && column.kind !== 'quoted-identifier') || tokens[i + 1] === undefined) {
    throw new WriteStatementError(`ALTER TABLE ${text} ADD COLUMN needs a column name and a type, e.g. ALTER TABLE ${text} ADD COLUMN note VARCHAR`);
  }
  const rest = tokens.slice(i + 1);
  const bad = rest.find((t) => t.kind === 'identifier' && ['default', 'not', 'primary', 'unique', 'check', 'references', 'generated', 'constraint'].includes(t.text.toLowerCase()));
  if (bad !== undefined) {
    throw new WriteStatementError(`ALTER TABLE ${text} ADD COLUMN ${identifierName(column)}: ${bad.text.toUpperCase()} is not supported; new Delta columns are nullable and hold NULL in existing rows`);
  }
  return { kind: 'add-column', table: at.name, column: identifierName(column), type: sql.slice(rest[0]!.start, rest[rest.length - 1]!.end), ifNotExists };
}

/** The column definitions of `CREATE TABLE name (…)`; constraints Delta cannot keep are refused. */
export function createColumns(tokens: Token[], open: number, sql: string, name: TableName): string {
  const text = tableNameText(name);
  let level = 0;
  let close = -1;
  for (let j = open; j < tokens.length; j++) {
    const t = tokens[j]!.text;
    if (t === '(') level++;
    else if (t === ')' && --level === 0) {
      close = j;
      break;
    }
    if (level >= 1 && tokens[j]!.kind === 'identifier') {
      const w = t.toLowerCase();
      if (['primary', 'unique', 'check', 'references', 'default', 'generated', 'foreign', 'constraint'].includes(w)) {
        throw new WriteStatementError(`CREATE TABLE ${text}: ${t.toUpperCase()} is not supported on Delta tables (duckrun cannot enforce it); declare columns as name type [NOT NULL]`);
      }
    }
  }
  if (close === -1) throw new WriteStatementError(`CREATE TABLE ${text}: the column list has no closing parenthesis`);
  if (close !== tokens.length - 1) {
    throw new WriteStatementError(`CREATE TABLE ${text} (…) must end after its column list; partition a table with the DataFrame writer's partitionBy`);
  }
  if (close === open + 1) throw new WriteStatementError(`CREATE TABLE ${text} needs at least one column`);
  return sql.slice(tokens[open + 1]!.start, tokens[close - 1]!.end);
}

/** `[AS] alias` after a table name (UPDATE and DELETE). */
function aliasAt(tokens: Token[], at: NameAt): { alias: string; next: number } {
  let i = at.next;
  const fallback = at.name.parts[at.name.parts.length - 1]!;
  if (isWord(tokens[i], 'as')) i++;
  const t = tokens[i];
  if (t !== undefined && (t.kind === 'quoted-identifier' || (t.kind === 'identifier' && !['set', 'where', 'using', 'returning'].includes(t.text.toLowerCase())))) {
    return { alias: identifierName(t), next: i + 1 };
  }
  return { alias: fallback, next: i };
}

/** Token indexes of clause keywords at nesting depth 0 from `from` on. */
function topLevelWords(tokens: Token[], depth: readonly number[], from: number): { where?: number; from?: number; using?: number; returning?: number } {
  const out: { where?: number; from?: number; using?: number; returning?: number } = {};
  for (let j = from; j < tokens.length; j++) {
    if (depth[j] !== 0 || tokens[j]!.kind !== 'identifier') continue;
    const w = tokens[j]!.text.toLowerCase();
    if ((w === 'where' || w === 'from' || w === 'using' || w === 'returning') && out[w] === undefined) out[w] = j;
  }
  return out;
}

function refuseReturning(clauses: { returning?: number }, what: string): void {
  if (clauses.returning !== undefined) throw new WriteStatementError(`${what} … RETURNING is not supported on Delta tables; query the table after the statement`);
}

/** Items between `from` and `to` separated by top-level commas. */
function splitTopLevel(tokens: Token[], depth: readonly number[], from: number, to: number): Token[][] {
  const items: Token[][] = [[]];
  for (let j = from; j < to; j++) {
    if (depth[j] === 0 && tokens[j]!.text === ',') items.push([]);
    else items[items.length - 1]!.push(tokens[j]!);
  }
  return items.filter((x) => x.length > 0);
}

function fragment(tokens: Token[], from: number, to: number, sql: string, what: string): string {
  if (from >= to) throw new WriteStatementError(`${what} needs a condition after it`);
  return sql.slice(tokens[from]!.start, tokens[to - 1]!.end);
}
