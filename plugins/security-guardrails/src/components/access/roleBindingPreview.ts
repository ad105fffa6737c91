import {
  GrantableRole,
  KUBERNETES_ID_LABEL,
  roleBindingFor,
  toYaml,
} from '@internal/backstage-plugin-security-guardrails-common';
import { formatDuration } from '../common/time';

/**
 * The RoleBinding a request becomes, as YAML: the object the backend applies
 * (roleBindingFor, shared with it), with what is not known yet (the request
 * id before it exists, the expiry before it is applied) in angle brackets.
 */
export function previewRoleBinding(options: {
  role: GrantableRole;
  namespace: string;
  subject: string;
  entityRef: string;
  durationSeconds: number;
  justification: string;
  /** Known once the request exists (the approver's view). */
  requestId?: string;
  requester?: string;
  approvers?: string[];
}): string {
  const binding = roleBindingFor(
    {
      grantId: options.requestId ?? '<request id>',
      clusterRole: options.role.clusterRole,
      subject: { kind: 'User', name: options.subject },
      expiresAt: `<applied at + ${formatDuration(
        options.durationSeconds * 1000,
      )}>`,
      requester: options.requester ?? '<you>',
      approvers: options.approvers ?? ['<who approves>'],
      justification: options.justification || '…',
      entityRef: options.entityRef,
    },
    options.namespace,
  );
  return `${toYaml(binding).trimEnd()}
# The binding also carries the service's ${KUBERNETES_ID_LABEL} label, when it has one.`;
}
