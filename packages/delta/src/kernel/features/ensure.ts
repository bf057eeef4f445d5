// Refuse, before any work, tables whose protocol needs reader (or, for commits, writer) features duckrun lacks.

import { UnsupportedFeatureError } from '../../errors.js';
import type { Metadata, Protocol } from '../actions/types.js';
import { FEATURES, MAX_READER_VERSION, MAX_WRITER_VERSION, featureInfo } from './registry.js';

/** The reader features a protocol requires (explicit for reader v3, implied for legacy versions). */
export function readerFeaturesOf(protocol: Protocol): string[] {
  if (protocol.minReaderVersion >= 3) return [...(protocol.readerFeatures ?? [])];
  return protocol.minReaderVersion === 2 ? ['columnMapping'] : [];
}

/** Throws `UnsupportedFeatureError` naming `table` and the feature if duckrun cannot read it. */
export function ensureReadable(table: string, protocol: Protocol): void {
  if (!Number.isInteger(protocol.minReaderVersion) || protocol.minReaderVersion < 1) {
    throw new UnsupportedFeatureError(`table ${table} has an invalid minReaderVersion ${String(protocol.minReaderVersion)}`);
  }
  if (protocol.minReaderVersion > MAX_READER_VERSION) {
    throw new UnsupportedFeatureError(
      `table ${table} requires Delta reader version ${protocol.minReaderVersion}; duckrun reads up to version ${MAX_READER_VERSION}. Upgrade duckrun or read the table with an engine that supports it`,
    );
  }
  for (const name of readerFeaturesOf(protocol)) {
    const info = featureInfo(name);
    if (!info) {
      throw new UnsupportedFeatureError(`table ${table} uses reader feature \`${name}\`, which duckrun does not know; it cannot be read safely`);
    }
    if (!info.support.read) {
      throw new UnsupportedFeatureError(
        `table ${table} uses reader feature \`${name}\`, which duckrun cannot read${info.note ? ` (${info.note})` : ''}`,
      );
    }
  }
}

/** The writer features a protocol requires (explicit for writer v7, implied for legacy versions). */
export function writerFeaturesOf(protocol: Protocol): string[] {
  if (protocol.minWriterVersion >= 7) return [...(protocol.writerFeatures ?? [])];
  return FEATURES.filter((f) => f.legacy !== undefined && f.legacy.minWriterVersion <= protocol.minWriterVersion).map((f) => f.name);
}

/** What a commit does, as far as conditional feature rules care. */
export type WriteKind = 'append' | 'rewrite' | 'metadata';

/**
 * Throws `UnsupportedFeatureError` naming `table` and the feature if a commit by duckrun could break one of
 * the table's writer features. Features whose rules only bite when in use (invariants, CHECK constraints,
 * generated/identity columns, change data feed) are refused only when the table actually uses them.
 */
export function ensureWritable(table: string, protocol: Protocol, metadata: Metadata, kind: WriteKind): void {
  ensureReadable(table, protocol);
  if (!Number.isInteger(protocol.minWriterVersion) || protocol.minWriterVersion < 1) {
    throw new UnsupportedFeatureError(`table ${table} has an invalid minWriterVersion ${String(protocol.minWriterVersion)}`);
  }
  if (protocol.minWriterVersion > MAX_WRITER_VERSION) {
    throw new UnsupportedFeatureError(
      `table ${table} requires Delta writer version ${protocol.minWriterVersion}; duckrun writes up to version ${MAX_WRITER_VERSION}. Write to it with an engine that supports it`,
    );
  }
  for (const name of writerFeaturesOf(protocol)) {
    const info = featureInfo(name);
    if (!info) {
      throw new UnsupportedFeatureError(`table ${table} uses writer feature \`${name}\`, which duckrun does not know; writing could break it, so duckrun refuses`);
    }
    if (!info.support.write) {
      throw new UnsupportedFeatureError(
        `table ${table} uses writer feature \`${name}\`, which duckrun cannot write${info.note ? ` (${info.note})` : ''}; write to it with an engine that supports it`,
      );
    }
  }
  const inUse = conditionalFeaturesInUse(metadata, kind);
  if (inUse.length > 0) {
    throw new UnsupportedFeatureError(
      `table ${table} uses ${inUse.join(' and ')}, which duckrun does not enforce yet; writing could break them, so duckrun refuses (write to it with an engine that enforces them)`,
    );
  }
}

/** Conditional writer features the table's metadata actually uses, described for a message. */
function conditionalFeaturesInUse(metadata: Metadata, kind: WriteKind): string[] {
  const found: string[] = [];
  const config = metadata.configuration;
  const constraints = Object.keys(config).filter((k) => k.startsWith('delta.constraints.'));
  if (constraints.length > 0) found.push(`CHECK constraints (${constraints.map((k) => k.slice('delta.constraints.'.length)).join(', ')})`);
  // Appends need no change-data files (their adds are the change data); rewrites would.
  if (kind === 'rewrite' && config['delta.enableChangeDataFeed'] === 'true') found.push('change data feed (rewrites must write change-data files)');
  let schema: unknown;
  try {
    schema = JSON.parse(metadata.schemaString);
  } catch {
    return found; // The reader reports a malformed schema with its own error.
  }
  const columns: Record<string, string[]> = {};
  visitFieldMetadata(schema, '', (column, key) => {
    const what = key === 'delta.invariants' ? 'invariants' : key === 'delta.generationExpression' ? 'generated columns' : key.startsWith('delta.identity.') ? 'identity columns' : undefined;
    if (what !== undefined) (columns[what] ??= []).includes(column) || columns[what].push(column);
  });
  for (const [what, cols] of Object.entries(columns)) found.push(`${what} (${cols.join(', ')})`);
  return found;
}

function visitFieldMetadata(type: unknown, prefix: string, visit: (column: string, key: string) => void): void {
  if (typeof type !== 'object' || type === null) return;
  const t = type as { type?: unknown; fields?: unknown; elementType?: unknown; keyType?: unknown; valueType?: unknown };
  if (Array.isArray(t.fields)) {
    for (const f of t.fields as { name?: unknown; type?: unknown; metadata?: unknown }[]) {
      const column = `${prefix}${String(f.name)}`;
      if (typeof f.metadata === 'object' && f.metadata !== null) for (const key of Object.keys(f.metadata)) visit(column, key);
      visitFieldMetadata(f.type, `${column}.`, visit);
    }
  }
  for (const child of [t.elementType, t.keyType, t.valueType]) visitFieldMetadata(child, prefix, visit);
}
