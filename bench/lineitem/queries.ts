// The SQL the lineitem chain runs, written once over a relation so the Delta table (delta_scan) and the plain
// parquet baseline (read_parquet) answer exactly the same query.

/** TPC-H Q1 (pricing summary report): the canonical full-scan aggregate over lineitem. */
export function q1Sql(relation: string): string {
  return `SELECT l_returnflag, l_linestatus,
  sum(l_quantity)::VARCHAR AS sum_qty,
  sum(l_extendedprice)::VARCHAR AS sum_base_price,
  sum(l_extendedprice * (1 - l_discount))::VARCHAR AS sum_disc_price,
  sum(l_extendedprice * (1 - l_discount) * (1 + l_tax))::VARCHAR AS sum_charge,
  round(avg(l_quantity), 6)::VARCHAR AS avg_qty,
  round(avg(l_discount), 6)::VARCHAR AS avg_disc,
  count(*)::VARCHAR AS count_order
FROM ${relation}
WHERE l_shipdate <= DATE '1998-09-02'
GROUP BY l_returnflag, l_linestatus
ORDER BY l_returnflag, l_linestatus`;
}

/** Row count and the two sums of tools/tpch's LineitemChecksum, as text (HUGEINT/DECIMAL sums stay exact). */
export function checksumSql(relation: string): string {
  return `SELECT count(*)::VARCHAR AS rows, coalesce(sum(l_orderkey * l_linenumber), 0)::VARCHAR AS key_sum,
  coalesce(sum(l_extendedprice), 0)::VARCHAR AS price_sum FROM ${relation}`;
}

/** A point lookup on the order key: min/max stats on l_orderkey let a reader skip every other file. */
export function lookupSql(relation: string, orderkey: number): string {
  return `SELECT count(*)::VARCHAR AS rows, coalesce(sum(l_extendedprice), 0)::VARCHAR AS price_sum FROM ${relation} WHERE l_orderkey = ${orderkey}`;
}

/** delta_scan of a table name relative to the session root. */
export function deltaRelation(name: string): string {
  return `delta_scan('${name}')`;
}

/** read_parquet over plain parquet paths or globs (with hive partition columns read from the folder names). */
export function parquetRelation(paths: readonly string[]): string {
  return `read_parquet([${paths.map((p) => `'${p.replaceAll("'", "''")}'`).join(', ')}], hive_partitioning = true)`;
}
