/*
 * maint.deprecated-api: objects written against API versions that
 * Kubernetes deprecated or removed, with the version that replaces each.
 */
import {
  Check,
  CheckContext,
  fail,
  Finding,
  KubeObject,
  pass,
  warn,
} from '@internal/backstage-plugin-security-guardrails-node';

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

/** maint.deprecated-api's verdicts, per evaluation (its settings), by apiVersion and kind. */
const verdicts = new WeakMap<
  CheckContext['settings'],
  Map<string, Map<string, Finding[]>>
>();

function verdictOn(obj: KubeObject, ctx: CheckContext): Finding[] {
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
    // The verdict depends on the apiVersion and kind alone (and the
    // settings): made once per pair in an evaluation, shared by its objects.
    let byApiVersion = verdicts.get(ctx.settings);
    if (!byApiVersion) {
      byApiVersion = new Map();
      verdicts.set(ctx.settings, byApiVersion);
    }
    let byKind = byApiVersion.get(obj.apiVersion);
    if (!byKind) {
      byKind = new Map();
      byApiVersion.set(obj.apiVersion, byKind);
    }
    let findings = byKind.get(obj.kind);
    if (!findings) {
      findings = verdictOn(obj, ctx);
      byKind.set(obj.kind, findings);
    }
    return findings;
  },
};
