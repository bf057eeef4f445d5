// Canonical identity of a data file path, so that `foo%20bar`, `file:/t/foo bar` and `/t/foo bar` are one
// file during reconciliation (PROTOCOL.md "Add File and Remove File": paths are RFC 2396 URIs).

const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/**
 * The canonical key of `path` for a table rooted at `tableRoot` (a URL without trailing slash):
 * the percent-decoded path relative to the root when the file lies inside it, else the decoded absolute URL.
 */
export function canonicalFileKey(tableRoot: string, path: string): string {
  const absolute = toAbsoluteUrl(tableRoot, path);
  if (absolute === undefined) return safeDecode(path);
  const root = canonicalRoot(tableRoot);
  return absolute.startsWith(root) ? absolute.slice(root.length) : absolute;
}

/**
 * The absolute URL of a data file path (relative, unqualified absolute `/x`, or a URI with a scheme),
 * percent-decoded; `undefined` when `path` is plain relative and so needs no resolution.
 */
export function toAbsoluteUrl(tableRoot: string, path: string): string | undefined {
  if (SCHEME.test(path)) {
    // `file:/x` and `file:///x` are the same file.
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):(\/*)(.*)$/.exec(path)!;
    const scheme = m[1]!.toLowerCase();
    if (scheme === 'file') return `file:///${safeDecode(m[3]!)}`;
    return `${scheme}://${safeDecode(m[2]!.length >= 2 ? m[3]! : m[2]! + m[3]!)}`;
  }
  if (path.startsWith('/')) {
    // Unqualified absolute path: same scheme and authority as the table root.
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*)/.exec(tableRoot);
    const authority = m ? m[1]! : 'file://';
    return `${authority}${safeDecode(path.replace(/^\/+/, '/'))}`;
  }
  return undefined;
}

/**
 * The absolute, percent-decoded URL of a data file path (`file:///t/part=a b/x.parquet`): the path resolved
 * against `tableRoot` when relative. Decoded so that a local file's path is the URL without its `file://`.
 */
export function decodedFileUrl(tableRoot: string, path: string): string {
  return toAbsoluteUrl(tableRoot, path) ?? `${canonicalRoot(tableRoot)}${safeDecode(path)}`;
}

function canonicalRoot(tableRoot: string): string {
  return `${safeDecode(tableRoot.replace(/\/+$/, ''))}/`;
}

function safeDecode(s: string): string {
  if (!s.includes('%')) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
