// YAML reading for project files: parse errors name the file and line, and small shape checks
// turn a wrong type into a message about the key rather than a crash later.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import { ProjectConfigError } from './errors.js';

/** A plain YAML mapping. */
export type YamlMap = Record<string, unknown>;

/** Parses YAML text; an empty document is `undefined`. Errors name `file` and the line. */
export function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err !== undefined) {
    const line = lineCounter.linePos(err.pos[0]).line;
    throw new ProjectConfigError(file, line, `invalid YAML: ${err.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 1000 }) ?? undefined;
}

/** Reads and parses a YAML file; `display` is the path shown in errors. */
export function readYamlFile(path: string, display: string): unknown {
  return parseYaml(readFileSync(path, 'utf8'), display);
}

/** True for a YAML mapping (not a list, not null). */
export function isMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `v` as a mapping; undefined/null is an empty one; anything else is an error naming `what`. */
export function expectMap(v: unknown, file: string, what: string): YamlMap {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) throw new ProjectConfigError(file, undefined, `${what} must be a mapping of keys to values, not ${describe(v)}`);
  return v;
}

/** `v` as a list; undefined/null is empty. */
export function expectList(v: unknown, file: string, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new ProjectConfigError(file, undefined, `${what} must be a list, not ${describe(v)}`);
  return v;
}

/** `v` as a string, or undefined when absent. */
export function optionalString(v: unknown, file: string, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new ProjectConfigError(file, undefined, `${what} must be a string, not ${describe(v)}`);
  return v;
}

/** A string or a list of strings, as `model-paths` and hooks take. */
export function stringList(v: unknown, file: string, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new ProjectConfigError(file, undefined, `${what} must be a string or a list of strings, not ${describe(v)}`);
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`;
}
