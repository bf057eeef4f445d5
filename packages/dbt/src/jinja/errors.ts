// Typed errors of the Jinja layer; each names the template file, the line when known, and the macro.
import { DuckrunError } from '@duckrun/storage';

/** Where in the project a template error happened. */
export interface TemplateLocation {
  /** Template name: the file path it was registered under (`models/orders.sql`). */
  readonly template?: string | undefined;
  /** 1-based line within that template, when nunjucks tracked one. */
  readonly line?: number | undefined;
  /** Innermost macro that was running. */
  readonly macro?: string | undefined;
}

function where(loc: TemplateLocation): string {
  const file = loc.template ?? 'template';
  const line = loc.line !== undefined ? `, line ${loc.line}` : '';
  const macro = loc.macro !== undefined ? ` (in macro ${loc.macro})` : '';
  return `${file}${line}${macro}`;
}

/** Rendering a template failed; `cause` holds the original error (a CompilerError for raise_compiler_error). */
export class JinjaRenderError extends DuckrunError {
  readonly template: string | undefined;
  readonly line: number | undefined;
  readonly macro: string | undefined;
  /** The message without the location prefix. */
  readonly detail: string;
  constructor(detail: string, loc: TemplateLocation, options?: { cause?: unknown }) {
    super('DBT_JINJA_RENDER', `Compilation Error in ${where(loc)}: ${detail}`, options);
    this.template = loc.template;
    this.line = loc.line;
    this.macro = loc.macro;
    this.detail = detail;
  }

  /** The same error with a template name filled in where the runtime could not know it. */
  withTemplate(template: string): JinjaRenderError {
    if (this.template !== undefined) return this;
    return new JinjaRenderError(this.detail, { template, line: this.line, macro: this.macro }, { cause: this.cause });
  }
}

/** A template does not parse. */
export class JinjaSyntaxError extends DuckrunError {
  readonly template: string | undefined;
  readonly line: number | undefined;
  constructor(detail: string, loc: TemplateLocation, options?: { cause?: unknown }) {
    super('DBT_JINJA_SYNTAX', `Syntax error in ${where(loc)}: ${detail}; fix the Jinja at that line`, options);
    this.template = loc.template;
    this.line = loc.line;
  }
}

/** Raised by a template through `exceptions.raise_compiler_error(msg)` (and its dbt siblings). */
export class CompilerError extends DuckrunError {
  constructor(message: string) {
    super('DBT_COMPILATION', message);
  }
}

/** `adapter.dispatch` found no implementation for any adapter prefix in any searched package. */
export class DispatchError extends DuckrunError {
  constructor(macro: string, namespace: string | undefined, searched: readonly string[]) {
    super(
      'DBT_DISPATCH',
      `In dispatch: no macro named '${macro}' found${namespace ? ` within namespace '${namespace}'` : ''}; searched for ${searched.map((s) => `'${s}'`).join(', ')}. Define one of them, or check the dispatch search_order in dbt_project.yml`,
    );
  }
}

/** A template named a macro or package that is not registered. */
export class MacroNotFoundError extends DuckrunError {
  constructor(name: string) {
    super('DBT_MACRO_NOT_FOUND', `macro '${name}' is not defined; check its name and that its file is under a macro path`);
  }
}
