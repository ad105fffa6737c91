/*
 * Tricky cases of the architecture, observability, response and maintenance
 * checks.
 */
import { tagPinned, parseImage, registryAllowed } from './images';
import { automount, exposure, policyCoverage } from './network';
import {
  clusterAdmin,
  escalate,
  execAttach,
  secretsRead,
  wildcard,
} from './rbac';
import { liveness, metrics, readiness } from './observability';
import { owner, pdb, replicas, spread } from './response';
import {
  danglingRbac,
  deprecatedApi,
  expiredBinding,
  imageVulns,
  policyReports,
  standingPrivilege,
} from './maintenance';
import {
  configMapCredentials,
  credentialIn,
  envLiteral,
  looksLikeSecretName,
} from './secrets';
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
import { KubeObject } from '@internal/backstage-plugin-security-guardrails-node';

const D = { kind: 'Deployment', name: 'app' };
const policy = (name: string, spec: Record<string, unknown>) =>
  object('NetworkPolicy', name, { spec });

describe('net.policy-coverage', () => {
  it('counts a namespace-wide deny-all policy as coverage', () => {
    const denyAll = policy('default-deny', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(
      statusesFor(runCheck(policyCoverage, [deployment(), denyAll]), D),
    ).toEqual(['pass']);
  });

  it('warns when only ingress is restricted (policyTypes defaulted)', () => {
    const ingressOnly = policy('ingress', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
      ingress: [],
    });
    expect(
      statusesFor(runCheck(policyCoverage, [deployment(), ingressOnly]), D),
    ).toEqual(['warn']);
  });

  it('infers Egress from egress rules when policyTypes is unset', () => {
    const both = policy('both', { podSelector: {}, ingress: [], egress: [] });
    expect(
      statusesFor(runCheck(policyCoverage, [deployment(), both]), D),
    ).toEqual(['pass']);
  });

  it('ignores policies in other namespaces and policies selecting other pods', () => {
    const elsewhere = {
      ...policy('p', { podSelector: {}, policyTypes: ['Ingress', 'Egress'] }),
      metadata: { name: 'p', namespace: 'other' },
    };
    const others = policy('o', {
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'other' } },
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(
      statusesFor(
        runCheck(policyCoverage, [deployment(), elsewhere, others]),
        D,
      ),
    ).toEqual(['fail']);
  });

  it('does not count a rule that allows everything as restriction', () => {
    const denyAll = policy('default-deny', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
    });
    const allowAllIn = policy('allow-all-in', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{}],
    });
    const results = runCheck(policyCoverage, [
      deployment(),
      denyAll,
      allowAllIn,
    ]);
    expect(statusesFor(results, D)).toEqual(['warn']);
    expect(results[0].message).toBe(
      'Only Egress is restricted; Ingress is open: NetworkPolicy/allow-all-in has a rule (ingress[0]) with no from and no ports, which allows all ingress.',
    );
    const allowAllBoth = policy('allow-all', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{}],
      egress: [{ to: [] }],
    });
    const open = runCheck(policyCoverage, [deployment(), allowAllBoth]);
    expect(statusesFor(open, D)).toEqual(['fail']);
    expect(open[0].message).toMatch(/^Nothing is restricted; Ingress is open/);
    expect(open[0].message).toContain('egress[0]) with no to and no ports');
  });

  it('treats every address or every pod of every namespace on every port as open', () => {
    const everyAddress = policy('world', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
    });
    const everyPod = policy('cluster', {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {} }] }],
    });
    const results = runCheck(policyCoverage, [
      deployment(),
      everyAddress,
      everyPod,
    ]);
    expect(statusesFor(results, D)).toEqual(['fail']);
    expect(results[0].message).toContain(
      'NetworkPolicy/cluster allows every pod in every namespace on every port (ingress[0])',
    );
    expect(results[0].message).toContain(
      'NetworkPolicy/world allows 0.0.0.0/0 on every port (egress[0])',
    );
  });

  it('still counts rules that narrow peers or ports', () => {
    const narrow = policy('narrow', {
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ports: [{ port: 8080 }] }],
      egress: [
        {
          to: [{ namespaceSelector: {} }],
          ports: [{ port: 53, protocol: 'UDP' }],
        },
        { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: ['10.0.0.0/8'] } }] },
        {
          to: [
            {
              namespaceSelector: {},
              podSelector: { matchLabels: { app: 'db' } },
            },
          ],
        },
      ],
    });
    expect(
      statusesFor(runCheck(policyCoverage, [deployment(), narrow]), D),
    ).toEqual(['pass']);
  });

  it('understands matchExpressions', () => {
    const p = policy('p', {
      podSelector: {
        matchExpressions: [
          {
            key: 'app.kubernetes.io/name',
            operator: 'In',
            values: ['app', 'x'],
          },
        ],
      },
      policyTypes: ['Ingress', 'Egress'],
    });
    expect(statusesFor(runCheck(policyCoverage, [deployment(), p]), D)).toEqual(
      ['pass'],
    );
  });
});

