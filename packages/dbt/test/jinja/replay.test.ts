// Suspend-and-replay: synchronous templates calling an async database.
import { describe, expect, it } from 'vitest';
import { createJinjaEnvironment, type QueryResult } from '../../src/jinja/index.js';

function fakeDb(tables: Record<string, QueryResult>) {
  const ran: string[] = [];
  return {
    ran,
    runQuery: async (sql: string): Promise<QueryResult> => {
      ran.push(sql);
      await Promise.resolve();
      return tables[sql.trim()] ?? { columns: ['n'], rows: [], rowsAffected: 1 };
    },
  };
}

describe('suspend and replay', () => {
  it('renders two queries in three passes and runs each query once', async () => {
    const db = fakeDb({
      'select distinct status from orders': { columns: ['status'], rows: [['open'], ['paid']] },
      'select count(*) as n from orders': { columns: ['n'], rows: [[42]] },
    });
    const logs: string[] = [];
    const env = createJinjaEnvironment({ onLog: (m) => logs.push(m) });
    const source = [
      "{% set statuses = run_query('select distinct status from orders').columns[0].values() %}",
      "{% do log('statuses: ' ~ statuses, info=true) %}",
      "{% set n = run_query('select count(*) as n from orders').rows[0][0] %}",
      "select {% for s in statuses %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor %} -- {{ n }}",
    ].join('');
    const out = await env.render({ source, name: 'models/m.sql' }, {}, { runQuery: db.runQuery });
    expect(out.output).toBe("select 'open', 'paid' -- 42");
    expect(out.renders).toBe(3);
    expect(out.asyncCalls).toBe(2);
    expect(db.ran).toEqual(['select distinct status from orders', 'select count(*) as n from orders']);
    // The log line before the second query is written once, not once per replay.
    expect(logs).toEqual(["statuses: ['open', 'paid']"]);
  });

  it('runs a side-effecting statement once although later queries replay the render', async () => {
    const db = fakeDb({ 'select 1 as x': { columns: ['x'], rows: [[1]] } });
    const env = createJinjaEnvironment();
    const source = [
      "{% call statement('ins') %}insert into audit values (1){% endcall %}",
      "{% call statement('main', fetch_result=True) %}select 1 as x{% endcall %}",
      "{{ load_result('main').table.rows[0]['x'] }} {{ load_result('main')['data'] }} {{ load_result('ins').response.rows_affected }}",
    ].join('');
    const out = await env.render({ source, name: 'm' }, {}, { runQuery: db.runQuery });
    expect(out.output).toBe('1 [[1]] 1');
    expect(db.ran.filter((s) => s.startsWith('insert'))).toHaveLength(1);
    expect(out.renders).toBe(3);
  });

  it('keeps results agate-like: column names, columns by name, rows by name, print_table', async () => {
    const db = fakeDb({ 'q': { columns: ['id', 'count'], rows: [[1, 10], [2, 20]] } });
    const env = createJinjaEnvironment();
    const source = "{% set r = run_query('q') %}{{ r.column_names }} {{ r.columns['count'].values() }} {{ r.rows[1]['id'] }} {{ r.rows | length }}{{ r.print_table() }}";
    expect((await env.render({ source, name: 'm' }, {}, { runQuery: db.runQuery })).output).toBe("['id', 'count'] [10, 20] 2 2");
  });

  it('suspends from inside a macro called by another macro', async () => {
    const db = fakeDb({ 'select 7': { columns: ['v'], rows: [[7]] } });
    const env = createJinjaEnvironment();
    env.macros.addFile({
      path: 'macros/q.sql', packageName: 'proj', kind: 'root',
      source: "{% macro get_value(sql) %}{% set r = run_query(sql) %}{{ return(r.rows[0][0]) }}{% endmacro %}{% macro twice(sql) %}{{ return(get_value(sql) * 2) }}{% endmacro %}",
    });
    const out = await env.render({ source: "{{ twice('select 7') }}", name: 'm' }, {}, { runQuery: db.runQuery });
    expect(out.output).toBe('14');
    expect(out.renders).toBe(2);
  });

  it('memoises datetime.now() per node so replays see one clock reading', async () => {
    let tick = 0;
    const env = createJinjaEnvironment({ now: () => new Date(Date.UTC(2024, 0, 1, 0, 0, tick++)) });
    const db = fakeDb({});
    const source = "{% set t = modules.datetime.datetime.utcnow() %}{% do run_query('select 1') %}{{ t.strftime('%S') }}";
    const out = await env.render({ source, name: 'm' }, {}, { runQuery: db.runQuery });
    expect(out.renders).toBe(2);
    expect(out.output).toBe('00');
  });

  it('returns None from run_query at parse time and never calls the database', () => {
    const env = createJinjaEnvironment();
    expect(env.parse({ source: "{% set r = run_query('select 1') %}{{ r is none }}{% if execute %}{{ r.rows }}{% endif %}", name: 'm' }).output).toBe('True');
  });

  it('explains a query with no runQuery callback', async () => {
    const env = createJinjaEnvironment();
    await expect(env.render({ source: "{{ run_query('select 1') }}", name: 'models/m.sql' }, {})).rejects.toThrow(/without a runQuery callback/);
  });
});

describe('async runner functions', () => {
  it('lets a runner adapter method wait for an async answer through env.awaitSync', async () => {
    const env = createJinjaEnvironment();
    let calls = 0;
    const adapter = {
      get_columns_in_relation: (rel: string) =>
        env.awaitSync(`columns:${rel}`, async () => {
          calls++;
          return [{ name: 'id' }, { name: 'amount' }];
        }),
    };
    const out = await env.render({ source: "{{ adapter.get_columns_in_relation('orders') | map(attribute='name') | join(', ') }}", name: 'm' }, { adapter });
    expect(out.output).toBe('id, amount');
    expect(calls).toBe(1);
  });
});
