// Finds top-level `{% snapshot name %}…{% endsnapshot %}`-style blocks in a file's source, so the
// runner can take a snapshot's body as the node's raw code (dbt does the same).

/** One block found in a source file. */
export interface TemplateBlock {
  readonly tag: string;
  readonly name: string;
  /** Text between the opening and closing tags, verbatim. */
  readonly body: string;
  /** 1-based line of the opening tag. */
  readonly line: number;
}

/** Every `{% <tag> name … %}…{% end<tag> %}` block, in source order (blocks of one tag do not nest). */
export function findBlocks(source: string, tag: string): TemplateBlock[] {
  const open = new RegExp(`\\{%-?\\s*${tag}\\s+([A-Za-z_][\\w]*)[^%]*?-?%\\}`, 'g');
  const out: TemplateBlock[] = [];
  let m: RegExpExecArray | null;
  while ((m = open.exec(source)) !== null) {
    const close = new RegExp(`\\{%-?\\s*end${tag}\\s*-?%\\}`, 'g');
    close.lastIndex = open.lastIndex;
    const end = close.exec(source);
    if (end === null) break;
    out.push({ tag, name: m[1] as string, body: source.slice(open.lastIndex, end.index), line: source.slice(0, m.index).split('\n').length });
    open.lastIndex = close.lastIndex;
  }
  return out;
}
