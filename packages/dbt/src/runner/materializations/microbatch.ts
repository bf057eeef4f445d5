// microbatch: the model runs once per time window (batch_size hour/day/month/year) from `begin` on
// the first run or a full refresh, else the last `lookback` windows up to now, or exactly the
// windows of --event-time-start/--event-time-end. Refs to models with an `event_time` are filtered to
// the window; each batch then atomically replaces its window's rows (a replaceWhere overwrite), except
// the first batch of a new table or full refresh, which replaces the whole table.
import { compileNode } from '../compile-node.js';
import { ModelConfigError } from '../errors.js';
import { quoteName, Relation, sqlString } from '../relation.js';
import type { NodeInfo, RunContext } from '../run-context.js';
import type { ExpandOptions } from '../sql-expand.js';
import { maintainTable } from './maintenance.js';
import type { MaterializeOutcome } from './outcome.js';
import { writeModelQuery } from './write.js';

type BatchSize = 'hour' | 'day' | 'month' | 'year';
const SIZES: readonly BatchSize[] = ['hour', 'day', 'month', 'year'];

/** Runs every batch of a microbatch model; `readVersion` is its table's version when it exists. */
export async function materializeMicrobatch(ctx: RunContext, info: NodeInfo, expand: ExpandOptions, readVersion: number | undefined): Promise<MaterializeOutcome> {
  const c = info.config;
  const file = info.node.originalFilePath;
  const eventTime = c['event_time'];
  const size = c['batch_size'];
  if (typeof eventTime !== 'string' || eventTime === '') throw new ModelConfigError(file, "microbatch needs event_time: the column holding each row's time");
  if (typeof size !== 'string' || !(SIZES as readonly string[]).includes(size)) throw new ModelConfigError(file, `microbatch needs batch_size: one of ${SIZES.join(', ')}`);
  const batchSize = size as BatchSize;
  const configured = c['full_refresh'];
  const fullRefresh = typeof configured === 'boolean' ? configured : ctx.options.fullRefresh === true;
  const exists = readVersion !== undefined;
  const lookback = Number(c['lookback'] ?? 1);
  const now = ctx.runStartedAt;
  let start: Date;
  if (ctx.options.eventTimeStart !== undefined) start = parseTime(ctx.options.eventTimeStart, file, '--event-time-start');
  else if (exists && !fullRefresh) start = step(floor(now, batchSize), batchSize, -lookback);
  else {
    const begin = c['begin'];
    if (begin === undefined || begin === null || begin === '') throw new ModelConfigError(file, 'microbatch needs begin: the time of the first batch (e.g. 2024-01-01)');
    start = parseTime(String(begin), file, 'begin');
  }
  const end = ctx.options.eventTimeEnd !== undefined ? parseTime(ctx.options.eventTimeEnd, file, '--event-time-end') : step(floor(now, batchSize), batchSize, 1);
  const windows: [Date, Date][] = [];
  for (let s = floor(start, batchSize); s < end; s = step(s, batchSize, 1)) windows.push([s, step(s, batchSize, 1)]);

  let rows = 0;
  let lastSql = '';
  let tableExists = exists;
  for (const [i, [s, e]] of windows.entries()) {
    const lo = literal(s);
    const hi = literal(e);
    const window = (column: string) => `${quoteName(column)} >= CAST(${lo} AS TIMESTAMP) AND ${quoteName(column)} < CAST(${hi} AS TIMESTAMP)`;
    const batch = { id: batchId(s, batchSize), event_time_start: s.toISOString(), event_time_end: e.toISOString() };
    const sql = await compileNode(
      ctx,
      info,
      {
        isIncremental: tableExists && !(fullRefresh && i === 0),
        modelExtra: { batch },
        mapRef: (target, relation) => {
          const column = target.config['event_time'];
          if (typeof column !== 'string' || column === '') return relation;
          return new Relation({ schema: relation.schema, identifier: relation.identifier, type: relation.type, sqlText: `(select * from ${relation.render()} where ${window(column)})` });
        },
      },
      i === 0 ? expand : {},
    );
    lastSql = sql;
    const expanded = await ctx.warehouse.expand(`select * from (\n${sql}\n) as batch where ${window(eventTime)}`, i === 0 ? expand : {});
    const replaceAll = i === 0 && (!tableExists || fullRefresh);
    const r = replaceAll
      ? await writeModelQuery(ctx, info, expanded, { mode: 'overwrite', operation: 'CREATE OR REPLACE TABLE AS SELECT' })
      : await writeModelQuery(ctx, info, expanded, {
          mode: 'overwrite',
          operation: 'WRITE',
          replaceWhere: `${quoteName(eventTime)} >= ${await boundLiteral(ctx, info, s)} AND ${quoteName(eventTime)} < ${await boundLiteral(ctx, info, e)}`,
        });
    tableExists = true;
    rows += r.rowsWritten;
    ctx.emit({ kind: 'node-progress', node: ctx.summary(info.node.uniqueId), message: `batch ${i + 1} of ${windows.length} (${batch.id}): ${r.rowsWritten} rows` });
  }
  if (windows.length > 0) {
    await ctx.warehouse.removeView(info.schema, info.identifier);
    await maintainTable(ctx, info, 'append');
  }
  return { message: `SUCCESS ${windows.length} batches`, rowsAffected: rows, compiledCode: lastSql };
}

