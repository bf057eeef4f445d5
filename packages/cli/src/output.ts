// Result output: printed as a text table, CSV or JSON, or written to a .parquet/.csv/.json file.
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { csvHeader, csvLines, jsonRows, renderTextTable, writeParquetBytes, type ResultStream, type SqlSession, type WriteOutcome } from '@duckrun/sql';
import type { CliIO } from './cli-io.js';
import { UsageError } from './errors.js';

/** Formats results can be printed in. */
export const PRINT_FORMATS = ['table', 'csv', 'json'] as const;
/** A format results can be printed in. */
export type PrintFormat = (typeof PRINT_FORMATS)[number];
/** File types `--output` can write, by extension. */
export type FileFormat = 'parquet' | 'csv' | 'json';

/** The print format named by `--format`, or a usage error. */
export function printFormat(value: string | undefined): PrintFormat {
  const format = (value ?? 'table').toLowerCase();
  if ((PRINT_FORMATS as readonly string[]).includes(format)) return format as PrintFormat;
  throw new UsageError(`--format ${value} is not supported; use one of ${PRINT_FORMATS.join(', ')}`);
}

/** The file format implied by an `--output` path's extension, or a usage error. */
export function fileFormat(path: string): FileFormat {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext === 'parquet' || ext === 'csv' || ext === 'json') return ext;
  throw new UsageError(`--output ${path}: the file name must end in .parquet, .csv or .json`);
}

/** The one line printed after a write statement, e.g. `created sales (version 0): 3 rows`. */
export function writeSummary(outcome: WriteOutcome): string {
  const rows = `${outcome.rowsWritten} ${outcome.rowsWritten === 1 ? 'row' : 'rows'}`;
  switch (outcome.action) {
    case 'created':
    case 'replaced':
      return `${outcome.action} ${outcome.table} (version ${outcome.version}): ${rows}`;
    case 'inserted':
      return `inserted ${rows} into ${outcome.table} (version ${outcome.version})`;
    case 'updated':
    case 'deleted':
      return `${outcome.action} ${rows} of ${outcome.table} (version ${outcome.version})`;
    case 'altered':
      return `altered ${outcome.table} (version ${outcome.version})`;
    case 'dropped':
      return `dropped ${outcome.table} (its files and history are kept; CREATE TABLE revives the name)`;
    case 'skipped':
      return outcome.version < 0 ? `${outcome.table} does not exist: nothing to do` : `${outcome.table} already exists (version ${outcome.version}): nothing written`;
  }
}

/** Runs `sql` and prints its result to stdout; returns the row count. */
export async function printResult(session: SqlSession, sql: string, format: PrintFormat, io: CliIO): Promise<number> {
  if (format === 'table') {
    const table = await session.sql(sql);
    await io.stdout(renderTextTable(table));
    return table.numRows;
  }
  const stream = await session.stream(sql);
  return format === 'csv' ? writeCsv(stream, io.stdout) : writeJson(stream, io.stdout);
}

/** Runs `sql` and writes its result to `path` (replaced only once fully written); returns the row count. */
export async function writeResultFile(session: SqlSession, sql: string, path: string): Promise<number> {
  const format = fileFormat(path);
  const stream = await session.stream(sql);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  let rows = 0;
  try {
    if (format === 'parquet') {
      const counted = (async function* () {
        for await (const batch of stream) {
          rows += batch.numRows;
          yield batch;
        }
      })();
      await writeFile(temp, await writeParquetBytes(stream.schema, counted));
    } else {
      const file = await open(temp, 'w');
      try {
        const write = async (text: string): Promise<void> => {
          await file.write(text);
        };
        rows = format === 'csv' ? await writeCsv(stream, write) : await writeJson(stream, write);
      } finally {
        await file.close();
      }
    }
    await rename(temp, path);
  } catch (e) {
    await stream.close();
    await rm(temp, { force: true });
    throw e;
  }
  return rows;
}

async function writeCsv(stream: ResultStream, write: (text: string) => Promise<void>): Promise<number> {
  let rows = 0;
  await write(csvHeader(stream.schema));
  for await (const batch of stream) {
    rows += batch.numRows;
    if (batch.numRows > 0) await write(csvLines(batch));
  }
  return rows;
}

async function writeJson(stream: ResultStream, write: (text: string) => Promise<void>): Promise<number> {
  let rows = 0;
  for await (const batch of stream) {
    const lines = jsonRows(batch);
    if (lines.length === 0) continue;
    await write(`${rows === 0 ? '[\n' : ',\n'}${lines.join(',\n')}`);
    rows += lines.length;
  }
  await write(rows === 0 ? '[]\n' : '\n]\n');
  return rows;
}
