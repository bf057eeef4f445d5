// Typed errors of the runner. A node's failure becomes its result's one-line message (naming the
// file); these classes are what the runner throws internally and what runDbt throws for refusals
// before any node runs (no project, bad profile, a cycle).
import { DuckrunError } from '@duckrun/storage';

/** A node could not be materialized; the message names the node's file. */
export class NodeExecutionError extends DuckrunError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DBT_NODE_EXECUTION', message, options);
  }
}

/** A model's config asks for something the runner cannot do (unknown strategy, missing unique_key…). */
export class ModelConfigError extends DuckrunError {
  constructor(file: string, detail: string) {
    super('DBT_MODEL_CONFIG', `Compilation Error in ${file}: ${detail}`);
  }
}

/** on_schema_change: fail, and the model's columns differ from the table's. */
export class SchemaChangeError extends DuckrunError {
  constructor(file: string, detail: string) {
    super('DBT_SCHEMA_CHANGE', `${file}: ${detail}`);
  }
}

/** A persisted view refers to itself, directly or through others. */
export class ViewExpansionError extends DuckrunError {
  constructor(detail: string) {
    super('DBT_VIEW_EXPANSION', detail);
  }
}

/** The command or its options cannot run (e.g. `show` without a model or --inline). */
export class RunOptionError extends DuckrunError {
  constructor(detail: string) {
    super('DBT_RUN_OPTION', detail);
  }
}

/** One line for a failed node: the error's message with the file named when the message does not already. */
export function nodeErrorLine(e: unknown, file: string): string {
  const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ').trim();
  return message.includes(file) ? message : `${file}: ${message}`;
}
