// Storage options (delta-rs / object_store names) and environment fallbacks → endpoint and credential
// choice. Pure: no SDK and no I/O, so option handling is testable without a server.

import { StoreConfigError } from '../../errors.js';
import type { StorageOptions } from '../../url.js';
import type { AzureLocation } from './location.js';

/** Azurite's account and its publicly documented key (not a secret: it is the same in every Azurite). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
/** Where Azurite listens by default; `AZURITE_BLOB_STORAGE_URL` overrides it, as in object_store. */
export const AZURITE_DEFAULT_URL = 'http://127.0.0.1:10000';

type Setting =
  | 'account'
  | 'key'
  | 'sas'
  | 'token'
  | 'clientId'
  | 'clientSecret'
  | 'tenantId'
  | 'useEmulator'
  | 'endpoint'
  | 'allowHttp'
  | 'useAzureCli'
  | 'skipSignature'
  | 'useFabricEndpoint';

/** Accepted option keys per setting (first = canonical) and the environment variables read when absent. */
const SETTINGS: Record<Setting, { readonly keys: readonly string[]; readonly env: readonly string[] }> = {
  account: { keys: ['azure_storage_account_name', 'account_name'], env: ['AZURE_STORAGE_ACCOUNT_NAME'] },
  key: {
    keys: ['azure_storage_account_key', 'azure_storage_access_key', 'azure_storage_master_key', 'account_key', 'access_key', 'master_key'],
    env: ['AZURE_STORAGE_ACCOUNT_KEY', 'AZURE_STORAGE_ACCESS_KEY', 'AZURE_STORAGE_KEY'],
  },
  sas: { keys: ['azure_storage_sas_key', 'azure_storage_sas_token', 'sas_key', 'sas_token'], env: ['AZURE_STORAGE_SAS_KEY', 'AZURE_STORAGE_SAS_TOKEN'] },
  token: { keys: ['azure_storage_token', 'bearer_token', 'token', 'access_token'], env: ['AZURE_STORAGE_TOKEN'] },
  clientId: { keys: ['azure_client_id', 'azure_storage_client_id', 'client_id'], env: ['AZURE_CLIENT_ID'] },
  clientSecret: { keys: ['azure_client_secret', 'azure_storage_client_secret', 'client_secret'], env: ['AZURE_CLIENT_SECRET'] },
  tenantId: {
    keys: ['azure_tenant_id', 'azure_storage_tenant_id', 'azure_authority_id', 'azure_storage_authority_id', 'tenant_id', 'authority_id'],
    env: ['AZURE_TENANT_ID'],
  },
  useEmulator: { keys: ['azure_storage_use_emulator', 'use_emulator'], env: ['AZURE_STORAGE_USE_EMULATOR'] },
  endpoint: { keys: ['azure_storage_endpoint', 'azure_endpoint', 'endpoint'], env: ['AZURE_STORAGE_ENDPOINT', 'AZURE_ENDPOINT'] },
  allowHttp: { keys: ['azure_allow_http', 'allow_http'], env: ['AZURE_ALLOW_HTTP'] },
  useAzureCli: { keys: ['azure_use_azure_cli', 'use_azure_cli'], env: ['AZURE_USE_AZURE_CLI'] },
  skipSignature: { keys: ['azure_skip_signature', 'skip_signature'], env: ['AZURE_SKIP_SIGNATURE'] },
  useFabricEndpoint: { keys: ['azure_use_fabric_endpoint', 'use_fabric_endpoint'], env: ['AZURE_USE_FABRIC_ENDPOINT'] },
};

/** Every option key the Azure adapter accepts. */
export const AZURE_OPTION_KEYS: readonly string[] = Object.values(SETTINGS).flatMap((s) => s.keys);

const KEY_TO_SETTING = new Map<string, Setting>(
  (Object.entries(SETTINGS) as [Setting, { keys: readonly string[] }][]).flatMap(([setting, s]) => s.keys.map((k) => [k, setting] as const)),
);

/** How requests are authorised. Secrets stay in here; nothing else in the store holds them. */
export type AzureCredentialChoice =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'sharedKey'; readonly account: string; readonly key: string }
  | { readonly kind: 'sas'; readonly sas: string }
  | { readonly kind: 'bearer'; readonly token: string }
  | { readonly kind: 'clientSecret'; readonly tenantId: string; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: 'azureCli' }
  | { readonly kind: 'default'; readonly managedIdentityClientId?: string };

/** Everything needed to build a client, resolved from URL, options and environment. */
export interface AzureConfig {
  readonly location: AzureLocation;
  /** Storage account (undefined only when an explicit endpoint makes it unnecessary). */
  readonly account?: string;
  /** Blob service URL, without a trailing slash and without SAS (`https://acct.blob.core.windows.net`, `http://127.0.0.1:10000/devstoreaccount1`). */
  readonly serviceUrl: string;
  readonly credential: AzureCredentialChoice;
  readonly emulator: boolean;
}

/** Environment variables, as `process.env` has them. */
export type Env = Readonly<Record<string, string | undefined>>;

/** `process.env` where there is one (Node, Bun, Deno's compat layer); empty elsewhere. */
export function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

/**
 * Resolves options and environment for `location`. Options win over the environment; among credentials
 * the order is object_store's: skip_signature, bearer token, account key, SAS, client secret, Azure CLI,
 * then (emulator: Azurite's well-known key) the default credential chain.
 */
