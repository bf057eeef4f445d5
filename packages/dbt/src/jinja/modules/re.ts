// `modules.re`: Python's re over JS RegExp. Python-only syntax is translated where the mapping is
// one-to-one ((?P<n>…), (?P=n), \A, \Z, leading inline flags, \g<n> in replacements); other
// constructs go to RegExp unchanged and fail or match as JS defines them.
import { arg, callPy, pyFunction, type Kwargs } from '../py/call.js';
import { pyStr } from '../py/repr.js';

/** Python flag values, as `modules.re.IGNORECASE` etc. */
const FLAGS = { I: 2, IGNORECASE: 2, M: 8, MULTILINE: 8, S: 16, DOTALL: 16, X: 64, VERBOSE: 64, A: 256, ASCII: 256, U: 32, UNICODE: 32 };

/** Translates a Python pattern and flags into a JS RegExp source and flag string. */
export function translatePattern(pattern: string, flags: number): { source: string; flags: string } {
  let src = pattern;
  let f = flags;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const c of inline[1] as string) f |= c === 'i' ? 2 : c === 'm' ? 8 : c === 's' ? 16 : c === 'x' ? 64 : 0;
  }
  src = src
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/\\A/g, '^')
    .replace(/\\Z/g, '$');
  if (f & 64) src = src.replace(/\\#/g, '\u0000').replace(/#.*$/gm, '').replace(/\s+/g, '').replace(/\u0000/g, '\\#');
  let js = 'u';
  if (f & 2) js += 'i';
  if (f & 8) js += 'm';
  if (f & 16) js += 's';
  return { source: src, flags: js };
}

/** A Python match object. */
export class PyMatch {
  constructor(private readonly m: RegExpExecArray) {}
  group(...which: unknown[]): unknown {
    if (which.length > 1) return which.map((w) => this.one(w));
    return this.one(which[0] ?? 0);
  }
  groups(): unknown[] {
    return this.m.slice(1).map((g) => g ?? null);
  }
  groupdict(): Record<string, unknown> {
    return { ...(this.m.groups ?? {}) };
  }
  start(): number {
    return this.m.index;
  }
  end(): number {
    return this.m.index + this.m[0].length;
  }
  span(): number[] {
    return [this.start(), this.end()];
  }
  __getitem__(k: unknown): unknown {
    return this.one(k);
  }
  private one(w: unknown): unknown {
    const v = typeof w === 'number' ? this.m[w] : this.m.groups?.[pyStr(w)];
    return v ?? null;
  }
}

