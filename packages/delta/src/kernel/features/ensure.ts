// Refuse, before any work, tables whose protocol needs reader features duckrun lacks.

import { UnsupportedFeatureError } from '../../errors.js';
import type { Protocol } from '../actions/types.js';
import { MAX_READER_VERSION, featureInfo } from './registry.js';

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
