// Entry of `@duckrun/storage` under the `workerd` and `worker` export conditions (Cloudflare Workers). It
// exports what the root entry (src/index.ts) does, but resolves locations without url.ts: url.ts reaches the
// local-disk store and the cloud SDKs through dynamic imports, and a bundler follows those, so a Worker bundle
// would try to include node:fs and the AWS/Azure/Google SDKs. Here only r2:// and memory:// open by URL; any
// other store can still be passed in as an object (`{ store }`). A test keeps both entries' exports equal.

export type { ByteRange, ListOptions, ObjectMeta, ObjectStore, StoreCapabilities } from '../../object-store.js';
export { compareKeys, joinKey } from '../../object-store.js';
export { AlreadyExistsError, DuckrunError, InternalError, NotFoundError, StoreConfigError, StoreUnavailableError, isDuckrunError } from '../../errors.js';
export type { StorageOptions } from '../../url.js';
export { resolveStore, toUrl } from './edge-url.js';
export { MemoryStore, clearMemoryBucket, memoryStoreFromUrl } from '../memory.js';
