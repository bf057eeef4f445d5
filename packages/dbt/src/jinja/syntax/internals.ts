// The untyped parts of nunjucks 3.2.4 this package builds on (parser, compiler, lexer, node classes,
// runtime). @types/nunjucks covers only the public API, so the bridge is typed loosely here, once.
import nunjucks from 'nunjucks';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A nunjucks AST node or internal object; its shape is nunjucks' own (see nunjucks/src/nodes.js). */
export type Loose = any;

interface Internals {
  parser: { Parser: Loose };
  compiler: { Compiler: Loose };
  lexer: Loose;
  nodes: Loose;
  runtime: Loose;
  lib: Loose;
}

const internals = nunjucks as unknown as Internals;

/** nunjucks' Parser class (recursive descent over lexer tokens). */
export const BaseParser: Loose = internals.parser.Parser;
/** nunjucks' Compiler class (AST → JS source of a `root` render function). */
export const BaseCompiler: Loose = internals.compiler.Compiler;
/** nunjucks' lexer module: `lex(src, opts)` and the TOKEN_* constants. */
export const lexer: Loose = internals.lexer;
/** nunjucks' node classes. */
export const nodes: Loose = internals.nodes;
/** nunjucks' runtime module: the object compiled templates call as `runtime.*`. */
export const baseRuntime: Loose = internals.runtime;
/** nunjucks' `lib` (TemplateError). */
export const lib: Loose = internals.lib;
