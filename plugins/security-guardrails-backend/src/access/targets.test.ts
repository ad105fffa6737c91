import { namespaceOwners, resolveTargets } from './targets';

const ns = (
  name: string,
  labels?: Record<string, string>,
  annotations?: Record<string, string>,
) => ({
  cluster: 'prod',
  object: {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels, annotations },
  } as any,
});

describe('namespace owners', () => {
  it('reads the label (a group name), the annotation (a ref) and config, config first', () => {
    const owners = namespaceOwners(
      [
        ns('web', { 'security-guardrails.io/owner': 'web-team' }),
        ns(
          'pay',
          {},
          { 'security-guardrails.io/owner': 'group:finance/payments' },
        ),
        ns('both', { 'security-guardrails.io/owner': 'web-team' }),
        ns('none'),
      ],
      [{ cluster: 'prod', namespace: 'both', owner: 'group:default/platform' }],
    );
    expect(Object.fromEntries(owners.get('prod')!)).toEqual({
      web: 'group:default/web-team',
      pay: 'group:finance/payments',
      both: 'group:default/platform',
    });
  });
});

describe('resolveTargets', () => {
  const owners = namespaceOwners(
    [
      ns('web', { 'security-guardrails.io/owner': 'web-team' }),
      ns('pay', { 'security-guardrails.io/owner': 'payments' }),
      ns('kube-system', { 'security-guardrails.io/owner': 'web-team' }),
    ],
    [],
  );
  const base = {
    entityRef: 'component:default/shop',
    ownerRefs: ['group:default/web-team'],
    where: [
      { cluster: 'prod', namespaces: ['web', 'pay', 'kube-system', 'other'] },
    ],
    owners,
    allowSystemNamespaces: [],
    canGrant: () => true,
  };

  it("keeps only the owner's namespaces and says why each other one is out", () => {
    const r = resolveTargets(base);
    expect(r.targets).toEqual([{ cluster: 'prod', namespaces: ['web'] }]);
    expect(r.excluded.map(e => [e.namespace, e.reason])).toEqual([
      [
        'pay',
        'pay belongs to group:default/payments, not to group:default/web-team of component:default/shop',
      ],
      [
        'kube-system',
        expect.stringMatching(/^kube-system is a system namespace/),
      ],
      [
        'other',
        expect.stringMatching(/^the platform has not given other an owner/),
      ],
    ]);
  });

  it('lets config allow a system namespace, and refuses clusters without a grant driver', () => {
    expect(
      resolveTargets({ ...base, allowSystemNamespaces: ['kube-system'] })
        .targets,
    ).toEqual([{ cluster: 'prod', namespaces: ['kube-system', 'web'] }]);
    const r = resolveTargets({ ...base, canGrant: () => false });
    expect(r.targets).toEqual([]);
    expect(r.excluded[0].reason).toBe(
      'cluster prod cannot take grants (no grant driver)',
    );
  });

  it('gives an entity without an owner nothing', () => {
    expect(resolveTargets({ ...base, ownerRefs: [] }).targets).toEqual([]);
  });
});