describe('net.exposure', () => {
  const svc = (
    spec: Record<string, unknown>,
    annotations?: Record<string, string>,
  ) => object('Service', 's', { spec }, annotations ? { annotations } : {});
  const S = { kind: 'Service', name: 's' };
  it('fails public load balancers and externalIPs; warns for internal load balancers', () => {
    expect(
      statusesFor(runCheck(exposure, [svc({ type: 'LoadBalancer' })]), S),
    ).toEqual(['fail']);
    expect(
      statusesFor(
        runCheck(exposure, [
          svc({ type: 'ClusterIP', externalIPs: ['1.2.3.4'] }),
        ]),
        S,
      ),
    ).toEqual(['fail']);
    expect(
      statusesFor(
        runCheck(exposure, [
          svc(
            { type: 'LoadBalancer' },
            { 'networking.gke.io/load-balancer-type': 'Internal' },
          ),
        ]),
        S,
      ),
    ).toEqual(['warn']);
  });
  it('requires TLS on every Ingress host', () => {
    const ing = (spec: Record<string, unknown>) =>
      object('Ingress', 'i', { spec });
    const I = { kind: 'Ingress', name: 'i' };
    const rules = [{ host: 'a.example.com' }, { host: 'b.example.com' }];
    expect(statusesFor(runCheck(exposure, [ing({ rules })]), I)).toEqual([
      'fail',
    ]);
    expect(
      statusesFor(
        runCheck(exposure, [
          ing({ rules, tls: [{ hosts: ['a.example.com'] }] }),
        ]),
        I,
      ),
    ).toEqual(['warn']);
    expect(
      statusesFor(
        runCheck(exposure, [
          ing({ rules, tls: [{ hosts: ['a.example.com', 'b.example.com'] }] }),
        ]),
        I,
      ),
    ).toEqual(['pass']);
  });
});

describe('sa.automount', () => {
  const mounted = deployment({
    podSpec: hardenedPodSpec({ automountServiceAccountToken: undefined }),
  });
  it('passes when the service account turns automounting off', () => {
    expect(
      statusesFor(
        runCheck(automount, [
          mounted,
          serviceAccount('app', { automountServiceAccountToken: false }),
        ]),
        D,
      ),
    ).toEqual(['pass']);
  });
  it('only warns when the service account has RBAC bindings (the workload may use the API)', () => {
    const b = binding(
      'RoleBinding',
      'b',
      { kind: 'ClusterRole', name: 'view' },
      [{ kind: 'ServiceAccount', name: 'app' }],
    );
    expect(
      statusesFor(runCheck(automount, [mounted, serviceAccount(), b]), D),
    ).toEqual(['warn']);
  });
  it('lets the pod setting win over the service account', () => {
    const explicit = deployment({
      podSpec: hardenedPodSpec({ automountServiceAccountToken: true }),
    });
    expect(
      statusesFor(
        runCheck(automount, [
          explicit,
          serviceAccount('app', { automountServiceAccountToken: false }),
        ]),
        D,
      ),
    ).toEqual(['fail']);
  });
});

