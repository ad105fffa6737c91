/*
 * The RoleBinding a grant becomes: a deterministic name, labels that mark it
 * as managed with its grant id, and annotations with the RFC 3339 expiry
 * (labels cannot hold ':'), requester, approvers and justification.
 */
import {
  GRANT_ANNOTATIONS,
  GRANT_LABELS,
  GRANT_MANAGED_BY_VALUE,
  KUBERNETES_ID_LABEL,
} from '@internal/backstage-plugin-security-guardrails-common';
import { GrantSpec } from './types';

export interface RoleBindingObject {
  apiVersion: 'rbac.authorization.k8s.io/v1';
  kind: 'RoleBinding';
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    resourceVersion?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects: Array<{
    apiGroup?: string;
    kind: string;
    name: string;
    namespace?: string;
  }>;
}

export function bindingName(grantId: string): string {
  return `security-guardrails-${grantId}`;
}

const MAX_ANNOTATION = 1024;

export function roleBindingFor(
  grant: GrantSpec,
  namespace: string,
): RoleBindingObject {
  const labels: Record<string, string> = {
    [GRANT_LABELS.managedBy]: GRANT_MANAGED_BY_VALUE,
    [GRANT_LABELS.grantId]: grant.grantId,
  };
  if (
    grant.kubernetesId &&
    /^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/.test(grant.kubernetesId)
  ) {
    labels[KUBERNETES_ID_LABEL] = grant.kubernetesId;
  }
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: {
      name: bindingName(grant.grantId),
      namespace,
      labels,
      annotations: {
        [GRANT_ANNOTATIONS.expiresAt]: grant.expiresAt,
        [GRANT_ANNOTATIONS.requester]: grant.requester,
        [GRANT_ANNOTATIONS.approvers]: grant.approvers.join(','),
        [GRANT_ANNOTATIONS.justification]: grant.justification.slice(
          0,
          MAX_ANNOTATION,
        ),
        [GRANT_ANNOTATIONS.entityRef]: grant.entityRef,
      },
    },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: grant.clusterRole,
    },
    subjects: [
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: grant.subject.kind,
        name: grant.subject.name,
      },
    ],
  };
}

/** Whether an existing binding grants exactly what the grant asks (same roleRef and subjects). */
export function sameGrant(
  existing: {
    roleRef?: { kind?: string; name?: string };
    subjects?: Array<{ kind?: string; name?: string; namespace?: string }>;
  },
  wanted: RoleBindingObject,
): boolean {
  if (
    existing.roleRef?.kind !== wanted.roleRef.kind ||
    existing.roleRef?.name !== wanted.roleRef.name
  )
    return false;
  const key = (s: { kind?: string; name?: string; namespace?: string }) =>
    `${s.kind}|${s.name}|${s.namespace ?? ''}`;
  const a = (existing.subjects ?? []).map(key).sort();
  const b = wanted.subjects.map(key).sort();
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
