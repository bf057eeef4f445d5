// Counting the statements of a SQL text: top-level `;` separators, with strings, quoted names and comments
// taken care of by the tokenizer, and empty statements (`;;`, a trailing `;`) not counted.
import { tokenize } from './tokenize.js';

/** Statements in `sql`. */
export function statementCount(sql: string): number {
  let count = 0;
  let pending = false;
  for (const t of tokenize(sql)) {
    if (t.kind === 'punctuation' && t.text === ';') {
      if (pending) count++;
      pending = false;
    } else if (t.kind !== 'space' && t.kind !== 'comment') pending = true;
  }
  return count + (pending ? 1 : 0);
}
