// One file at a time: load a candidate file into DuckDB, let the operation decide whether it changes, and
// if so stream the rows that replace it into the Delta writer. Memory holds one file's rows plus what the
// writer buffers, whatever the size of the table.
import type { RecordBatch } from 'apache-arrow';
import { rewriteFiles, type AddFile, type RewriteOptions, type RewriteResult, type ScanFile } from '@duckrun/delta';
import type { Engine } from '../engine/engine.js';
import { QueryError } from '../errors.js';
import { loadFile, scratchName, type DmlTarget } from './target.js';

/** What happens to a candidate file. */
export type FileFate = 'unchanged' | 'drop' | 'rewrite';

/** The per-operation part of the loop. */
export interface FileRewriter {
  /** Called with the DuckDB table holding the file's rows; may also record counts and matches. */
  decide(table: string, file: ScanFile): Promise<FileFate>;
  /** The SELECT (over `table`) of the rows that replace the file, in the table's column order and types. */
  replacement(table: string): string;
}

/** A DML operation's run: which files, the rewriter, rows to add after them (MERGE inserts), the commit. */
export interface RewriteRun {
  readonly files: readonly ScanFile[];
  readonly rewriter: FileRewriter;
  /** Rows appended after every file was handled (e.g. MERGE's inserts). */
  readonly after?: () => AsyncIterable<RecordBatch>;
  readonly commit: RewriteOptions;
  /** Names the operation in error messages, e.g. `DELETE FROM orders`. */
  readonly what: string;
}

/** Runs the loop and commits its result with {@link rewriteFiles}. */
export async function runRewrite(engine: Engine, target: DmlTarget, run: RewriteRun): Promise<RewriteResult> {
  const removed: AddFile[] = [];
  const name = scratchName('file');
  const data = async function* (): AsyncIterable<RecordBatch> {
    for (const file of run.files) {
      const unload = await loadFile(engine, target.snapshot, file, name);
      try {
        const fate = await run.rewriter.decide(name, file);
        if (fate === 'unchanged') continue;
        removed.push(file.add);
        if (fate === 'rewrite') yield* streamQuery(engine, run.rewriter.replacement(name));
      } finally {
        await unload();
      }
    }
    if (run.after) yield* run.after();
  };
  try {
    return await rewriteFiles(target.table, target.snapshot, { data: data(), remove: () => removed }, run.commit);
  } catch (e) {
    if (e instanceof QueryError) throw new QueryError(`${run.what}: ${e.detail}`, { cause: e });
    throw e;
  }
}

/** A query's batches, holding the engine only while they are read. */
export async function* streamQuery(engine: Engine, sql: string): AsyncIterable<RecordBatch> {
  const stream = await engine.stream(sql);
  try {
    yield* stream;
  } finally {
    await stream.close();
  }
}

/** The single number a `SELECT count(*) …` returns. */
export async function countOf(engine: Engine, sql: string): Promise<number> {
  const table = await engine.query(sql);
  return Number(table.getChildAt(0)?.get(0) ?? 0);
}
