// The lowest protocol covering the features a table uses (PROTOCOL.md "Table Features", "Protocol
// Evolution"): legacy versions while they suffice (reader 1 / writer 2 by default), explicit feature
// lists (reader 3 / writer 7) once a feature without a legacy version is needed.

import type { Protocol } from '../actions/types.js';
import type { DataType, StructType } from '../schema/types.js';
import { columnMappingMode } from './column-mapping.js';
import { readerFeaturesOf, writerFeaturesOf } from './ensure.js';
import { featureInfo } from './registry.js';

/** Names of the features a table with this schema and configuration needs. */
export function requiredFeatures(schema: StructType, configuration: Readonly<Record<string, string>>): string[] {
  const features: string[] = [];
  if (configuration['delta.appendOnly'] === 'true') features.push('appendOnly');
  if (configuration['delta.enableChangeDataFeed'] === 'true') features.push('changeDataFeed');
  if (columnMappingMode(configuration) !== 'none') features.push('columnMapping');
  if (configuration['delta.enableDeletionVectors'] === 'true') features.push('deletionVectors');
  if (configuration['delta.enableInCommitTimestamps'] === 'true') features.push('inCommitTimestamp');
  if (schema.fields.some((f) => usesType(f.type, 'timestamp_ntz'))) features.push('timestampNtz');
  return features;
}

/** The lowest protocol that supports `features`. */
export function protocolForFeatures(features: readonly string[]): Protocol {
  const infos = features.map((name) => {
    const info = featureInfo(name);
    if (info === undefined) throw new TypeError(`unknown table feature ${name}`);
    return info;
  });
  if (infos.every((f) => f.legacy !== undefined)) {
    return {
      minReaderVersion: Math.max(1, ...infos.map((f) => f.legacy!.minReaderVersion)),
      minWriterVersion: Math.max(2, ...infos.map((f) => f.legacy!.minWriterVersion)),
    };
  }
  const readerFeatures = infos.filter((f) => f.kind === 'reader-writer').map((f) => f.name);
  // Legacy reader version 2 already implies columnMapping, so writer-only features keep reader 1 or 2.
  const needsReader3 = readerFeatures.some((name) => name !== 'columnMapping');
  return {
    minReaderVersion: needsReader3 ? 3 : readerFeatures.length > 0 ? 2 : 1,
    minWriterVersion: 7,
    ...(needsReader3 ? { readerFeatures } : {}),
    writerFeatures: infos.map((f) => f.name),
  };
}

/**
 * The protocol `current` must become to also support `features`, or undefined when it already does.
 * Legacy features implied by `current` are kept explicitly when moving to table features.
 */
export function upgradeProtocol(current: Protocol, features: readonly string[]): Protocol | undefined {
  const has = new Set([...writerFeaturesOf(current), ...readerFeaturesOf(current)]);
  const missing = features.filter((f) => !has.has(f));
  if (missing.length === 0) return undefined;
  const all = [...new Set([...writerFeaturesOf(current), ...missing])];
  const next = protocolForFeatures(all);
  return {
    ...next,
    minReaderVersion: Math.max(next.minReaderVersion, current.minReaderVersion),
    minWriterVersion: Math.max(next.minWriterVersion, current.minWriterVersion),
  };
}

function usesType(type: DataType, name: string): boolean {
  if (typeof type === 'string') return type === name;
  if (type.type === 'struct') return type.fields.some((f) => usesType(f.type, name));
  if (type.type === 'array') return usesType(type.elementType, name);
  if (type.type === 'map') return usesType(type.keyType, name) || usesType(type.valueType, name);
  return false;
}