export function resolveAzureConfig(location: AzureLocation, options: StorageOptions, env: Env = processEnv()): AzureConfig {
  const url = location.url;
  const fromOptions = readOptions(url, options);
  const get = (s: Setting): string | undefined => {
    const v = fromOptions.get(s);
    if (v !== undefined) return v;
    for (const name of SETTINGS[s].env) {
      const e = env[name];
      if (e !== undefined && e !== '') return e;
    }
    return undefined;
  };
  const flag = (s: Setting): boolean => parseBool(url, s, get(s));

  const emulator = flag('useEmulator');
  const account = location.account ?? get('account') ?? (emulator ? AZURITE_ACCOUNT : undefined);
  const serviceUrl = resolveServiceUrl(location, account, get('endpoint'), emulator, flag('useFabricEndpoint'), env);

  const parsed = new URL(serviceUrl);
  if (parsed.protocol === 'http:' && !emulator && !flag('allowHttp') && !isLoopback(parsed.hostname)) {
    throw new StoreConfigError(
      `cannot open ${url}: endpoint ${serviceUrl} is plain http; set azure_allow_http=true to allow it (or use https)`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new StoreConfigError(`cannot open ${url}: azure_storage_endpoint ${serviceUrl} must be an http:// or https:// URL`);
  }

  return { location, ...(account !== undefined ? { account } : {}), serviceUrl, credential: chooseCredential(url, get, flag, fromOptions, account, emulator), emulator };
}

function readOptions(url: string, options: StorageOptions): Map<Setting, string> {
  const out = new Map<Setting, string>();
  const seen = new Map<Setting, string>();
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const setting = KEY_TO_SETTING.get(key.toLowerCase());
    if (setting === undefined) {
      unknown.push(key);
      continue;
    }
    const previous = out.get(setting);
    if (previous !== undefined && previous !== value) {
      throw new StoreConfigError(`cannot open ${url}: storage options ${seen.get(setting)} and ${key} are aliases but have different values; pass only one`);
    }
    out.set(setting, value);
    seen.set(setting, key);
  }
  if (unknown.length > 0) {
    throw new StoreConfigError(
      `cannot open ${url}: unknown storage option(s) ${unknown.join(', ')} for Azure; valid options are ${AZURE_OPTION_KEYS.join(', ')}`,
    );
  }
  return out;
}

function resolveServiceUrl(
  location: AzureLocation,
  account: string | undefined,
  endpoint: string | undefined,
  emulator: boolean,
  fabric: boolean,
  env: Env,
): string {
  const url = location.url;
  if (endpoint !== undefined) {
    try {
      new URL(endpoint);
    } catch (e) {
      throw new StoreConfigError(`cannot open ${url}: azure_storage_endpoint ${endpoint} is not a URL (e.g. http://127.0.0.1:10000/devstoreaccount1)`, { cause: e });
    }
    return endpoint.replace(/\/+$/, '');
  }
  if (emulator) {
    // Path-style addressing: Azurite serves every account under http://host:port/<account>.
    const base = (env.AZURITE_BLOB_STORAGE_URL ?? AZURITE_DEFAULT_URL).replace(/\/+$/, '');
    return `${base}/${account ?? AZURITE_ACCOUNT}`;
  }
  if (location.blobHost !== undefined) return `https://${location.blobHost}`;
  if (account === undefined) {
    throw new StoreConfigError(
      `cannot open ${url}: no storage account; set the azure_storage_account_name option or AZURE_STORAGE_ACCOUNT_NAME, or use abfss://<container>@<account>.dfs.core.windows.net/<path>`,
    );
  }
  return fabric ? `https://${account}.blob.fabric.microsoft.com` : `https://${account}.blob.core.windows.net`;
}

function chooseCredential(
  url: string,
  get: (s: Setting) => string | undefined,
  flag: (s: Setting) => boolean,
  fromOptions: Map<Setting, string>,
  account: string | undefined,
  emulator: boolean,
): AzureCredentialChoice {
  if (flag('skipSignature')) return { kind: 'anonymous' };
  const token = get('token');
  if (token !== undefined) return { kind: 'bearer', token };
  const key = get('key') ?? (emulator && get('sas') === undefined ? AZURITE_KEY : undefined);
  if (key !== undefined) {
    if (account === undefined) {
      throw new StoreConfigError(`cannot open ${url}: an account key needs the account name; set azure_storage_account_name`);
    }
    return { kind: 'sharedKey', account, key };
  }
  const sas = get('sas');
  if (sas !== undefined) return { kind: 'sas', sas: sas.replace(/^\?/, '') };

  // A client secret given as an option must come with id and tenant; from the environment alone,
  // AZURE_CLIENT_ID may just pick a managed identity, so only a full triple selects a client secret.
  const clientId = get('clientId');
  const clientSecret = get('clientSecret');
  const tenantId = get('tenantId');
  if (clientId !== undefined && clientSecret !== undefined && tenantId !== undefined) {
    return { kind: 'clientSecret', tenantId, clientId, clientSecret };
  }
  if (fromOptions.has('clientSecret')) {
    const missing = [clientId === undefined ? 'azure_client_id' : '', tenantId === undefined ? 'azure_tenant_id' : ''].filter((m) => m !== '');
    throw new StoreConfigError(`cannot open ${url}: azure_client_secret also needs ${missing.join(' and ')} (or AZURE_CLIENT_ID / AZURE_TENANT_ID)`);
  }
  if (flag('useAzureCli')) return { kind: 'azureCli' };
  return clientId !== undefined ? { kind: 'default', managedIdentityClientId: clientId } : { kind: 'default' };
}

function parseBool(url: string, setting: Setting, value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes' || v === 'on') return true;
  if (v === 'false' || v === '0' || v === 'no' || v === 'off' || v === '') return false;
  throw new StoreConfigError(`cannot open ${url}: storage option ${SETTINGS[setting].keys[0]}=${value} must be true or false`);
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || hostname === '::1' || /^127(\.\d{1,3}){3}$/.test(hostname);
}
