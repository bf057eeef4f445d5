// One file at a time: load a candidate file into DuckDB, let the operation decide whether it changes, and
// if so stream the rows that replace it into the Delta writer. Memory holds one file's rows plus what the
// writer buffers, whatever the size of the table.
import type { RecordBatch } from 'apache-arrow';
import { rewriteFiles, rewriteWriter, type AddFile, type RewriteOptions, type RewriteResult, type ScanFile } from '@duckrun/delta';
import { copyDataFiles, copyUnsupported } from '../write/copy-data-files.js';
import type { Engine } from '../engine/engine.js';
import type { WriteContext } from '../write/execute.js';
import { QueryError } from '../errors.js';
import { loadFile, scratchName, type DmlTarget } from './target.js';
import { mentionsRowid } from '../sql/rowid.js';

/** What happens to a candidate file. */
export type FileFate = 'unchanged' | 'drop' | 'rewrite';

/** The per-operation part of the loop. */
export interface FileRewriter {
  /**
   * Called with the DuckDB table (or view) holding the file's rows; may also record counts and matches.
   * `rowId` is the column numbering its rows when {@link RewriteRun.rowId} asked for one.
   */
  decide(table: string, file: ScanFile, rowId: string): Promise<FileFate>;
  /** The SELECT (over `table`) of the rows that replace the file, in the table's column order and types. */
  replacement(table: string): string;
}

/** A DML operation's run: which files, the rewriter, rows to add after them (MERGE inserts), the commit. */
export interface RewriteRun {
  readonly files: readonly ScanFile[];
  readonly rewriter: FileRewriter;
  /**
   * The SELECT of rows appended after every file was handled (e.g. MERGE's inserts), if any. `exactTypes`:
   * its columns already have the table's types (else its rows go through the Arrow path, which conforms them).
   */
  readonly after?: () => Promise<{ readonly sql: string; readonly exactTypes: boolean } | undefined>;
  readonly commit: RewriteOptions;
  /** Names the operation in error messages, e.g. `DELETE FROM orders`. */
  readonly what: string;
  /** The caller's SQL run over the file (predicates, assignments): naming `rowid` needs a table per file. */
  readonly userSql: readonly (string | undefined)[];
  /** `decide` tells target rows apart by a row number (see {@link FileRewriter.decide}). */
  readonly rowId?: boolean;
}

/**
 * Runs the loop and commits its result with {@link rewriteFiles}. Where the engine writes parquet itself
 * (native DuckDB, local table) each replacement is written by DuckDB's COPY and committed from the files'
 * footers; otherwise, or when COPY declines, its rows stream out as Arrow into the writer.
 */
export async function runRewrite(ctx: Pick<WriteContext, 'engine' | 'encoder'>, target: DmlTarget, run: RewriteRun): Promise<RewriteResult> {
  const engine = ctx.engine;
  const commit: RewriteOptions = ctx.encoder ? { ...run.commit, encoder: ctx.encoder } : run.commit;
  const removed: AddFile[] = [];
  const written: { adds: AddFile[]; rows: number }[] = [];
  const name = scratchName('file');
  const fields = target.snapshot.schema.fields;
  const writer = rewriteWriter(target.table, target.snapshot, commit);
  let copy = copyUnsupported(engine, target.table.uri) === undefined;
  const emit = async function* (sql: string, exactTypes = true): AsyncIterable<RecordBatch> {
    if (copy && exactTypes) {
      const r = await writer.writeWith(copyDataFiles(engine, sql, fields));
      if ('adds' in r) {
        written.push(r);
        return;
      }
      copy = false; // the layout needs the Arrow path (e.g. column mapping): use it from here on
    }
    yield* streamQuery(engine, sql);
  };
  const load = { materialize: run.userSql.some((t) => t !== undefined && mentionsRowid(t)), rowId: run.rowId === true };
  const data = async function* (): AsyncIterable<RecordBatch> {
    for (const file of run.files) {
      const loaded = await loadFile(engine, target.snapshot, file, name, load);
      try {
        const fate = await run.rewriter.decide(name, file, loaded.rowId);
        if (fate === 'unchanged') continue;
        removed.push(file.add);
        if (fate === 'rewrite') yield* emit(run.rewriter.replacement(name));
      } finally {
        await loaded.unload();
      }
    }
    const more = await run.after?.();
    if (more !== undefined) yield* emit(more.sql, more.exactTypes);
  };
  try {
    return await rewriteFiles(target.table, target.snapshot, { data: data(), remove: () => removed, written: () => written }, commit);
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