describe('rbac checks', () => {
  const sa = serviceAccount();
  const bindRole = (
    roleKind: 'Role' | 'ClusterRole',
    name: string,
    rules?: unknown[],
  ) => [
    ...(rules ? [object(roleKind, name, { rules })] : []),
    binding(
      roleKind === 'Role' ? 'RoleBinding' : 'ClusterRoleBinding',
      `${name}-b`,
      { kind: roleKind, name },
      [{ kind: 'ServiceAccount', name: 'app', namespace: 'shop' }],
    ),
  ];

  it('resolves wildcards in verbs, resources and subresources', () => {
    const objs = [
      deployment(),
      sa,
      ...bindRole('Role', 'r', [
        { apiGroups: [''], resources: ['pods/*'], verbs: ['create'] },
      ]),
    ];
    expect(statusesFor(runCheck(execAttach, objs), D)).toEqual(['fail']);
    const all = [
      deployment(),
      sa,
      ...bindRole('Role', 'r', [
        { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      ]),
    ];
    for (const check of [
      clusterAdmin,
      wildcard,
      secretsRead,
      execAttach,
      escalate,
    ]) {
      expect(statusesFor(runCheck(check, all), D)).toEqual(['fail']);
    }
  });

  it('allows get on a named Secret but not list', () => {
    const named = [
      deployment(),
      sa,
      ...bindRole('Role', 'r', [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: ['tls'],
          verbs: ['get'],
        },
      ]),
    ];
    const listing = [
      deployment(),
      sa,
      ...bindRole('Role', 'r', [
        {
          apiGroups: [''],
          resources: ['secrets'],
          resourceNames: ['tls'],
          verbs: ['get', 'list'],
        },
      ]),
    ];
    expect(statusesFor(runCheck(secretsRead, named), D)).toEqual(['pass']);
    expect(statusesFor(runCheck(secretsRead, listing), D)).toEqual(['fail']);
  });

  it('knows what the default edit role grants when the state does not contain it', () => {
    const objs = [deployment(), sa, ...bindRole('ClusterRole', 'edit')];
    expect(statusesFor(runCheck(execAttach, objs), D)).toEqual(['fail']);
    expect(statusesFor(runCheck(secretsRead, objs), D)).toEqual(['fail']);
    expect(statusesFor(runCheck(escalate, objs), D)).toEqual(['fail']); // impersonate serviceaccounts
    // Cluster-wide, edit reads every Secret and creates pods that run as any account.
    const wide = runCheck(clusterAdmin, objs).find(
      r => r.resource.kind === 'Deployment',
    )!;
    expect(wide.status).toBe('fail');
    expect(wide.message).toContain('reading every Secret');
    const inNamespace = [
      deployment(),
      sa,
      binding('RoleBinding', 'edit-b', { kind: 'ClusterRole', name: 'edit' }, [
        { kind: 'ServiceAccount', name: 'app' },
      ]),
    ];
    expect(statusesFor(runCheck(clusterAdmin, inNamespace), D)).toEqual([
      'pass',
    ]);
  });

  it('includes bindings to service-account groups', () => {
    const group = binding(
      'ClusterRoleBinding',
      'all-sa',
      { kind: 'ClusterRole', name: 'cluster-admin' },
      [{ kind: 'Group', name: 'system:serviceaccounts:shop' }],
    );
    expect(
      statusesFor(runCheck(clusterAdmin, [deployment(), sa, group]), D),
    ).toEqual(['fail']);
  });

  it('resolves aggregated ClusterRoles', () => {
    const aggregate = object('ClusterRole', 'agg', {
      aggregationRule: {
        clusterRoleSelectors: [
          { matchLabels: { 'rbac.example.com/aggregate': 'true' } },
        ],
      },
      rules: [],
    });
    const part = object(
      'ClusterRole',
      'part',
      {
        rules: [
          { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
        ],
      },
      {
        labels: { 'rbac.example.com/aggregate': 'true' },
      },
    );
    const objs = [
      deployment(),
      sa,
      aggregate,
      part,
      ...bindRole('ClusterRole', 'agg'),
    ];
    expect(statusesFor(runCheck(execAttach, objs), D)).toEqual(['fail']);
  });

  it('evaluates custom roles themselves, even named system:, but not bootstrap-labelled ones', () => {
    const custom = object('ClusterRole', 'debugger', {
      rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }],
    });
    const everything = {
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    };
    const lookalike = object('ClusterRole', 'system:foo', everything);
    const builtin = object('ClusterRole', 'system:controller:foo', everything, {
      labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
    });
    const results = runCheck(execAttach, [custom, lookalike, builtin]);
    expect(
      statusesFor(results, { kind: 'ClusterRole', name: 'debugger' }),
    ).toEqual(['fail']);
    expect(
      statusesFor(results, { kind: 'ClusterRole', name: 'system:foo' }),
    ).toEqual(['fail']);
    expect(
      statusesFor(results, {
        kind: 'ClusterRole',
        name: 'system:controller:foo',
      }),
    ).toEqual([]);
  });

  it('warns about bind on named roles, fails bind on any role', () => {
    const named = object('ClusterRole', 'granter', {
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles'],
          verbs: ['bind'],
          resourceNames: ['view'],
        },
      ],
    });
    const any = object('ClusterRole', 'binder', {
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['clusterroles'],
          verbs: ['bind'],
        },
      ],
    });
    const results = runCheck(escalate, [named, any]);
    expect(
      statusesFor(results, { kind: 'ClusterRole', name: 'granter' }),
    ).toEqual(['warn']);
    expect(
      statusesFor(results, { kind: 'ClusterRole', name: 'binder' }),
    ).toEqual(['fail']);
  });

  it('flags a binding of cluster-admin to a service account even without a workload', () => {
    const b = binding(
      'ClusterRoleBinding',
      'ci',
      { kind: 'ClusterRole', name: 'cluster-admin' },
      [{ kind: 'ServiceAccount', name: 'ci', namespace: 'ci' }],
    );
    expect(
      statusesFor(runCheck(clusterAdmin, [b]), {
        kind: 'ClusterRoleBinding',
        name: 'ci',
      }),
    ).toEqual(['fail']);
  });
});

