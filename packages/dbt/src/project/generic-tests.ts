// Generic tests declared in schema YAML (`tests:`/`data_tests:` on models, columns, sources,
// seeds and snapshots) turned into test nodes named the way dbt names them.
import { createHash } from 'node:crypto';
import { ProjectConfigError } from './errors.js';
import { mergeConfigs, normalizeConfigKey, type NodeConfig } from './node-config.js';
import type { RefCall, SourceCall, TestMetadata } from './nodes.js';
import { isMap, type YamlMap } from './yaml-file.js';

/** One test entry of a YAML `tests:` list, split into what it calls, its arguments and its config. */
export interface GenericTestSpec {
  /** Test name without namespace (`not_null`, `expression_is_true`). */
  readonly testName: string;
  readonly namespace?: string;
  /** Arguments other than `model` and `column_name`, unrendered. */
  readonly args: Readonly<YamlMap>;
  readonly config: NodeConfig;
  /** `name:` given in YAML, replacing the generated name. */
  readonly customName?: string;
  readonly description: string;
}

/** Keys of a test entry that are config rather than test arguments (dbt's CONFIG_ARGS). */
const TEST_CONFIG_ARGS = new Set(['severity', 'tags', 'enabled', 'where', 'limit', 'warn_if', 'error_if', 'fail_calc', 'store_failures', 'store_failures_as', 'meta', 'database', 'schema', 'alias']);

/** dbt's defaults for every test node's config. */
export const TEST_CONFIG_DEFAULTS: NodeConfig = {
  enabled: true,
  materialized: 'test',
  severity: 'ERROR',
  store_failures: null,
  store_failures_as: null,
  where: null,
  limit: null,
  fail_calc: 'count(*)',
  warn_if: '!= 0',
  error_if: '!= 0',
  tags: [],
  meta: {},
};

/** Reads one entry of a `tests:` list: `unique`, `{accepted_values: {values: […]}}`, `{test_name: …, …}`. */
export function parseTestEntry(entry: unknown, file: string, where: string): GenericTestSpec {
  let fullName: string;
  let body: YamlMap;
  if (typeof entry === 'string') {
    fullName = entry;
    body = {};
  } else if (isMap(entry) && typeof entry['test_name'] === 'string') {
    const { test_name, ...rest } = entry;
    fullName = test_name as string;
    body = rest;
  } else if (isMap(entry) && Object.keys(entry).length === 1) {
    const [k, v] = Object.entries(entry)[0]!;
    fullName = k;
    if (v !== null && v !== undefined && !isMap(v)) throw new ProjectConfigError(file, undefined, `${where}: test \`${k}\` must be followed by a mapping of arguments`);
    body = (v as YamlMap | null | undefined) ?? {};
  } else {
    throw new ProjectConfigError(file, undefined, `${where}: a test must be a name or a mapping with one test name as its key, not ${JSON.stringify(entry)}`);
  }
  const dot = fullName.lastIndexOf('.');
  const testName = dot < 0 ? fullName : fullName.slice(dot + 1);
  const namespace = dot < 0 ? undefined : fullName.slice(0, dot);
  const args: YamlMap = {};
  const topConfig: Record<string, unknown> = {};
  let customName: string | undefined;
  let description = '';
  for (const [k, v] of Object.entries(body)) {
    if (k === 'config') continue;
    if (k === 'name') customName = String(v);
    else if (k === 'description') description = String(v ?? '');
    else if (k === 'arguments' && isMap(v)) Object.assign(args, v);
    else if (TEST_CONFIG_ARGS.has(k)) topConfig[k] = v;
    else args[k] = v;
  }
  const cfg = body['config'];
  if (cfg !== undefined && cfg !== null && !isMap(cfg)) throw new ProjectConfigError(file, undefined, `${where}: \`config\` of test \`${fullName}\` must be a mapping`);
  const config = normalizeTestConfig(mergeConfigs(topConfig, (cfg as YamlMap | undefined) ?? {}), file, where);
  return {
    testName,
    ...(namespace === undefined ? {} : { namespace }),
    args,
    config,
    ...(customName === undefined ? {} : { customName }),
    description,
  };
}

/** What a test is attached to. */
export type TestTarget =
  | { readonly kind: 'ref'; readonly name: string; readonly uniqueId: string; readonly version?: string | number }
  | { readonly kind: 'source'; readonly sourceName: string; readonly tableName: string; readonly uniqueId: string };

/** A generic test node's identity and call, as dbt derives them. */
export interface GenericTestIdentity {
  /** Node name: the YAML `name:` or `<test>_<target>_<args>`. */
  readonly name: string;
  /** Relation name: the full name, or a 30-character prefix plus an md5 when the full name reaches 64 characters. */
  readonly alias: string;
  readonly uniqueId: string;
  readonly rawCode: string;
  readonly testMetadata: TestMetadata;
  readonly staticRefs: readonly RefCall[];
  readonly staticSources: readonly SourceCall[];
}

