/*
 * Synthetic estates for the benchmarks: N services, each with the objects a
 * real team deploys (about 25: workloads and the ReplicaSets and Pods their
 * controllers create, Services, Ingresses, NetworkPolicies, service accounts
 * and RBAC, PDBs, HPAs, ConfigMaps, Trivy VulnerabilityReports, PolicyReports,
 * ServiceMonitors), with varied quality drawn from a seeded generator, plus
 * matching catalog entities. Deterministic for a given N and seed.
 *
 * Over 400 lines: the synthetic estate's generator, one kind of object per function.
 */
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type {
  EntityInfo,
  KubeObject,
} from '@internal/backstage-plugin-security-guardrails-node';

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Estate {
  services: number;
  entities: EntityInfo[];
  /** Groups that exist in the catalog. */
  groups: string[];
  /** Objects per service, in generation order. */
  objects: KubeObject[][];
}

const TEAMS = 50;
const SYSTEMS = 100;

function hex(random: () => number, n: number) {
  let s = '';
  while (s.length < n) s += Math.floor(random() * 16).toString(16);
  return s;
}

function uid(i: number, j: number) {
  return `00000000-0000-4000-8000-${String(i).padStart(6, '0')}${String(
    j,
  ).padStart(6, '0')}`;
}

function container(
  random: () => number,
  name: string,
  image: string,
  good: number,
): Record<string, unknown> {
  const c: Record<string, unknown> = {
    name,
    image,
    ports: [{ name: 'http', containerPort: 8080 }],
    env: [
      { name: 'LOG_LEVEL', value: 'info' },
      {
        name: 'DB_PASSWORD',
        valueFrom: { secretKeyRef: { name: `${name}-db`, key: 'password' } },
      },
    ],
  };
  if (random() < good) {
    c.securityContext = {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: random() < good,
      capabilities: { drop: ['ALL'] },
      ...(random() < 0.03 ? { privileged: true } : {}),
    };
  } else if (random() < 0.2) {
    c.securityContext = { privileged: true };
  }
  if (random() < good + 0.1) {
    c.resources = {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    };
  }
  if (random() < good + 0.15) {
    c.readinessProbe = { httpGet: { path: '/ready', port: 'http' } };
    c.livenessProbe = { httpGet: { path: '/healthz', port: 'http' } };
  }
  if (random() < 0.05) {
    c.env = [
      ...(c.env as unknown[]),
      { name: 'API_TOKEN', value: 'hunter2-not-a-real-token' },
    ];
  }
  return c;
}

function podSpec(
  random: () => number,
  id: string,
  image: string,
  good: number,
): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    serviceAccountName: id,
    containers: [container(random, 'app', image, good)],
  };
  if (random() < good) {
    spec.securityContext = {
      runAsNonRoot: true,
      runAsUser: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    spec.automountServiceAccountToken = false;
  }
  if (random() < 0.02) spec.hostNetwork = true;
  return spec;
}

