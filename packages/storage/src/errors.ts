// Typed errors shared by every duckrun package: a stable `code` per failure so callers never match on text.

/** Base class of every error duckrun raises on purpose; `code` is stable across releases. */
export class DuckrunError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** True when `e` is a duckrun error, optionally with the given code (works across package copies). */
export function isDuckrunError(e: unknown, code?: string): e is DuckrunError {
  if (typeof e !== 'object' || e === null) return false;
  const c = (e as { code?: unknown }).code;
  if (typeof c !== 'string' || !(e instanceof Error)) return false;
  return code === undefined ? /^[A-Z]+_[A-Z_]+$/.test(c) : c === code;
}

/** `putIfAbsent` lost: an object already exists at the path. */
export class AlreadyExistsError extends DuckrunError {
  constructor(readonly url: string, options?: { cause?: unknown }) {
    super('STORE_ALREADY_EXISTS', `object ${url} already exists`, options);
  }
}

/** The object does not exist. */
export class NotFoundError extends DuckrunError {
  constructor(readonly url: string, options?: { cause?: unknown }) {
    super('STORE_NOT_FOUND', `object ${url} does not exist`, options);
  }
}

/** The URL names a store duckrun cannot open (unknown scheme, malformed URL, unknown option). */
export class StoreConfigError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_CONFIG', message, options);
  }
}

/** A bug in duckrun rather than in the caller's input. */
export class InternalError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTERNAL', `${message} (this is a duckrun bug; please report it)`, options);
  }
}

/** The store failed or could not be reached, after retries; the operation's outcome is unknown or failed. */
export class StoreUnavailableError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORE_UNAVAILABLE', message, options);
  }
}
