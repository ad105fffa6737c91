/*
 * maint.*: the rot between teams. Standing privileges, bindings that outlived
 * their expiry, references to nothing (this file), APIs that are going away
 * (deprecations.ts), and what scanners (Trivy, Kyverno, Kubescape) already
 * reported (scannerReports.ts).
 */
import type { Severity } from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  fail,
  KubeObject,
  notApplicable,
  pass,
  show,
  warn,
} from '@internal/backstage-plugin-security-guardrails-node';
import {
  adminEquivalence,
  isBootstrapped,
  isDefaultClusterRoleName,
  isPeopleSubject,
  riskOfRules,
  roleRefOf,
  subjectsOf,
} from '../rbac';
import { deprecatedApi } from './deprecations';
import { imageVulns, policyReports } from './scannerReports';

const BINDING_KINDS = ['RoleBinding', 'ClusterRoleBinding'];

/** The expiry a binding carries in one of the configured annotations. */
export function bindingExpiry(
  binding: KubeObject,
  annotations: string[],
): { annotation: string; value: string; at: Date | undefined } | undefined {
  const own = binding.metadata.annotations ?? {};
  for (const a of annotations) {
    const value = own[a];
    if (typeof value === 'string' && value.trim()) {
      const t = Date.parse(value);
      return {
        annotation: a,
        value,
        at: Number.isNaN(t) ? undefined : new Date(t),
      };
    }
  }
  return undefined;
}

export const standingPrivilege: Check = {
  meta: {
    id: 'maint.standing-privilege',
    title: 'No standing privileged access for people',
    domain: 'maintenance',
    severity: 'high',
    rationale:
      'Admin granted "for the incident" stays forever unless something removes it. Powerful roles for people should be temporary: requested, approved, and revoked at expiry.',
    references: ['rbac-expiry-operator', 'Kubescape C-0035', 'CIS 5.1.1'],
    remediation: `Remove the binding and request access when needed through Security Guardrails (it creates a RoleBinding that is revoked at expiry). If a standing binding must stay, give it an expiry annotation and review it.

\`\`\`yaml
# kubectl delete clusterrolebinding alice-admin
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: alice-edit-incident-4211
  namespace: payments
  annotations:
    security-guardrails.io/expires-at: "2026-11-22T18:00:00Z"
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
subjects:
  - kind: User
    name: alice@example.com
\`\`\``,
  },
  objectKinds: BINDING_KINDS,
  object: (binding, ctx) => {
    if (isBootstrapped(binding)) return [];
    // People: users and groups, and `system:authenticated` /
    // `system:unauthenticated`, which are every person there is.
    const humans = subjectsOf(binding).filter(isPeopleSubject);
    const ref = roleRefOf(binding);
    if (humans.length === 0 || !ref) {
      return [
        notApplicable('Binds no person or group of people.', {
          field: 'subjects',
        }),
      ];
    }
    const named =
      ref.kind === 'ClusterRole' &&
      ctx.settings.powerfulRoles.includes(ref.name);
    const equivalence = named
      ? undefined
      : adminEquivalence(
          ctx.index.rulesOfBinding(binding),
          binding.kind === 'ClusterRoleBinding',
        );
    const who = humans.map(s => `${s.kind} ${s.name}`).join(', ');
    if (!named && !equivalence) {
      return [
        pass(
          `${who} hold ${
            ref.name
          }, which is neither one of the powerful roles (${ctx.settings.powerfulRoles.join(
            ', ',
          )}) nor admin-equivalent.`,
          { field: 'roleRef.name', observed: ref.name },
        ),
      ];
    }
    const role = equivalence
      ? `${ref.name} (admin-equivalent: ${equivalence})`
      : ref.name;
    const expiry = bindingExpiry(binding, ctx.settings.expiryAnnotations);
    if (expiry?.at) {
      return [
        pass(`${who} hold ${role} until ${expiry.value}.`, {
          field: `metadata.annotations[${expiry.annotation}]`,
          observed: expiry.value,
        }),
      ];
    }
    return [
      fail(`${who} hold ${role} with no expiry.`, {
        field: 'roleRef.name',
        observed: `${ref.kind}/${ref.name}`,
      }),
    ];
  },
};

