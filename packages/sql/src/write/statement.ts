// Recognises the SQL statements that write Delta tables — CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name AS
// query, INSERT INTO name [BY NAME] [(columns)] query — using the tokenizer, so strings, quoted names and
// comments never confuse it. Everything else is left to DuckDB; forms we cannot run yet fail loudly here
// rather than silently creating an in-memory DuckDB table that vanishes with the session.
import { WriteStatementError } from '../errors.js';
import { identifierName, isWord, significantTokens, tokenize, type Token } from '../sql/tokenize.js';
import { createColumns, parseAlter, parseDelete, parseUpdate, type DmlStatement } from './dml-statement.js';
import { checkTableName, tableNameText, type TableName } from './table-name.js';

/** `CREATE TABLE … AS query`: `error` if the table exists (plain), `overwrite` (OR REPLACE), `ignore` (IF NOT EXISTS). */
export interface CreateTableAs {
  readonly kind: 'create';
  readonly table: TableName;
  readonly mode: 'error' | 'overwrite' | 'ignore';
  /** The query's SQL text, exactly as written. */
  readonly query: string;
}

/** `INSERT INTO name [BY NAME] [(columns)] query`: appends the query's rows. */
export interface InsertInto {
  readonly kind: 'insert';
  readonly table: TableName;
  /** The column list, when given: query column i goes to `columns[i]`. */
  readonly columns?: readonly string[];
  /** `BY NAME`: query columns go to the table columns of the same name. */
  readonly byName: boolean;
  /** The query's SQL text (a SELECT, VALUES, WITH or FROM query), exactly as written. */
  readonly query: string;
}

/** A statement that writes a Delta table. */
export type WriteStatement = CreateTableAs | InsertInto | DmlStatement;

/** The statement's verb and table, e.g. `CREATE OR REPLACE TABLE sales` or `INSERT INTO "my table"`. */
export function describeWriteStatement(statement: WriteStatement): string {
  const name = tableNameText(statement.table);
  switch (statement.kind) {
    case 'insert':
      return `INSERT INTO ${name}`;
    case 'update':
      return `UPDATE ${name}`;
    case 'delete':
      return `DELETE FROM ${name}`;
    case 'add-column':
      return `ALTER TABLE ${name} ADD COLUMN`;
    case 'drop':
      return `DROP TABLE ${name}`;
    default:
      break;
  }
  if (statement.mode === 'overwrite') return `CREATE OR REPLACE TABLE ${name}`;
  if (statement.mode === 'ignore') return `CREATE TABLE IF NOT EXISTS ${name}`;
  return `CREATE TABLE ${name}`;
}

const SUPPORTED =
  'writes to Delta tables support CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name AS query | (columns), INSERT INTO name [(columns)] query, UPDATE, DELETE FROM, ALTER TABLE name ADD COLUMN and DROP TABLE';
const QUERY_START = new Set(['select', 'with', 'values', 'from', 'table']);

/** Options of {@link parseWriteStatement}. */
export interface ParseWriteOptions {
  /** Lower-case names of DuckDB tables and views that exist already (temp tables): statements on them stay in DuckDB. */
  readonly localTables?: Iterable<string>;
}

/**
 * The write statement `sql` consists of, or undefined when it writes no Delta table (queries, temp tables,
 * views, …). Throws WriteStatementError for write forms that cannot run (UPDATE, CREATE TABLE with column
 * definitions, INSERT … ON CONFLICT, a write among other statements).
 */
export function parseWriteStatement(sql: string, options: ParseWriteOptions = {}): WriteStatement | undefined {
  const statements = splitStatements(significantTokens(tokenize(sql)));
  // DuckDB-only tables and views, also those created earlier in the same text: writes to them stay in DuckDB.
  const local = new Set<string>(options.localTables ?? []);
  let found: WriteStatement | undefined;
  for (const tokens of statements) {
    const write = classify(tokens, sql, local);
    if (write === undefined) continue;
    // Fail on names that cannot be a folder under any root before anything starts.
    checkTableName(write.table);
    if (statements.length > 1) {
      throw new WriteStatementError(`${describeWriteStatement(write)} must be the only statement of the SQL text; run the other statements separately`);
    }
    found = write;
  }
  return found;
}

