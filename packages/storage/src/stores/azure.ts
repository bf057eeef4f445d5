// Azure Blob / ADLS Gen2 / OneLake adapter entry. The SDKs (@azure/storage-blob, and @azure/identity
// for token credentials) are optional peers, imported here on first use so that importing
// @duckrun/storage, or opening any other kind of store, loads neither.

import { StoreConfigError } from '../errors.js';
import type { ObjectStore } from '../object-store.js';
import type { StorageOptions } from '../url.js';
import { resolveAzureConfig, processEnv, type AzureConfig, type AzureCredentialChoice, type Env } from './azure/config.js';
import { parseAzureUrl } from './azure/location.js';
import { AzureStore, type AzureStoreTuning } from './azure/store.js';

export { AZURE_OPTION_KEYS, AZURITE_ACCOUNT, AZURITE_KEY, resolveAzureConfig, type AzureConfig, type AzureCredentialChoice } from './azure/config.js';
export { parseAzureUrl, blobHostFor, type AzureLocation } from './azure/location.js';
export { AzureStore, type AzureStoreTuning } from './azure/store.js';

type BlobSdk = typeof import('@azure/storage-blob');
type IdentitySdk = typeof import('@azure/identity');
/** Whatever BlobServiceClient accepts as a credential (the TokenCredential type lives in @azure/core-auth, not a dependency here). */
type ServiceCredential = NonNullable<Parameters<BlobSdk['newPipeline']>[0]>;

/** Retries for throttling (503), server errors (500) and network failures, with exponential backoff. */
const RETRY = { maxTries: 5, retryDelayInMs: 250, maxRetryDelayInMs: 8_000 } as const;

/** Opens the Azure store for `url`; options as in delta-rs (see config.ts), environment as fallback. */
export async function azureStoreFromUrl(url: URL, options: StorageOptions, tuning: AzureStoreTuning = {}, env: Env = processEnv()): Promise<ObjectStore> {
  const config = resolveAzureConfig(parseAzureUrl(url), options, env);
  const sdk = await loadBlobSdk(config.location.url);
  const container = await containerClient(sdk, config);
  return new AzureStore(
    container,
    {
      url: config.location.url,
      ...(config.account !== undefined ? { account: config.account } : {}),
      container: config.location.container,
      prefix: config.location.prefix,
      auth: describeCredential(config.credential),
    },
    tuning,
  );
}

async function containerClient(sdk: BlobSdk, config: AzureConfig): Promise<import('@azure/storage-blob').ContainerClient> {
  const pipeline = { retryOptions: RETRY, userAgentOptions: { userAgentPrefix: 'duckrun' } };
  const c = config.credential;
  const service = (credential: ServiceCredential, query = ''): import('@azure/storage-blob').BlobServiceClient =>
    new sdk.BlobServiceClient(`${config.serviceUrl}${query}`, sdk.newPipeline(credential, pipeline));
  switch (c.kind) {
    case 'anonymous':
      return service(new sdk.AnonymousCredential()).getContainerClient(config.location.container);
    case 'sas':
      return service(new sdk.AnonymousCredential(), `?${c.sas}`).getContainerClient(config.location.container);
    case 'sharedKey':
      return service(new sdk.StorageSharedKeyCredential(c.account, c.key)).getContainerClient(config.location.container);
    case 'bearer': {
      if (config.serviceUrl.startsWith('http:')) {
        throw new StoreConfigError(`cannot open ${config.location.url}: a bearer token is only sent over https, but the endpoint is ${config.serviceUrl}`);
      }
      // A token fetched elsewhere (e.g. by Fabric notebooks): used as is until it expires.
      const token = c.token;
      const credential: ServiceCredential = { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 60 * 60 * 1000 }) };
      return service(credential).getContainerClient(config.location.container);
    }
    default: {
      const identity = await loadIdentitySdk(config.location.url);
      return service(tokenCredential(identity, c)).getContainerClient(config.location.container);
    }
  }
}

function tokenCredential(identity: IdentitySdk, c: AzureCredentialChoice): ServiceCredential {
  switch (c.kind) {
    case 'clientSecret':
      return new identity.ClientSecretCredential(c.tenantId, c.clientId, c.clientSecret);
    case 'azureCli':
      return new identity.AzureCliCredential();
    case 'default':
      return c.managedIdentityClientId !== undefined
        ? new identity.DefaultAzureCredential({ managedIdentityClientId: c.managedIdentityClientId })
        : new identity.DefaultAzureCredential();
    default:
      throw new StoreConfigError(`internal: credential ${c.kind} is not a token credential`);
  }
}

/** How the store authenticates, for error messages (never the secret). */
function describeCredential(c: AzureCredentialChoice): string {
  switch (c.kind) {
    case 'anonymous':
      return 'no credential (azure_skip_signature)';
    case 'sas':
      return 'a SAS token (azure_storage_sas_key)';
    case 'sharedKey':
      return `the account key of ${c.account} (azure_storage_account_key)`;
    case 'bearer':
      return 'a bearer token (bearer_token)';
    case 'clientSecret':
      return `client secret credentials of ${c.clientId} (azure_client_id/azure_client_secret/azure_tenant_id)`;
    case 'azureCli':
      return 'the Azure CLI login (azure_use_azure_cli)';
    case 'default':
      return 'the default Azure credential chain (environment, managed identity, Azure CLI)';
  }
}

async function loadBlobSdk(url: string): Promise<BlobSdk> {
  try {
    return await import('@azure/storage-blob');
  } catch (e) {
    throw new StoreConfigError(`cannot open ${url}: the Azure adapter needs the @azure/storage-blob package; install it (npm install @azure/storage-blob)`, { cause: e });
  }
}

async function loadIdentitySdk(url: string): Promise<IdentitySdk> {
  try {
    return await import('@azure/identity');
  } catch (e) {
    throw new StoreConfigError(
      `cannot open ${url}: Azure AD sign-in needs the @azure/identity package; install it (npm install @azure/identity), or pass azure_storage_account_key, azure_storage_sas_key or bearer_token`,
      { cause: e },
    );
  }
}
