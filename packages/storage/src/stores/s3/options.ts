// S3 storage options: the delta-rs / object_store key names, environment fallbacks, and validation.
// Kept free of the AWS SDK so a bad option fails before (and without) loading it.

import { StoreConfigError } from '../../errors.js';
import type { StorageOptions } from '../../url.js';

/** Every option key the S3 adapter accepts (compared case-insensitively, as delta-rs does). */
export const S3_OPTION_KEYS = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_region',
  'aws_endpoint',
  'aws_endpoint_url',
  'aws_allow_http',
  'aws_force_path_style',
  'aws_virtual_hosted_style_request',
] as const;

/** The resolved client settings of one `s3://` location. */
export interface S3Config {
  readonly bucket: string;
  /** Key prefix the store is rooted at, decoded, without leading or trailing `/` ('' for the bucket root). */
  readonly prefix: string;
  /** The location as a URL without trailing slash (the store's `url`). */
  readonly url: string;
  readonly region: string;
  /** True when no region was given anywhere, so the client may follow the bucket's region redirect. */
  readonly regionDefaulted: boolean;
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  /** Static credentials; absent means the SDK's default provider chain (profiles, SSO, instance roles). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the environment without assuming Node (edge runtimes have no `process`). */
function defaultEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

/** Parses `s3://bucket/prefix` plus options (falling back to `AWS_*` environment variables) into client settings. */
export function parseS3Config(url: URL, options: StorageOptions, env: Env = defaultEnv()): S3Config {
  const where = url.href;
  const opts = normaliseKeys(url, options);
  const bucket = url.host;
  if (bucket === '') throw new StoreConfigError(`cannot open ${where}: no bucket; write s3://<bucket>/<path>`);
  if (!/^[a-z0-9][a-z0-9.\-_]{0,254}$/i.test(bucket)) {
    throw new StoreConfigError(`cannot open ${where}: "${bucket}" is not a valid S3 bucket name`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new StoreConfigError(`cannot open ${where}: S3 locations take no ?query or #fragment; pass settings as storage options`);
  }
  let prefix: string;
  try {
    prefix = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  } catch (e) {
    throw new StoreConfigError(`cannot open ${where}: the path is not valid percent-encoded UTF-8`, { cause: e });
  }
  const pathname = url.pathname.replace(/\/+$/, '');

  const pick = (key: string, ...envNames: string[]): string | undefined => {
    const v = opts[key];
    if (v !== undefined && v !== '') return v;
    for (const n of envNames) {
      const e = env[n];
      if (e !== undefined && e !== '') return e;
    }
    return undefined;
  };

  const accessKeyId = pick('aws_access_key_id', 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = pick('aws_secret_access_key', 'AWS_SECRET_ACCESS_KEY');
  const sessionToken = pick('aws_session_token', 'AWS_SESSION_TOKEN');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    const missing = accessKeyId === undefined ? 'aws_access_key_id' : 'aws_secret_access_key';
    throw new StoreConfigError(`cannot open ${where}: ${missing} is missing; give both aws_access_key_id and aws_secret_access_key, or neither to use the default AWS credential chain`);
  }
  if (sessionToken !== undefined && accessKeyId === undefined) {
    throw new StoreConfigError(`cannot open ${where}: aws_session_token needs aws_access_key_id and aws_secret_access_key too`);
  }

  const regionGiven = pick('aws_region', 'AWS_REGION', 'AWS_DEFAULT_REGION');
  // object_store's default; S3-compatible servers mostly ignore the region but SigV4 needs one.
  const region = regionGiven ?? 'us-east-1';

  const allowHttp = parseBool(where, 'aws_allow_http', pick('aws_allow_http', 'AWS_ALLOW_HTTP')) ?? false;
  const endpointOption = opts['aws_endpoint'] ?? opts['aws_endpoint_url'];
  if (opts['aws_endpoint'] !== undefined && opts['aws_endpoint_url'] !== undefined && opts['aws_endpoint'] !== opts['aws_endpoint_url']) {
    throw new StoreConfigError(`cannot open ${where}: aws_endpoint and aws_endpoint_url disagree; give one of them`);
  }
  const endpointRaw = endpointOption !== undefined && endpointOption !== '' ? endpointOption : pick('', 'AWS_ENDPOINT_URL_S3', 'AWS_ENDPOINT_URL');
  let endpoint: string | undefined;
  if (endpointRaw !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(endpointRaw);
    } catch (e) {
      throw new StoreConfigError(`cannot open ${where}: aws_endpoint "${endpointRaw}" is not a URL; write e.g. https://s3.example.com or http://127.0.0.1:9000`, { cause: e });
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw new StoreConfigError(`cannot open ${where}: aws_endpoint "${endpointRaw}" must be an http:// or https:// URL`);
    }
    if (parsed.protocol === 'http:' && !allowHttp) {
      throw new StoreConfigError(`cannot open ${where}: aws_endpoint ${endpointRaw} is plain http; set aws_allow_http=true to allow unencrypted connections`);
    }
    endpoint = endpointRaw.replace(/\/+$/, '');
  }

  const pathStyle = parseBool(where, 'aws_force_path_style', opts['aws_force_path_style']);
  const virtualHosted = parseBool(where, 'aws_virtual_hosted_style_request', opts['aws_virtual_hosted_style_request']);
  if (pathStyle !== undefined && virtualHosted !== undefined && pathStyle === virtualHosted) {
    throw new StoreConfigError(`cannot open ${where}: aws_force_path_style=${pathStyle} contradicts aws_virtual_hosted_style_request=${virtualHosted}; give one of them`);
  }
  // Custom endpoints (MinIO, Ceph, …) rarely have wildcard DNS, so path style is their default (as in object_store);
  // AWS itself keeps the SDK's virtual-hosted default.
  const forcePathStyle = pathStyle ?? (virtualHosted !== undefined ? !virtualHosted : endpoint !== undefined);

  return {
    bucket,
    prefix,
    url: `${url.protocol}//${bucket}${pathname}`,
    region,
    regionDefaulted: regionGiven === undefined,
    ...(endpoint !== undefined ? { endpoint } : {}),
    forcePathStyle,
    ...(accessKeyId !== undefined && secretAccessKey !== undefined
      ? { credentials: { accessKeyId, secretAccessKey, ...(sessionToken !== undefined ? { sessionToken } : {}) } }
      : {}),
  };
}

/** Lower-cases option keys and rejects unknown ones, listing the valid keys. */
function normaliseKeys(url: URL, options: StorageOptions): Record<string, string> {
  const out: Record<string, string> = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(options)) {
    if (v === undefined) continue;
    const key = k.toLowerCase();
    if (!(S3_OPTION_KEYS as readonly string[]).includes(key)) unknown.push(k);
    else if (typeof v !== 'string') throw new StoreConfigError(`cannot open ${url.href}: storage option ${k} must be a string`);
    else out[key] = v;
  }
  if (unknown.length > 0) {
    throw new StoreConfigError(
      `cannot open ${url.href}: unknown S3 storage option(s) ${unknown.join(', ')}; valid keys are ${S3_OPTION_KEYS.join(', ')}`,
    );
  }
  return out;
}

function parseBool(where: string, key: string, value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off') return false;
  throw new StoreConfigError(`cannot open ${where}: ${key} must be true or false, not "${value}"`);
}
