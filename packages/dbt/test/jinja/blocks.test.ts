// Snapshot blocks: the body is the node's raw code; the block also compiles to a macro.
import { describe, expect, it } from 'vitest';
import { createJinjaEnvironment, findBlocks } from '../../src/jinja/index.js';

const SNAPSHOT = `{% snapshot orders_snapshot %}
{{ config(unique_key='id', strategy='check', check_cols='all') }}
select * from {{ source('raw', 'orders') }}
{% endsnapshot %}`;

describe('snapshot blocks', () => {
  it('finds the body of each block verbatim with its line', () => {
    const [block] = findBlocks(`\n${SNAPSHOT}`, 'snapshot');
    expect(block?.name).toBe('orders_snapshot');
    expect(block?.line).toBe(2);
    expect(block?.body).toBe("\n{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect * from {{ source('raw', 'orders') }}\n");
  });

  it('parses the body as a node, capturing its config and sources', () => {
    const env = createJinjaEnvironment();
    const body = findBlocks(SNAPSHOT, 'snapshot')[0]?.body ?? '';
    const parsed = env.parse({ source: body, name: 'snapshots/orders.sql' });
    expect(parsed.configs).toEqual([{ unique_key: 'id', strategy: 'check', check_cols: 'all' }]);
    expect(parsed.sources).toEqual([['raw', 'orders']]);
  });

  it('compiles the block to a snapshot_<name> macro when the file is registered', () => {
    const env = createJinjaEnvironment();
    expect(env.macros.addFile({ path: 'snapshots/orders.sql', packageName: 'proj', kind: 'root', source: SNAPSHOT })).toEqual(['snapshot_orders_snapshot']);
  });
});
