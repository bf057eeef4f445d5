// dbt adapter suite, data tests: generic (unique, not_null, accepted_values, relationships) and
// singular tests, passing and failing, with severity warn and a custom generic test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csv, ScenarioProject } from './helpers.js';

describe('generic and singular tests', () => {
  const p = new ScenarioProject('data_tests', {
    'seeds/customers.csv': csv('id,name,tier', [
      [1, 'Ada', 'gold'],
      [2, 'Bo', 'silver'],
      [3, 'Cy', 'gold'],
    ]),
    'seeds/orders.csv': csv('id,customer_id,status,amount', [
      [10, 1, 'placed', 5],
      [11, 1, 'shipped', 7],
      [12, 2, 'placed', 9],
      [13, 9, 'lost', 3],
      [13, null, 'placed', -1],
    ]),
    'models/good_customers.sql': "{{ config(materialized='table') }}\nselect * from {{ ref('customers') }}\n",
    'models/bad_orders.sql': "{{ config(materialized='view') }}\nselect * from {{ ref('orders') }}\n",
    'models/schema.yml': `version: 2
models:
  - name: good_customers
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: tier
        data_tests:
          - accepted_values:
              values: ['gold', 'silver']
  - name: bad_orders
    columns:
      - name: id
        data_tests: [unique, not_null]
      - name: customer_id
        data_tests:
          - not_null
          - relationships:
              to: ref('good_customers')
              field: id
      - name: status
        data_tests:
          - accepted_values:
              values: ['placed', 'shipped']
              config:
                severity: warn
      - name: amount
        data_tests:
          - is_positive
`,
    'tests/generic/is_positive.sql': '{% test is_positive(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} <= 0\n{% endtest %}\n',
    'tests/customers_have_names.sql': "select * from {{ ref('good_customers') }} where name is null\n",
    'tests/orders_over_budget.sql': "select * from {{ ref('bad_orders') }} where amount > 6\n",
  });
  beforeAll(async () => {
    await p.dbtOk('seed');
    await p.dbtOk('run');
  });
  afterAll(() => p.dispose());

  it('passes the tests of clean data', async () => {
    const run = await p.dbt('test', { select: ['good_customers'] });
    expect(run.statuses).toEqual({
      unique_good_customers_id: 'pass',
      not_null_good_customers_id: 'pass',
      accepted_values_good_customers_tier__gold__silver: 'pass',
      customers_have_names: 'pass',
      // Selected too: one of its parents is good_customers (eager indirect selection).
      relationships_bad_orders_customer_id__id__ref_good_customers_: 'fail',
    });
  });

  it('fails (or warns) each broken test with its failure count, and the run fails', async () => {
    const run = await p.dbt('test', { select: ['bad_orders'] });
    expect(run.success).toBe(false);
    const failures = Object.fromEntries(run.results.map((r) => [r.uniqueId.split('.')[2], [r.status, r.failures]]));
    expect(failures).toEqual({
      unique_bad_orders_id: ['fail', 1],
      not_null_bad_orders_id: ['pass', 0],
      not_null_bad_orders_customer_id: ['fail', 1],
      relationships_bad_orders_customer_id__id__ref_good_customers_: ['fail', 1],
      accepted_values_bad_orders_status__placed__shipped: ['warn', 1],
      is_positive_bad_orders_amount: ['fail', 1],
      orders_over_budget: ['fail', 2],
    });
  });

  it('passes a run whose only problem is a warning', async () => {
    const run = await p.dbt('test', { select: ['test_name:accepted_values'] });
    expect(run.statuses['accepted_values_bad_orders_status__placed__shipped']).toBe('warn');
    expect(run.success).toBe(true);
  });
});