describe('probes and metrics', () => {
  it('does not ask non-serving containers for readiness probes', () => {
    const worker = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('worker', {
            ports: undefined,
            readinessProbe: undefined,
          }),
        ],
      }),
    });
    expect(statusesFor(runCheck(readiness, [worker]), D, 'worker')).toEqual([
      'not-applicable',
    ]);
  });

  it('asks containers behind a Service for readiness probes even without declared ports', () => {
    const web = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('web', {
            ports: undefined,
            readinessProbe: undefined,
          }),
        ],
      }),
    });
    const svc = object('Service', 'web', {
      spec: { selector: { 'app.kubernetes.io/name': 'app' } },
    });
    expect(statusesFor(runCheck(readiness, [web, svc]), D, 'web')).toEqual([
      'fail',
    ]);
  });

  it('warns when liveness equals readiness', () => {
    const probe = { httpGet: { path: '/health', port: 8080 } };
    const same = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('app', {
            readinessProbe: probe,
            livenessProbe: { ...probe },
          }),
        ],
      }),
    });
    expect(statusesFor(runCheck(liveness, [same]), D, 'app')).toEqual(['warn']);
  });

  it('treats batch workloads as not applicable', () => {
    const job = deployment({
      kind: 'CronJob',
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('job', {
            readinessProbe: undefined,
            livenessProbe: undefined,
          }),
        ],
      }),
    });
    const CJ = { kind: 'CronJob', name: 'app' };
    expect(statusesFor(runCheck(readiness, [job]), CJ)).toEqual([
      'not-applicable',
    ]);
    expect(statusesFor(runCheck(liveness, [job]), CJ)).toEqual([
      'not-applicable',
    ]);
    expect(statusesFor(runCheck(metrics, [job]), CJ)).toEqual([
      'not-applicable',
    ]);
  });

  it('finds a ServiceMonitor through the Service that selects the pods', () => {
    const svc = object(
      'Service',
      'app',
      { spec: { selector: { 'app.kubernetes.io/name': 'app' } } },
      { labels: { team: 'shop' } },
    );
    const sm = object(
      'ServiceMonitor',
      'sm',
      { spec: { selector: { matchLabels: { team: 'shop' } } } },
      { namespace: 'monitoring' },
    );
    const smAny = object(
      'ServiceMonitor',
      'sm',
      {
        spec: {
          namespaceSelector: { any: true },
          selector: { matchLabels: { team: 'shop' } },
        },
      },
      { namespace: 'monitoring' },
    );
    expect(statusesFor(runCheck(metrics, [deployment(), svc, sm]), D)).toEqual([
      'fail',
    ]);
    expect(
      statusesFor(runCheck(metrics, [deployment(), svc, smAny]), D),
    ).toEqual(['pass']);
  });

  it("follows a monitor's namespaceSelector: matchNames, any, or its own namespace", () => {
    const pm = (namespace: string, extra: Record<string, unknown> = {}) =>
      object(
        'PodMonitor',
        `pm-${namespace}`,
        {
          spec: {
            selector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
            ...extra,
          },
        },
        { namespace },
      );
    const ns = deployment().metadata.namespace ?? 'default';
    const cases: Array<[string, KubeObject, string]> = [
      ['own namespace', pm(ns), 'pass'],
      ['another namespace', pm('monitoring'), 'fail'],
      [
        'matchNames with it',
        pm('monitoring', { namespaceSelector: { matchNames: ['x', ns] } }),
        'pass',
      ],
      [
        'matchNames without it',
        pm(ns, { namespaceSelector: { matchNames: ['x'] } }),
        'fail',
      ],
      ['any', pm('monitoring', { namespaceSelector: { any: true } }), 'pass'],
      [
        'empty selector: own namespace',
        pm('monitoring', { namespaceSelector: {} }),
        'fail',
      ],
    ];
    for (const [name, monitor, status] of cases) {
      expect({
        name,
        status: statusesFor(runCheck(metrics, [deployment(), monitor]), D),
      }).toEqual({ name, status: [status] });
    }
  });

  it('names the first monitor in list order that scrapes the workload', () => {
    const sel = { matchLabels: { 'app.kubernetes.io/name': 'app' } };
    const ns = deployment().metadata.namespace ?? 'default';
    const first = object(
      'PodMonitor',
      'a-everywhere',
      { spec: { selector: sel, namespaceSelector: { any: true } } },
      { namespace: 'monitoring' },
    );
    const second = object(
      'PodMonitor',
      'b-local',
      { spec: { selector: sel } },
      {
        namespace: ns,
      },
    );
    const [result] = runCheck(metrics, [deployment(), first, second]);
    expect(result.message).toBe('Scraped by PodMonitor a-everywhere.');
    const [other] = runCheck(metrics, [deployment(), second, first]);
    expect(other.message).toBe('Scraped by PodMonitor b-local.');
  });
});

