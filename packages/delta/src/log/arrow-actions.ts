// Checkpoint rows (Arrow, one struct column per action kind) → plain Action objects.

import { Vector, type Table } from 'apache-arrow';
import type { Action } from '../kernel/actions/types.js';
import { toAction } from '../kernel/actions/parse.js';

const ACTION_COLUMNS = ['add', 'remove', 'metaData', 'protocol', 'txn', 'domainMetadata', 'sidecar', 'checkpointMetadata'] as const;

/** The action columns present in a checkpoint schema. */
export function actionColumns(names: readonly string[]): string[] {
  return ACTION_COLUMNS.filter((c) => names.includes(c));
}

/** Converts the rows of a checkpoint (or sidecar) table into actions, in row order. */
export function actionsFromArrow(table: Table, file: string): Action[] {
  const out: Action[] = [];
  const columns = ACTION_COLUMNS.map((name) => [name, table.getChild(name)] as const).filter((c) => c[1] !== null);
  for (let i = 0; i < table.numRows; i++) {
    for (const [name, vector] of columns) {
      if (!vector!.isValid(i)) continue;
      const body = toPlain(vector!.get(i)) as Record<string, unknown>;
      if (name === 'add') normaliseAdd(body);
      const action = toAction({ [name]: body }, file);
      if (action) out.push(action);
      break;
    }
  }
  return out;
}

function normaliseAdd(add: Record<string, unknown>): void {
  const parsed = add.stats_parsed;
  delete add.stats_parsed;
  delete add.partitionValues_parsed;
  if ((add.stats === null || add.stats === undefined) && parsed) add.statsParsed = parsed;
}

/** Arrow JS values (rows, maps, lists, bigints) → JSON-like plain values. */
export function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return value;
  if (value instanceof Vector) return Array.from(value as Iterable<unknown>, toPlain);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toPlain(v)]));
  const json = (value as { toJSON?: () => unknown }).toJSON;
  const obj = typeof json === 'function' ? (json.call(value) as Record<string, unknown>) : (value as Record<string, unknown>);
  if (Array.isArray(obj)) return obj.map(toPlain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[k] = toPlain(v);
  return out;
}
