/*
 * RoleBindings this product applied for temporary grants. While a grant is
 * active its binding is the access workflow working as intended: it is shown
 * on the posture as temporary access and not graded, so approving a grant
 * neither raises nor lowers a score. Labels alone prove nothing (anyone who
 * can write a RoleBinding can copy them): a binding counts as managed only
 * when the access store lists an active grant that applied exactly this
 * binding, with the same role and subject, and the binding's expiry is no
 * later than the grant's. Everything else, including a managed binding past
 * its expiry, is evaluated like any other binding.
 */
import {
  AppliedBinding,
  GRANT_ANNOTATIONS,
  GRANT_LABELS,
  GRANT_MANAGED_BY_VALUE,
  TemporaryAccessInfo,
} from '@internal/backstage-plugin-security-guardrails-common';
import { KubeObject } from '@internal/backstage-plugin-security-guardrails-node';

/** An active grant as the access store knows it. */
export interface ManagedGrant {
  grantId: string;
  /** RFC 3339. */
  expiresAt: string;
  clusterRole: string;
  /** The Kubernetes user the bindings bind. */
  subject: string;
  bindings: AppliedBinding[];
}

const key = (cluster: string, namespace: string, name: string) =>
  `${cluster}\u0000${namespace}\u0000${name}`;

export class ManagedGrants {
  readonly #byBinding = new Map<string, ManagedGrant>();
  readonly #now: Date;

  constructor(grants: ManagedGrant[], now: Date) {
    this.#now = now;
    for (const g of grants) {
      for (const b of g.bindings) {
        this.#byBinding.set(key(b.cluster, b.namespace, b.name), g);
      }
    }
  }

  /** The temporary access a binding stands for, or undefined when it is to be graded. */
  match(cluster: string, obj: KubeObject): TemporaryAccessInfo | undefined {
    if (this.#byBinding.size === 0 || obj.kind !== 'RoleBinding') {
      return undefined;
    }
    const { name, namespace, labels, annotations } = obj.metadata;
    const grant = this.#byBinding.get(key(cluster, namespace ?? '', name));
    if (!grant) return undefined;
    if (
      labels?.[GRANT_LABELS.managedBy] !== GRANT_MANAGED_BY_VALUE ||
      labels?.[GRANT_LABELS.grantId] !== grant.grantId
    ) {
      return undefined;
    }
    const until = Date.parse(grant.expiresAt);
    const annotated = Date.parse(
      annotations?.[GRANT_ANNOTATIONS.expiresAt] ?? '',
    );
    if (
      Number.isNaN(until) ||
      Number.isNaN(annotated) ||
      annotated > until ||
      annotated <= this.#now.getTime()
    ) {
      return undefined;
    }
    const roleRef = (obj as any).roleRef;
    if (
      roleRef?.kind !== 'ClusterRole' ||
      roleRef?.name !== grant.clusterRole
    ) {
      return undefined;
    }
    const subjects = Array.isArray((obj as any).subjects)
      ? ((obj as any).subjects as Array<{ kind?: string; name?: string }>)
      : [];
    if (
      subjects.length !== 1 ||
      subjects[0]?.kind !== 'User' ||
      subjects[0]?.name !== grant.subject
    ) {
      return undefined;
    }
    return {
      grantId: grant.grantId,
      subjects: [`User ${grant.subject}`],
      clusterRole: grant.clusterRole,
      expiresAt: new Date(annotated).toISOString(),
    };
  }
}