describe('availability', () => {
  const pdbObj = (spec: Record<string, unknown>) =>
    object('PodDisruptionBudget', 'p', {
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': 'app' } },
        ...spec,
      },
    });
  it('warns when a budget allows no eviction', () => {
    expect(
      statusesFor(
        runCheck(pdb, [
          deployment({ replicas: 2 }),
          pdbObj({ minAvailable: 2 }),
        ]),
        D,
      ),
    ).toEqual(['warn']);
    expect(
      statusesFor(
        runCheck(pdb, [
          deployment({ replicas: 2 }),
          pdbObj({ minAvailable: '100%' }),
        ]),
        D,
      ),
    ).toEqual(['warn']);
    expect(
      statusesFor(
        runCheck(pdb, [
          deployment({ replicas: 2 }),
          pdbObj({ maxUnavailable: 0 }),
        ]),
        D,
      ),
    ).toEqual(['warn']);
    expect(
      statusesFor(
        runCheck(pdb, [
          deployment({ replicas: 4 }),
          pdbObj({ minAvailable: '50%' }),
        ]),
        D,
      ),
    ).toEqual(['pass']);
  });
  it('uses the HPA minimum for replicas', () => {
    const hpa = object('HorizontalPodAutoscaler', 'h', {
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'app' },
        minReplicas: 2,
      },
    });
    expect(
      statusesFor(runCheck(replicas, [deployment({ replicas: 1 }), hpa]), D),
    ).toEqual(['pass']);
  });
  it('does not ask DaemonSets for replicas or single replicas for spread', () => {
    expect(
      statusesFor(runCheck(replicas, [deployment({ kind: 'DaemonSet' })]), {
        kind: 'DaemonSet',
        name: 'app',
      }),
    ).toEqual(['not-applicable']);
    expect(
      statusesFor(runCheck(spread, [deployment({ replicas: 1 })]), D),
    ).toEqual(['not-applicable']);
  });
  it('accepts hostname anti-affinity as spread', () => {
    const aff = deployment({
      podSpec: hardenedPodSpec({
        topologySpreadConstraints: undefined,
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'kubernetes.io/hostname' },
            ],
          },
        },
      }),
    });
    expect(statusesFor(runCheck(spread, [aff]), D)).toEqual(['pass']);
  });
  it('cannot judge owners without the catalog groups, and fails unknown groups', () => {
    const E = { kind: 'Component', name: 'app' };
    expect(
      statusesFor(
        runCheck(owner, [], {
          entities: [entity({ owner: 'group:default/ghost' })],
        }),
        E,
      ),
    ).toEqual(['fail']);
    expect(
      statusesFor(
        runCheck(owner, [], {
          entities: [entity()],
          settings: { knownGroups: undefined },
        }),
        E,
      ),
    ).toEqual(['not-applicable']);
  });
});

