// Per-table reader settings that reproduce how a golden table's expected/ rows were produced. Each entry
// must carry its evidence; outcomes themselves are never overridden here.

import type { OpenOptions } from '@duckrun/delta';

/** Reader options for one golden table, with the reason they are right for it. */
export interface ReaderSetting {
  readonly options: OpenOptions;
  readonly reason: string;
}

/** Tables read with non-default options. Every other table is read with the defaults. */
export const READER_SETTINGS: Readonly<Record<string, ReaderSetting>> = {
  'data-reader-partition-values': {
    options: { partitionTimeZone: 'America/Los_Angeles' },
    reason:
      'its as_timestamp partition values use the zone-less legacy form ("2021-09-08 11:11:11") and its expected/ ' +
      'rows hold them as instants in the Spark session zone America/Los_Angeles (18:11:11Z); Delta Kernel reads ' +
      'zone-less values as UTC (our default, which kernel-timestamp-* expect), so this table is read the way Spark ' +
      'read it when its expected rows were made',
  },
};