/** One service's objects. */
function serviceObjects(i: number, random: () => number): KubeObject[] {
  const id = `svc-${String(i).padStart(5, '0')}`;
  const ns = `team-${i % TEAMS}-ns${Math.floor(i / (TEAMS * 20))}`;
  const good = random();
  const labels = {
    'app.kubernetes.io/name': id,
    'backstage.io/kubernetes-id': id,
  };
  const meta = (name: string, j: number, extra: object = {}) => ({
    name,
    namespace: ns,
    uid: uid(i, j),
    labels: { ...labels },
    ...extra,
  });
  const tag = random() < 0.1 ? 'latest' : `1.${Math.floor(random() * 30)}.2`;
  const digest = random() < good ? `@sha256:${hex(random, 64)}` : '';
  const registry = random() < 0.9 ? 'ghcr.io/acme' : 'docker.io/library';
  const image = `${registry}/${id}:${tag}${digest}`;
  const out: KubeObject[] = [];
  let j = 0;

  out.push({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(id, j++),
    automountServiceAccountToken: random() < good ? false : undefined,
  } as KubeObject);

  const replicas = 2 + Math.floor(random() * 4);
  const spec = podSpec(random, id, image, good);
  const workloadKind = random() < 0.85 ? 'Deployment' : 'StatefulSet';
  const workloadUid = uid(i, j);
  out.push({
    apiVersion: 'apps/v1',
    kind: workloadKind,
    metadata: meta(id, j++),
    spec: {
      replicas,
      selector: { matchLabels: { 'app.kubernetes.io/name': id } },
      template: { metadata: { labels: { ...labels } }, spec },
    },
  });
  let podOwner = { kind: workloadKind, name: id, uid: workloadUid };
  if (workloadKind === 'Deployment') {
    const rsName = `${id}-${hex(random, 10)}`;
    const rsUid = uid(i, j);
    out.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(rsName, j++, {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: id,
            uid: workloadUid,
            controller: true,
          },
        ],
      }),
      spec: {
        replicas,
        selector: { matchLabels: { 'app.kubernetes.io/name': id } },
        template: { metadata: { labels: { ...labels } }, spec },
      },
    });
    podOwner = { kind: 'ReplicaSet', name: rsName, uid: rsUid };
  }
  for (let p = 0; p < replicas; p++) {
    out.push({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: meta(`${podOwner.name}-${hex(random, 5)}`, j++, {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            ...podOwner,
            controller: true,
          },
        ],
      }),
      spec,
    });
  }
  if (random() < 0.5) {
    // A queue worker next to the API: its own Deployment, ReplicaSet and Pods.
    const worker = `${id}-worker`;
    const workerSpec = podSpec(random, id, image, good);
    const workerUid = uid(i, j);
    out.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: meta(worker, j++),
      spec: {
        replicas: 2,
        selector: { matchLabels: { 'app.kubernetes.io/name': worker } },
        template: {
          metadata: { labels: { ...labels, 'app.kubernetes.io/name': worker } },
          spec: workerSpec,
        },
      },
    });
    const rsName = `${worker}-${hex(random, 10)}`;
    const rsUid = uid(i, j);
    out.push({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta(rsName, j++, {
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: worker,
            uid: workerUid,
            controller: true,
          },
        ],
      }),
      spec: { replicas: 2, template: { spec: workerSpec } },
    });
    for (let p = 0; p < 2; p++) {
      out.push({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: meta(`${rsName}-${hex(random, 5)}`, j++, {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: rsName,
              uid: rsUid,
              controller: true,
            },
          ],
        }),
        spec: workerSpec,
      });
    }
  }
  if (random() < 0.3) {
    const cronSpec = podSpec(random, id, image, good);
    out.push({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(`${id}-nightly`, j++),
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: {
          spec: {
            template: {
              metadata: { labels: { ...labels } },
              spec: { ...cronSpec, restartPolicy: 'OnFailure' },
            },
          },
        },
      },
    });
  }
  out.push({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(id, j++),
    spec: {
      type: random() < 0.03 ? 'LoadBalancer' : 'ClusterIP',
      selector: { 'app.kubernetes.io/name': id },
      ports: [{ name: 'http', port: 80, targetPort: 'http' }],
    },
  });
  if (random() < 0.5) {
    const host = `${id}.acme.example`;
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(id, j++),
      spec: {
        ...(random() < 0.8 ? { tls: [{ hosts: [host] }] } : {}),
        rules: [
          {
            host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: id, port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    });
  }
  if (random() < 0.6) {
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(`${id}-default-deny`, j++),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': id } },
        policyTypes: ['Ingress', 'Egress'],
      },
    });
  }
  if (random() < 0.7) {
    out.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(`${id}-ingress`, j++),
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': id } },
        policyTypes: random() < 0.6 ? ['Ingress', 'Egress'] : ['Ingress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ namespaceSelector: {} }] }],
      },
    });
  }
  const roleRules =
    random() < 0.1
      ? [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }]
      : [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }];
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: meta(id, j++),
    rules: roleRules,
  });
  out.push({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(id, j++),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: id },
    subjects: [{ kind: 'ServiceAccount', name: id, namespace: ns }],
  });
  if (random() < 0.02) {
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: `${id}-admin`, uid: uid(i, j++), labels },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'cluster-admin',
      },
      subjects: [{ kind: 'ServiceAccount', name: id, namespace: ns }],
    });
  }
  if (replicas > 1 && random() < 0.7) {
    out.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(id, j++),
      spec: {
        minAvailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': id } },
      },
    });
  }
  if (random() < 0.5) {
    out.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(id, j++),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: workloadKind, name: id },
        minReplicas: 2,
        maxReplicas: 10,
      },
    });
  }
  for (let c = 0; c < 4; c++) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(`${id}-config-${c}`, j++),
      data: {
        'application.yaml': `server:\n  port: 8080\nfeature-${c}: true\n`,
        ...(random() < 0.03 ? { password: 'changeme' } : {}),
      },
    });
  }
  if (random() < 0.8) {
    const critical = random() < 0.15 ? 1 + Math.floor(random() * 3) : 0;
    out.push({
      apiVersion: 'aquasecurity.github.io/v1alpha1',
      kind: 'VulnerabilityReport',
      metadata: {
        name: `${workloadKind.toLowerCase()}-${id}-app`,
        namespace: ns,
        uid: uid(i, j++),
        labels: {
          'trivy-operator.resource.kind': workloadKind,
          'trivy-operator.resource.name': id,
          'trivy-operator.resource.namespace': ns,
          'trivy-operator.container.name': 'app',
        },
      },
      report: {
        summary: {
          criticalCount: critical,
          highCount: Math.floor(random() * 6),
          mediumCount: Math.floor(random() * 20),
          lowCount: Math.floor(random() * 30),
        },
      },
    });
  }
  if (random() < 0.3) {
    out.push({
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: meta(`kyverno-${id}`, j++),
      scope: {
        apiVersion: 'apps/v1',
        kind: workloadKind,
        name: id,
        namespace: ns,
      },
      results: [
        {
          policy: 'require-run-as-nonroot',
          rule: 'run-as-non-root',
          result: random() < good ? 'pass' : 'fail',
          severity: 'high',
          source: 'kyverno',
        },
        { policy: 'require-labels', rule: 'check-labels', result: 'pass' },
      ],
    } as KubeObject);
  }
  if (random() < 0.5) {
    out.push({
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: meta(id, j++),
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': id } },
        endpoints: [{ port: 'http' }],
      },
    });
  }
  return out;
}