/** The window bound as a replaceWhere literal, in the form the table's event_time column reads. */
async function boundLiteral(ctx: RunContext, info: NodeInfo, d: Date): Promise<string> {
  const column = String(info.config['event_time']).toLowerCase();
  const cols = await ctx.warehouse.describeExpanded(`select * from delta_scan(${sqlString(ctx.warehouse.tableUri(info.schema, info.identifier))})`);
  const type = cols.find((col) => col.name.toLowerCase() === column)?.type ?? 'TIMESTAMP';
  const iso = d.toISOString();
  return type === 'DATE' ? `'${iso.slice(0, 10)}'` : `'${iso.slice(0, 10)} ${iso.slice(11, 19)}'`;
}

function literal(d: Date): string {
  const iso = d.toISOString();
  return sqlString(`${iso.slice(0, 10)} ${iso.slice(11, 19)}`);
}

function parseTime(text: string, file: string, what: string): Date {
  const t = /^\d{4}-\d{2}-\d{2}$/.test(text.trim()) ? `${text.trim()}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text.trim().replace(' ', 'T')}Z`;
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) throw new ModelConfigError(file, `microbatch ${what} '${text}' is not a date or timestamp (use e.g. 2024-01-01 or 2024-01-01T06:00:00)`);
  return d;
}

function floor(d: Date, size: BatchSize): Date {
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth();
  if (size === 'year') return new Date(Date.UTC(y, 0, 1));
  if (size === 'month') return new Date(Date.UTC(y, m, 1));
  if (size === 'day') return new Date(Date.UTC(y, m, d.getUTCDate()));
  return new Date(Date.UTC(y, m, d.getUTCDate(), d.getUTCHours()));
}

function step(d: Date, size: BatchSize, n: number): Date {
  const x = new Date(d.getTime());
  if (size === 'year') x.setUTCFullYear(x.getUTCFullYear() + n);
  else if (size === 'month') x.setUTCMonth(x.getUTCMonth() + n);
  else if (size === 'day') x.setUTCDate(x.getUTCDate() + n);
  else x.setUTCHours(x.getUTCHours() + n);
  return x;
}

function batchId(d: Date, size: BatchSize): string {
  const iso = d.toISOString();
  return size === 'hour' ? `${iso.slice(0, 10).replace(/-/g, '')}${iso.slice(11, 13)}` : iso.slice(0, size === 'year' ? 4 : size === 'month' ? 7 : 10).replace(/-/g, '');
}
