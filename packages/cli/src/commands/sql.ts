// `duckrun sql`: runs one SQL text through a session rooted at --root and prints or writes the result.
import { describeWriteStatement, ENGINE_KINDS, openSession, parseWriteStatement, ReadOnlySessionError, type DeltaScanReport, type EngineKind } from '@duckrun/sql';
import type { CliIO } from '../cli-io.js';
import { UsageError } from '../errors.js';
import { SQL_OPTIONS, optionHelp, parseOptions } from '../options.js';
import { fileFormat, printFormat, printResult, writeResultFile, writeSummary } from '../output.js';

const HELP = `usage: duckrun sql [options] "SQL"

Runs SQL in DuckDB. delta_scan('uri' [, version => N | timestamp => 'ISO-8601']) reads a Delta table
anywhere a table may appear; relative URIs resolve against --root. Pass - as SQL to read it from stdin.

With --write, one statement may write a Delta table under --root (read-only by default):
  CREATE [OR REPLACE] TABLE [IF NOT EXISTS] name AS query    create (OR REPLACE: overwrite; IF NOT EXISTS: skip)
  INSERT INTO name [BY NAME] [(col, …)] query|VALUES …      append, casting to the table's column types
name is a folder under --root: sales, "my table", or sales.orders for sales/orders. The query may read
Delta tables under --root by name (FROM orders) or with delta_scan. TIMESTAMP columns need a CAST to
TIMESTAMPTZ (Delta timestamp); unsigned, HUGEINT, INTERVAL, TIME and UNION columns need a CAST too.

options:
${optionHelp(SQL_OPTIONS)}

examples:
  duckrun sql "SELECT * FROM delta_scan('sales') WHERE day = DATE '2024-05-01'"
  duckrun sql --root s3://bucket/lake --storage-option aws_region=eu-west-1 "SELECT count(*) FROM delta_scan('orders')"
  duckrun sql --engine native -o out.parquet "SELECT * FROM delta_scan('orders', version => 3)"
  duckrun sql --root ./lake --write "CREATE TABLE daily AS SELECT day, sum(amount) AS total FROM delta_scan('orders') GROUP BY day"
  duckrun sql --root ./lake --write "INSERT INTO daily (day, total) VALUES (DATE '2024-05-02', 10.5)"
`;

/** Runs `duckrun sql` with the arguments after the command name; returns the exit code. */
export async function runSqlCommand(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOptions(args, SQL_OPTIONS);
  if (values.help) {
    await io.stdout(HELP);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('missing SQL: duckrun sql "SELECT …" (or - to read it from stdin)');
  if (positionals.length > 1) {
    throw new UsageError(`expected one SQL argument but got ${positionals.length}; quote the whole statement`);
  }
  const format = printFormat(values.format);
  const engine = engineKind(values.engine);
  if (values.output !== undefined) fileFormat(values.output);
  const storageOptions = parseStorageOptions(values['storage-option'] ?? []);
  const sql = positionals[0] === '-' ? await io.readStdin() : positionals[0]!;
  if (sql.trim() === '') throw new UsageError('the SQL text is empty');
  // Decided before DuckDB starts, so a refused write costs nothing.
  const write = parseWriteStatement(sql);
  if (write !== undefined && values.write !== true) {
    throw new ReadOnlySessionError(`${describeWriteStatement(write)} writes a Delta table, but duckrun sql is read-only by default; pass --write to allow it`);
  }
  if (write !== undefined && values.output !== undefined) {
    throw new UsageError(`--output applies to query results; ${describeWriteStatement(write)} writes a Delta table instead, so leave --output out`);
  }

  const debug = values.debug === true;
  const log = (text: string): Promise<void> => (debug ? io.stderr(`debug: ${text}\n`) : Promise.resolve());
  const reports: DeltaScanReport[] = [];
  const started = performance.now();
  const session = await openSession({
    ...(values.root !== undefined ? { root: values.root } : {}),
    ...(Object.keys(storageOptions).length > 0 ? { storageOptions } : {}),
    engine,
    onDeltaScan: (r) => reports.push(r),
    readOnly: values.write !== true,
  });
  try {
    await log(`${session.engine.capabilities.name} ${session.engine.capabilities.version} started in ${ms(started)}; root ${session.root}`);
    const queryStarted = performance.now();
    if (write !== undefined) {
      const outcome = await session.write(write);
      await io.stdout(`${writeSummary(outcome)}\n`);
      await log(`${outcome.tableUri}: ${outcome.filesAdded} ${outcome.filesAdded === 1 ? 'file' : 'files'} added`);
    } else if (values.output !== undefined) {
      const rows = await writeResultFile(session, sql, values.output);
      await io.stdout(`wrote ${rows} ${rows === 1 ? 'row' : 'rows'} to ${values.output}\n`);
    } else {
      await printResult(session, sql, format, io);
    }
    for (const r of reports) {
      const pruning = r.appliedFilters.length > 0 ? `; pruned by ${r.appliedFilters.join(' AND ')}` : '';
      const reader = `; via ${r.reader}${r.fallbackReason !== undefined ? ` (${r.fallbackReason})` : ''}`;
      await log(`delta_scan('${r.uri}') → ${r.tableUri} version ${r.version}: read ${r.filesRead} of ${r.filesTotal} files${pruning}${reader}`);
    }
    await log(`statement ran in ${ms(queryStarted)}`);
  } finally {
    await session.close();
  }
  return 0;
}

function parseStorageOptions(pairs: readonly string[]): Record<string, string> {
  const options: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--storage-option ${pair} must be KEY=VALUE, e.g. aws_region=eu-west-1`);
    options[pair.slice(0, eq).trim()] = pair.slice(eq + 1);
  }
  return options;
}

function ms(since: number): string {
  return `${Math.round(performance.now() - since)} ms`;
}

/** The --engine value; checked before any engine starts. */
function engineKind(value: string | undefined): EngineKind {
  if (value === undefined) return 'wasm';
  if ((ENGINE_KINDS as readonly string[]).includes(value)) return value as EngineKind;
  throw new UsageError(`unknown --engine ${JSON.stringify(value)}; use ${ENGINE_KINDS.join(' or ')}`);
}
