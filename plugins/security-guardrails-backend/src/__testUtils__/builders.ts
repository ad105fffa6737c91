/*
 * Builders of Kubernetes objects for check fixtures. `hardened*` objects pass
 * every implementation check; fixtures change one field to make one fail.
 */
import {
  CheckResult,
  ResultStatus,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  Check,
  CheckSettings,
  ClusterSnapshot,
  EntityInfo,
  evaluate,
  KubeObject,
} from '../engine';

export const NS = 'shop';

export function hardenedContainer(
  name = 'app',
  overrides: Record<string, unknown> = {},
) {
  return {
    name,
    image:
      'ghcr.io/acme/app:1.2.3@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    ports: [{ containerPort: 8080 }],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      runAsUser: 10001,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
    resources: {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '128Mi' },
    },
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/healthz', port: 8080 } },
    ...overrides,
  };
}

export function hardenedPodSpec(overrides: Record<string, unknown> = {}) {
  return {
    serviceAccountName: 'app',
    automountServiceAccountToken: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [hardenedContainer()],
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname' },
    ],
    ...overrides,
  };
}

export const APP_LABELS = {
  'app.kubernetes.io/name': 'app',
  'backstage.io/kubernetes-id': 'app',
};

export function deployment(
  options: {
    name?: string;
    namespace?: string;
    replicas?: number;
    podSpec?: Record<string, unknown>;
    labels?: Record<string, string>;
    podLabels?: Record<string, string>;
    podAnnotations?: Record<string, string>;
    annotations?: Record<string, string>;
    kind?: string;
    apiVersion?: string;
    uid?: string;
  } = {},
): KubeObject {
  const kind = options.kind ?? 'Deployment';
  const template = {
    metadata: {
      labels: options.podLabels ?? APP_LABELS,
      annotations: options.podAnnotations,
    },
    spec: options.podSpec ?? hardenedPodSpec(),
  };
  const spec: Record<string, unknown> =
    kind === 'CronJob'
      ? { schedule: '0 * * * *', jobTemplate: { spec: { template } } }
      : {
          selector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
          template,
        };
  if (
    kind === 'Deployment' ||
    kind === 'StatefulSet' ||
    kind === 'ReplicaSet'
  ) {
    spec.replicas = options.replicas ?? 3;
  }
  return {
    apiVersion:
      options.apiVersion ??
      (kind === 'CronJob' || kind === 'Job' ? 'batch/v1' : 'apps/v1'),
    kind,
    metadata: {
      name: options.name ?? 'app',
      namespace: options.namespace ?? NS,
      labels: options.labels ?? APP_LABELS,
      annotations: options.annotations,
      uid: options.uid,
    },
    spec,
  };
}

export function pod(
  name: string,
  spec: Record<string, unknown>,
  owner?: { kind: string; name: string; uid?: string },
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: APP_LABELS,
      ownerReferences: owner
        ? [{ apiVersion: 'apps/v1', controller: true, ...owner }]
        : undefined,
    },
    spec,
  };
}

export function object(
  kind: string,
  name: string,
  rest: Record<string, unknown> = {},
  meta: Record<string, unknown> = {},
): KubeObject {
  const apiVersions: Record<string, string> = {
    Service: 'v1',
    ServiceAccount: 'v1',
    ConfigMap: 'v1',
    Namespace: 'v1',
    NetworkPolicy: 'networking.k8s.io/v1',
    Ingress: 'networking.k8s.io/v1',
    PodDisruptionBudget: 'policy/v1',
    HorizontalPodAutoscaler: 'autoscaling/v2',
    Role: 'rbac.authorization.k8s.io/v1',
    ClusterRole: 'rbac.authorization.k8s.io/v1',
    RoleBinding: 'rbac.authorization.k8s.io/v1',
    ClusterRoleBinding: 'rbac.authorization.k8s.io/v1',
    ServiceMonitor: 'monitoring.coreos.com/v1',
    PodMonitor: 'monitoring.coreos.com/v1',
    VulnerabilityReport: 'aquasecurity.github.io/v1alpha1',
    PolicyReport: 'wgpolicyk8s.io/v1alpha2',
    ClusterPolicyReport: 'wgpolicyk8s.io/v1alpha2',
  };
  const clusterScoped = [
    'ClusterRole',
    'ClusterRoleBinding',
    'Namespace',
    'ClusterPolicyReport',
  ].includes(kind);
  return {
    apiVersion: apiVersions[kind] ?? 'v1',
    kind,
    metadata: { name, ...(clusterScoped ? {} : { namespace: NS }), ...meta },
    ...rest,
  };
}

export const serviceAccount = (
  name = 'app',
  rest: Record<string, unknown> = {},
) => object('ServiceAccount', name, rest);

export function binding(
  kind: 'RoleBinding' | 'ClusterRoleBinding',
  name: string,
  roleRef: { kind: string; name: string },
  subjects: Array<Record<string, unknown>>,
  meta: Record<string, unknown> = {},
): KubeObject {
  return object(
    kind,
    name,
    {
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
      subjects,
    },
    meta,
  );
}

export function entity(overrides: Partial<EntityInfo> = {}): EntityInfo {
  return {
    ref: 'component:default/app',
    kind: 'Component',
    namespace: 'default',
    name: 'app',
    owner: 'group:default/team',
    annotations: {
      'backstage.io/kubernetes-id': 'app',
      'pagerduty.com/service-id': 'P1',
    },
    links: [{ url: 'https://runbooks.example.com/app', title: 'Runbook' }],
    ...overrides,
  };
}

export function snapshot(
  objects: KubeObject[],
  cluster = 'test',
): ClusterSnapshot {
  return {
    cluster,
    readAt: '2026-11-22T12:00:00.000Z',
    status: 'ok',
    objects,
    errors: [],
  };
}

export const NOW = new Date('2026-11-22T12:00:00.000Z');

/** Runs one check over objects (and an entity) and returns its results. */
export function runCheck(
  check: Check,
  objects: KubeObject[],
  options: {
    entities?: EntityInfo[];
    settings?: CheckSettings;
    annotationExemptions?: boolean;
  } = {},
): CheckResult[] {
  return evaluate(
    { clusters: [snapshot(objects)] },
    {
      checks: [check],
      entities: options.entities,
      settings: {
        knownGroups: new Set(['group:default/team']),
        ...options.settings,
      },
      annotationExemptions: options.annotationExemptions,
      now: NOW,
    },
  ).results;
}

/** The statuses of a check's results about one resource (and container). */
export function statusesFor(
  results: CheckResult[],
  resource: { kind: string; name: string },
  container?: string,
): ResultStatus[] {
  return results
    .filter(
      r =>
        r.resource.kind === resource.kind &&
        r.resource.name === resource.name &&
        (container === undefined || r.container === container),
    )
    .map(r => r.status);
}
