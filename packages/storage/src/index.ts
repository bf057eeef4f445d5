// @duckrun/storage: the ObjectStore interface, errors, URL resolution and the in-memory store.
export type { ByteRange, ListOptions, ObjectMeta, ObjectStore, StoreCapabilities } from './object-store.js';
export { compareKeys, joinKey } from './object-store.js';
export { AlreadyExistsError, DuckrunError, InternalError, NotFoundError, StoreConfigError, StoreUnavailableError, isDuckrunError } from './errors.js';
export { resolveStore, toUrl, type StorageOptions } from './url.js';
export { MemoryStore, clearMemoryBucket, memoryStoreFromUrl } from './stores/memory.js';
