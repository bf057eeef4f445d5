// Direct SDK access to an Azurite account for test setup and inspection (creating containers, looking at
// blobs behind the store's back). Lives in @duckrun/storage, where @azure/storage-blob is installed, so
// tests of other packages reach the SDK through here.

import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './azurite.js';

/** A service client on Azurite's well-known account at `accountUrl` (`http://127.0.0.1:<port>/devstoreaccount1`). */
export function azuriteService(accountUrl: string): BlobServiceClient {
  return new BlobServiceClient(accountUrl, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
}

/** Creates container `name` (if missing) and returns its client. */
export async function azuriteContainer(accountUrl: string, name: string): Promise<ContainerClient> {
  const container = azuriteService(accountUrl).getContainerClient(name);
  await container.createIfNotExists();
  return container;
}