describe('maintenance', () => {
  it('does not count system groups as people, and counts wildcard custom roles as powerful', () => {
    const system = binding(
      'ClusterRoleBinding',
      'sys',
      { kind: 'ClusterRole', name: 'cluster-admin' },
      [{ kind: 'Group', name: 'system:masters' }],
    );
    const wildRole = object('ClusterRole', 'god', {
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
    });
    const human = binding(
      'ClusterRoleBinding',
      'h',
      { kind: 'ClusterRole', name: 'god' },
      [{ kind: 'User', name: 'bob' }],
    );
    const results = runCheck(standingPrivilege, [system, wildRole, human]);
    expect(
      statusesFor(results, { kind: 'ClusterRoleBinding', name: 'sys' }),
    ).toEqual(['not-applicable']);
    expect(
      statusesFor(results, { kind: 'ClusterRoleBinding', name: 'h' }),
    ).toEqual(['fail']);
  });

  it('warns about an expiry that is not a time, since nothing will act on it', () => {
    const b = binding(
      'RoleBinding',
      'b',
      { kind: 'ClusterRole', name: 'view' },
      [{ kind: 'User', name: 'a' }],
      { annotations: { 'expires-at': 'next tuesday' } },
    );
    expect(
      statusesFor(runCheck(expiredBinding, [b]), {
        kind: 'RoleBinding',
        name: 'b',
      }),
    ).toEqual(['warn']);
  });

  it('finds dangling service account subjects and accepts built-in cluster roles', () => {
    const b = binding(
      'RoleBinding',
      'b',
      { kind: 'ClusterRole', name: 'view' },
      [{ kind: 'ServiceAccount', name: 'ghost' }],
    );
    const ok = binding(
      'RoleBinding',
      'ok',
      { kind: 'ClusterRole', name: 'view' },
      [{ kind: 'User', name: 'a' }],
    );
    const results = runCheck(danglingRbac, [b, ok]);
    expect(results.find(r => r.resource.name === 'b')!.message).toContain(
      'ServiceAccount shop/ghost does not exist',
    );
    expect(statusesFor(results, { kind: 'RoleBinding', name: 'ok' })).toEqual([
      'pass',
    ]);
  });

  it('warns about deprecated API versions still served, and honours the configured version', () => {
    const hpa = object('HorizontalPodAutoscaler', 'h', { spec: {} });
    const old = { ...hpa, apiVersion: 'autoscaling/v2beta2' };
    const H = { kind: 'HorizontalPodAutoscaler', name: 'h' };
    expect(
      statusesFor(
        runCheck(deprecatedApi, [old], {
          settings: { kubernetesVersion: '1.24' },
        }),
        H,
      ),
    ).toEqual(['warn']);
    expect(
      statusesFor(
        runCheck(deprecatedApi, [old], {
          settings: { kubernetesVersion: '1.22' },
        }),
        H,
      ),
    ).toEqual(['pass']);
    expect(statusesFor(runCheck(deprecatedApi, [old]), H)).toEqual(['fail']);
  });

  it('judges each kind of one API version by its own removal, in one evaluation', () => {
    const v1beta1 = (kind: string, name: string) => ({
      ...object(kind, name, { spec: {} }),
      apiVersion: 'extensions/v1beta1',
    });
    const results = runCheck(
      deprecatedApi,
      [
        v1beta1('Deployment', 'a'),
        v1beta1('Ingress', 'b'),
        v1beta1('Deployment', 'c'),
        v1beta1('Ingress', 'd'),
      ],
      { settings: { kubernetesVersion: '1.20' } },
    );
    expect(results.map(r => [r.resource.name, r.status])).toEqual([
      ['a', 'fail'],
      ['c', 'fail'],
      ['b', 'warn'],
      ['d', 'warn'],
    ]);
    expect(results[0].message).toBe(
      'extensions/v1beta1 Deployment was removed in Kubernetes 1.16; use apps/v1 or networking.k8s.io/v1.',
    );
    expect(results[2].message).toContain(
      'extensions/v1beta1 Ingress is deprecated since',
    );
  });

  it('follows Trivy reports on ReplicaSets to their Deployment, with critical severity', () => {
    const d = deployment({ uid: 'd1' });
    const rs = {
      ...deployment({ kind: 'ReplicaSet', name: 'app-123' }),
      metadata: {
        name: 'app-123',
        namespace: 'shop',
        uid: 'r1',
        ownerReferences: [
          { kind: 'Deployment', name: 'app', uid: 'd1', controller: true },
        ],
      },
    };
    const report = object(
      'VulnerabilityReport',
      'r',
      { report: { summary: { criticalCount: 1, highCount: 0 } } },
      {
        labels: {
          'trivy-operator.resource.kind': 'ReplicaSet',
          'trivy-operator.resource.name': 'app-123',
          'trivy-operator.container.name': 'app',
        },
      },
    );
    const results = runCheck(imageVulns, [d, rs, report]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({
      status: 'fail',
      severity: 'critical',
      resource: { kind: 'Deployment' },
    });
  });

  it('is not applicable without Trivy, and warns about unscanned images when Trivy runs', () => {
    const other = object(
      'VulnerabilityReport',
      'o',
      { report: { summary: {} } },
      {
        labels: {
          'trivy-operator.resource.kind': 'Deployment',
          'trivy-operator.resource.name': 'other',
        },
      },
    );
    expect(statusesFor(runCheck(imageVulns, [deployment()]), D)).toEqual([
      'not-applicable',
    ]);
    expect(statusesFor(runCheck(imageVulns, [deployment(), other]), D)).toEqual(
      ['warn'],
    );
  });

  it('takes the worst failing policy result severity, including ClusterPolicyReports', () => {
    const report = object('PolicyReport', 'p', {
      results: [
        {
          policy: 'a',
          result: 'fail',
          severity: 'low',
          resources: [{ kind: 'Deployment', name: 'app', namespace: 'shop' }],
        },
        {
          policy: 'b',
          result: 'fail',
          severity: 'critical',
          resources: [{ kind: 'Deployment', name: 'app', namespace: 'shop' }],
        },
      ],
    });
    const cluster = object('ClusterPolicyReport', 'c', {
      results: [
        {
          policy: 'ns',
          result: 'warn',
          severity: 'info',
          resources: [{ kind: 'Namespace', name: 'shop' }],
        },
      ],
    });
    const results = runCheck(policyReports, [
      deployment(),
      report,
      object('Namespace', 'shop'),
      cluster,
    ]);
    expect(results.find(r => r.resource.kind === 'Deployment')).toMatchObject({
      status: 'fail',
      severity: 'critical',
    });
    expect(results.find(r => r.resource.kind === 'Namespace')).toMatchObject({
      status: 'warn',
      severity: 'low',
    });
  });
});

describe('images', () => {
  it.each([
    [
      'nginx',
      { registry: 'docker.io', repository: 'library/nginx', tag: undefined },
    ],
    [
      'nginx:1.27',
      { registry: 'docker.io', repository: 'library/nginx', tag: '1.27' },
    ],
    [
      'localhost:5000/team/app:v1',
      { registry: 'localhost:5000', repository: 'team/app', tag: 'v1' },
    ],
    [
      'registry.example.com:5000/app',
      {
        registry: 'registry.example.com:5000',
        repository: 'app',
        tag: undefined,
      },
    ],
    [
      'ghcr.io/a/b@sha256:abc',
      { registry: 'ghcr.io', repository: 'a/b', digest: 'sha256:abc' },
    ],
  ])('parses %s', (image, expected) => {
    expect(parseImage(image)).toMatchObject(expected);
  });

  it('fails a registry with a port and no tag, passes a version tag', () => {
    const noTag = deployment({
      podSpec: hardenedPodSpec({
        containers: [hardenedContainer('app', { image: 'registry:5000/app' })],
      }),
    });
    const tagged = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('app', { image: 'registry:5000/app:2.0' }),
        ],
      }),
    });
    expect(statusesFor(runCheck(tagPinned, [noTag]), D)).toEqual(['fail']);
    expect(statusesFor(runCheck(tagPinned, [tagged]), D)).toEqual(['pass']);
  });

  it('is off when no allow-list is configured', () => {
    expect(statusesFor(runCheck(registryAllowed, [deployment()]), D)).toEqual([
      'not-applicable',
    ]);
  });
});

