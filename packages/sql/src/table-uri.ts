// Table URIs in SQL: absolute URLs and absolute paths stand alone; relative ones resolve against the session root.
import { toUrl } from '@duckrun/storage';

/** The table URL for `uri` as written in SQL, resolving relative paths against `rootUrl`. */
export function resolveTableUri(uri: string, rootUrl: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//.test(uri)) return toUrl(uri);
  if (uri.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(uri)) return toUrl(uri);
  const base = rootUrl.endsWith('/') ? rootUrl : `${rootUrl}/`;
  const rel = uri.replace(/\\/g, '/').split('/').map((seg) => (seg === '.' || seg === '..' ? seg : encodeURIComponent(seg))).join('/');
  return new URL(rel, base).href.replace(/\/+$/, '');
}

/** The session root as a URL: a URL as given, or a local path (relative to the working directory). */
export function resolveRoot(root: string | undefined): string {
  return toUrl(root ?? '.');
}
