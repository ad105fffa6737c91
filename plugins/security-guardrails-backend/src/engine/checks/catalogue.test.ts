/*
 * Every check in the catalogue has at least one passing and one failing
 * fixture, run through the whole engine (index, mapping, results). Tricky
 * cases of each family live in the family's own test file.
 */
import {
  CHECK_IDS,
  CheckResult,
  fillFix,
  ResultStatus,
} from '@internal/backstage-plugin-security-guardrails-common';
import yaml from 'js-yaml';
import { BUILTIN_CHECKS } from '.';
import {
  binding,
  deployment,
  entity,
  hardenedContainer,
  hardenedPodSpec,
  object,
  runCheck,
  serviceAccount,
  statusesFor,
} from '../../__testUtils__/builders';
import { CheckSettings, EntityInfo, KubeObject } from '..';

interface Fixture {
  name: string;
  objects: KubeObject[];
  entities?: EntityInfo[];
  settings?: CheckSettings;
  subject?: { kind: string; name: string };
  container?: string;
  expect: ResultStatus;
}

const sa = serviceAccount('app', { automountServiceAccountToken: false });
const netpol = object('NetworkPolicy', 'app', {
  spec: {
    podSelector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
    policyTypes: ['Ingress', 'Egress'],
  },
});
const service = (type = 'ClusterIP', extra: Record<string, unknown> = {}) =>
  object('Service', 'app', {
    spec: {
      type,
      selector: { 'app.kubernetes.io/name': 'app' },
      ports: [{ port: 80 }],
      ...extra,
    },
  });
const pdb = (spec: Record<string, unknown>) =>
  object('PodDisruptionBudget', 'app', {
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
      ...spec,
    },
  });
const withContainer = (
  overrides: Record<string, unknown>,
  podOverrides: Record<string, unknown> = {},
) =>
  deployment({
    podSpec: hardenedPodSpec({
      containers: [hardenedContainer('app', overrides)],
      ...podOverrides,
    }),
  });
const withSecurityContext = (
  sc: Record<string, unknown>,
  podSc?: Record<string, unknown>,
) =>
  withContainer(
    { securityContext: { ...hardenedContainer().securityContext, ...sc } },
    podSc ? { securityContext: podSc } : {},
  );
