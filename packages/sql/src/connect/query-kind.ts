// Which SQL texts are queries a DataFrame can hold lazily (and wrap as a subquery), and which must run now.
import { tokenize } from '../sql/tokenize.js';

/** Leading keywords of statements that produce rows and can stand inside `FROM ( … )`. */
const QUERY_STARTS = new Set(['select', 'with', 'from', 'values', 'table', 'describe', 'show', 'summarize', 'pivot', 'unpivot']);

/** True when `sql` is one query (SELECT, WITH, FROM, VALUES, …) rather than DDL or a setting to run right away. */
export function isLazyQuery(sql: string): boolean {
  const first = tokenize(sql).find((t) => t.kind !== 'space' && t.kind !== 'comment');
  if (first === undefined) return false;
  if (first.kind === 'punctuation' && first.text === '(') return true;
  return first.kind === 'identifier' && QUERY_STARTS.has(first.text.toLowerCase());
}