export const expiredBinding: Check = {
  meta: {
    id: 'maint.expired-binding',
    title: 'No binding outlives its expiry',
    domain: 'maintenance',
    severity: 'critical',
    rationale:
      'Kubernetes does not expire RoleBindings; a controller must delete them. A binding whose expiry has passed and still exists is access that was promised to end and did not.',
    references: ['rbac-expiry-operator', 'kube-jit'],
    remediation: `Delete the binding now; if it was a temporary grant, check that the expiry controller (the Security Guardrails sweep) is running.

\`\`\`sh
kubectl -n payments delete rolebinding alice-edit-incident-4211
\`\`\``,
  },
  objectKinds: BINDING_KINDS,
  object: (binding, ctx) => {
    const expiry = bindingExpiry(binding, ctx.settings.expiryAnnotations);
    if (!expiry)
      return [
        notApplicable('The binding carries no expiry.', {
          field: 'metadata.annotations',
        }),
      ];
    const field = `metadata.annotations[${expiry.annotation}]`;
    if (!expiry.at) {
      return [
        warn(
          `The expiry "${expiry.value}" is not an RFC 3339 time, so nothing will remove the binding.`,
          { field, observed: expiry.value },
        ),
      ];
    }
    return expiry.at.getTime() <= ctx.now.getTime()
      ? [
          fail(`Expired at ${expiry.value} and still present.`, {
            field,
            observed: expiry.value,
          }),
        ]
      : [
          pass(`Expires at ${expiry.value}.`, {
            field,
            observed: expiry.value,
          }),
        ];
  },
};

export const danglingRbac: Check = {
  meta: {
    id: 'maint.dangling-rbac',
    title: 'Bindings refer to things that exist',
    domain: 'maintenance',
    severity: 'medium',
    severityRule:
      'Reported at the severity of what the binding would grant when an account of the same name exists in another namespace (critical for admin-equivalent rules).',
    rationale:
      'A binding to a missing role or service account grants nothing today, and everything to whoever creates that name tomorrow: a trap waiting for a namesake.',
    references: ['Kubescape (unused RBAC)', 'rbac-tool'],
    remediation: `Delete the binding, or fix \`roleRef\` / \`subjects\` to point at what exists.

\`\`\`sh
kubectl -n payments delete rolebinding old-ci-deployer
\`\`\``,
  },
  objectKinds: BINDING_KINDS,
  object: (binding, ctx) => {
    if (isBootstrapped(binding)) return [];
    const ref = roleRefOf(binding);
    const problems: string[] = [];
    let hidden: { severity: Severity; text: string } | undefined;
    if (!ref) {
      problems.push('no roleRef');
    } else if (!ctx.index.roleOf(binding)) {
      const builtin =
        ref.kind === 'ClusterRole' && isDefaultClusterRoleName(ref.name);
      if (!builtin) problems.push(`${ref.kind} ${ref.name} does not exist`);
    }
    for (const s of subjectsOf(binding)) {
      if (s.kind !== 'ServiceAccount') continue;
      const ns = s.namespace ?? binding.metadata.namespace ?? 'default';
      if (ctx.index.get('ServiceAccount', ns, s.name)) continue;
      problems.push(`ServiceAccount ${ns}/${s.name} does not exist`);
      // A namesake in another namespace is what manifests applied with
      // another `-n` than the bindings expect look like: the account that
      // will run with this binding is there, under another namespace.
      const namesakes = ctx.index
        .withName('ServiceAccount', s.name)
        .map(sa => sa.metadata.namespace ?? 'default')
        .filter(other => other !== ns);
      if (namesakes.length === 0 || !ref) continue;
      const risk = riskOfRules(
        ctx.index.rulesOfBinding(binding),
        binding.kind === 'ClusterRoleBinding',
      );
      const text = `A ServiceAccount ${
        s.name
      } exists in namespace ${namesakes.join(
        ', ',
      )} instead: applied with \`kubectl apply -n ${ns}\`, it would hold ${
        ref.kind
      } ${ref.name}${risk ? `, which ${risk.what}` : ''}`;
      if (!hidden || (risk && risk.severity === 'critical')) {
        hidden = { severity: risk?.severity ?? 'medium', text };
      }
    }
    if (problems.length === 0) {
      return [
        pass('Role and service account subjects exist.', { field: 'roleRef' }),
      ];
    }
    return [
      fail(
        `Dangling: ${problems.join('; ')}.${hidden ? ` ${hidden.text}.` : ''}`,
        {
          field: ref ? 'roleRef' : 'subjects',
          observed: show(problems),
          ...(hidden && hidden.severity !== 'medium'
            ? { severity: hidden.severity }
            : {}),
        },
      ),
    ];
  },
};

export { DEPRECATIONS, deprecatedApi } from './deprecations';
export { imageVulns, policyReports } from './scannerReports';

export const maintenanceChecks: Check[] = [
  standingPrivilege,
  expiredBinding,
  danglingRbac,
  deprecatedApi,
  imageVulns,
  policyReports,
];