describe('secrets', () => {
  it.each([
    ['DB_PASSWORD', true],
    ['apiKey', true],
    ['AWS_SECRET_ACCESS_KEY', true],
    ['GITHUB_TOKEN', true],
    ['PASSWORD_FILE', false],
    ['TOKEN_URL', false],
    ['DB_SECRET_NAME', false],
    ['LOG_LEVEL', false],
  ])('%s looks like a secret name: %s', (name, expected) => {
    expect(looksLikeSecretName(name)).toBe(expected);
  });

  it('recognises credentials in values without returning them', () => {
    expect(credentialIn('conf', 'url=postgres://app:s3cret@db:5432/app')).toBe(
      'a URL with a password',
    );
    expect(credentialIn('id', 'AKIAIOSFODNN7EXAMPLE')).toBe(
      'an AWS access key id',
    );
    expect(
      credentialIn('app.properties', 'db.host=x\ndb.password=hunter2'),
    ).toBe('a credential assigned to db.password');
    expect(
      credentialIn('app.yaml', 'password: ${DB_PASSWORD}'),
    ).toBeUndefined();
    expect(credentialIn('password', '')).toBeUndefined();
  });

  it('never puts a value in the result', () => {
    const cm = object('ConfigMap', 'c', {
      data: { DB_PASSWORD: 'hunter2-very-secret' },
    });
    const results = runCheck(configMapCredentials, [cm]);
    expect(results[0].status).toBe('fail');
    expect(JSON.stringify(results)).not.toContain('hunter2');
    const env = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('app', {
            env: [{ name: 'API_TOKEN', value: 'tok-123456' }],
          }),
        ],
      }),
    });
    const envResults = runCheck(envLiteral, [env]);
    expect(envResults[0].status).toBe('fail');
    expect(JSON.stringify(envResults)).not.toContain('tok-123456');
  });

  it('accepts $(VAR) references as values', () => {
    const env = deployment({
      podSpec: hardenedPodSpec({
        containers: [
          hardenedContainer('app', {
            env: [{ name: 'DB_PASSWORD', value: '$(PASSWORD_FROM_FILE)' }],
          }),
        ],
      }),
    });
    expect(statusesFor(runCheck(envLiteral, [env]), D)).toEqual(['pass']);
  });
});