function classify(tokens: Token[], sql: string, local: Set<string>): WriteStatement | undefined {
  const word = (i: number): string => (tokens[i]?.kind === 'identifier' ? tokens[i]!.text.toLowerCase() : '');
  switch (word(0)) {
    case 'create':
      return classifyCreate(tokens, sql, local, word);
    case 'insert':
      return classifyInsert(tokens, sql, local, word);
    case 'with':
      return classifyWith(tokens, local);
    case 'update': {
      const name = parseName(tokens, 1);
      if (name !== undefined && isLocal(name.name, local)) return undefined;
      return parseUpdate(tokens, sql, parseName, depths(tokens));
    }
    case 'delete': {
      if (word(1) !== 'from') return undefined;
      const name = parseName(tokens, 2);
      if (name !== undefined && isLocal(name.name, local)) return undefined;
      return parseDelete(tokens, sql, parseName, depths(tokens));
    }
    case 'merge': {
      if (word(1) !== 'into') return undefined;
      const name = parseName(tokens, 2);
      if (name === undefined || isLocal(name.name, local)) return undefined;
      throw new WriteStatementError(
        `SQL MERGE INTO ${tableNameText(name.name)} is not supported; use DeltaTable.forName(conn, '${name.name.parts.join('.')}').merge(source, condition).whenMatchedUpdate(…).whenNotMatchedInsert(…).execute() from the connect() API`,
      );
    }
    case 'truncate': {
      const name = parseName(tokens, word(1) === 'table' ? 2 : 1);
      if (name === undefined || isLocal(name.name, local)) return undefined;
      return { kind: 'delete', table: name.name, alias: name.name.parts[name.name.parts.length - 1]! };
    }
    case 'alter': {
      if (word(1) !== 'table') return undefined;
      const at = word(2) === 'if' && word(3) === 'exists' ? 4 : 2;
      const name = parseName(tokens, at);
      if (name === undefined || isLocal(name.name, local)) return undefined;
      return parseAlter(tokens, sql, name);
    }
    case 'drop': {
      if (word(1) !== 'table') return undefined;
      const ifExists = word(2) === 'if' && word(3) === 'exists';
      const name = parseName(tokens, ifExists ? 4 : 2);
      if (name === undefined || isLocal(name.name, local)) return undefined;
      if (name.next < tokens.length) {
        throw new WriteStatementError(`DROP TABLE ${tableNameText(name.name)}: drop one table per statement, without CASCADE/RESTRICT`);
      }
      return { kind: 'drop', table: name.name, ifExists };
    }
    default:
      return undefined;
  }
}

