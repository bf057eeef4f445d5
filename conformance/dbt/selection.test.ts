// dbt adapter suite, graph selection: --select with +model, model+, n+model, tag:, path:,
// config.materialized:, intersections and --exclude, checked by which tables each run wrote.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScenarioProject } from './helpers.js';

// a → b → c → d, and e (tagged nightly) off a; x and y stand alone in models/other/.
const table = (sql: string, extra = '') => `{{ config(materialized='table'${extra}) }}\n${sql}\n`;

describe('--select and --exclude graph operators', () => {
  const p = new ScenarioProject('selection', {
    'models/chain/a.sql': table('select 1 as id'),
    'models/chain/b.sql': table("select * from {{ ref('a') }}"),
    'models/chain/c.sql': table("select * from {{ ref('b') }}"),
    'models/chain/d.sql': table("select * from {{ ref('c') }}", ", tags=['nightly']"),
    'models/chain/e.sql': table("select * from {{ ref('a') }}", ", tags=['nightly']"),
    'models/other/x.sql': "{{ config(materialized='view') }}\nselect 2 as id\n",
    // Tagged and materialized from schema YAML rather than config() in the SQL.
    'models/other/y.sql': 'select 3 as id\n',
    'models/other/schema.yml': 'version: 2\nmodels:\n  - name: y\n    config:\n      tags: [from_yaml]\n      materialized: table\n',
  });
  // Every table exists from a full run first, so a model selected without its parents reads theirs.
  beforeAll(() => p.dbtOk('run'));
  afterAll(() => p.dispose());

  const built = async (select: string[], exclude: string[] = []) => {
    const run = await p.dbtOk('run', { select, ...(exclude.length > 0 ? { exclude } : {}) });
    return Object.keys(run.statuses).sort();
  };

  it.each([
    [['b'], [], ['b']],
    [['+b'], [], ['a', 'b']],
    [['b+'], [], ['b', 'c', 'd']],
    [['1+c'], [], ['b', 'c']],
    [['c+1'], [], ['c', 'd']],
    [['+c+'], [], ['a', 'b', 'c', 'd']],
    [['tag:nightly'], [], ['d', 'e']],
    [['path:models/other'], [], ['x', 'y']],
    [['tag:from_yaml'], [], ['y']],
    [['config.materialized:table', 'tag:from_yaml'], ['config.materialized:table'], []],
    [['config.materialized:view'], [], ['x']],
    [['config.materialized:table,path:models/other'], [], ['y']],
    [['a+,tag:nightly'], [], ['d', 'e']],
    [['a', 'x'], [], ['a', 'x']],
    [['a b'], [], ['a', 'b']],
    [['a+'], ['c+'], ['a', 'b', 'e']],
    [['@b'], [], ['a', 'b', 'c', 'd']],
  ])('--select %j --exclude %j runs %j', async (select, exclude, expected) => {
    expect(await built(select, exclude)).toEqual(expected);
  });

  it('writes only the selected tables', async () => {
    rmSync(p.warehouse, { recursive: true, force: true });
    await built(['+b']);
    expect(['a', 'b', 'c', 'd', 'e'].filter((t) => p.isDeltaTable(t))).toEqual(['a', 'b']);
    expect(await p.rows('b', 'id')).toEqual([{ id: 1 }]);
  });

  it('runs a model selected alone against upstream tables of an earlier run', async () => {
    await built(['a', 'b']);
    const run = await p.dbtOk('run', { select: ['c'] });
    expect(Object.keys(run.statuses)).toEqual(['c']);
    expect(await p.rows('c', 'id')).toEqual([{ id: 1 }]);
  });
});
