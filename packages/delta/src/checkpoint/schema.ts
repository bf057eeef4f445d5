// The classic checkpoint schema (PROTOCOL.md "Checkpoint Schema", "Checkpoints"): one nullable struct
// column per action kind, every field nullable, one action per row; and a batch builder over it.

import { RecordBatch, Schema, Field, Struct, makeData } from 'apache-arrow';
import { BoolColumn, IntColumn, LongColumn, StringColumn, StringListColumn, StringMapColumn, StructColumn } from './columns.js';
import { PartitionValuesParsedColumn, type ParsedPartitionField } from './partition-values-parsed.js';

/** The top-level checkpoint columns, in file order (the order Delta Spark writes them in). */
export const CHECKPOINT_COLUMNS = ['txn', 'add', 'remove', 'metaData', 'protocol', 'domainMetadata'] as const;

/** The action kind of a checkpoint column. */
export type CheckpointColumn = (typeof CHECKPOINT_COLUMNS)[number];

/** Builds Arrow record batches of checkpoint rows with the checkpoint schema. */
export class CheckpointBatchBuilder {
  /** The Arrow schema of every batch this builder produces. */
  readonly schema: Schema;
  private readonly columns: Record<CheckpointColumn, StructColumn>;
  private readonly order: StructColumn[];
  private rows = 0;

  /** With `partitionFields`, `add` gets a typed `partitionValues_parsed` column (`table` names it in errors). */
  constructor(options: { readonly partitionFields?: readonly ParsedPartitionField[]; readonly table?: string } = {}) {
    this.columns = {
      txn: txnColumn(),
      add: addColumn(options.partitionFields ? new PartitionValuesParsedColumn(options.partitionFields, options.table ?? 'the table') : undefined),
      remove: removeColumn(),
      metaData: metaDataColumn(),
      protocol: protocolColumn(),
      domainMetadata: domainMetadataColumn(),
    };
    this.order = CHECKPOINT_COLUMNS.map((c) => this.columns[c]);
    this.schema = new Schema(CHECKPOINT_COLUMNS.map((c) => new Field(c, this.columns[c].type, true)));
  }

  /** Rows appended since the last {@link flush}. */
  get length(): number {
    return this.rows;
  }

  /** Appends one row holding action `body` in column `kind`. */
  append(kind: CheckpointColumn, body: object): void {
    // The other columns get their nulls in bulk at flush time.
    const target = this.columns[kind];
    if (target.length < this.rows) target.padTo(this.rows);
    target.append(body);
    this.rows++;
  }

  /** The rows appended so far as one record batch; the builder starts over empty. */
  flush(): RecordBatch {
    const children = this.order.map((c) => {
      c.padTo(this.rows);
      return c.finish();
    });
    const data = makeData({ type: new Struct(this.schema.fields), length: this.rows, nullCount: 0, children });
    this.rows = 0;
    return new RecordBatch(this.schema, data);
  }
}

function deletionVectorColumn(at: string): StructColumn {
  // PROTOCOL.md "Deletion Vector Descriptor Schema": offset and sizeInBytes are int, cardinality long.
  return new StructColumn(at, [
    ['storageType', new StringColumn(`${at}.storageType`)],
    ['pathOrInlineDv', new StringColumn(`${at}.pathOrInlineDv`)],
    ['offset', new IntColumn(`${at}.offset`)],
    ['sizeInBytes', new IntColumn(`${at}.sizeInBytes`)],
    ['cardinality', new LongColumn(`${at}.cardinality`)],
  ]);
}

function txnColumn(): StructColumn {
  return new StructColumn('txn', [
    ['appId', new StringColumn('txn.appId')],
    ['version', new LongColumn('txn.version')],
    ['lastUpdated', new LongColumn('txn.lastUpdated')],
  ]);
}

function addColumn(partitionValuesParsed: PartitionValuesParsedColumn | undefined): StructColumn {
  // Field order as Delta Spark writes it. stats is written as JSON (delta.checkpoint.writeStatsAsJson
  // defaults to true); stats_parsed is optional and omitted, so an add that only carries parsed stats (read
  // from such a checkpoint) is written without stats. partitionValues_parsed is added on request.
  return new StructColumn('add', [
    ['path', new StringColumn('add.path')],
    ['partitionValues', new StringMapColumn('add.partitionValues')],
    ['size', new LongColumn('add.size')],
    ['modificationTime', new LongColumn('add.modificationTime')],
    ['dataChange', new BoolColumn('add.dataChange')],
    ['tags', new StringMapColumn('add.tags')],
    ['deletionVector', deletionVectorColumn('add.deletionVector')],
    ['baseRowId', new LongColumn('add.baseRowId')],
    ['defaultRowCommitVersion', new LongColumn('add.defaultRowCommitVersion')],
    ['clusteringProvider', new StringColumn('add.clusteringProvider')],
    ['stats', new StringColumn('add.stats')],
    ...(partitionValuesParsed ? [['partitionValues_parsed', partitionValuesParsed, 'partitionValues'] as const] : []),
  ]);
}

function removeColumn(): StructColumn {
  // Checkpoint tombstones carry no stats and no tags (PROTOCOL.md "Checkpoints").
  return new StructColumn('remove', [
    ['path', new StringColumn('remove.path')],
    ['deletionTimestamp', new LongColumn('remove.deletionTimestamp')],
    ['dataChange', new BoolColumn('remove.dataChange')],
    ['extendedFileMetadata', new BoolColumn('remove.extendedFileMetadata')],
    ['partitionValues', new StringMapColumn('remove.partitionValues')],
    ['size', new LongColumn('remove.size')],
    ['deletionVector', deletionVectorColumn('remove.deletionVector')],
    ['baseRowId', new LongColumn('remove.baseRowId')],
    ['defaultRowCommitVersion', new LongColumn('remove.defaultRowCommitVersion')],
  ]);
}

function metaDataColumn(): StructColumn {
  return new StructColumn('metaData', [
    ['id', new StringColumn('metaData.id')],
    ['name', new StringColumn('metaData.name')],
    ['description', new StringColumn('metaData.description')],
    [
      'format',
      new StructColumn('metaData.format', [
        ['provider', new StringColumn('metaData.format.provider')],
        ['options', new StringMapColumn('metaData.format.options')],
      ]),
    ],
    ['schemaString', new StringColumn('metaData.schemaString')],
    ['partitionColumns', new StringListColumn('metaData.partitionColumns')],
    ['createdTime', new LongColumn('metaData.createdTime')],
    ['configuration', new StringMapColumn('metaData.configuration')],
  ]);
}

function protocolColumn(): StructColumn {
  return new StructColumn('protocol', [
    ['minReaderVersion', new IntColumn('protocol.minReaderVersion')],
    ['minWriterVersion', new IntColumn('protocol.minWriterVersion')],
    ['readerFeatures', new StringListColumn('protocol.readerFeatures')],
    ['writerFeatures', new StringListColumn('protocol.writerFeatures')],
  ]);
}

function domainMetadataColumn(): StructColumn {
  return new StructColumn('domainMetadata', [
    ['domain', new StringColumn('domainMetadata.domain')],
    ['configuration', new StringColumn('domainMetadata.configuration')],
    ['removed', new BoolColumn('domainMetadata.removed')],
  ]);
}
