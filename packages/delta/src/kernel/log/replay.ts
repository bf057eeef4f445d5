// Log replay: checkpoint actions, then commits in version order → table state (PROTOCOL.md
// "Action Reconciliation"): latest protocol/metaData win, add/remove reconciled by (path, DV id),
// latest txn per appId, latest domainMetadata per domain.

import type { Action, AddFile, DomainMetadata, Metadata, Protocol, Txn } from '../actions/types.js';
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
}

/** Accumulates actions in log order; call `checkpoint` first (if any), then `commit` per version. */
export class LogReplay {
  protocol: Protocol | undefined;
  metadata: Metadata | undefined;
  private readonly files = new Map<string, AddFile>();
  private readonly txns = new Map<string, Txn>();
  private readonly domains = new Map<string, DomainMetadata>();

  constructor(private readonly tableRoot: string) {}

  /** Applies checkpoint actions; their `remove`s are tombstones and never cancel a checkpoint `add`. */
  checkpoint(actions: Iterable<Action>): void {
    for (const a of actions) {
      if ('remove' in a) continue;
      this.apply(a);
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
    };
  }

  private apply(a: Action): void {
    if ('add' in a) {
      this.files.set(this.key(a.add.path, a.add.deletionVector), a.add);
    } else if ('remove' in a) {
      this.files.delete(this.key(a.remove.path, a.remove.deletionVector));
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
