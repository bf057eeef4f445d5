// Entry `@duckrun/delta/node`: what only Node offers the writer (worker threads). The main entry stays free
// of Node built-ins, so edge runtimes bundle it without this.
export { parquetWorkers, type ParquetWorkers, type ParquetWorkersOptions } from './parquet-workers.js';
