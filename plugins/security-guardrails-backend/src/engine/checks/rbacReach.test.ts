/*
 * Who a binding reaches and what makes a role admin-equivalent, from the
 * Kubernetes RBAC documentation: group subjects that hold every service
 * account, built-in roles by label rather than name, rule sets that amount to
 * cluster-admin, and aggregation.
 */
import type { CheckResult } from '@internal/backstage-plugin-security-guardrails-common';
import {
  clusterAdmin,
  escalate,
  execAttach,
  secretsRead,
  wildcard,
} from './rbac';
import { automount } from './network';
import { danglingRbac, standingPrivilege } from './maintenance';
import {
  binding,
  deployment,
  hardenedPodSpec,
  object,
  runCheck,
  serviceAccount,
  statusesFor,
} from '../../__testUtils__/builders';

const D = { kind: 'Deployment', name: 'app' };
const sa = serviceAccount();
const EVERYTHING = [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }];

function workloadResult(results: CheckResult[]): CheckResult {
  const r = results.find(x => x.resource.kind === 'Deployment');
  if (!r) throw new Error('no workload result');
  return r;
}

const crb = (
  name: string,
  role: string,
  subjects: Array<Record<string, unknown>>,
  meta: Record<string, unknown> = {},
) =>
  binding(
    'ClusterRoleBinding',
    name,
    { kind: 'ClusterRole', name: role },
    subjects,
    meta,
  );