const roleWith = (rules: unknown[]) => [
  sa,
  object('Role', 'app', { rules }),
  binding('RoleBinding', 'app', { kind: 'Role', name: 'app' }, [
    { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
  ]),
];
const DEPLOYMENT = { kind: 'Deployment', name: 'app' };
const ENTITY = { kind: 'Component', name: 'app' };

const fixtures: Record<string, Fixture[]> = {
  'sc.privileged': [
    { name: 'not privileged', objects: [deployment()], expect: 'pass' },
    {
      name: 'privileged',
      objects: [withSecurityContext({ privileged: true })],
      expect: 'fail',
    },
  ],
  'sc.priv-escalation': [
    { name: 'false', objects: [deployment()], expect: 'pass' },
    {
      name: 'unset (defaults to true)',
      objects: [withSecurityContext({ allowPrivilegeEscalation: undefined })],
      expect: 'fail',
    },
  ],
  'sc.non-root': [
    { name: 'runAsUser 10001', objects: [deployment()], expect: 'pass' },
    {
      name: 'runAsUser 0',
      objects: [withSecurityContext({ runAsUser: 0 })],
      expect: 'fail',
    },
    {
      name: 'no user and no runAsNonRoot (the image decides)',
      objects: [
        withSecurityContext(
          { runAsUser: undefined, runAsNonRoot: undefined },
          { seccompProfile: { type: 'RuntimeDefault' } },
        ),
      ],
      expect: 'fail',
    },
  ],
  'sc.readonly-rootfs': [
    { name: 'read-only', objects: [deployment()], expect: 'pass' },
    {
      name: 'writable',
      objects: [withSecurityContext({ readOnlyRootFilesystem: false })],
      expect: 'fail',
    },
  ],
  'sc.caps-drop-all': [
    { name: 'drop ALL', objects: [deployment()], expect: 'pass' },
    {
      name: 'drop nothing',
      objects: [withSecurityContext({ capabilities: {} })],
      expect: 'fail',
    },
  ],
  'sc.dangerous-caps': [
    { name: 'nothing added', objects: [deployment()], expect: 'pass' },
    {
      name: 'SYS_ADMIN added',
      objects: [
        withSecurityContext({
          capabilities: { drop: ['ALL'], add: ['SYS_ADMIN'] },
        }),
      ],
      expect: 'fail',
    },
  ],
  'sc.host-namespaces': [
    { name: 'own namespaces', objects: [deployment()], expect: 'pass' },
    {
      name: 'hostPID',
      objects: [deployment({ podSpec: hardenedPodSpec({ hostPID: true }) })],
      expect: 'fail',
    },
  ],
  'sc.host-port': [
    { name: 'no hostPort', objects: [deployment()], expect: 'pass' },
    {
      name: 'hostPort 8080',
      objects: [
        withContainer({ ports: [{ containerPort: 8080, hostPort: 8080 }] }),
      ],
      expect: 'fail',
    },
  ],
  'sc.host-path': [
    {
      name: 'emptyDir',
      objects: [
        deployment({
          podSpec: hardenedPodSpec({
            volumes: [{ name: 'tmp', emptyDir: {} }],
          }),
        }),
      ],
      expect: 'pass',
    },
    {
      name: 'hostPath',
      objects: [
        deployment({
          podSpec: hardenedPodSpec({
            volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }],
          }),
        }),
      ],
      expect: 'fail',
    },
  ],
  'sc.seccomp': [
    { name: 'RuntimeDefault', objects: [deployment()], expect: 'pass' },
    {
      name: 'Unconfined',
      objects: [
        withSecurityContext({ seccompProfile: { type: 'Unconfined' } }),
      ],
      expect: 'fail',
    },
  ],
  'sc.pss-baseline-misc': [
    { name: 'nothing loosened', objects: [deployment()], expect: 'pass' },
    {
      name: 'unmasked /proc',
      objects: [withSecurityContext({ procMount: 'Unmasked' })],
      expect: 'fail',
    },
  ],
  'img.tag-pinned': [
    { name: 'digest', objects: [deployment()], expect: 'pass' },
    {
      name: 'latest',
      objects: [withContainer({ image: 'nginx:latest' })],
      expect: 'fail',
    },
  ],
  'img.registry-allowed': [
    {
      name: 'allowed',
      objects: [deployment()],
      settings: { allowedRegistries: ['ghcr.io/acme'] },
      expect: 'pass',
    },
    {
      name: 'docker hub not allowed',
      objects: [withContainer({ image: 'nginx:1.27' })],
      settings: { allowedRegistries: ['ghcr.io/acme'] },
      expect: 'fail',
    },
  ],
  'secret.env-literal': [
    {
      name: 'secretKeyRef',
      objects: [
        withContainer({
          env: [
            {
              name: 'DB_PASSWORD',
              valueFrom: { secretKeyRef: { name: 'db', key: 'p' } },
            },
          ],
        }),
      ],
      expect: 'pass',
    },
    {
      name: 'literal password',
      objects: [
        withContainer({ env: [{ name: 'DB_PASSWORD', value: 'hunter2' }] }),
      ],
      expect: 'fail',
    },
  ],
  'secret.configmap': [
    {
      name: 'plain config',
      objects: [object('ConfigMap', 'app', { data: { LOG_LEVEL: 'info' } })],
      subject: { kind: 'ConfigMap', name: 'app' },
      expect: 'pass',
    },
    {
      name: 'private key',
      objects: [
        object('ConfigMap', 'app', {
          data: { 'tls.key': '-----BEGIN RSA PRIVATE KEY-----\nMII...' },
        }),
      ],
      subject: { kind: 'ConfigMap', name: 'app' },
      expect: 'fail',
    },
  ],
  'res.requests': [
    { name: 'set', objects: [deployment()], expect: 'pass' },
    {
      name: 'memory request defaulted from its limit',
      objects: [
        withContainer({
          resources: { requests: { cpu: '1' }, limits: { memory: '1Gi' } },
        }),
      ],
      expect: 'pass',
    },
    {
      name: 'no memory request or limit',
      objects: [withContainer({ resources: { requests: { cpu: '1' } } })],
      expect: 'fail',
    },
  ],
  'res.limits': [
    { name: 'memory limit', objects: [deployment()], expect: 'pass' },
    {
      name: 'no limits',
      objects: [
        withContainer({ resources: { requests: { cpu: '1', memory: '1Gi' } } }),
      ],
      expect: 'fail',
    },
  ],
  'net.policy-coverage': [
    {
      name: 'ingress and egress',
      objects: [deployment(), netpol],
      expect: 'pass',
    },
    { name: 'no policy', objects: [deployment()], expect: 'fail' },
  ],
  'net.exposure': [
    {
      name: 'ClusterIP',
      objects: [service()],
      subject: { kind: 'Service', name: 'app' },
      expect: 'pass',
    },
    {
      name: 'NodePort',
      objects: [service('NodePort')],
      subject: { kind: 'Service', name: 'app' },
      expect: 'fail',
    },
  ],
  'sa.automount': [
    { name: 'off in pod spec', objects: [deployment(), sa], expect: 'pass' },
    {
      name: 'mounted, unused',
      objects: [
        deployment({
          podSpec: hardenedPodSpec({ automountServiceAccountToken: undefined }),
        }),
        serviceAccount(),
      ],
      expect: 'fail',
    },
  ],
  'sa.dedicated': [
    {
      name: 'own service account',
      objects: [deployment(), sa],
      expect: 'pass',
    },
    {
      name: 'default',
      objects: [
        deployment({
          podSpec: hardenedPodSpec({ serviceAccountName: undefined }),
        }),
      ],
      expect: 'fail',
    },
  ],
  'ns.not-default': [
    { name: 'team namespace', objects: [deployment()], expect: 'pass' },
    {
      name: 'default',
      objects: [deployment({ namespace: 'default' })],
      expect: 'fail',
    },
  ],
  'rbac.cluster-admin': [
    { name: 'no bindings', objects: [deployment(), sa], expect: 'pass' },
    {
      name: 'bound to cluster-admin',
      objects: [
        deployment(),
        sa,
        binding(
          'ClusterRoleBinding',
          'app-admin',
          { kind: 'ClusterRole', name: 'cluster-admin' },
          [{ kind: 'ServiceAccount', name: 'app', namespace: 'shop' }],
        ),
      ],
      expect: 'fail',
    },
  ],
  'rbac.wildcard': [
    {
      name: 'named verbs',
      objects: [
        deployment(),
        ...roleWith([
          { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
        ]),
      ],
      expect: 'pass',
    },
    {
      name: 'wildcard verbs',
      objects: [
        deployment(),
        ...roleWith([
          { apiGroups: [''], resources: ['configmaps'], verbs: ['*'] },
        ]),
      ],
      expect: 'fail',
    },
  ],
  'rbac.secrets-read': [
    {
      name: 'configmaps only',
      objects: [
        deployment(),
        ...roleWith([
          {
            apiGroups: [''],
            resources: ['configmaps'],
            verbs: ['get', 'list'],
          },
        ]),
      ],
      expect: 'pass',
    },
    {
      name: 'lists secrets',
      objects: [
        deployment(),
        ...roleWith([
          { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
        ]),
      ],
      expect: 'fail',
    },
  ],
  'rbac.exec-attach': [
    {
      name: 'logs only',
      objects: [
        deployment(),
        ...roleWith([
          { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get'] },
        ]),
      ],
      expect: 'pass',
    },
    {
      name: 'exec',
      objects: [
        deployment(),
        ...roleWith([
          { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
        ]),
      ],
      expect: 'fail',
    },
  ],
  'rbac.escalate': [
    {
      name: 'no escalation verbs',
      objects: [
        deployment(),
        ...roleWith([
          { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
        ]),
      ],
      expect: 'pass',
    },
    {
      name: 'impersonate',
      objects: [
        deployment(),
        ...roleWith([
          { apiGroups: [''], resources: ['users'], verbs: ['impersonate'] },
        ]),
      ],
      expect: 'fail',
    },
  ],
  'probe.readiness': [
    {
      name: 'probe',
      objects: [deployment()],
      container: 'app',
      expect: 'pass',
    },
    {
      name: 'serving without probe',
      objects: [withContainer({ readinessProbe: undefined })],
      container: 'app',
      expect: 'fail',
    },
  ],
  'probe.liveness': [
    {
      name: 'distinct probe',
      objects: [deployment()],
      container: 'app',
      expect: 'pass',
    },
    {
      name: 'no probe',
      objects: [withContainer({ livenessProbe: undefined })],
      container: 'app',
      expect: 'fail',
    },
  ],
  'obs.metrics': [
    {
      name: 'scrape annotation',
      objects: [
        deployment({ podAnnotations: { 'prometheus.io/scrape': 'true' } }),
      ],
      expect: 'pass',
    },
    { name: 'nothing scrapes', objects: [deployment()], expect: 'fail' },
  ],
  'meta.labels': [
    { name: 'name label', objects: [deployment()], expect: 'pass' },
    {
      name: 'no name label',
      objects: [deployment({ labels: { app: 'x' }, podLabels: { app: 'x' } })],
      expect: 'fail',
    },
  ],
  'own.owner': [
    {
      name: 'existing group',
      objects: [],
      entities: [entity()],
      subject: ENTITY,
      expect: 'pass',
    },
    {
      name: 'a person',
      objects: [],
      entities: [entity({ owner: 'user:default/alice' })],
      subject: ENTITY,
      expect: 'fail',
    },
  ],
  'own.runbook': [
    {
      name: 'runbook link',
      objects: [],
      entities: [entity()],
      subject: ENTITY,
      expect: 'pass',
    },
    {
      name: 'no link',
      objects: [],
      entities: [entity({ links: [] })],
      subject: ENTITY,
      expect: 'fail',
    },
  ],
  'own.oncall': [
    {
      name: 'PagerDuty',
      objects: [],
      entities: [entity()],
      subject: ENTITY,
      expect: 'pass',
    },
    {
      name: 'none',
      objects: [],
      entities: [entity({ annotations: {} })],
      subject: ENTITY,
      expect: 'fail',
    },
  ],
  'ha.pdb': [
    {
      name: 'maxUnavailable 1',
      objects: [deployment(), pdb({ maxUnavailable: 1 })],
      expect: 'pass',
    },
    { name: 'no budget', objects: [deployment()], expect: 'fail' },
  ],
  'ha.replicas': [
    { name: '3 replicas', objects: [deployment()], expect: 'pass' },
    {
      name: '1 replica',
      objects: [deployment({ replicas: 1 })],
      expect: 'fail',
    },
  ],
  'ha.spread': [
    { name: 'spread constraint', objects: [deployment()], expect: 'pass' },
    {
      name: 'no spread',
      objects: [
        deployment({
          podSpec: hardenedPodSpec({ topologySpreadConstraints: undefined }),
        }),
      ],
      expect: 'fail',
    },
  ],
  'maint.standing-privilege': [
    {
      name: 'expiring admin',
      objects: [
        binding(
          'RoleBinding',
          'alice',
          { kind: 'ClusterRole', name: 'admin' },
          [{ kind: 'User', name: 'alice' }],
          {
            annotations: {
              'security-guardrails.io/expires-at': '2026-12-01T00:00:00Z',
            },
          },
        ),
      ],
      subject: { kind: 'RoleBinding', name: 'alice' },
      expect: 'pass',
    },
    {
      name: 'standing cluster-admin',
      objects: [
        binding(
          'ClusterRoleBinding',
          'alice',
          { kind: 'ClusterRole', name: 'cluster-admin' },
          [{ kind: 'User', name: 'alice' }],
        ),
      ],
      subject: { kind: 'ClusterRoleBinding', name: 'alice' },
      expect: 'fail',
    },
  ],
  'maint.expired-binding': [
    {
      name: 'expires later',
      objects: [
        binding(
          'RoleBinding',
          'b',
          { kind: 'ClusterRole', name: 'view' },
          [{ kind: 'User', name: 'a' }],
          {
            annotations: {
              'security-guardrails.io/expires-at': '2026-12-01T00:00:00Z',
            },
          },
        ),
      ],
      subject: { kind: 'RoleBinding', name: 'b' },
      expect: 'pass',
    },
    {
      name: 'expired yesterday',
      objects: [
        binding(
          'RoleBinding',
          'b',
          { kind: 'ClusterRole', name: 'view' },
          [{ kind: 'User', name: 'a' }],
          {
            annotations: {
              'security-guardrails.io/expires-at': '2026-11-21T00:00:00Z',
            },
          },
        ),
      ],
      subject: { kind: 'RoleBinding', name: 'b' },
      expect: 'fail',
    },
  ],
  'maint.dangling-rbac': [
    {
      name: 'role and SA exist',
      objects: [
        sa,
        object('Role', 'r', { rules: [] }),
        binding('RoleBinding', 'b', { kind: 'Role', name: 'r' }, [
          { kind: 'ServiceAccount', name: 'app' },
        ]),
      ],
      subject: { kind: 'RoleBinding', name: 'b' },
      expect: 'pass',
    },
    {
      name: 'missing role',
      objects: [
        sa,
        binding('RoleBinding', 'b', { kind: 'Role', name: 'gone' }, [
          { kind: 'ServiceAccount', name: 'app' },
        ]),
      ],
      subject: { kind: 'RoleBinding', name: 'b' },
      expect: 'fail',
    },
  ],
  'maint.deprecated-api': [
    { name: 'apps/v1', objects: [deployment()], expect: 'pass' },
    {
      name: 'extensions/v1beta1',
      objects: [deployment({ apiVersion: 'extensions/v1beta1' })],
      expect: 'fail',
    },
  ],
  'maint.image-vulns': [
    {
      name: 'clean report',
      objects: [
        deployment(),
        object(
          'VulnerabilityReport',
          'r',
          { report: { summary: { criticalCount: 0, highCount: 0 } } },
          {
            labels: {
              'trivy-operator.resource.kind': 'Deployment',
              'trivy-operator.resource.name': 'app',
              'trivy-operator.container.name': 'app',
            },
          },
        ),
      ],
      container: 'app',
      expect: 'pass',
    },
    {
      name: 'high vulnerabilities',
      objects: [
        deployment(),
        object(
          'VulnerabilityReport',
          'r',
          { report: { summary: { criticalCount: 0, highCount: 2 } } },
          {
            labels: {
              'trivy-operator.resource.kind': 'Deployment',
              'trivy-operator.resource.name': 'app',
              'trivy-operator.container.name': 'app',
            },
          },
        ),
      ],
      container: 'app',
      expect: 'fail',
    },
  ],
  'maint.policy-reports': [
    {
      name: 'all pass',
      objects: [
        deployment(),
        object('PolicyReport', 'p', {
          scope: { kind: 'Deployment', name: 'app', namespace: 'shop' },
          results: [{ policy: 'p', result: 'pass' }],
        }),
      ],
      expect: 'pass',
    },
    {
      name: 'a failing result',
      objects: [
        deployment(),
        object('PolicyReport', 'p', {
          scope: { kind: 'Deployment', name: 'app', namespace: 'shop' },
          results: [{ policy: 'p', result: 'fail', severity: 'high' }],
        }),
      ],
      expect: 'fail',
    },
  ],
};

/** A strategic merge patch as the API server applies one to a pod template: maps merge, containers merge by name, other lists are replaced. */
function strategicMerge(target: any, patch: any): any {
  if (Array.isArray(patch)) {
    if (!Array.isArray(target) || !patch.every(p => p?.name)) return patch;
    const merged = [...target];
    for (const p of patch) {
      const i = merged.findIndex(t => t?.name === p.name);
      if (i < 0) merged.push(p);
      else merged[i] = strategicMerge(merged[i], p);
    }
    return merged;
  }
  if (patch && typeof patch === 'object') {
    const base = target && typeof target === 'object' ? target : {};
    const out: any = { ...base };
    for (const [k, v] of Object.entries(patch)) {
      out[k] = strategicMerge(base[k], v);
    }
    return out;
  }
  return patch;
}

function statuses(results: CheckResult[], f: Fixture) {
  return statusesFor(results, f.subject ?? DEPLOYMENT, f.container);
}

describe('check catalogue', () => {
  it('has a fixture table entry for every check id, and every built-in check is in the catalogue', () => {
    expect(Object.keys(fixtures).sort()).toEqual([...CHECK_IDS].sort());
    expect(BUILTIN_CHECKS.map(c => c.meta.id)).toEqual([...CHECK_IDS]);
  });

  it('documents every check: title, rationale and a remediation with a snippet', () => {
    for (const check of BUILTIN_CHECKS) {
      expect(check.meta.title.length).toBeGreaterThan(5);
      expect(check.meta.rationale.length).toBeGreaterThan(40);
      expect(check.meta.remediation).toMatch(
        /```(yaml|sh|dockerfile)\n[\s\S]+```/,
      );
    }
  });

  describe.each(CHECK_IDS.map(id => [id]))('%s', id => {
    const check = BUILTIN_CHECKS.find(c => c.meta.id === id)!;
    const cases = fixtures[id] ?? [];

    it('has a passing and a failing fixture', () => {
      expect(cases.some(c => c.expect === 'pass')).toBe(true);
      expect(cases.some(c => c.expect === 'fail')).toBe(true);
    });

    it.each(cases.map(c => [c.name, c]))('%s', (_name, f) => {
      const results = runCheck(check, f.objects, {
        entities: f.entities,
        settings: f.settings,
      });
      const got = statuses(results, f);
      expect(got.length).toBeGreaterThan(0);
      expect(new Set(got)).toEqual(new Set([f.expect]));
      // A result whose severity departs from the catalogue's says why there.
      const departs = results.filter(r => r.severity !== check.meta.severity);
      expect(departs.length === 0 || !!check.meta.severityRule).toBe(true);
    });
  });

  /*
   * A check that knows its fixing values (meta.fix) gets a patch filled in
   * for each failing result: applied as Kubernetes applies a strategic merge
   * patch (maps merged, containers merged by name), it must turn that
   * result into a pass.
   */
  describe.each(
    BUILTIN_CHECKS.filter(c => c.meta.fix).map(c => [c.meta.id, c]),
  )('%s: the filled patch', (id, check) => {
    it('fixes every failing result it names', () => {
      const patched: string[] = [];
      for (const f of fixtures[id as string].filter(c => c.expect === 'fail')) {
        const options = { entities: f.entities, settings: f.settings };
        for (const r of runCheck(check, f.objects, options)) {
          const filled =
            r.status === 'fail' ? fillFix(r, check.meta.fix!) : undefined;
          if (!filled) continue;
          const objects = f.objects.map(o =>
            o.kind === r.resource.kind && o.metadata.name === r.resource.name
              ? strategicMerge(o, yaml.load(filled.patch))
              : o,
          );
          const after = runCheck(check, objects, options).filter(
            a =>
              a.container === r.container &&
              a.resource.kind === r.resource.kind &&
              a.resource.name === r.resource.name,
          );
          expect(after.map(a => a.status)).toEqual(['pass']);
          patched.push(`${f.name}: ${r.field}`);
        }
      }
      expect(patched.length).toBeGreaterThan(0);
    });
  });
});
