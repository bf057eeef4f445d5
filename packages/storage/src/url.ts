// URL → store resolution. Adapters are loaded by scheme on first use so that importing this package
// pulls in no Node built-ins or cloud SDKs until a URL needs them.

import { StoreConfigError } from './errors.js';
import { encodePathSegment, isAbsolutePath, urlOf } from './location.js';
import type { ObjectStore } from './object-store.js';
import { memoryStoreFromUrl } from './stores/memory.js';

/** Store options keyed as users know them from delta-rs / object_store (`aws_region`, …). */
export type StorageOptions = Readonly<Record<string, string>>;

type Loader = (url: URL, options: StorageOptions) => Promise<ObjectStore>;

const s3: Loader = async (url, options) => (await import('./stores/s3.js')).s3StoreFromUrl(url, options);
const azure: Loader = async (url, options) => (await import('./stores/azure.js')).azureStoreFromUrl(url, options);

// Cloud adapters validate their own option keys (listing the valid ones) and load their SDK on first use.
const LOADERS: Record<string, Loader> = {
  'file:': async (url, options) => {
    rejectOptions(url, options);
    return (await import('./stores/local.js')).localStoreFromUrl(url);
  },
  'memory:': async (url, options) => {
    rejectOptions(url, options);
    return memoryStoreFromUrl(url);
  },
  's3:': s3,
  's3a:': s3,
  'az:': azure,
  'azure:': azure,
  'abfs:': azure,
  'abfss:': azure,
  'gs:': async (url, options) => (await import('./stores/gcs.js')).gcsStoreFromUrl(url, options),
  'r2:': async (url, options) => (await import('./stores/r2.js')).r2StoreFromUrl(url, options),
};

/** `https://` URLs of Azure Blob / ADLS Gen2 / OneLake endpoints. */
const AZURE_HTTPS_HOST = /\.(blob|dfs)\.core\.windows\.net$|(^|\.)onelake\.(blob|dfs)\.fabric\.microsoft\.com$/i;


/**
 * Normalises a table location to a URL string without a trailing slash: absolute URLs pass through,
 * local paths become `file://` URLs (relative ones against `base`, a URL or a directory, default
 * the working directory). Path characters outside RFC 3986 `pchar` are percent-encoded, so
 * `toUrl(path)` spells a directory exactly as the local store's `url` does.
 */
export function toUrl(location: string, base?: string): string {
  return urlOf(location, base) ?? localPathToUrl(location, base);
}

/** Opens the store rooted at `url` (a URL or local path). */
export async function resolveStore(url: string, options: StorageOptions = {}): Promise<ObjectStore> {
  const parsed = parseUrl(toUrl(url));
  const loader = parsed.protocol === 'https:' && AZURE_HTTPS_HOST.test(parsed.hostname) ? azure : LOADERS[parsed.protocol];
  if (loader) return loader(parsed, options);
  throw new StoreConfigError(
    `cannot open ${url}: unknown URL scheme ${parsed.protocol}; use a local path, file://, memory://, s3://, az:// or abfss://, gs://, or r2://`,
  );
}

function rejectOptions(url: URL, options: StorageOptions): void {
  const unknown = Object.keys(options).filter((k) => options[k] !== undefined);
  if (unknown.length > 0) {
    throw new StoreConfigError(`storage option(s) ${unknown.join(', ')} do not apply to ${url.protocol}// locations (${url.href}); remove them`);
  }
}

function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch (e) {
    throw new StoreConfigError(`cannot open ${url}: not a valid URL or path`, { cause: e });
  }
}

function localPathToUrl(path: string, base?: string): string {
  // Avoid node:path/node:url here to stay loadable on edge runtimes; POSIX and Windows paths both work.
  let p = path.replace(/\\/g, '/');
  if (!isAbsolutePath(p)) {
    const cwd = base ?? (globalThis as { process?: { cwd(): string } }).process?.cwd() ?? '/';
    p = `${cwd.replace(/\\/g, '/').replace(/\/+$/, '')}/${p}`;
  }
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  const drive = /^[a-zA-Z]:$/.test(parts[0] ?? '') ? `/${parts.shift()}` : '';
  return `file://${drive}/${parts.map(encodePathSegment).join('/')}`;
}
