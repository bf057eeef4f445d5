// Query results as templates see them: an agate-like table, so dbt macro code such as
// `results.columns[0].values()`, `results.rows`, `results.column_names` and `print_table()` works.

/** What a query returns to the Jinja layer: column names (and optional types) plus row values. */
export interface QueryResult {
  readonly columns: readonly string[];
  /** Engine type names per column (`INTEGER`, `VARCHAR`), when known. */
  readonly columnTypes?: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  /** Rows affected by DML, when the engine reports it. */
  readonly rowsAffected?: number;
}

/** An agate Row: a list of values that can also be indexed by column name. */
export class AgateRow extends Array<unknown> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** An agate Column: `name`, `data_type` and `values()`. */
export class AgateColumn {
  constructor(
    readonly name: string,
    readonly data_type: string | undefined,
    private readonly data: readonly unknown[],
  ) {}
  values(): unknown[] {
    return [...this.data];
  }
  values_distinct(): unknown[] {
    return [...new Set(this.data)];
  }
  values_without_nulls(): unknown[] {
    return this.data.filter((v) => v !== null && v !== undefined);
  }
  __str__(): string {
    return `<agate.Column: ${this.name}>`;
  }
}

/** The column list: indexable by position and by name. */
export class AgateColumns extends Array<AgateColumn> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
  get(name: string): AgateColumn | undefined {
    return this.find((c) => c.name === name);
  }
}

/** An agate Table. */
export class AgateTable {
  readonly columns: AgateColumns;
  readonly rows: AgateRow[];
  readonly column_names: string[];
  readonly column_types: (string | undefined)[];

  constructor(result: QueryResult) {
    this.column_names = [...result.columns];
    this.column_types = result.columns.map((_c, i) => result.columnTypes?.[i]);
    this.rows = result.rows.map((r) => {
      const row = AgateRow.from(r) as AgateRow;
      result.columns.forEach((name, i) => Object.defineProperty(row, name, { value: r[i], enumerable: false }));
      return row;
    });
    this.columns = new AgateColumns();
    result.columns.forEach((name, i) => {
      const col = new AgateColumn(name, this.column_types[i], result.rows.map((r) => r[i]));
      this.columns.push(col);
      Object.defineProperty(this.columns, name, { value: col, enumerable: false });
    });
  }

  /** dbt's load_result(...).table and run_query(...) both land here; `.table` is the table itself. */
  get table(): AgateTable {
    return this;
  }

  /** agate prints to stdout; a render must not, so this does nothing. */
  print_table(): string {
    return '';
  }

  __len__(): number {
    return this.rows.length;
  }

  __str__(): string {
    return `<agate.Table: ${this.rows.length} rows × ${this.column_names.length} columns>`;
  }
}
