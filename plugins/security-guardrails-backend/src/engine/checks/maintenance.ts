/*
 * maint.*: the rot between teams. Standing privileges, bindings that outlived
 * their expiry, references to nothing, APIs that are going away, and what
 * scanners (Trivy, Kyverno, Kubescape) already reported.
 */
import type { Severity } from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  CheckContext,
  fail,
  Finding,
  KubeObject,
  notApplicable,
  pass,
  PolicyReportEntry,
  show,
  warn,
  Workload,
} from '@internal/backstage-plugin-security-guardrails-node';
import { WORKLOAD_KINDS } from '../clusterIndex';
import {
  adminEquivalence,
  isBootstrapped,
  isDefaultClusterRoleName,
  isPeopleSubject,
  riskOfRules,
  roleRefOf,
  subjectsOf,
} from '../rbac';

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

interface Deprecation {
  apiVersion: string;
  kinds: string[];
  deprecated: string;
  removed: string;
  replacement: string;
}

export const DEPRECATIONS: Deprecation[] = [
  {
    apiVersion: 'extensions/v1beta1',
    kinds: [
      'Deployment',
      'DaemonSet',
      'ReplicaSet',
      'NetworkPolicy',
      'PodSecurityPolicy',
    ],
    deprecated: '1.8',
    removed: '1.16',
    replacement: 'apps/v1 or networking.k8s.io/v1',
  },
  {
    apiVersion: 'extensions/v1beta1',
    kinds: ['Ingress'],
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'networking.k8s.io/v1',
  },
  {
    apiVersion: 'apps/v1beta1',
    kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'],
    deprecated: '1.9',
    removed: '1.16',
    replacement: 'apps/v1',
  },
  {
    apiVersion: 'apps/v1beta2',
    kinds: ['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet'],
    deprecated: '1.9',
    removed: '1.16',
    replacement: 'apps/v1',
  },
  {
    apiVersion: 'networking.k8s.io/v1beta1',
    kinds: ['Ingress', 'IngressClass'],
    deprecated: '1.19',
    removed: '1.22',
    replacement: 'networking.k8s.io/v1',
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1beta1',
    kinds: ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'],
    deprecated: '1.17',
    removed: '1.22',
    replacement: 'rbac.authorization.k8s.io/v1',
  },
  {
    apiVersion: 'policy/v1beta1',
    kinds: ['PodDisruptionBudget', 'PodSecurityPolicy'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'policy/v1 (PSP: Pod Security Admission)',
  },
  {
    apiVersion: 'batch/v1beta1',
    kinds: ['CronJob'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'batch/v1',
  },
  {
    apiVersion: 'autoscaling/v2beta1',
    kinds: ['HorizontalPodAutoscaler'],
    deprecated: '1.22',
    removed: '1.25',
    replacement: 'autoscaling/v2',
  },
  {
    apiVersion: 'autoscaling/v2beta2',
    kinds: ['HorizontalPodAutoscaler'],
    deprecated: '1.23',
    removed: '1.26',
    replacement: 'autoscaling/v2',
  },
  {
    apiVersion: 'discovery.k8s.io/v1beta1',
    kinds: ['EndpointSlice'],
    deprecated: '1.21',
    removed: '1.25',
    replacement: 'discovery.k8s.io/v1',
  },
  {
    apiVersion: 'scheduling.k8s.io/v1beta1',
    kinds: ['PriorityClass'],
    deprecated: '1.14',
    removed: '1.22',
    replacement: 'scheduling.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    deprecated: '1.26',
    removed: '1.29',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
    kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
    deprecated: '1.29',
    removed: '1.32',
    replacement: 'flowcontrol.apiserver.k8s.io/v1',
  },
  {
    apiVersion: 'storage.k8s.io/v1beta1',
    kinds: ['CSIStorageCapacity'],
    deprecated: '1.24',
    removed: '1.27',
    replacement: 'storage.k8s.io/v1',
  },
];

const DEPRECATED_KINDS = [...new Set(DEPRECATIONS.flatMap(d => d.kinds))];

function parseVersion(v: string): number {
  const m = /^v?(\d+)\.(\d+)/.exec(v.trim());
  return m ? Number(m[1]) * 1000 + Number(m[2]) : 0;
}

export const deprecatedApi: Check = {
  meta: {
    id: 'maint.deprecated-api',
    title: 'No removed or deprecated API versions',
    domain: 'maintenance',
    severity: 'low',
    rationale:
      'Manifests on removed API versions fail at the next upgrade, often mid-incident when a redeploy is urgent; deprecated ones are on the clock. The Kubernetes version is set in `securityGuardrails.checks.kubernetesVersion`.',
    references: [
      'Kubernetes deprecated API migration guide',
      'Pluto',
      'kube-no-trouble',
    ],
    remediation: `Move the manifest to the current API version (\`kubectl convert\` helps); check field changes in the migration guide.

\`\`\`yaml
apiVersion: networking.k8s.io/v1   # was networking.k8s.io/v1beta1
kind: Ingress
\`\`\``,
  },
  objectKinds: DEPRECATED_KINDS,
  object: (obj, ctx) => {
    const version = parseVersion(ctx.settings.kubernetesVersion);
    const d = DEPRECATIONS.find(
      x => x.apiVersion === obj.apiVersion && x.kinds.includes(obj.kind),
    );
    const field = 'apiVersion';
    if (!d)
      return [
        pass(`${obj.apiVersion} is current.`, {
          field,
          observed: obj.apiVersion,
        }),
      ];
    if (version >= parseVersion(d.removed)) {
      return [
        fail(
          `${obj.apiVersion} ${obj.kind} was removed in Kubernetes ${d.removed}; use ${d.replacement}.`,
          { field, observed: obj.apiVersion },
        ),
      ];
    }
    if (version >= parseVersion(d.deprecated)) {
      return [
        warn(
          `${obj.apiVersion} ${obj.kind} is deprecated since ${d.deprecated} and removed in ${d.removed}; use ${d.replacement}.`,
          { field, observed: obj.apiVersion },
        ),
      ];
    }
    return [
      pass(
        `${obj.apiVersion} is served by Kubernetes ${ctx.settings.kubernetesVersion}.`,
        { field, observed: obj.apiVersion },
      ),
    ];
  },
};

export const imageVulns: Check = {
  meta: {
    id: 'maint.image-vulns',
    title: 'No critical or high image vulnerabilities',
    domain: 'maintenance',
    severity: 'high',
    severityRule: 'Critical when a report lists a critical vulnerability.',
    rationale:
      "Known-vulnerable images are the most common way in. Trivy Operator's VulnerabilityReports say which running images carry critical and high CVEs; they should be rebuilt.",
    references: ['Trivy Operator VulnerabilityReport'],
    remediation: `Rebuild on a patched base image and bump the vulnerable dependencies; pin the new digest.

\`\`\`dockerfile
FROM gcr.io/distroless/base-debian12:nonroot   # a current, minimal base
\`\`\`

Then redeploy and check the new VulnerabilityReport:
\`\`\`sh
kubectl -n payments get vulnerabilityreports -l trivy-operator.resource.name=checkout
\`\`\``,
  },
  workload: (w, ctx) => {
    const reports = [w.object, ...w.owned].flatMap(o =>
      ctx.index.vulnerabilityReportsFor(o),
    );
    const trivyPresent = ctx.index.has('VulnerabilityReport');
    return w.containers
      .filter(c => c.role !== 'ephemeralContainer')
      .map(({ container }): Finding => {
        const mine = reports.filter(
          r =>
            (r.metadata.labels ?? {})['trivy-operator.container.name'] ===
            container.name,
        );
        if (mine.length === 0) {
          return trivyPresent
            ? warn(
                'No VulnerabilityReport for this container: its image is not scanned.',
                { container: container.name },
              )
            : notApplicable('No Trivy VulnerabilityReports in this cluster.', {
                container: container.name,
              });
        }
        let critical = 0;
        let high = 0;
        for (const r of mine) {
          const summary = ((r as any).report?.summary ?? {}) as Record<
            string,
            unknown
          >;
          critical = Math.max(critical, Number(summary.criticalCount) || 0);
          high = Math.max(high, Number(summary.highCount) || 0);
        }
        const observed = `critical=${critical}, high=${high}`;
        const field = 'VulnerabilityReport.report.summary';
        if (critical > 0) {
          return fail(
            `${critical} critical and ${high} high vulnerabilities.`,
            {
              container: container.name,
              field,
              observed,
              severity: 'critical',
            },
          );
        }
        if (high > 0) {
          return fail(`${high} high vulnerabilities.`, {
            container: container.name,
            field,
            observed,
          });
        }
        return pass('No critical or high vulnerabilities.', {
          container: container.name,
          field,
          observed,
        });
      });
  },
};

const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low'];

function reportSeverity(value: string | undefined): Severity {
  const v = (value ?? '').toLowerCase();
  if (v === 'critical' || v === 'high' || v === 'medium' || v === 'low')
    return v;
  if (v === 'info') return 'low';
  return 'medium';
}

function summarisePolicyResults(entries: PolicyReportEntry[]): Finding[] {
  if (entries.length === 0) return [];
  const failing = entries.filter(
    e => e.result.result === 'fail' || e.result.result === 'error',
  );
  const warning = entries.filter(e => e.result.result === 'warn');
  const describe = (list: PolicyReportEntry[]) =>
    list.map(
      e =>
        `${e.result.source ? `${e.result.source}: ` : ''}${
          e.result.policy ?? '?'
        }${e.result.rule ? `/${e.result.rule}` : ''}`,
    );
  const field = 'PolicyReport.results';
  if (failing.length > 0) {
    const worst = failing
      .map(e => reportSeverity(e.result.severity))
      .sort((a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b))[0];
    const names = describe(failing);
    return [
      fail(`${failing.length} failing policy result(s): ${names.join(', ')}.`, {
        field,
        observed: show(names),
        severity: worst,
      }),
    ];
  }
  if (warning.length > 0) {
    const worst = warning
      .map(e => reportSeverity(e.result.severity))
      .sort((a, b) => SEVERITY_ORDER.indexOf(a) - SEVERITY_ORDER.indexOf(b))[0];
    const names = describe(warning);
    return [
      warn(`${warning.length} policy warning(s): ${names.join(', ')}.`, {
        field,
        observed: show(names),
        severity: worst,
      }),
    ];
  }
  return [pass(`${entries.length} policy result(s), none failing.`, { field })];
}

export const policyReports: Check = {
  meta: {
    id: 'maint.policy-reports',
    title: 'No failing policy reports',
    domain: 'maintenance',
    severity: 'medium',
    severityRule:
      'The severity of the worst failing entry, as the report states it.',
    rationale:
      "Kyverno, Kubescape and other engines write wg-policy PolicyReports. Failing results are known violations someone already detected; the severity is the report's own.",
    references: ['wg-policy PolicyReport API', 'Kyverno', 'Kubescape'],
    remediation: `Open the report to see which policy and rule failed and why, then fix the resource (the policy's own message says how).

\`\`\`sh
kubectl -n payments get policyreports -o yaml
\`\`\``,
  },
  workload: (w: Workload, ctx: CheckContext) =>
    summarisePolicyResults(
      [w.object, ...w.owned].flatMap(o => ctx.index.policyResultsFor(o)),
    ),
  objectKinds: ['*'],
  object: (obj, ctx) =>
    WORKLOAD_KINDS.has(obj.kind)
      ? []
      : summarisePolicyResults(ctx.index.policyResultsFor(obj)),
};

export const maintenanceChecks: Check[] = [
  standingPrivilege,
  expiredBinding,
  danglingRbac,
  deprecatedApi,
  imageVulns,
  policyReports,
];