describe('group subjects reach service accounts', () => {
  it.each([
    [{ kind: 'Group', name: 'system:authenticated' }],
    [{ kind: 'Group', name: 'system:unauthenticated' }],
    [{ kind: 'Group', name: 'system:serviceaccounts' }],
    [{ kind: 'Group', name: 'system:serviceaccounts:shop' }],
    [{ kind: 'User', name: 'system:anonymous' }],
    [{ kind: 'User', name: 'system:serviceaccount:shop:app' }],
  ])('cluster-admin bound to %j makes the workload fail', subject => {
    const results = runCheck(clusterAdmin, [
      deployment(),
      sa,
      crb('everyone-admin', 'cluster-admin', [subject]),
    ]);
    const w = workloadResult(results);
    expect(w.status).toBe('fail');
    expect(w.message).toContain('ClusterRoleBinding/everyone-admin');
    expect(w.message).toContain(subject.name);
    // The binding is a finding of its own, at the check's (critical) severity.
    const b = results.find(r => r.resource.kind === 'ClusterRoleBinding')!;
    expect(b.status).toBe('fail');
    expect(b.severity).toBe('critical');
  });

  it('names who a broad group stands for on the binding', () => {
    const results = runCheck(clusterAdmin, [
      crb('everyone-admin', 'cluster-admin', [
        { kind: 'Group', name: 'system:authenticated' },
      ]),
    ]);
    expect(results).toHaveLength(1);
    expect(results[0].message).toContain(
      'every service account and every signed-in user',
    );
  });

  it('does not reach accounts of another namespace or other users', () => {
    for (const subject of [
      { kind: 'Group', name: 'system:serviceaccounts:other' },
      { kind: 'User', name: 'system:serviceaccount:other:app' },
      { kind: 'Group', name: 'system:masters' },
    ]) {
      const results = runCheck(clusterAdmin, [
        deployment(),
        sa,
        crb('b', 'cluster-admin', [subject]),
      ]);
      expect(workloadResult(results).status).toBe('pass');
    }
  });

  it('finds every rbac check through group bindings, with the group in the message', () => {
    const reader = object('ClusterRole', 'reader', {
      rules: [
        { apiGroups: [''], resources: ['secrets'], verbs: ['list'] },
        { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
      ],
    });
    const objs = [
      deployment(),
      sa,
      reader,
      crb('all-sa-read', 'reader', [
        { kind: 'Group', name: 'system:serviceaccounts' },
      ]),
    ];
    for (const check of [secretsRead, execAttach]) {
      const results = runCheck(check, objs);
      const w = workloadResult(results);
      expect(w.status).toBe('fail');
      expect(w.message).toContain('(to Group system:serviceaccounts)');
      expect(
        statusesFor(results, {
          kind: 'ClusterRoleBinding',
          name: 'all-sa-read',
        }),
      ).toEqual(['fail']);
    }
  });

  it('passes a broad binding of a role that grants nothing the check is about', () => {
    const results = runCheck(secretsRead, [
      crb('all-view', 'view', [
        { kind: 'Group', name: 'system:authenticated' },
      ]),
    ]);
    expect(
      statusesFor(results, { kind: 'ClusterRoleBinding', name: 'all-view' }),
    ).toEqual(['pass']);
  });

  it("leaves Kubernetes' own bootstrapped bindings alone, and they do not count as using the API", () => {
    const discovery = crb(
      'system:discovery',
      'system:discovery',
      [{ kind: 'Group', name: 'system:authenticated' }],
      { labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' } },
    );
    expect(
      statusesFor(runCheck(secretsRead, [discovery]), {
        kind: 'ClusterRoleBinding',
        name: 'system:discovery',
      }),
    ).toEqual([]);
    // sa.automount fails an unused token; default bindings are no use of it.
    expect(
      statusesFor(
        runCheck(automount, [
          deployment({
            podSpec: hardenedPodSpec({ automountServiceAccountToken: true }),
          }),
          sa,
          discovery,
        ]),
        D,
      ),
    ).toEqual(['fail']);
  });
});

describe('built-in is a label, not a name prefix', () => {
  it('evaluates a user-written system: ClusterRole like any other, wherever it is bound', () => {
    const fake = object('ClusterRole', 'system:foo', { rules: EVERYTHING });
    const objs = [
      deployment(),
      sa,
      fake,
      crb('system:foo', 'system:foo', [
        { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
      ]),
    ];
    for (const check of [clusterAdmin, wildcard, escalate]) {
      const results = runCheck(check, objs);
      expect(workloadResult(results).status).toBe('fail');
      expect(
        statusesFor(results, { kind: 'ClusterRole', name: 'system:foo' }),
      ).toEqual(['fail']);
    }
    // The binding named system:foo is evaluated too.
    expect(
      statusesFor(runCheck(clusterAdmin, objs), {
        kind: 'ClusterRoleBinding',
        name: 'system:foo',
      }),
    ).toEqual(['fail']);
  });
});

describe('admin-equivalent rule sets', () => {
  const bound = (
    rules: unknown[],
    kind: 'ClusterRoleBinding' | 'RoleBinding',
  ) => [
    deployment(),
    sa,
    object('ClusterRole', 'power', { rules }),
    binding(kind, 'power-b', { kind: 'ClusterRole', name: 'power' }, [
      { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
    ]),
  ];

  it('every write verb on every resource is admin-equivalent, and the message says why', () => {
    const rules = [
      {
        apiGroups: ['*'],
        resources: ['*'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
    ];
    for (const kind of ['ClusterRoleBinding', 'RoleBinding'] as const) {
      const results = runCheck(clusterAdmin, bound(rules, kind));
      const w = workloadResult(results);
      expect(w.status).toBe('fail');
      expect(w.message).toContain(
        'every write verb on every resource of the core and apps API groups',
      );
      expect(
        statusesFor(results, { kind: 'ClusterRole', name: 'power' }),
      ).toEqual(['fail']);
    }
  });

  it('needs both the core and the apps group, and every write verb', () => {
    const coreOnly = [
      {
        apiGroups: [''],
        resources: ['*'],
        verbs: ['create', 'update', 'patch', 'delete'],
      },
    ];
    const noDelete = [
      {
        apiGroups: ['', 'apps'],
        resources: ['*'],
        verbs: ['create', 'update', 'patch'],
      },
    ];
    const split = [
      { apiGroups: [''], resources: ['*'], verbs: ['*'] },
      {
        apiGroups: ['apps'],
        resources: ['*'],
        verbs: ['create', 'update', 'patch', 'delete'],
      },
    ];
    expect(
      workloadResult(runCheck(clusterAdmin, bound(coreOnly, 'RoleBinding')))
        .status,
    ).toBe('pass');
    expect(
      workloadResult(runCheck(clusterAdmin, bound(noDelete, 'RoleBinding')))
        .status,
    ).toBe('pass');
    expect(
      workloadResult(runCheck(clusterAdmin, bound(split, 'RoleBinding')))
        .status,
    ).toBe('fail');
  });

  it('reading Secrets and creating workloads is admin-equivalent cluster-wide only', () => {
    const rules = [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['create'] },
    ];
    const wide = workloadResult(
      runCheck(clusterAdmin, bound(rules, 'ClusterRoleBinding')),
    );
    expect(wide.status).toBe('fail');
    expect(wide.message).toContain('reading every Secret');
    expect(wide.message).toContain('creating workloads');
    expect(
      workloadResult(runCheck(clusterAdmin, bound(rules, 'RoleBinding')))
        .status,
    ).toBe('pass');
    // The role alone, bound cluster-wide in the state: a failing finding on it.
    expect(
      statusesFor(runCheck(clusterAdmin, bound(rules, 'ClusterRoleBinding')), {
        kind: 'ClusterRole',
        name: 'power',
      }),
    ).toEqual(['fail']);
    // Unbound: a warning that says what would make it so.
    expect(
      statusesFor(
        runCheck(clusterAdmin, [object('ClusterRole', 'power', { rules })]),
        { kind: 'ClusterRole', name: 'power' },
      ),
    ).toEqual(['warn']);
  });

  it('adds rules up across bindings', () => {
    const objs = [
      deployment(),
      sa,
      object('ClusterRole', 'secrets', {
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }],
      }),
      object('ClusterRole', 'pods', {
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['create'] }],
      }),
      crb('a', 'secrets', [
        { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
      ]),
      crb('b', 'pods', [{ kind: 'Group', name: 'system:serviceaccounts' }]),
    ];
    const w = workloadResult(runCheck(clusterAdmin, objs));
    expect(w.status).toBe('fail');
    expect(w.message).toContain('ClusterRoleBinding/a');
    expect(w.message).toContain('ClusterRoleBinding/b');
  });

  it('does not count rules limited to named objects', () => {
    const rules = [
      {
        apiGroups: [''],
        resources: ['secrets'],
        resourceNames: ['tls'],
        verbs: ['get'],
      },
      { apiGroups: [''], resources: ['pods'], verbs: ['create'] },
    ];
    expect(
      workloadResult(runCheck(clusterAdmin, bound(rules, 'ClusterRoleBinding')))
        .status,
    ).toBe('pass');
  });

  it('is a standing privilege for people, saying what makes it so', () => {
    const rules = [
      {
        apiGroups: ['*'],
        resources: ['*'],
        verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      },
    ];
    const results = runCheck(standingPrivilege, [
      object('ClusterRole', 'ops', { rules }),
      crb('ops', 'ops', [{ kind: 'User', name: 'bob' }]),
      crb('everyone', 'cluster-admin', [
        { kind: 'Group', name: 'system:authenticated' },
      ]),
      crb('viewers', 'view', [{ kind: 'Group', name: 'readers' }]),
    ]);
    const ops = results.find(r => r.resource.name === 'ops')!;
    expect(ops.status).toBe('fail');
    expect(ops.message).toContain('admin-equivalent');
    expect(
      statusesFor(results, { kind: 'ClusterRoleBinding', name: 'everyone' }),
    ).toEqual(['fail']);
    const viewers = results.find(r => r.resource.name === 'viewers')!;
    expect(viewers.status).toBe('pass');
    expect(viewers.message).not.toContain('not a powerful role');
    expect(viewers.message).toContain('nor admin-equivalent');
  });
});

describe('aggregated ClusterRoles', () => {
  const label = (l: string) => ({ labels: { [l]: 'true' } });

  it('follows aggregation through aggregated roles, and keeps their own rules', () => {
    const top = object('ClusterRole', 'top', {
      aggregationRule: {
        clusterRoleSelectors: [{ matchLabels: { 'example.com/top': 'true' } }],
      },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    });
    const middle = object(
      'ClusterRole',
      'middle',
      {
        aggregationRule: {
          clusterRoleSelectors: [
            { matchLabels: { 'example.com/middle': 'true' } },
          ],
        },
      },
      label('example.com/top'),
    );
    const leaf = object(
      'ClusterRole',
      'leaf',
      { rules: EVERYTHING },
      label('example.com/middle'),
    );
    const objs = [
      deployment(),
      sa,
      top,
      middle,
      leaf,
      crb('top-b', 'top', [
        { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
      ]),
    ];
    expect(workloadResult(runCheck(clusterAdmin, objs)).status).toBe('fail');
  });

  it('survives aggregation cycles', () => {
    const a = object(
      'ClusterRole',
      'a',
      {
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { 'example.com/b': 'true' } }],
        },
      },
      label('example.com/a'),
    );
    const b = object(
      'ClusterRole',
      'b',
      {
        aggregationRule: {
          clusterRoleSelectors: [{ matchLabels: { 'example.com/a': 'true' } }],
        },
        rules: [
          { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
        ],
      },
      label('example.com/b'),
    );
    const objs = [
      deployment(),
      sa,
      a,
      b,
      crb('a-b', 'a', [
        { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
      ]),
    ];
    expect(workloadResult(runCheck(execAttach, objs)).status).toBe('fail');
  });

  it('adds custom roles labelled aggregate-to-edit to the default edit role the state lacks', () => {
    const crdAdmin = object(
      'ClusterRole',
      'widgets-edit',
      {
        rules: [{ apiGroups: ['example.com'], resources: ['*'], verbs: ['*'] }],
      },
      label('rbac.authorization.k8s.io/aggregate-to-edit'),
    );
    const objs = [
      deployment(),
      sa,
      crdAdmin,
      binding('RoleBinding', 'edit-b', { kind: 'ClusterRole', name: 'edit' }, [
        { kind: 'ServiceAccount', name: 'app' },
      ]),
    ];
    const w = workloadResult(runCheck(wildcard, objs));
    expect(w.status).toBe('fail');
    expect(w.message).toContain('example.com');
  });
});

describe('dangling bindings that hide privilege', () => {
  it('reports a namesake service account in another namespace at the severity of what the binding grants', () => {
    // Manifests for `kubectl apply -n ops`, scanned as they are: the account lands in default.
    const controllerSa = {
      ...serviceAccount('controller'),
      metadata: { name: 'controller', namespace: 'default' },
    };
    const b = crb('controller', 'cluster-admin', [
      { kind: 'ServiceAccount', name: 'controller', namespace: 'ops' },
    ]);
    const [result] = runCheck(danglingRbac, [controllerSa, b]);
    expect(result.status).toBe('fail');
    expect(result.severity).toBe('critical');
    expect(result.message).toContain('kubectl apply -n ops');
    expect(result.message).toContain('admin-equivalent');
  });

  it('stays medium when nothing of the name exists elsewhere', () => {
    const b = crb('ghost', 'cluster-admin', [
      { kind: 'ServiceAccount', name: 'ghost', namespace: 'ops' },
    ]);
    const [result] = runCheck(danglingRbac, [b]);
    expect(result.status).toBe('fail');
    expect(result.severity).toBe('medium');
  });
});

describe('workloads that run as one service account', () => {
  const workloads = [
    deployment({ name: 'app' }),
    deployment({ name: 'nightly', kind: 'CronJob' }),
    deployment({
      name: 'other',
      podSpec: hardenedPodSpec({ serviceAccountName: 'other' }),
    }),
  ];
  const execRole = object('ClusterRole', 'exec', {
    rules: [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] }],
  });
  const grants = [
    execRole,
    crb('admin', 'cluster-admin', [
      { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
    ]),
    crb('exec', 'exec', [
      { kind: 'ServiceAccount', name: 'app', namespace: 'shop' },
    ]),
  ];
  const byWorkload = (results: CheckResult[]) =>
    results
      .filter(
        r =>
          r.resource.kind !== 'ClusterRoleBinding' &&
          r.resource.kind !== 'ClusterRole',
      )
      .map(r => [r.resource.name, r.status, r.field, r.message]);

  it.each([
    [clusterAdmin, 'is bound to cluster-admin'],
    [execAttach, 'can exec or attach into pods'],
  ])(
    'each get the verdict on the account, at their own pod spec path (%#)',
    (check, says) => {
      expect(
        byWorkload(
          runCheck(check, [
            ...workloads,
            sa,
            serviceAccount('other'),
            ...grants,
          ]),
        ),
      ).toEqual([
        [
          'nightly',
          'fail',
          'spec.jobTemplate.spec.template.spec.serviceAccountName',
          expect.stringContaining(`ServiceAccount app ${says}`),
        ],
        [
          'app',
          'fail',
          'spec.template.spec.serviceAccountName',
          expect.stringContaining(`ServiceAccount app ${says}`),
        ],
        [
          'other',
          'pass',
          'spec.template.spec.serviceAccountName',
          'ServiceAccount other has no RBAC bindings.',
        ],
      ]);
    },
  );

  it.each([[clusterAdmin], [execAttach]])(
    'get a new verdict when the bindings change, in the next evaluation (%#)',
    check => {
      runCheck(check, [...workloads, sa, ...grants]);
      const after = byWorkload(runCheck(check, [...workloads, sa, execRole]));
      expect(after.map(([name, status]) => [name, status])).toEqual([
        ['nightly', 'pass'],
        ['app', 'pass'],
        ['other', 'pass'],
      ]);
    },
  );
});
