// Location resolution for edge runtimes (see edge.ts): URLs are handled exactly as url.ts handles them
// (a test compares the two), local paths are refused because a Worker has no file system.

import { StoreConfigError } from '../../errors.js';
import { urlOf } from '../../location.js';
import type { ObjectStore } from '../../object-store.js';
import type { StorageOptions } from '../../url.js';
import { memoryStoreFromUrl } from '../memory.js';
import { r2StoreFromUrl } from '../r2.js';


/**
 * Normalises a table location to a URL string without a trailing slash; relative paths are resolved
 * against a URL `base`. Local paths throw StoreConfigError: there is no file system on this runtime.
 */
export function toUrl(location: string, base?: string): string {
  const url = urlOf(location, base);
  if (url !== undefined) return url;
  throw new StoreConfigError(
    `${location} is a local path, but this runtime (Cloudflare Workers build of @duckrun/storage) has no file system; use an r2://<binding>/<prefix> URL or pass { store: new R2Store(env.BUCKET, '<prefix>') }`,
  );
}

/** Opens the store rooted at `url`: `r2://` (a registered binding) or `memory://`. */
export async function resolveStore(url: string, options: StorageOptions = {}): Promise<ObjectStore> {
  let parsed: URL;
  try {
    parsed = new URL(toUrl(url));
  } catch (e) {
    if (e instanceof StoreConfigError) throw e;
    throw new StoreConfigError(`cannot open ${url}: not a valid URL`, { cause: e });
  }
  if (parsed.protocol === 'r2:') return r2StoreFromUrl(parsed, options);
  if (parsed.protocol === 'memory:') {
    const keys = Object.keys(options).filter((k) => options[k] !== undefined);
    if (keys.length > 0) throw new StoreConfigError(`storage option(s) ${keys.join(', ')} do not apply to memory:// locations (${parsed.href}); remove them`);
    return memoryStoreFromUrl(parsed);
  }
  throw new StoreConfigError(
    `cannot open ${url} by URL in this runtime: the Cloudflare Workers build of @duckrun/storage opens r2:// (after registerR2Binding) and memory:// locations; for other stores pass an ObjectStore object as { store }`,
  );
}
