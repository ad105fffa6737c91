/*
 * The RoleBinding a grant becomes: a deterministic name, labels that mark it
 * as managed with its grant id, and annotations with the RFC 3339 expiry
 * (labels cannot hold ':'), requester, approvers and justification. The
 * backend's drivers apply exactly this object; the portal shows it to the
 * requester and the approver before it exists, as YAML (toYaml).
 */
import {
  GRANT_ANNOTATIONS,
  GRANT_LABELS,
  GRANT_MANAGED_BY_VALUE,
  KUBERNETES_ID_LABEL,
} from './annotations';

/** @public */
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

/** What of a grant its RoleBinding says. @public */
export interface RoleBindingGrant {
  grantId: string;
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

/** @public */
export function bindingName(grantId: string): string {
  return `security-guardrails-${grantId}`;
}

const MAX_ANNOTATION = 1024;

/** @public */
export function roleBindingFor(
  grant: RoleBindingGrant,
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

/** A YAML scalar: plain when YAML reads it back as the same string, else double-quoted (JSON is valid YAML). */
function scalar(value: string): string {
  const plain =
    /^[A-Za-z0-9/_.<][A-Za-z0-9/_. <>@+,-]*$/.test(value) &&
    !/^(true|false|null|yes|no|on|off|~|[-+]?[0-9.]+)$/i.test(value) &&
    !value.endsWith(' ');
  return plain ? value : JSON.stringify(value);
}

/**
 * Plain data (maps, lists, strings, numbers, booleans) as block YAML, in
 * the order given; enough for the objects this product writes.
 *
 * @public
 */
export function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    return value
      .map(item => {
        const body = toYaml(item, `${indent}  `);
        return item && typeof item === 'object'
          ? `${indent}- ${body.trimStart()}`
          : `${indent}- ${body.trim()}\n`;
      })
      .join('');
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const key = scalar(k);
        if (v && typeof v === 'object') {
          const empty = Array.isArray(v)
            ? v.length === 0
            : !Object.keys(v).length;
          if (empty)
            return `${indent}${key}: ${Array.isArray(v) ? '[]' : '{}'}\n`;
          const nested = `${indent}  `;
          return `${indent}${key}:\n${toYaml(v, nested)}`;
        }
        return `${indent}${key}: ${toYaml(v).trim()}\n`;
      })
      .join('');
  }
  if (typeof value === 'string') return `${scalar(value)}\n`;
  return `${String(value)}\n`;
}
