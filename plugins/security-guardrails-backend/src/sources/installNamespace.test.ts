import { KubeObject } from '@internal/backstage-plugin-security-guardrails-node';
import { placeUnnamespaced } from './installNamespace';

const sa = (name: string, namespace = 'default'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, namespace },
});
const crb = (name: string, subjects: Array<Record<string, string>>) =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
    subjects,
  } as KubeObject);
const deploy = (name: string, serviceAccountName: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { template: { spec: { serviceAccountName, containers: [] } } },
});

describe('placeUnnamespaced', () => {
  it('moves namespace-less objects to the one namespace their bindings name', () => {
    const account = sa('op');
    const d = deploy('op', 'op');
    const b = crb('op', [
      { kind: 'ServiceAccount', name: 'op', namespace: 'ops' },
    ]);
    const placement = placeUnnamespaced(
      [account, d, b],
      [account, d],
      'default',
    );
    expect(placement).toMatchObject({ namespace: 'ops' });
    expect(placement!.notice).toContain('ClusterRoleBinding/op');
    expect(account.metadata.namespace).toBe('ops');
    expect(d.metadata.namespace).toBe('ops');
  });

  it('learns account names from workloads when the install has no ServiceAccount object', () => {
    const d = deploy('op', 'op');
    const b = crb('op', [
      { kind: 'ServiceAccount', name: 'op', namespace: 'ops' },
    ]);
    expect(placeUnnamespaced([d, b], [d], 'default')).toMatchObject({
      namespace: 'ops',
    });
  });

  it('leaves objects where they are when bindings disagree, and says so', () => {
    const a = sa('a');
    const c = sa('c');
    const placement = placeUnnamespaced(
      [
        a,
        c,
        crb('a', [{ kind: 'ServiceAccount', name: 'a', namespace: 'x' }]),
        crb('c', [{ kind: 'ServiceAccount', name: 'c', namespace: 'y' }]),
      ],
      [a, c],
      'default',
    );
    expect(placement).toMatchObject({ ambiguous: ['x', 'y'] });
    expect(a.metadata.namespace).toBe('default');
  });

  it('does nothing when bindings name accounts that exist, or nothing at all', () => {
    const loose = sa('op');
    const placed = sa('op', 'ops');
    expect(
      placeUnnamespaced(
        [
          loose,
          placed,
          crb('op', [{ kind: 'ServiceAccount', name: 'op', namespace: 'ops' }]),
        ],
        [loose],
        'default',
      ),
    ).toBeUndefined();
    expect(placeUnnamespaced([loose], [loose], 'default')).toBeUndefined();
    expect(placeUnnamespaced([], [], 'default')).toBeUndefined();
  });
});
