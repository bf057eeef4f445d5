// Parsing of Azure Blob / ADLS Gen2 / OneLake table URLs into account, container and key prefix.
// Pure (no SDK, no I/O) so every URL form is testable offline. Every form is served through the Blob
// endpoint: Azurite has no dfs API, and HNS accounts and OneLake accept Blob-endpoint calls too, so
// dfs hosts are mapped to their blob twins here.

import { StoreConfigError } from '../../errors.js';

/** Where a table lives, as parsed from its URL (before options and environment are applied). */
export interface AzureLocation {
  /** The table URL as given, without trailing slashes; the store reports it as its `url`. */
  readonly url: string;
  /** Storage account, when the URL names one (`abfss://c@acct.dfs…`, `https://acct.blob…`). */
  readonly account?: string;
  /** Container (ADLS Gen2 file system; OneLake workspace, by GUID or friendly name). */
  readonly container: string;
  /** Blob-name prefix of the table root, decoded, without leading or trailing slashes ('' = container root). */
  readonly prefix: string;
  /** Blob-endpoint host the URL implies (`acct.blob.core.windows.net`, `onelake.blob.fabric.microsoft.com`). */
  readonly blobHost?: string;
  /** True for Microsoft Fabric OneLake hosts. */
  readonly onelake: boolean;
}

/** `<account>.(blob|dfs).<cloud suffix>`: public Azure and the sovereign clouds (chinacloudapi.cn, usgovcloudapi.net). */
const ACCOUNT_HOST = /^([a-z0-9]+)\.(blob|dfs)\.(core\.windows\.net|core\.chinacloudapi\.cn|core\.usgovcloudapi\.net|core\.cloudapi\.de)$/i;
/** OneLake, optionally regional (`westus-onelake.dfs.fabric.microsoft.com`) or Fabric-account hosted. */
const FABRIC_HOST = /^(?:([a-z0-9-]+)\.)?((?:[a-z0-9-]+-)?onelake)\.(blob|dfs)\.fabric\.microsoft\.com$|^([a-z0-9-]+)\.(blob|dfs)\.fabric\.microsoft\.com$/i;

const SCHEMES = new Set(['az:', 'azure:', 'abfs:', 'abfss:', 'https:']);

/**
 * Parses one of:
 * `abfss://container@account.dfs.core.windows.net/path` (also `abfs://`, and `.blob.` hosts),
 * `az://container/path`, `azure://container/path`, `abfss://container/path` (account from options),
 * `https://account.blob.core.windows.net/container/path`, `https://account.dfs.core.windows.net/container/path`,
 * `abfss://workspace@onelake.dfs.fabric.microsoft.com/lakehouse[.Lakehouse]/Tables/t` and
 * `https://onelake.dfs.fabric.microsoft.com/workspace/lakehouse/Tables/t`.
 */
export function parseAzureUrl(input: URL | string): AzureLocation {
  const text = typeof input === 'string' ? input : input.href;
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch (e) {
    throw new StoreConfigError(`cannot open ${text}: not a valid URL`, { cause: e });
  }
  if (!SCHEMES.has(url.protocol)) {
    throw new StoreConfigError(`cannot open ${text}: ${url.protocol}// is not an Azure URL scheme; use az://, azure://, abfs://, abfss:// or https://`);
  }
  const normalised = stripTrailingSlashes(url.href);
  if (url.search !== '' || url.hash !== '') {
    throw new StoreConfigError(
      `cannot open ${text}: Azure table URLs take no ?query or #fragment; pass a SAS token as the azure_storage_sas_key option (or percent-encode ? and # in the path)`,
    );
  }
  const segments = url.pathname.split('/').filter((s) => s !== '').map((s) => decode(s, text));
  const host = decode(url.hostname, text);
  const user = decode(url.username, text);

  if (url.protocol === 'https:') {
    const endpoint = parseHost(host);
    if (!endpoint) {
      throw new StoreConfigError(`cannot open ${text}: ${host} is not an Azure Blob, ADLS Gen2 or OneLake endpoint`);
    }
    const container = segments.shift();
    if (container === undefined) {
      throw new StoreConfigError(`cannot open ${text}: the URL names no container; use https://${host}/<container>/<path>`);
    }
    return { url: normalised, container, prefix: segments.join('/'), ...endpoint };
  }

  // abfs[s]://container@host/path: the container is the user part, the host names the account.
  if (user !== '') {
    const endpoint = parseHost(host);
    if (!endpoint) {
      throw new StoreConfigError(
        `cannot open ${text}: ${host} is not an Azure endpoint; use ${url.protocol}//<container>@<account>.dfs.core.windows.net/<path> or ${url.protocol}//<workspace>@onelake.dfs.fabric.microsoft.com/<path>`,
      );
    }
    if (url.password !== '') throw new StoreConfigError(`cannot open ${text}: put credentials in storage options, not in the URL`);
    return { url: normalised, container: user, prefix: segments.join('/'), ...endpoint };
  }

  // az://container/path (and abfss://container/path): the account comes from options or the environment.
  if (host === '') {
    throw new StoreConfigError(`cannot open ${text}: the URL names no container; use ${url.protocol}//<container>/<path>`);
  }
  const endpoint = parseHost(host);
  if (endpoint) {
    // abfss://account.dfs.core.windows.net/… without `container@` names an account but no container.
    throw new StoreConfigError(`cannot open ${text}: name the container as ${url.protocol}//<container>@${host}/<path>`);
  }
  return { url: normalised, container: host, prefix: segments.join('/'), onelake: false };
}

/** The Blob-endpoint host for a Blob or dfs host; undefined when `host` is not an Azure storage host. */
export function blobHostFor(host: string): string | undefined {
  return parseHost(host)?.blobHost;
}

function parseHost(host: string): Pick<AzureLocation, 'account' | 'blobHost' | 'onelake'> | undefined {
  const account = ACCOUNT_HOST.exec(host);
  if (account) {
    return { account: account[1]!.toLowerCase(), blobHost: `${account[1]}.blob.${account[3]}`.toLowerCase(), onelake: false };
  }
  const fabric = FABRIC_HOST.exec(host);
  if (fabric) {
    if (fabric[2] !== undefined) {
      // OneLake: the account is always "onelake"; the regional/prefix part is kept in the host.
      const lead = fabric[1] !== undefined ? `${fabric[1]}.` : '';
      return { account: 'onelake', blobHost: `${lead}${fabric[2]}.blob.fabric.microsoft.com`.toLowerCase(), onelake: true };
    }
    return { account: fabric[4]!.toLowerCase(), blobHost: `${fabric[4]}.blob.fabric.microsoft.com`.toLowerCase(), onelake: true };
  }
  return undefined;
}

function decode(part: string, text: string): string {
  try {
    return decodeURIComponent(part);
  } catch (e) {
    throw new StoreConfigError(`cannot open ${text}: malformed percent-encoding in ${JSON.stringify(part)}`, { cause: e });
  }
}

function stripTrailingSlashes(href: string): string {
  const at = href.indexOf('://') + 3;
  return href.slice(0, at) + href.slice(at).replace(/\/+$/, '');
}
