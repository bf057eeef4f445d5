// The artifact schema versions duckrun writes, and the dbt version it reports in them.
export { DBT_VERSION } from '../project/dbt-version.js';

/** `dbt_schema_version` of target/manifest.json. */
export const MANIFEST_SCHEMA = 'https://schemas.getdbt.com/dbt/manifest/v12.json';
/** `dbt_schema_version` of target/run_results.json. */
export const RUN_RESULTS_SCHEMA = 'https://schemas.getdbt.com/dbt/run-results/v6.json';
