// One JSON log line → Action. Unknown action kinds are skipped (forward compatibility, PROTOCOL.md
// "Actions": readers must ignore fields and actions they do not understand).

import { DeltaProtocolError } from '../../errors.js';
import type { Action } from './types.js';

const EMPTY_SCHEMA = '{"type":"struct","fields":[]}';

const KINDS = ['add', 'remove', 'metaData', 'protocol', 'txn', 'commitInfo', 'domainMetadata', 'sidecar', 'checkpointMetadata', 'cdc'] as const;

/** Parses the newline-delimited actions of a commit (or JSON checkpoint) file named `file`. */
export function parseActions(text: string, file: string): Action[] {
  const out: Action[] = [];
  let lineNo = 0;
  for (const line of text.split('\n')) {
    lineNo++;
    if (line.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch (e) {
      throw new DeltaProtocolError(`${file} line ${lineNo} is not valid JSON; the log file is corrupt`, { cause: e });
    }
    const action = toAction(obj, file, lineNo);
    if (action) out.push(action);
  }
  return out;
}

/** Normalises a decoded action object (from JSON or a checkpoint row); undefined for unknown kinds. */
export function toAction(obj: unknown, file: string, line?: number): Action | undefined {
  if (typeof obj !== 'object' || obj === null) {
    throw new DeltaProtocolError(`${file}${line ? ` line ${line}` : ''} holds ${JSON.stringify(obj)}, not an action object`);
  }
  const rec = obj as Record<string, unknown>;
  for (const kind of KINDS) {
    const body = rec[kind];
    if (body === undefined || body === null) continue;
    if (kind === 'add') {
      const add = body as Record<string, unknown>;
      if (typeof add.path !== 'string') throw missing(file, line, 'add.path');
      return { add: { ...add, partitionValues: (add.partitionValues ?? {}) as Record<string, string | null> } as never };
    }
    if (kind === 'remove') {
      const rm = body as Record<string, unknown>;
      if (typeof rm.path !== 'string') throw missing(file, line, 'remove.path');
      return { remove: { dataChange: true, ...rm } as never };
    }
    if (kind === 'metaData') {
      const md = body as Record<string, unknown>;
      if (md.schemaString !== undefined && md.schemaString !== null && typeof md.schemaString !== 'string') {
        throw missing(file, line, 'a string metaData.schemaString');
      }
      return {
        metaData: {
          ...md,
          // Delta's reference reader treats an absent schemaString as an empty schema; so do we.
          schemaString: md.schemaString ?? EMPTY_SCHEMA,
          format: (md.format ?? { provider: 'parquet' }) as never,
          partitionColumns: (md.partitionColumns ?? []) as string[],
          configuration: (md.configuration ?? {}) as Record<string, string>,
        } as never,
      };
    }
    if (kind === 'protocol') {
      const p = body as Record<string, unknown>;
      if (typeof p.minReaderVersion !== 'number' || typeof p.minWriterVersion !== 'number') {
        throw missing(file, line, 'protocol.minReaderVersion/minWriterVersion');
      }
    }
    return { [kind]: body } as Action;
  }
  return undefined;
}

function missing(file: string, line: number | undefined, field: string): DeltaProtocolError {
  return new DeltaProtocolError(`${file}${line ? ` line ${line}` : ''} has an action without ${field}; the log file is corrupt`);
}
