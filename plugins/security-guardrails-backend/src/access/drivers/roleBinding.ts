/*
 * The RoleBinding a grant becomes is written once, in -common
 * (roleBindingFor), so the portal's preview is the object applied; here,
 * whether an existing binding already grants what a grant asks.
 */
import { RoleBindingObject } from '@internal/backstage-plugin-security-guardrails-common';

export {
  bindingName,
  roleBindingFor,
} from '@internal/backstage-plugin-security-guardrails-common';
export type { RoleBindingObject } from '@internal/backstage-plugin-security-guardrails-common';

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
