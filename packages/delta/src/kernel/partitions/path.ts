// Data file paths: Hive-style partition folder escaping (as Spark writes `col=value/` folders) and the
// URI encoding of `add.path` / `remove.path` (PROTOCOL.md "Add File and Remove File": path is a URI).
import { DeltaProtocolError } from '../../errors.js';

/** Folder value Hive and Spark write for a null (or empty-string) partition value. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

/** A decoded `add.path`: a path relative to the table root, or an absolute URI. */
export type DecodedAddPath = { readonly relative: string } | { readonly absolute: string };

/**
 * Escapes a partition value (or column name) for a `col=value` folder name as Spark does: control
 * characters, DEL and each of `"#%'*:=?\{[]^` and the slash become `%XX`; null and '' become
 * `__HIVE_DEFAULT_PARTITION__`.
 */
export function escapePartitionPathValue(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return HIVE_DEFAULT_PARTITION;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    out += needsEscaping(code) ? `%${code.toString(16).toUpperCase().padStart(2, '0')}` : value.charAt(i);
  }
  return out;
}

/** Reverses {@link escapePartitionPathValue} on a folder name or path: every valid `%XX` becomes its character. */
export function unescapePartitionPath(text: string): string {
  if (!text.includes('%')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

/** The partition folder path `col1=v1/col2=v2` (escaped; no trailing slash) for ordered column/value pairs. */
export function partitionDirectory(entries: ReadonlyArray<readonly [column: string, value: string | null]>): string {
  return entries.map(([column, value]) => `${escapePartitionPathValue(column)}=${escapePartitionPathValue(value)}`).join('/');
}

/**
 * The `col=value` pairs of a decoded relative data file path's folders, unescaped
 * (`__HIVE_DEFAULT_PARTITION__` → null). Folders without `=` are skipped; the file name is ignored.
 */
export function parsePartitionDirectory(relativePath: string): Array<[column: string, value: string | null]> {
  const segments = relativePath.split('/');
  segments.pop();
  const out: Array<[string, string | null]> = [];
  for (const segment of segments) {
    const eq = segment.indexOf('=');
    if (eq <= 0) continue;
    const raw = segment.slice(eq + 1);
    out.push([unescapePartitionPath(segment.slice(0, eq)), raw === HIVE_DEFAULT_PARTITION ? null : unescapePartitionPath(raw)]);
  }
  return out;
}

/**
 * Decodes an `add`/`remove` path. A relative path is percent-decoded (giving the object name under the
 * table root); an absolute one (a URI with a scheme, or a path starting with `/`) is returned as a
 * canonical URI: `/p` is qualified with `root`'s scheme and authority (default `file://`), `file:/p`
 * becomes `file:///p`, and percent-encoding is kept.
 */
export function decodeAddPath(path: string, root?: string): DecodedAddPath {
  if (SCHEME.test(path)) {
    if (path.startsWith('file:/') && !path.startsWith('file://')) return { absolute: `file://${path.slice('file:'.length)}` };
    return { absolute: path };
  }
  if (path.startsWith('/')) return { absolute: `${rootAuthority(root)}${path}` };
  try {
    return { relative: decodeURIComponent(path) };
  } catch (e) {
    throw new DeltaProtocolError(
      `data file path "${path}" in the log is not a valid URI-encoded path (a '%' must start a %XX escape); the log was written by a non-conforming writer`,
      { cause: e },
    );
  }
}

/**
 * URI-encodes a relative data file path for `add.path` the way Spark does (java.net.URI path rules):
 * letters, digits, `-_.!~*'()`, `;:&=+$,`, `@` and `/` are kept; everything else becomes UTF-8 `%XX`.
 */
export function encodeAddPath(relativePath: string): string {
  let out = '';
  for (const ch of relativePath) {
    if (KEEP.test(ch)) out += ch;
    else for (const b of utf8(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\//;
const KEEP = /^[A-Za-z0-9\-_.!~*'();:&=+$,@/]$/;

/** Characters Spark's ExternalCatalogUtils escapes in folder names (its non-Windows set), plus NUL. */
const ESCAPED = new Set<number>([
  ...Array.from({ length: 0x20 }, (_, i) => i),
  0x22, // "
  0x23, // #
  0x25, // %
  0x27, // '
  0x2a, // *
  0x2f, // /
  0x3a, // :
  0x3d, // =
  0x3f, // ?
  0x5c, // \
  0x7f,
  0x7b, // {
  0x5b, // [
  0x5d, // ]
  0x5e, // ^
]);

function needsEscaping(code: number): boolean {
  return ESCAPED.has(code);
}

function rootAuthority(root: string | undefined): string {
  if (root === undefined) return 'file://';
  const m = /^([A-Za-z][A-Za-z0-9+.-]*:)(\/\/[^/]*)?/.exec(root);
  if (m === null) return 'file://';
  return `${m[1] ?? ''}${m[2] ?? '//'}`;
}

function utf8(ch: string): number[] {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 0x3f)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f)];
}
