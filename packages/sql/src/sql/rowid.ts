// DuckDB's rowid pseudo-column exists on tables, not on views or per chunk: statements that may name it
// need their rows in one table.

/** Whether `sql` may name the rowid pseudo-column (a textual test: a false positive only costs speed). */
export function mentionsRowid(sql: string): boolean {
  return /\browid\b/i.test(sql);
}
