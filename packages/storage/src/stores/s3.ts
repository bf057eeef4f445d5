// Placeholder while the s3 adapter is being written (replaced in this change).
import { StoreConfigError } from '../errors.js';
import type { ObjectStore } from '../object-store.js';
import type { StorageOptions } from '../url.js';

export async function s3StoreFromUrl(url: URL, _options: StorageOptions): Promise<ObjectStore> {
  throw new StoreConfigError(`${url.protocol}// locations (${url.href}) are not supported by this build of duckrun yet`);
}
