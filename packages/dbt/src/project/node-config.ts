// Node configs: the `+key` trees of dbt_project.yml resolved along a node's fqn (package, folders,
// name), and dbt's merge rules when layers combine (tags and hooks accumulate, meta merges, the rest
// is replaced by the more specific layer).

/** A node's config: keys as dbt spells them (`materialized`, `pre-hook`, `unique_key`, …). */
export type NodeConfig = Readonly<Record<string, unknown>>;

/**
 * Config keys that may be written without `+` in dbt_project.yml. A key not listed here and not
 * prefixed with `+` names a package or folder.
 */
const KNOWN_CONFIG_KEYS = new Set([
  'enabled', 'materialized', 'tags', 'meta', 'pre-hook', 'post-hook', 'pre_hook', 'post_hook', 'schema', 'database', 'alias',
  'persist_docs', 'quoting', 'column_types', 'full_refresh', 'unique_key', 'on_schema_change', 'on_configuration_change',
  'incremental_strategy', 'incremental_predicates', 'merge_update_columns', 'merge_exclude_columns', 'partition_by',
  'location', 'storage_options', 'merge_schema', 'docs', 'contract', 'grants', 'packages', 'group', 'access', 'severity',
  'warn_if', 'error_if', 'where', 'store_failures', 'store_failures_as', 'limit', 'fail_calc', 'strategy', 'updated_at',
  'check_cols', 'target_schema', 'target_database', 'snapshot_meta_column_names', 'invalidate_hard_deletes', 'hard_deletes',
  'dbt_valid_to_current', 'delimiter', 'quote_columns', 'event_time', 'batch_size', 'begin', 'lookback', 'concurrent_batches',
  'sql_header', 'file_format', 'format', 'options', 'labels', 'freshness', 'loaded_at_field',
]);

/** Config values that are mappings even when written without `+`, so they are not taken for folders. */
const MAP_VALUED_KEYS = new Set(['meta', 'persist_docs', 'quoting', 'column_types', 'docs', 'contract', 'grants', 'storage_options', 'partition_by', 'snapshot_meta_column_names', 'options', 'labels', 'freshness']);

/** Keys whose values accumulate across layers instead of replacing. */
const APPEND_KEYS = new Set(['tags', 'pre-hook', 'post-hook']);
const MERGE_KEYS = new Set(['meta', 'grants', 'persist_docs', 'docs']);

/** Normalises a config key: no `+`, and `pre_hook` spelled `pre-hook` as dbt stores it. */
export function normalizeConfigKey(key: string): string {
  const k = key.startsWith('+') ? key.slice(1) : key;
  return k === 'pre_hook' ? 'pre-hook' : k === 'post_hook' ? 'post-hook' : k;
}

/** True when `key: value` in a dbt_project.yml tree is a config rather than a package or folder. */
export function isConfigEntry(key: string, value: unknown): boolean {
  if (key.startsWith('+')) return true;
  if (!KNOWN_CONFIG_KEYS.has(key)) return false;
  return MAP_VALUED_KEYS.has(key) || typeof value !== 'object' || value === null || Array.isArray(value);
}

/**
 * The config a dbt_project.yml tree (`models:`, `seeds:`, …) gives the node at `fqn`: configs at
 * the top apply to every node, then each level named by the next fqn part (package, folders, the
 * node's own name) refines them.
 */
export function configFromTree(tree: Readonly<Record<string, unknown>>, fqn: readonly string[]): NodeConfig {
  let config: NodeConfig = {};
  let level: Readonly<Record<string, unknown>> | undefined = tree;
  for (let depth = 0; level !== undefined; depth++) {
    const own: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(level)) if (isConfigEntry(k, v)) own[normalizeConfigKey(k)] = normalizeValue(normalizeConfigKey(k), v);
    config = mergeConfigs(config, own);
    const part = fqn[depth];
    if (part === undefined) break;
    const next: unknown = level[part];
    level = typeof next === 'object' && next !== null && !Array.isArray(next) && !isConfigEntry(part, next) ? (next as Record<string, unknown>) : undefined;
  }
  return config;
}

/**
 * Merges config layers, later ones more specific: `tags` and hooks accumulate (duplicates dropped
 * for tags), `meta`/`grants`/`persist_docs`/`docs` merge key by key, everything else is replaced.
 */
export function mergeConfigs(...layers: readonly (NodeConfig | undefined)[]): NodeConfig {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (layer === undefined) continue;
    for (const [rawKey, rawValue] of Object.entries(layer)) {
      const key = normalizeConfigKey(rawKey);
      const value = normalizeValue(key, rawValue);
      const prev = out[key];
      if (APPEND_KEYS.has(key) && Array.isArray(prev) && Array.isArray(value)) {
        out[key] = key === 'tags' ? [...new Set([...prev, ...value])] : [...prev, ...value];
      } else if (MERGE_KEYS.has(key) && isPlainObject(prev) && isPlainObject(value)) {
        out[key] = { ...prev, ...value };
      } else {
        out[key] = value;
      }
    }
  }
  return out;
}

/** Tags and hooks may be written as one string; they are stored as lists. */
function normalizeValue(key: string, value: unknown): unknown {
  if ((APPEND_KEYS.has(key)) && typeof value === 'string') return [value];
  return value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
