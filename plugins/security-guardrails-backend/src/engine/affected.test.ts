import { binding, deployment, entity, object } from '../__testUtils__/builders';
import {
  addChange,
  affectedEntities,
  emptyChangeScope,
  ObjectChange,
} from './affected';
import { KubeObject } from '@internal/backstage-plugin-security-guardrails-node';
import { EntityMapper } from './mapping';

const labels = (id: string) => ({ 'backstage.io/kubernetes-id': id });
const app = (id: string, namespace: string) =>
  deployment({
    name: id,
    namespace,
    labels: labels(id),
    podLabels: labels(id),
  });

const entities = ['shop-a', 'shop-b', 'pay', 'ops'].map(id =>
  entity({
    ref: `component:default/${id}`,
    name: id,
    annotations: { 'backstage.io/kubernetes-id': id },
  }),
);
const mapper = new EntityMapper(entities);

const cluster: KubeObject[] = [
  object('Namespace', 'shop'),
  object('Namespace', 'payments'),
  object('Namespace', 'ops'),
  app('shop-a', 'shop'),
  app('shop-b', 'shop'),
  app('pay', 'payments'),
  app('ops', 'ops'),
  object('Role', 'reader', { rules: [] }, { namespace: 'ops' }),
  binding(
    'RoleBinding',
    'reader-for-pay',
    { kind: 'Role', name: 'reader' },
    [{ kind: 'ServiceAccount', name: 'default', namespace: 'payments' }],
    { namespace: 'ops' },
  ),
  binding(
    'ClusterRoleBinding',
    'view-for-shop',
    { kind: 'ClusterRole', name: 'view' },
    [{ kind: 'ServiceAccount', name: 'default', namespace: 'shop' }],
  ),
];

function affected(...changes: ObjectChange[]) {
  const scope = emptyChangeScope();
  for (const c of changes) addChange(scope, c, mapper);
  const out = affectedEntities(cluster, scope, mapper);
  return out === 'all' ? out : [...out].sort();
}

const changed = (obj: KubeObject): ObjectChange => ({
  kind: obj.kind,
  before: obj,
  after: obj,
});

describe('affectedEntities', () => {
  it('reaches every entity in the namespace of a changed workload, and no other', () => {
    expect(affected(changed(app('shop-a', 'shop')))).toEqual([
      'component:default/shop-a',
      'component:default/shop-b',
    ]);
  });

  it('reaches the namespace of a NetworkPolicy, Service or report', () => {
    const policy = object(
      'NetworkPolicy',
      'deny',
      {},
      { namespace: 'payments' },
    );
    expect(affected(changed(policy))).toEqual(['component:default/pay']);
  });

  it('reaches the entity an object was moved away from (relabelled or deleted)', () => {
    const before = app('ops', 'shop');
    const after = app('shop-a', 'shop');
    expect(affected({ kind: 'Deployment', before, after })).toContain(
      'component:default/ops',
    );
    expect(
      affected({ kind: 'Deployment', before: app('ops', 'elsewhere') }),
    ).toEqual(['component:default/ops']);
  });

  it('reaches the namespaces of the service accounts a binding names, wherever the binding is', () => {
    const rb = binding(
      'RoleBinding',
      'x',
      { kind: 'ClusterRole', name: 'edit' },
      [{ kind: 'ServiceAccount', name: 'default', namespace: 'payments' }],
      { namespace: 'ops' },
    );
    expect(affected(changed(rb))).toEqual([
      'component:default/ops',
      'component:default/pay',
    ]);
    const crb = binding(
      'ClusterRoleBinding',
      'y',
      { kind: 'ClusterRole', name: 'cluster-admin' },
      [{ kind: 'Group', name: 'system:serviceaccounts:shop' }],
    );
    expect(affected(changed(crb))).toEqual([
      'component:default/shop-a',
      'component:default/shop-b',
    ]);
    const user = binding(
      'ClusterRoleBinding',
      'z',
      { kind: 'ClusterRole', name: 'view' },
      [{ kind: 'User', name: 'system:serviceaccount:payments:default' }],
    );
    expect(affected(changed(user))).toEqual(['component:default/pay']);
  });

  it('reaches the whole cluster for a binding to every service account', () => {
    for (const name of ['system:serviceaccounts', 'system:authenticated']) {
      const crb = binding(
        'ClusterRoleBinding',
        'all',
        { kind: 'ClusterRole', name: 'view' },
        [{ kind: 'Group', name }],
      );
      expect(affected(changed(crb))).toBe('all');
    }
  });

  it('reaches what the bindings of a changed Role or ClusterRole reach', () => {
    const role = object('Role', 'reader', { rules: [] }, { namespace: 'ops' });
    expect(affected(changed(role))).toEqual([
      'component:default/ops',
      'component:default/pay',
    ]);
    const view = object('ClusterRole', 'view', { rules: [] });
    expect(affected(changed(view))).toEqual([
      'component:default/shop-a',
      'component:default/shop-b',
    ]);
    // A ClusterRole nothing binds reaches nobody.
    expect(affected(changed(object('ClusterRole', 'unused')))).toEqual([]);
  });

  it('reaches the namespaces a monitor selects, and everything for any namespace', () => {
    const monitor = (namespaceSelector: unknown) =>
      object(
        'ServiceMonitor',
        'm',
        { spec: { namespaceSelector } },
        { namespace: 'monitoring' },
      );
    expect(affected(changed(monitor({ matchNames: ['payments'] })))).toEqual([
      'component:default/pay',
    ]);
    expect(affected(changed(monitor({ any: true })))).toBe('all');
  });

  it('reaches the namespace a Namespace is, and everything for a cluster-wide report', () => {
    expect(affected(changed(object('Namespace', 'payments')))).toEqual([
      'component:default/pay',
    ]);
    expect(affected(changed(object('ClusterPolicyReport', 'r')))).toBe('all');
  });
});