export function generateEstate(services: number, seed = 42): Estate {
  const random = rng(seed);
  const entities: EntityInfo[] = [];
  const objects: KubeObject[][] = [];
  for (let i = 0; i < services; i++) {
    const name = `svc-${String(i).padStart(5, '0')}`;
    const annotations: Record<string, string> = {
      'backstage.io/kubernetes-id': name,
    };
    if (random() < 0.6) annotations['pagerduty.com/service-id'] = `P${i}`;
    entities.push({
      ref: `component:default/${name}`,
      kind: 'Component',
      namespace: 'default',
      name,
      owner: random() < 0.97 ? `group:default/team-${i % TEAMS}` : undefined,
      system: `system:default/sys-${i % SYSTEMS}`,
      annotations,
      links:
        random() < 0.8
          ? [{ url: `https://runbooks.acme.example/${name}`, title: 'Runbook' }]
          : [],
    });
    objects.push(serviceObjects(i, random));
  }
  const groups = Array.from(
    { length: TEAMS },
    (_, t) => `group:default/team-${t}`,
  );
  return { services, entities, groups, objects };
}

/**
 * Writes the estate: `<dir>/manifests` holds one file per service, nine in
 * ten as a JSON `List` (what `kubectl get -o json` prints), one in ten as
 * multi-document YAML; `<dir>/entities.json` the catalog entities. Returns
 * the number of objects written.
 */
export function writeEstate(estate: Estate, root: string): number {
  fs.rmSync(root, { recursive: true, force: true });
  const dir = path.join(root, 'manifests');
  let count = 0;
  estate.objects.forEach((objs, i) => {
    const sub = path.join(dir, `team-${i % TEAMS}`);
    if (i < TEAMS) fs.mkdirSync(sub, { recursive: true });
    const base = path.join(sub, estate.entities[i].name);
    if (i % 10 === 9) {
      fs.writeFileSync(
        `${base}.yaml`,
        objs.map(o => stringify(o)).join('---\n'),
      );
    } else {
      fs.writeFileSync(
        `${base}.json`,
        JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }),
      );
    }
    count += objs.length;
  });
  fs.writeFileSync(
    path.join(root, 'entities.json'),
    JSON.stringify({ entities: estate.entities, groups: estate.groups }),
  );
  return count;
}

export function readEntities(dir: string): {
  entities: EntityInfo[];
  groups: string[];
} {
  return JSON.parse(fs.readFileSync(path.join(dir, 'entities.json'), 'utf8'));
}
