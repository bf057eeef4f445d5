// Control-flow signals thrown through compiled templates. They are not errors: `return()` ends a
// macro with a value, and a suspension stops a render until an awaited query has run.

/** Thrown by the `return(value)` global; the enclosing macro returns `value`. */
export class ReturnSignal {
  constructor(readonly value: unknown) {}
}

/**
 * Thrown by a synchronous template function that needs an async result it does not have yet. The
 * driver recognises a suspension by its pending slot, not by this type: nunjucks rewraps errors.
 */
export class SuspendSignal {
  readonly message = 'render suspended for an async call (internal; the render driver replays it)';
}
