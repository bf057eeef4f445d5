// Seeds: CSV parsing and agate-style typing into Arrow tables (pure code; no file or database access).
export { parseCsv, type CsvDocument, type CsvOptions, type CsvRecord } from './csv.js';
export { parseColumnType, sqlTypeName, type SeedColumnType, type SeedTypeKind } from './column-type.js';
export { castCell, inferColumnType, isNullCell, NOT_A_VALUE, type SeedValue } from './values.js';
export { arrowTypeOf, buildArrowColumn } from './arrow-column.js';
export { readSeed, type SeedColumn, type SeedOptions, type SeedTable } from './seed-table.js';
export { SeedParseError, SeedTypeError } from './errors.js';
