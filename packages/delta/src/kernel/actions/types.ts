// Delta log actions with their PROTOCOL.md wire names ("Actions" section). Plain immutable data.

/** `deletionVector` descriptor (PROTOCOL.md "Deletion Vector Descriptor Schema"). */
export interface DeletionVectorDescriptor {
  /** `u`: relative path encoded as (random prefix +) z85 UUID; `i`: inline z85 bitmap; `p`: absolute path. */
  readonly storageType: 'u' | 'i' | 'p';
  readonly pathOrInlineDv: string;
  /** Byte offset of the DV inside its file (absent for inline). */
  readonly offset?: number;
  readonly sizeInBytes: number;
  readonly cardinality: number;
}

/** `add`: a data file that is part of the table. */
export interface AddFile {
  /** URI-encoded path relative to the table root, or an absolute URI. */
  readonly path: string;
  /** Partition column (physical name) → serialized value; `null` for a null partition value. */
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly modificationTime: number;
  readonly dataChange: boolean;
  /** Per-file statistics as a JSON string. */
  readonly stats?: string | null;
  readonly tags?: Readonly<Record<string, string>> | null;
  readonly deletionVector?: DeletionVectorDescriptor | null;
  readonly baseRowId?: number | null;
  readonly defaultRowCommitVersion?: number | null;
  readonly clusteringProvider?: string | null;
  /** Parsed stats from a checkpoint's `stats_parsed` column, when that was the only form present. */
  readonly statsParsed?: unknown;
}

/** `remove`: a logical file deletion. */
export interface RemoveFile {
  readonly path: string;
  readonly deletionTimestamp?: number | null;
  readonly dataChange: boolean;
  readonly extendedFileMetadata?: boolean | null;
  readonly partitionValues?: Readonly<Record<string, string | null>> | null;
  readonly size?: number | null;
  readonly stats?: string | null;
  readonly tags?: Readonly<Record<string, string>> | null;
  readonly deletionVector?: DeletionVectorDescriptor | null;
  readonly baseRowId?: number | null;
  readonly defaultRowCommitVersion?: number | null;
}

/** `metaData`: the table's schema, partitioning and configuration. */
export interface Metadata {
  readonly id: string;
  readonly name?: string | null;
  readonly description?: string | null;
  readonly format: { readonly provider: string; readonly options?: Readonly<Record<string, string>> };
  /** The Delta JSON schema, as a string. */
  readonly schemaString: string;
  readonly partitionColumns: readonly string[];
  readonly createdTime?: number | null;
  readonly configuration: Readonly<Record<string, string>>;
}

/** `protocol`: reader/writer versions and (for 3/7) the named table features. */
export interface Protocol {
  readonly minReaderVersion: number;
  readonly minWriterVersion: number;
  readonly readerFeatures?: readonly string[] | null;
  readonly writerFeatures?: readonly string[] | null;
}

/** `txn`: application transaction watermark. */
export interface Txn {
  readonly appId: string;
  readonly version: number;
  readonly lastUpdated?: number | null;
}

/** `commitInfo`: free-form provenance of a commit. */
export type CommitInfo = Readonly<Record<string, unknown>> & {
  readonly timestamp?: number;
  readonly operation?: string;
  readonly inCommitTimestamp?: number;
};

/** `domainMetadata`: named configuration owned by a feature or a system. */
export interface DomainMetadata {
  readonly domain: string;
  readonly configuration: string;
  readonly removed: boolean;
}

/** `sidecar`: a file of add/remove actions referenced by a v2 checkpoint. */
export interface Sidecar {
  readonly path: string;
  readonly sizeInBytes: number;
  readonly modificationTime: number;
  readonly tags?: Readonly<Record<string, string>> | null;
}

/** `checkpointMetadata`: header of a v2 checkpoint. */
export interface CheckpointMetadata {
  readonly version: number;
  readonly tags?: Readonly<Record<string, string>> | null;
}

/** `cdc`: change-data file (not part of the table state). */
export interface AddCdcFile {
  readonly path: string;
  readonly partitionValues: Readonly<Record<string, string | null>>;
  readonly size: number;
  readonly dataChange: boolean;
}

/** One log action: exactly one key set, as on the wire. */
export type Action =
  | { readonly add: AddFile }
  | { readonly remove: RemoveFile }
  | { readonly metaData: Metadata }
  | { readonly protocol: Protocol }
  | { readonly txn: Txn }
  | { readonly commitInfo: CommitInfo }
  | { readonly domainMetadata: DomainMetadata }
  | { readonly sidecar: Sidecar }
  | { readonly checkpointMetadata: CheckpointMetadata }
  | { readonly cdc: AddCdcFile };
