// Snapshot: the table at one version: protocol, metadata, schema, live files, and scans over them.

import { Schema, type Field, type RecordBatch } from 'apache-arrow';
import type { ObjectStore, StorageOptions } from '@duckrun/storage';
import type { AddFile, DomainMetadata, Metadata, Protocol, RemoveFile, Txn } from './kernel/actions/types.js';
import { columnMappingMode, physicalName, type ColumnMappingMode } from './kernel/features/column-mapping.js';
import type { TableState } from './kernel/log/replay.js';
import { parsePartitionValue, type PartitionScalar } from './kernel/partitions/values.js';
import { toArrowSchema } from './kernel/schema/arrow.js';
import { parseSchema } from './kernel/schema/parse.js';
import type { StructField, StructType } from './kernel/schema/types.js';
import { DeltaProtocolError } from './errors.js';
import { decodedFileUrl } from './kernel/log/file-key.js';
import { FileLocator } from './scan/locate.js';
import { loadDeletedRows } from './scan/deletion.js';
import { scanFiles, type ScanContext, type ScanFile } from './scan/scan.js';
import { inlineDecoder, type ParquetDecoder } from './parquet/decoder.js';

/** Options of {@link Snapshot.scan}. */
export interface ScanOptions {
  /** Only these files (from {@link Snapshot.files}), e.g. after pruning. */
  readonly files?: readonly ScanFile[];
  /** Only these columns (logical names), in this order. */
  readonly columns?: readonly string[];
  /** Where data files are decoded (default parquet-wasm on this thread); see {@link ParquetDecoder}. */
  readonly decoder?: ParquetDecoder;
}

/** What a snapshot is built from (internal). */
export interface SnapshotInit {
  readonly tableUri: string;
  readonly store: ObjectStore;
  readonly storageOptions: StorageOptions;
  readonly version: number;
  readonly state: TableState;
  readonly lastModified?: number;
  readonly partitionTimeZone?: string;
}

/** A read-only view of a Delta table at one version. */
export class Snapshot {
  /** Table root URL. */
  readonly tableUri: string;
  /** The version this snapshot reflects. */
  readonly version: number;
  readonly protocol: Protocol;
  readonly metadata: Metadata;
  /** The logical Delta schema. */
  readonly schema: StructType;
  /** Partition columns, logical names, in partition order. */
  readonly partitionColumns: readonly string[];
  /** Column mapping mode of the table. */
  readonly columnMapping: ColumnMappingMode;
  /** Modification time of the newest log file replayed (epoch ms), when known. */
  readonly lastModified: number | undefined;
  private readonly state: TableState;
  private readonly locator: FileLocator;
  private readonly partitionTimeZone: string | undefined;
  private scanFileCache: ScanFile[] | undefined;
  private arrowSchemaCache: Schema | undefined;

  constructor(init: SnapshotInit) {
    this.tableUri = init.tableUri;
    this.version = init.version;
    this.state = init.state;
    this.protocol = init.state.protocol!;
    this.metadata = init.state.metadata!;
    this.lastModified = init.lastModified;
    this.partitionTimeZone = init.partitionTimeZone;
    this.schema = parseSchema(this.metadata.schemaString);
    this.columnMapping = columnMappingMode(this.metadata.configuration);
    this.partitionColumns = this.metadata.partitionColumns;
    for (const p of this.partitionColumns) {
      if (!this.schema.fields.some((f) => f.name === p)) {
        throw new DeltaProtocolError(`table ${this.tableUri} is partitioned by ${p}, which is not a column of its schema; the metadata is corrupt`);
      }
    }
    this.locator = new FileLocator(init.tableUri, init.store, init.storageOptions);
  }

  /** The logical schema as Arrow (apache-arrow), partition columns included, in schema order. */
  arrowSchema(): Schema {
    this.arrowSchemaCache ??= toArrowSchema(this.schema);
    return this.arrowSchemaCache;
  }

  /** The raw `add` actions of the live files. */
  addFiles(): AddFile[] {
    return [...this.state.files.values()];
  }

  /**
   * The `remove` actions of files removed and not re-added, expired or not (a checkpoint keeps only those
   * newer than `delta.deletedFileRetentionDuration`; readers ignore them).
   */
  tombstones(): RemoveFile[] {
    return [...this.state.tombstones.values()];
  }

  /** The live files with typed partition values (logical names). */
  files(): readonly ScanFile[] {
    this.scanFileCache ??= this.addFiles().map((add) => this.toScanFile(add));
    return this.scanFileCache;
  }

  /** Number of live files. */
  get numFiles(): number {
    return this.state.files.size;
  }

  /** Application transaction watermarks by appId. */
  get txns(): ReadonlyMap<string, Txn> {
    return this.state.txns;
  }

  /** Live domain metadata by domain. */
  get domainMetadata(): ReadonlyMap<string, DomainMetadata> {
    return this.state.domains;
  }

  /** Streams the snapshot's rows as Arrow record batches (deletion vectors applied). */
  scan(options: ScanOptions = {}): AsyncIterable<RecordBatch> {
    const ctx: ScanContext = {
      tableUri: this.tableUri,
      version: this.version,
      locator: this.locator,
      fields: this.schema.fields,
      arrowFields: this.arrowSchema().fields as Field[],
      partitionColumns: new Set(this.partitionColumns),
      mode: this.columnMapping,
      decoder: options.decoder ?? inlineDecoder,
    };
    return scanFiles(ctx, options.files ?? this.files(), options.columns);
  }

  /**
   * Where a live file's data lives, as an absolute percent-decoded URL (`file:///t/part=a b/x.parquet`), for
   * readers other than {@link Snapshot.scan} (e.g. DuckDB's read_parquet on local tables).
   */
  dataFileUrl(file: ScanFile): string {
    return decodedFileUrl(this.tableUri, file.path);
  }

  /**
   * The sorted indexes of the rows of `file` its deletion vector removes, or undefined when it has none:
   * what {@link Snapshot.scan} drops, for readers that apply deletion vectors themselves.
   */
  async deletedRows(file: ScanFile): Promise<Float64Array | undefined> {
    const dv = file.add.deletionVector;
    return dv ? loadDeletedRows(this.locator, this.tableUri, dv) : undefined;
  }

  private toScanFile(add: AddFile): ScanFile {
    const values: Record<string, PartitionScalar> = {};
    for (const name of this.partitionColumns) {
      const field = this.schema.fields.find((f) => f.name === name) as StructField;
      const key = physicalName(field, this.columnMapping);
      const raw = key in add.partitionValues ? add.partitionValues[key] : add.partitionValues[name];
      values[name] = parsePartitionValue(
        raw,
        field.type,
        `${name} of ${add.path} in ${this.tableUri}`,
        this.partitionTimeZone ? { timeZone: this.partitionTimeZone } : {},
      );
    }
    const numRecords = statsNumRecords(add);
    return {
      path: add.path,
      partitionValues: values,
      size: add.size,
      add,
      ...(numRecords !== undefined ? { numRecords } : {}),
    };
  }
}

function statsNumRecords(add: AddFile): number | undefined {
  if (typeof add.stats === 'string') {
    const m = /"numRecords"\s*:\s*(\d+)/.exec(add.stats);
    return m ? Number(m[1]) : undefined;
  }
  const parsed = add.statsParsed as { numRecords?: unknown } | undefined;
  return typeof parsed?.numRecords === 'number' ? parsed.numRecords : undefined;
}
