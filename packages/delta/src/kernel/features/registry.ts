// One row per Delta table feature (PROTOCOL.md "Table Features"): what kind it is, which legacy protocol
// versions imply it, and what duckrun supports. Every "can we read/write this table" answer comes from here.

/** How a feature constrains clients. */
export type FeatureKind = 'reader-writer' | 'writer';

/** What duckrun does with a feature. */
export interface FeatureSupport {
  /** Tables with the feature can be read correctly. */
  readonly read: boolean;
  /** Commits to tables with the feature keep its rules. */
  readonly write: boolean;
}

/** Static facts about one table feature. */
export interface FeatureInfo {
  readonly name: string;
  readonly kind: FeatureKind;
  /** Legacy protocol versions that imply the feature (before table features existed). */
  readonly legacy?: { readonly minReaderVersion: number; readonly minWriterVersion: number };
  readonly support: FeatureSupport;
  /** Why a refusal happens, for error messages. */
  readonly note?: string;
}

const R = { read: true, write: false } as const;
const RW = { read: true, write: true } as const;

const NOTES = {
  rowTracking: 'commits must assign row ids and advance the row-id high-water mark, which duckrun does not do yet',
  icebergCompatV1: 'commits must keep the table Iceberg-compatible (field ids, no unsupported types), which duckrun does not check',
  icebergCompatV2: 'commits must keep the table Iceberg-compatible (field ids, no unsupported types), which duckrun does not check',
  allowColumnDefaults: 'writes must fill column default values, which duckrun does not evaluate',
} as const;

/** Every table feature duckrun knows of. Unknown names are refused for reading and writing. */
export const FEATURES: readonly FeatureInfo[] = [
  { name: 'appendOnly', kind: 'writer', legacy: { minReaderVersion: 1, minWriterVersion: 2 }, support: RW },
  { name: 'invariants', kind: 'writer', legacy: { minReaderVersion: 1, minWriterVersion: 2 }, support: RW },
  { name: 'checkConstraints', kind: 'writer', legacy: { minReaderVersion: 1, minWriterVersion: 3 }, support: RW },
  { name: 'changeDataFeed', kind: 'writer', legacy: { minReaderVersion: 1, minWriterVersion: 4 }, support: RW },
  { name: 'generatedColumns', kind: 'writer', legacy: { minReaderVersion: 1, minWriterVersion: 4 }, support: RW },
  { name: 'columnMapping', kind: 'reader-writer', legacy: { minReaderVersion: 2, minWriterVersion: 5 }, support: RW },
  { name: 'identityColumns', kind: 'writer', legacy: { minReaderVersion: 1, minWriterVersion: 6 }, support: RW },
  { name: 'deletionVectors', kind: 'reader-writer', support: RW },
  { name: 'timestampNtz', kind: 'reader-writer', support: RW },
  { name: 'v2Checkpoint', kind: 'reader-writer', support: RW },
  { name: 'vacuumProtocolCheck', kind: 'reader-writer', support: RW },
  { name: 'typeWidening', kind: 'reader-writer', support: RW },
  { name: 'typeWidening-preview', kind: 'reader-writer', support: RW },
  { name: 'domainMetadata', kind: 'writer', support: RW },
  { name: 'rowTracking', kind: 'writer', support: R, note: NOTES.rowTracking },
  { name: 'inCommitTimestamp', kind: 'writer', support: RW },
  { name: 'icebergCompatV1', kind: 'writer', support: R, note: NOTES.icebergCompatV1 },
  { name: 'icebergCompatV2', kind: 'writer', support: R, note: NOTES.icebergCompatV2 },
  { name: 'clustering', kind: 'writer', support: RW },
  { name: 'allowColumnDefaults', kind: 'writer', support: R, note: NOTES.allowColumnDefaults },
  {
    name: 'variantType',
    kind: 'reader-writer',
    support: { read: false, write: false },
    note: 'variant columns need a variant decoder, which duckrun does not have',
  },
  {
    name: 'variantType-preview',
    kind: 'reader-writer',
    support: { read: false, write: false },
    note: 'variant columns need a variant decoder, which duckrun does not have',
  },
];

const BY_NAME = new Map(FEATURES.map((f) => [f.name, f]));

/** The registry row of a feature, or undefined for names duckrun has never heard of. */
export function featureInfo(name: string): FeatureInfo | undefined {
  return BY_NAME.get(name);
}

/** Highest legacy protocol versions understood (reader 3 / writer 7 mean "table features"). */
export const MAX_READER_VERSION = 3;
export const MAX_WRITER_VERSION = 7;
