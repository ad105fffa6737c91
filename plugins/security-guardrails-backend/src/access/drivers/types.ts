import { AppliedBinding } from '@internal/backstage-plugin-security-guardrails-common';

/** What a grant asks a cluster for. */
export interface GrantSpec {
  grantId: string;
  cluster: string;
  namespaces: string[];
  clusterRole: string;
  subject: { kind: 'User'; name: string };
  expiresAt: string;
  requester: string;
  approvers: string[];
  justification: string;
  entityRef: string;
  /** The entity's kubernetes-id, as a label, so the binding shows in the service's posture. */
  kubernetesId?: string;
}

export interface ManagedBinding extends AppliedBinding {
  grantId?: string;
}

/**
 * Applies and removes the RoleBindings of grants in one cluster. Every
 * operation is idempotent: a retry after a crash finishes the job.
 */
export interface GrantDriver {
  readonly cluster: string;
  /** Creates one RoleBinding per namespace; an identical existing binding counts as done. */
  apply(grant: GrantSpec): Promise<AppliedBinding[]>;
  /** Deletes the grant's bindings (by UID); one already gone counts as done. */
  revoke(grantId: string, bindings: AppliedBinding[]): Promise<void>;
  /** Rewrites the expiry annotation after an extension. */
  updateExpiry(
    grant: GrantSpec,
    bindings: AppliedBinding[],
  ): Promise<AppliedBinding[]>;
  /** Every binding this plugin manages in the cluster, for reconciliation. */
  listManaged(): Promise<ManagedBinding[]>;
}

/** A binding with the grant's name exists but grants something else: never overwrite it. */
export class GrantConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrantConflictError';
  }
}