function classifyCreate(tokens: Token[], sql: string, local: Set<string>, word: (i: number) => string): WriteStatement | undefined {
  let i = 1;
  let orReplace = false;
  if (word(i) === 'or' && word(i + 1) === 'replace') {
    orReplace = true;
    i += 2;
  }
  let temporary = false;
  if (word(i) === 'temp' || word(i) === 'temporary') {
    temporary = true;
    i++;
  }
  const what = word(i);
  if (what !== 'table' && what !== 'view') return undefined; // macros, sequences, schemas, types: DuckDB's business
  i++;
  let ifNotExists = false;
  if (word(i) === 'if' && word(i + 1) === 'not' && word(i + 2) === 'exists') {
    ifNotExists = true;
    i += 3;
  }
  const name = parseName(tokens, i);
  if (temporary || what === 'view') {
    if (name !== undefined) local.add(localKey(name.name));
    return undefined;
  }
  if (name === undefined) {
    throw new WriteStatementError(`CREATE TABLE needs a table name at offset ${tokens[i]?.start ?? sql.length}; ${SUPPORTED}`);
  }
  const text = tableNameText(name.name);
  if (orReplace && ifNotExists) {
    throw new WriteStatementError(`CREATE OR REPLACE TABLE ${text} cannot also say IF NOT EXISTS; keep one of them`);
  }
  const next = tokens[name.next];
  if (next?.text === '(' && !QUERY_START.has(word(name.next + 1))) {
    return { kind: 'create-empty', table: name.name, mode: orReplace ? 'overwrite' : ifNotExists ? 'ignore' : 'error', columns: createColumns(tokens, name.next, sql, name.name) };
  }
  if (!isWord(next, 'as')) {
    throw new WriteStatementError(`CREATE TABLE ${text} must be followed by AS and a query; ${SUPPORTED}`);
  }
  const query = queryText(tokens, name.next + 1, sql, `CREATE TABLE ${text} AS`);
  return { kind: 'create', table: name.name, mode: orReplace ? 'overwrite' : ifNotExists ? 'ignore' : 'error', query };
}

function classifyInsert(tokens: Token[], sql: string, local: Set<string>, word: (i: number) => string): WriteStatement | undefined {
  let i = 1;
  if (word(i) === 'or') {
    throw new WriteStatementError(`INSERT OR ${tokens[i + 1]?.text.toUpperCase() ?? ''} is not supported (Delta tables have no keys); ${SUPPORTED}`);
  }
  if (word(i) !== 'into') throw new WriteStatementError(`INSERT must be followed by INTO and a table name; ${SUPPORTED}`);
  i++;
  const name = parseName(tokens, i);
  if (name === undefined) throw new WriteStatementError(`INSERT INTO needs a table name at offset ${tokens[i]?.start ?? sql.length}; ${SUPPORTED}`);
  if (isLocal(name.name, local)) return undefined;
  const text = tableNameText(name.name);
  i = name.next;
  let byName = false;
  if (word(i) === 'by' && (word(i + 1) === 'name' || word(i + 1) === 'position')) {
    byName = word(i + 1) === 'name';
    i += 2;
  }
  let columns: string[] | undefined;
  // `(` opens a column list unless it opens a parenthesised query: INSERT INTO t (SELECT …).
  if (tokens[i]?.text === '(' && !QUERY_START.has(word(i + 1)) && tokens[i + 1]?.text !== '(') {
    columns = [];
    i++;
    for (;;) {
      const t = tokens[i];
      if (t === undefined || (t.kind !== 'identifier' && t.kind !== 'quoted-identifier')) {
        throw new WriteStatementError(`INSERT INTO ${text}: the column list must be plain column names, e.g. INSERT INTO ${text} (id, name) SELECT …`);
      }
      columns.push(identifierName(t));
      const sep = tokens[i + 1]?.text;
      i += 2;
      if (sep === ')') break;
      if (sep !== ',') {
        throw new WriteStatementError(`INSERT INTO ${text}: the column list must be plain column names, e.g. INSERT INTO ${text} (id, name) SELECT …`);
      }
    }
    if (byName) throw new WriteStatementError(`INSERT INTO ${text}: give either BY NAME or a column list, not both`);
  }
  if (word(i) === 'default') {
    throw new WriteStatementError(`INSERT INTO ${text} DEFAULT VALUES is not supported; insert a query or VALUES list`);
  }
  const depth0 = depths(tokens);
  for (let j = i; j < tokens.length; j++) {
    if (depth0[j] !== 0) continue;
    if (isWord(tokens[j], 'returning') || (isWord(tokens[j], 'on') && isWord(tokens[j + 1], 'conflict'))) {
      const clause = isWord(tokens[j], 'on') ? 'ON CONFLICT' : 'RETURNING';
      throw new WriteStatementError(`INSERT INTO ${text} … ${clause} is not supported on Delta tables; ${SUPPORTED}`);
    }
  }
  const query = queryText(tokens, i, sql, `INSERT INTO ${text}`);
  return columns === undefined ? { kind: 'insert', table: name.name, byName, query } : { kind: 'insert', table: name.name, columns, byName, query };
}

