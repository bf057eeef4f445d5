// Log replay: checkpoint actions, then commits in version order → table state (PROTOCOL.md
// "Action Reconciliation"): latest protocol/metaData win, add/remove reconciled by (path, DV id),
// latest txn per appId, latest domainMetadata per domain, and the removes as tombstones (a checkpoint
// must carry the unexpired ones so VACUUM still sees them).

import type { Action, AddFile, DomainMetadata, Metadata, Protocol, RemoveFile, Txn } from '../actions/types.js';
import { deletionVectorId } from '../dv/descriptor.js';
import { canonicalFileKey } from './file-key.js';

/** The reconciled state of a table at one version. */
export interface TableState {
  readonly protocol?: Protocol;
  readonly metadata?: Metadata;
  /** Live files keyed by canonical path + DV id, in first-seen order. */
  readonly files: ReadonlyMap<string, AddFile>;
  readonly txns: ReadonlyMap<string, Txn>;
  readonly domains: ReadonlyMap<string, DomainMetadata>;
  /** Removed files not re-added since, keyed like `files`; expiry is the checkpoint writer's business. */
  readonly tombstones: ReadonlyMap<string, RemoveFile>;
}

/** Accumulates actions in log order; call `checkpoint` first (if any), then `commit` per version. */
export class LogReplay {
  protocol: Protocol | undefined;
  metadata: Metadata | undefined;
  private readonly files = new Map<string, AddFile>();
  private readonly txns = new Map<string, Txn>();
  private readonly domains = new Map<string, DomainMetadata>();
  private readonly tombstones = new Map<string, RemoveFile>();

  constructor(private readonly tableRoot: string) {}

  /** Applies checkpoint actions; their `remove`s are tombstones and never cancel a checkpoint `add`. */
  checkpoint(actions: Iterable<Action>): void {
    for (const a of actions) {
      if ('remove' in a) this.tombstones.set(this.key(a.remove.path, a.remove.deletionVector), a.remove);
      else this.apply(a);
    }
  }

  /** Applies the actions of one commit. */
  commit(actions: Iterable<Action>): void {
    for (const a of actions) this.apply(a);
  }

  /** The state reached so far. */
  state(): TableState {
    return {
      ...(this.protocol ? { protocol: this.protocol } : {}),
      ...(this.metadata ? { metadata: this.metadata } : {}),
      files: this.files,
      txns: this.txns,
      domains: this.domains,
      tombstones: this.tombstones,
    };
  }

  private apply(a: Action): void {
    if ('add' in a) {
      const key = this.key(a.add.path, a.add.deletionVector);
      this.files.set(key, a.add);
      // Most tables never re-add a removed file: skip the lookup while there is nothing to find.
      if (this.tombstones.size > 0) this.tombstones.delete(key);
    } else if ('remove' in a) {
      const key = this.key(a.remove.path, a.remove.deletionVector);
      this.files.delete(key);
      this.tombstones.set(key, a.remove);
    } else if ('metaData' in a) {
      this.metadata = a.metaData;
    } else if ('protocol' in a) {
      this.protocol = a.protocol;
    } else if ('txn' in a) {
      this.txns.set(a.txn.appId, a.txn);
    } else if ('domainMetadata' in a) {
      if (a.domainMetadata.removed) this.domains.delete(a.domainMetadata.domain);
      else this.domains.set(a.domainMetadata.domain, a.domainMetadata);
    }
  }

  private key(path: string, dv: AddFile['deletionVector']): string {
    const file = canonicalFileKey(this.tableRoot, path);
    return dv ? `${file}\u0000${deletionVectorId(dv)}` : file;
  }
}