/** Derives name, alias, unique id, Jinja call and test metadata of one generic test. */
export function identifyGenericTest(spec: GenericTestSpec, target: TestTarget, columnName: string | undefined, packageName: string): GenericTestIdentity {
  const targetName = target.kind === 'ref' ? target.name : `source_${target.sourceName}_${target.tableName}`;
  const prefix = spec.namespace === undefined ? spec.testName : `${spec.namespace}_${spec.testName}`;
  const nameArgs: YamlMap = { ...spec.args, ...(columnName === undefined ? {} : { column_name: columnName }) };
  const [shortName, fullName] = synthesizeTestNames(prefix, targetName, nameArgs);
  const modelCall =
    target.kind === 'ref'
      ? `ref('${target.name}'${target.version === undefined ? '' : `, v='${String(target.version)}'`})`
      : `source('${target.sourceName}', '${target.tableName}')`;
  const kwargs: YamlMap = { ...nameArgs, model: `{{ get_where_subquery(${modelCall}) }}` };
  const name = spec.customName ?? fullName;
  const alias = typeof spec.config['alias'] === 'string' ? (spec.config['alias'] as string) : spec.customName ?? shortName;
  const hash = createHash('md5').update(name + stableJson({ name: spec.testName, namespace: spec.namespace ?? null, kwargs })).digest('hex').slice(0, 10);
  const macro = spec.namespace === undefined ? `test_${spec.testName}` : `${spec.namespace}.test_${spec.testName}`;
  const refs: RefCall[] = target.kind === 'ref' ? [{ name: target.name, ...(target.version === undefined ? {} : { version: target.version }) }] : [];
  const sources: SourceCall[] = target.kind === 'source' ? [{ sourceName: target.sourceName, tableName: target.tableName }] : [];
  for (const v of stringsIn(spec.args)) {
    const found = extractStaticCalls(v);
    refs.push(...found.refs);
    sources.push(...found.sources);
  }
  return {
    name,
    alias,
    uniqueId: `test.${packageName}.${name}.${hash}`,
    rawCode: `{{ ${macro}(**_dbt_generic_test_kwargs) }}`,
    testMetadata: { name: spec.testName, ...(spec.namespace === undefined ? {} : { namespace: spec.namespace }), kwargs },
    staticRefs: refs,
    staticSources: sources,
  };
}

/**
 * dbt's generic test names: `<test>_<target>_<args>`, the arguments sorted by name, lists and
 * mappings flattened to their values, and every run of other characters replaced by `_`, joined
 * with `__`. Returns [short name (≤ 63 characters), full name].
 */
export function synthesizeTestNames(testType: string, targetName: string, args: Readonly<YamlMap>): [string, string] {
  const flat: string[] = [];
  for (const key of Object.keys(args).sort()) {
    if (key === 'model') continue;
    const v = args[key];
    const parts = isMap(v) ? Object.values(v) : Array.isArray(v) ? v : [v];
    flat.push(...parts.map(pythonStr));
  }
  const unique = flat.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${targetName}`;
  const full = `${identifier}_${unique}`;
  const short = full.length >= 64 ? `${identifier.slice(0, 30)}_${createHash('md5').update(full).digest('hex')}` : full;
  return [short, full];
}

/** Literal `ref('…')`/`ref('pkg','…')`/`ref('…', v=…)` and `source('…','…')` calls in a Jinja string. */
export function extractStaticCalls(text: string): { refs: RefCall[]; sources: SourceCall[] } {
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  const q = `(?:'([^']*)'|"([^"]*)")`;
  const refRe = new RegExp(`\\bref\\(\\s*${q}\\s*(?:,\\s*${q}\\s*)?(?:,\\s*(?:v|version)\\s*=\\s*(?:${q}|(\\d+(?:\\.\\d+)?))\\s*)?\\)`, 'g');
  for (const m of text.matchAll(refRe)) {
    const a = m[1] ?? m[2]!;
    const b = m[3] ?? m[4];
    const v = m[5] ?? m[6] ?? m[7];
    refs.push({ ...(b === undefined ? { name: a } : { package: a, name: b }), ...(v === undefined ? {} : { version: m[7] !== undefined ? Number(v) : v }) });
  }
  const srcRe = new RegExp(`\\bsource\\(\\s*${q}\\s*,\\s*${q}\\s*\\)`, 'g');
  for (const m of text.matchAll(srcRe)) sources.push({ sourceName: m[1] ?? m[2]!, tableName: m[3] ?? m[4]! });
  return { refs, sources };
}

function normalizeTestConfig(config: NodeConfig, file: string, where: string): NodeConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[normalizeConfigKey(k)] = v;
  if (out['severity'] !== undefined) {
    const s = String(out['severity']).toUpperCase();
    if (s !== 'ERROR' && s !== 'WARN') throw new ProjectConfigError(file, undefined, `${where}: severity must be error or warn, not ${JSON.stringify(out['severity'])}`);
    out['severity'] = s;
  }
  return out;
}

/** Python's str() of a YAML scalar, which dbt uses when it builds test names. */
function pythonStr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(v as YamlMap).map(([k, x]) => `${pythonRepr(k)}: ${pythonRepr(x)}`).join(', ')}}`;
}

function pythonRepr(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : pythonStr(v);
}

function* stringsIn(v: unknown): Generator<string> {
  if (typeof v === 'string') yield v;
  else if (Array.isArray(v)) for (const x of v) yield* stringsIn(x);
  else if (isMap(v)) for (const x of Object.values(v)) yield* stringsIn(x);
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (isMap(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableJson(v[k])}`).join(',')}}`;
  return JSON.stringify(v ?? null);
}
