// @duckrun/dbt: runs dbt projects whose table and incremental models materialize as Delta tables.
export {};
