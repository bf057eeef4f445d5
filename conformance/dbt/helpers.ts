// Scenario helpers: a throwaway dbt project on local disk (warehouse in the same temp dir), the runner
// called in-process, and table contents read back through @duckrun/sql's delta_scan as plain rows.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runDbt, type DbtCommand, type DbtRunOptions, type DbtRunResults, type RunEvent } from '../../packages/dbt/src/index.js';
import { jsonRows, openSession, type SqlSession } from '../../packages/sql/src/index.js';

/** Options the scenarios pass to runDbt (project and profile are the scenario's own). */
export type ScenarioRunOptions = Omit<DbtRunOptions, 'projectDir' | 'profilesDir' | 'onEvent'>;

/** A row as JSON: integers and decimals as numbers, dates and timestamps as ISO strings. */
export type Row = Record<string, unknown>;

/** One dbt invocation's results with the events it emitted. */
export interface ScenarioRun extends DbtRunResults {
  readonly events: readonly RunEvent[];
  /** Status per node name (`my_model` → `success`). */
  readonly statuses: Readonly<Record<string, string>>;
}

/** A scenario project in a temp directory. */
export class ScenarioProject {
  readonly dir: string;
  readonly warehouse: string;
  #session: SqlSession | undefined;

  constructor(readonly name: string, files: Readonly<Record<string, string>>, options: { projectConfig?: string } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), `duckrun-dbt-${name}-`));
    this.warehouse = join(this.dir, 'warehouse');
    this.write('dbt_project.yml', `name: ${name}\nversion: '1.0'\nprofile: ${name}\n${options.projectConfig ?? ''}`);
    this.write(
      'profiles.yml',
      `${name}:\n  target: dev\n  outputs:\n    dev:\n      type: duckrun\n      root_path: ${JSON.stringify(this.warehouse)}\n      schema: main\n`,
    );
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  /** Writes (or replaces) a project file. */
  write(path: string, text: string): void {
    const file = join(this.dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }

  /** Deletes a project file. */
  remove(path: string): void {
    rmSync(join(this.dir, path), { force: true });
  }

  /** Runs a dbt command in-process. */
  async dbt(command: DbtCommand, options: ScenarioRunOptions = {}): Promise<ScenarioRun> {
    const events: RunEvent[] = [];
    const results = await runDbt(command, { projectDir: this.dir, profilesDir: this.dir, ...options, onEvent: (e) => events.push(e) });
    const names = new Map<string, string>();
    for (const e of events) if (e.kind === 'node-start' || e.kind === 'node-finish') names.set(e.node.uniqueId, e.node.name);
    const statuses: Record<string, string> = {};
    for (const r of results.results) statuses[names.get(r.uniqueId) ?? r.uniqueId.split('.').slice(2).join('.')] = r.status;
    return { ...results, events, statuses };
  }

  /** Runs a command and fails the test with the errors when it does not succeed. */
  async dbtOk(command: DbtCommand, options: ScenarioRunOptions = {}): Promise<ScenarioRun> {
    const run = await this.dbt(command, options);
    if (!run.success) {
      const errors = run.results.filter((r) => r.status !== 'success' && r.status !== 'pass').map((r) => `${r.uniqueId}: ${r.status}: ${r.message ?? ''}`);
      throw new Error(`duckrun ${command} failed:\n${errors.join('\n')}`);
    }
    return run;
  }

  /** True when `<warehouse>/<schema>/<table>` is a Delta table. */
  isDeltaTable(table: string, schema = 'main'): boolean {
    return existsSync(join(this.warehouse, schema, table, '_delta_log'));
  }

  /** Rows of a Delta table written by the runner, in `orderBy` order. */
  async rows(table: string, orderBy: string, options: { schema?: string; columns?: string } = {}): Promise<Row[]> {
    return this.query(`SELECT ${options.columns ?? '*'} FROM delta_scan('${options.schema ?? 'main'}/${table}') ORDER BY ${orderBy}`);
  }

  /** Column names of a Delta table, in table order. */
  async columns(table: string, schema = 'main'): Promise<string[]> {
    const session = await this.#open();
    const t = await session.sql(`SELECT * FROM delta_scan('${schema}/${table}') LIMIT 0`);
    return t.schema.fields.map((f) => f.name);
  }

  /** Runs SQL over the warehouse (delta_scan paths relative to it) and returns JSON rows. */
  async query(sql: string): Promise<Row[]> {
    const session = await this.#open();
    const t = await session.sql(sql);
    return JSON.parse(`[${t.batches.flatMap(jsonRows).join(',')}]`) as Row[];
  }

  /** Closes the read session and deletes the project. */
  async dispose(): Promise<void> {
    await this.#session?.close();
    this.#session = undefined;
    rmSync(this.dir, { recursive: true, force: true });
  }

  async #open(): Promise<SqlSession> {
    // delta_scan loads the latest table version on every call, so one session serves every read.
    this.#session ??= await openSession({ root: this.warehouse });
    return this.#session;
  }
}

/** CSV text from a header and rows. */
export function csv(header: string, rows: readonly (readonly unknown[])[]): string {
  return `${header}\n${rows.map((r) => r.map((v) => (v === null ? '' : String(v))).join(',')).join('\n')}\n`;
}
