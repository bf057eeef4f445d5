// Location text → URL text, shared by the Node entry (url.ts) and the edge entry (stores/r2/edge-url.ts):
// URLs and URL-relative paths are normalised the same way everywhere; only local paths differ by runtime.

/** `scheme://`: a location that is already a URL (a one-letter scheme is a Windows drive). */
const URL_PREFIX = /^[a-zA-Z][a-zA-Z0-9+.-]+:\/\//;

/**
 * `location` as a URL without a trailing slash when it is a URL, or a relative path under a URL `base`;
 * undefined when it is a local path (the caller decides what a local path means on its runtime).
 */
export function urlOf(location: string, base?: string): string | undefined {
  if (URL_PREFIX.test(location)) return stripTrailingSlashes(location);
  if (base !== undefined && URL_PREFIX.test(base) && !isAbsolutePath(location)) {
    const rel = location.replace(/\\/g, '/').split('/').map(encodePathSegment).join('/');
    return stripTrailingSlashes(new URL(rel, `${stripTrailingSlashes(base)}/`).href);
  }
  return undefined;
}

/** True for `/x`, `\x` and `C:\x` / `C:/x`. */
export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z]:[\\/]/.test(path);
}

/** `scheme://host/a/b/` → `scheme://host/a/b`, but never strips into the `scheme://` itself. */
export function stripTrailingSlashes(url: string): string {
  const at = url.indexOf('://') + 3;
  const rest = url.slice(at).replace(/\/+$/, '');
  return url.slice(0, at) + (rest === '' && url.length > at ? '/' : rest);
}

/** Percent-encodes one path segment, keeping RFC 3986 `pchar` (so `date=2024-01-01` stays readable). */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/%(24|26|2B|2C|3B|3D|3A|40)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
