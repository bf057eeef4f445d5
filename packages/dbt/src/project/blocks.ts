// Top-level Jinja blocks of macro, snapshot and docs files found by their tags, without a Jinja
// parser: enough to name macros, cut snapshot bodies and read docs (the renderer compiles the files).
import { ProjectConfigError } from './errors.js';

/** A block found in a file: its tag, name, whole text, body, and 1-based line. */
export interface FoundBlock {
  readonly tag: string;
  readonly name: string;
  /** Arguments after the name (`adapter='duckdb'` for materializations, the signature for macros). */
  readonly args: string;
  readonly text: string;
  readonly body: string;
  readonly line: number;
}

/**
 * Finds top-level `{% tag name … %} … {% endtag %}` blocks for the given tags. Raw blocks and
 * comments are skipped so tags inside them do not count; an unclosed block is an error naming
 * the file and line.
 */
export function findBlocks(text: string, tags: readonly string[], file: string): FoundBlock[] {
  const out: FoundBlock[] = [];
  const tagRe = /\{%-?\s*(\w+)\b([\s\S]*?)-?%\}|\{#[\s\S]*?#\}/g;
  let open: { tag: string; name: string; args: string; start: number; bodyStart: number; line: number } | undefined;
  let inRaw = false;
  for (let m = tagRe.exec(text); m !== null; m = tagRe.exec(text)) {
    if (m[1] === undefined) continue;
    const word = m[1];
    if (inRaw) {
      if (word === 'endraw') inRaw = false;
      continue;
    }
    if (word === 'raw') {
      inRaw = true;
      continue;
    }
    if (open === undefined && tags.includes(word)) {
      const head = m[2]!.trim();
      const nm = /^([A-Za-z_][\w]*)\s*([\s\S]*)$/.exec(head);
      if (!nm) throw new ProjectConfigError(file, lineAt(text, m.index), `{% ${word} %} needs a name`);
      open = { tag: word, name: nm[1]!, args: nm[2]!.trim().replace(/^,\s*/, ''), start: m.index, bodyStart: m.index + m[0].length, line: lineAt(text, m.index) };
    } else if (open !== undefined && word === `end${open.tag}`) {
      out.push({
        tag: open.tag,
        name: open.name,
        args: open.args,
        text: text.slice(open.start, m.index + m[0].length),
        body: text.slice(open.bodyStart, m.index),
        line: open.line,
      });
      open = undefined;
    }
  }
  if (open !== undefined) throw new ProjectConfigError(file, open.line, `{% ${open.tag} ${open.name} %} is never closed; add {% end${open.tag} %}`);
  return out;
}

/** The callable name dbt gives a block: `test_<name>` for tests, `materialization_<name>_<adapter>` for materializations. */
export function macroNameOf(block: FoundBlock): string {
  if (block.tag === 'test') return `test_${block.name}`;
  if (block.tag === 'materialization') {
    const adapter = /adapter\s*=\s*['"](\w+)['"]/.exec(block.args)?.[1] ?? 'default';
    return `materialization_${block.name}_${adapter}`;
  }
  return block.name;
}

/** 1-based line of offset `i`. */
export function lineAt(text: string, i: number): number {
  let line = 1;
  for (let k = text.indexOf('\n'); k !== -1 && k < i; k = text.indexOf('\n', k + 1)) line++;
  return line;
}