/** `WITH … INSERT INTO t …` (DuckDB allows a CTE in front of INSERT): we need the query on its own. */
function classifyWith(tokens: Token[], local: Set<string>): undefined {
  const depth = depths(tokens);
  for (let j = 1; j < tokens.length; j++) {
    if (depth[j] !== 0 || !isWord(tokens[j], 'insert') || !isWord(tokens[j + 1], 'into')) continue;
    const name = parseName(tokens, j + 2);
    if (name === undefined || isLocal(name.name, local)) return undefined;
    const text = tableNameText(name.name);
    throw new WriteStatementError(`WITH … INSERT INTO ${text} is not supported; put the WITH clause inside the query: INSERT INTO ${text} WITH x AS (…) SELECT … FROM x`);
  }
  return undefined;
}

function unsupported(tokens: Token[], at: number, verb: string, local: Set<string>): undefined {
  const name = parseName(tokens, at);
  if (name === undefined || isLocal(name.name, local)) return undefined;
  throw new WriteStatementError(`${verb} ${tableNameText(name.name)} is not supported yet; ${SUPPORTED}`);
}

function queryText(tokens: Token[], from: number, sql: string, what: string): string {
  const first = tokens[from];
  const last = tokens[tokens.length - 1];
  if (first === undefined || last === undefined || from >= tokens.length) {
    throw new WriteStatementError(`${what} needs a query after it, e.g. ${what} SELECT …`);
  }
  return sql.slice(first.start, last.end);
}

/** A possibly dotted name (`a`, `"my table"`, `sales.orders`) starting at token `i`. */
function parseName(tokens: Token[], i: number): { name: TableName; next: number } | undefined {
  const parts: string[] = [];
  let j = i;
  for (;;) {
    const t = tokens[j];
    if (t === undefined || (t.kind !== 'identifier' && t.kind !== 'quoted-identifier')) return undefined;
    parts.push(identifierName(t));
    j++;
    if (tokens[j]?.text !== '.') break;
    j++;
  }
  return { name: { parts }, next: j };
}

/** DuckDB resolves unqualified names case-insensitively; `temp.x` names its temporary schema. */
function isLocal(name: TableName, local: Set<string>): boolean {
  if (name.parts.length === 2 && name.parts[0]!.toLowerCase() === 'temp') return true;
  return local.has(localKey(name));
}

function localKey(name: TableName): string {
  return (name.parts[name.parts.length - 1] ?? '').toLowerCase();
}

/** Statements of a token list, split at top-level semicolons; empty statements dropped. */
function splitStatements(tokens: Token[]): Token[][] {
  const out: Token[][] = [[]];
  let level = 0;
  for (const t of tokens) {
    if (t.kind === 'punctuation') {
      if (t.text === '(' || t.text === '[' || t.text === '{') level++;
      else if (t.text === ')' || t.text === ']' || t.text === '}') level = Math.max(0, level - 1);
      else if (t.text === ';' && level === 0) {
        out.push([]);
        continue;
      }
    }
    out[out.length - 1]!.push(t);
  }
  return out.filter((s) => s.length > 0);
}

function depths(tokens: Token[]): number[] {
  const out: number[] = [];
  let level = 0;
  for (const t of tokens) {
    if (t.kind === 'punctuation' && (t.text === ')' || t.text === ']' || t.text === '}')) level = Math.max(0, level - 1);
    out.push(level);
    if (t.kind === 'punctuation' && (t.text === '(' || t.text === '[' || t.text === '{')) level++;
  }
  return out;
}