/** A compiled pattern (`re.compile(p)`), with the module functions as methods. */
export class PyPattern {
  readonly pattern: string;
  readonly flags: number;
  private readonly source: string;
  private readonly jsFlags: string;
  constructor(pattern: string, flags: number) {
    this.pattern = pattern;
    this.flags = flags;
    const t = translatePattern(pattern, flags);
    this.source = t.source;
    this.jsFlags = t.flags;
  }
  regex(extra = ''): RegExp {
    return new RegExp(this.source, this.jsFlags + extra);
  }
  search(s: unknown): PyMatch | null {
    const m = this.regex().exec(pyStr(s));
    return m ? new PyMatch(m) : null;
  }
  match(s: unknown): PyMatch | null {
    const m = this.regex('y').exec(pyStr(s));
    return m ? new PyMatch(m) : null;
  }
  fullmatch(s: unknown): PyMatch | null {
    const text = pyStr(s);
    const m = new RegExp(`(?:${this.source})$`, `${this.jsFlags}y`).exec(text);
    return m ? new PyMatch(m) : null;
  }
  findall(s: unknown): unknown[] {
    const out: unknown[] = [];
    for (const m of pyStr(s).matchAll(this.regex('g'))) {
      if (m.length === 1) out.push(m[0]);
      else if (m.length === 2) out.push(m[1] ?? '');
      else out.push(m.slice(1).map((g) => g ?? ''));
    }
    return out;
  }
  sub(repl: unknown, s: unknown, count: unknown = 0): string {
    let left = Number(count) || Infinity;
    return pyStr(s).replace(this.regex('g'), (...parts: unknown[]) => {
      const whole = parts[0] as string;
      if (left <= 0) return whole;
      left--;
      const hasGroups = typeof parts.at(-1) === 'object' && parts.at(-1) !== undefined;
      const groupCount = parts.length - (hasGroups ? 4 : 3);
      const groups = parts.slice(1, 1 + groupCount) as (string | undefined)[];
      if (typeof repl === 'function') {
        const exec = Object.assign([whole, ...groups], { index: parts[1 + groupCount] as number, input: pyStr(s), groups: hasGroups ? (parts.at(-1) as Record<string, string>) : undefined }) as unknown as RegExpExecArray;
        return pyStr(callPy(repl, [new PyMatch(exec)]));
      }
      const named = hasGroups ? (parts.at(-1) as Record<string, string | undefined>) : {};
      return expandTemplate(pyStr(repl), whole, groups, named);
    });
  }
  split(s: unknown, maxsplit: unknown = 0): string[] {
    const text = pyStr(s);
    const limit = Number(maxsplit) || Infinity;
    const out: string[] = [];
    let last = 0;
    let n = 0;
    for (const m of text.matchAll(this.regex('g'))) {
      if (n >= limit) break;
      if (m[0] === '' && m.index === last && m.index !== 0) continue;
      out.push(text.slice(last, m.index));
      out.push(...m.slice(1).map((g) => g ?? ''));
      last = m.index + m[0].length;
      n++;
    }
    out.push(text.slice(last));
    return out;
  }
}

/** Python replacement templates: \1, \g<1>, \g<name>, and escapes. */
function expandTemplate(repl: string, whole: string, groups: (string | undefined)[], named: Record<string, string | undefined>): string {
  return repl.replace(/\\(?:g<([^>]+)>|(\d{1,2})|([nrt\\]))/g, (_m, g: string | undefined, d: string | undefined, esc: string | undefined) => {
    if (esc !== undefined) return esc === 'n' ? '\n' : esc === 'r' ? '\r' : esc === 't' ? '\t' : '\\';
    const key = g ?? d ?? '0';
    if (/^\d+$/.test(key)) return Number(key) === 0 ? whole : (groups[Number(key) - 1] ?? '');
    return named[key] ?? '';
  });
}

function pattern(p: unknown, flags: unknown): PyPattern {
  return p instanceof PyPattern ? p : new PyPattern(pyStr(p), Number(flags ?? 0));
}

const fl = (a: unknown[], k: Kwargs, i: number): unknown => arg(a, k, i, 'flags', 0);

/** Builds `modules.re`. */
export function createReModule(): Record<string, unknown> {
  return {
    ...FLAGS,
    compile: pyFunction('compile', (a, k) => pattern(a[0], fl(a, k, 1))),
    search: pyFunction('search', (a, k) => pattern(a[0], fl(a, k, 2)).search(a[1])),
    match: pyFunction('match', (a, k) => pattern(a[0], fl(a, k, 2)).match(a[1])),
    fullmatch: pyFunction('fullmatch', (a, k) => pattern(a[0], fl(a, k, 2)).fullmatch(a[1])),
    findall: pyFunction('findall', (a, k) => pattern(a[0], fl(a, k, 2)).findall(a[1])),
    sub: pyFunction('sub', (a, k) => pattern(a[0], fl(a, k, 4)).sub(a[1], a[2], arg(a, k, 3, 'count', 0))),
    split: pyFunction('split', (a, k) => pattern(a[0], fl(a, k, 3)).split(a[1], arg(a, k, 2, 'maxsplit', 0))),
    escape: pyFunction('escape', (a) => pyStr(a[0]).replace(/[^A-Za-z0-9_]/g, '\\$&')),
  };
}
