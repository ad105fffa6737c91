import { deployment, object, pod, snapshot } from '../__testUtils__/builders';
import { ClusterIndex } from './clusterIndex';

/** ReplicaSet web-1 (uid uid-rs), controlled by the Deployment of uid uid-web, which it names `ownerName`. */
const replicaSetOfWeb = (ownerName: string) =>
  object(
    'ReplicaSet',
    'web-1',
    {},
    {
      uid: 'uid-rs',
      ownerReferences: [
        {
          kind: 'Deployment',
          name: ownerName,
          uid: 'uid-web',
          controller: true,
        },
      ],
    },
  );

describe('ClusterIndex', () => {
  it('looks objects up by kind, namespace and name, cluster-scoped kinds without a namespace', () => {
    const shop = object('ConfigMap', 'settings');
    const pay = object('ConfigMap', 'settings', {}, { namespace: 'pay' });
    const role = object('ClusterRole', 'reader');
    const index = new ClusterIndex(snapshot([shop, pay, role]));

    expect(index.get('ConfigMap', 'shop', 'settings')).toBe(shop);
    expect(index.get('ConfigMap', 'pay', 'settings')).toBe(pay);
    expect(index.get('ConfigMap', 'other', 'settings')).toBeUndefined();
    expect(index.get('Secret', 'shop', 'settings')).toBeUndefined();
    // A cluster-scoped kind ignores the namespace it is asked with.
    expect(index.get('ClusterRole', 'shop', 'reader')).toBe(role);
    expect(index.get('ClusterRole', undefined, 'reader')).toBe(role);

    expect(index.withName('ConfigMap', 'settings')).toEqual([shop, pay]);
    expect(index.withName('ConfigMap', 'nope')).toEqual([]);
    expect(index.inNamespace('ConfigMap', 'pay')).toEqual([pay]);
    expect(index.list('ConfigMap')).toEqual([shop, pay]);
    expect(index.has('ClusterRole')).toBe(true);
    expect(index.has('Role')).toBe(false);
  });

  it("finds the policies, budgets and Services that select a pod's labels, per namespace and in its order", () => {
    const web = { app: 'web', tier: 'front' };
    const denyAll = object('NetworkPolicy', 'deny-all', {
      spec: { podSelector: {} },
    });
    const webOnly = object('NetworkPolicy', 'web', {
      spec: { podSelector: { matchLabels: { app: 'web' } } },
    });
    const front = object('NetworkPolicy', 'front', {
      spec: {
        podSelector: {
          matchExpressions: [
            { key: 'tier', operator: 'In', values: ['front', 'edge'] },
          ],
        },
      },
    });
    const db = object('NetworkPolicy', 'db', {
      spec: { podSelector: { matchLabels: { app: 'db' } } },
    });
    const elsewhere = object(
      'NetworkPolicy',
      'web',
      { spec: { podSelector: { matchLabels: { app: 'web' } } } },
      { namespace: 'pay' },
    );
    const pdb = object('PodDisruptionBudget', 'web', {
      spec: { selector: { matchLabels: { app: 'web' } } },
    });
    const service = object('Service', 'web', {
      spec: { selector: { app: 'web' } },
    });
    // A Service without a selector selects no pod (its endpoints are managed by hand).
    const external = object('Service', 'external', { spec: { selector: {} } });
    const index = new ClusterIndex(
      snapshot([
        denyAll,
        webOnly,
        front,
        db,
        elsewhere,
        pdb,
        service,
        external,
      ]),
    );
    expect(index.selectingPods('NetworkPolicy', 'shop', web)).toEqual(
      index
        .inNamespace('NetworkPolicy', 'shop')
        .filter(p => [denyAll, webOnly, front].includes(p)),
    );
    expect(index.selectingPods('NetworkPolicy', 'pay', web)).toEqual([
      elsewhere,
    ]);
    expect(index.selectingPods('NetworkPolicy', 'shop', undefined)).toEqual([
      denyAll,
    ]);
    expect(index.selectingPods('PodDisruptionBudget', 'shop', web)).toEqual([
      pdb,
    ]);
    expect(index.selectingPods('Service', 'shop', web)).toEqual([service]);
    expect(index.selectingPods('Service', 'shop', { app: 'db' })).toEqual([]);
    expect(index.selectingPods('Service', 'empty', web)).toEqual([]);
  });

  it('finds the monitors that select any of some label sets, in monitor order, each with the first set it selects', () => {
    const monitor = (
      name: string,
      matchLabels: Record<string, string>,
      namespaceSelector?: unknown,
      namespace = 'shop',
    ) =>
      object(
        'ServiceMonitor',
        name,
        { spec: { selector: { matchLabels }, namespaceSelector } },
        { namespace },
      );
    const everywhere = monitor('all-web', { app: 'web' }, { any: true }, 'ops');
    const api = monitor('api', { svc: 'api' });
    const web = monitor('web', { app: 'web' });
    const other = monitor('other', { app: 'web' }, undefined, 'pay');
    const index = new ClusterIndex(snapshot([everywhere, api, web, other]));
    const sets: Array<Record<string, string>> = [
      { app: 'web', svc: 'web' },
      { svc: 'api' },
    ];
    // monitorsSelecting order: by namespace, then name.
    expect(index.monitorsSelecting('ServiceMonitor', 'shop')).toEqual([
      everywhere,
      api,
      web,
    ]);
    expect(index.monitorsMatching('ServiceMonitor', 'shop', sets)).toEqual([
      { monitor: everywhere, selects: 0 },
      { monitor: api, selects: 1 },
      { monitor: web, selects: 0 },
    ]);
    expect(
      index.monitorsMatching('ServiceMonitor', 'shop', [{ svc: 'api' }]),
    ).toEqual([{ monitor: api, selects: 0 }]);
    expect(index.monitorsMatching('ServiceMonitor', 'shop', [])).toEqual([]);
    expect(index.monitorsMatching('PodMonitor', 'shop', sets)).toEqual([]);
  });

  it('takes the last of two objects with the same kind, namespace and name, as a later apply would', () => {
    const first = object('ServiceAccount', 'app', {
      automountServiceAccountToken: true,
    });
    const second = object('ServiceAccount', 'app', {
      automountServiceAccountToken: false,
    });
    const index = new ClusterIndex(snapshot([first, second]));
    expect(index.get('ServiceAccount', 'shop', 'app')).toBe(second);
    expect(index.withName('ServiceAccount', 'app')).toEqual([first, second]);
  });

  it('finds a workload owner by uid, and by kind and name where the uid is unknown', () => {
    const web = deployment({ name: 'web', uid: 'uid-web' });
    // The name is stale; the uid is what identifies the owner.
    const rs = replicaSetOfWeb('renamed');
    const byName = pod(
      'web-1-abc',
      { containers: [] },
      { kind: 'ReplicaSet', name: 'web-1', uid: 'unknown' },
    );
    const index = new ClusterIndex(snapshot([web, rs, byName]));
    expect(index.topOwnerOf(rs)).toBe(web);
    expect(index.topOwnerOf(byName)).toBe(web);
    expect(index.topOwnerOf(web)).toBe(web);
    expect(index.workloads.map(w => w.name)).toEqual(['web']);
  });

  it('follows the uid of an owner reference past another workload that has the name', () => {
    const web = deployment({ name: 'web', uid: 'uid-web' });
    const other = deployment({ name: 'other', uid: 'uid-other' });
    // Named `other`, but the uid is web's: the uid decides.
    const rs = replicaSetOfWeb('other');
    const index = new ClusterIndex(snapshot([web, other, rs]));
    expect(index.topOwnerOf(rs)).toBe(web);
    // Named right, uid right: the name finds it.
    const byBoth = new ClusterIndex(
      snapshot([web, other, replicaSetOfWeb('web')]),
    );
    expect(byBoth.topOwnerOf(byBoth.list('ReplicaSet')[0])).toBe(web);
  });

  it('indexes a kind of 250,000 objects, more than a call can take spread as arguments', () => {
    const pods = Array.from({ length: 250_000 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p-${i}`, namespace: `ns-${i % 100}` },
      spec: { containers: [] },
    }));
    const index = new ClusterIndex(snapshot(pods as any));
    expect(index.list('Pod')).toHaveLength(250_000);
    expect(index.workloads).toHaveLength(250_000);
  });

  it('lists workloads by kind, namespace and name, whatever the order of the objects', () => {
    const objects = [
      deployment({ name: 'b', namespace: 'pay' }),
      deployment({ name: 'a', namespace: 'shop' }),
      deployment({ name: 'a', namespace: 'pay', kind: 'StatefulSet' }),
      deployment({ name: 'a', namespace: 'pay' }),
    ];
    const index = new ClusterIndex(snapshot(objects));
    expect(
      index.workloads.map(w => `${w.kind} ${w.namespace}/${w.name}`),
    ).toEqual([
      'Deployment pay/a',
      'Deployment pay/b',
      'Deployment shop/a',
      'StatefulSet pay/a',
    ]);
  });

  it('orders every object a finding can be about, and leaves out what a workload in the state owns', () => {
    const web = deployment({ name: 'web', uid: 'uid-web' });
    const rs = replicaSetOfWeb('web');
    const owned = [
      pod(
        'web-1-zz',
        { containers: [] },
        { kind: 'ReplicaSet', name: 'web-1', uid: 'uid-rs' },
      ),
      pod(
        'web-1-aa',
        { containers: [] },
        { kind: 'ReplicaSet', name: 'web-1', uid: 'uid-rs' },
      ),
    ];
    // Owned by a ReplicaSet that is not in the state: its own subject.
    const orphan = pod(
      'lost-1-x',
      { containers: [] },
      { kind: 'ReplicaSet', name: 'lost-1' },
    );
    const bare = pod('debug', { containers: [] });
    const config = object('ConfigMap', 'web', {});
    const index = new ClusterIndex(
      snapshot([owned[0], config, bare, rs, orphan, web, owned[1]]),
    );
    expect(index.ordered.map(o => `${o.kind} ${o.metadata.name}`)).toEqual([
      'ConfigMap web',
      'Deployment web',
      'Pod debug',
      'Pod lost-1-x',
    ]);
    expect(index.workloads.map(w => w.name)).toEqual([
      'web',
      'debug',
      'lost-1-x',
    ]);
    // Owned objects are still indexed and resolve to their owner.
    expect(index.list('Pod')).toHaveLength(4);
    expect(index.topOwnerOf(owned[1])).toBe(web);
  });

  it('finds reports, autoscalers and grants by the object they are about', () => {
    const web = deployment({ name: 'web' });
    const vuln = object(
      'VulnerabilityReport',
      'replicaset-web-1',
      {},
      {
        labels: {
          'trivy-operator.resource.kind': 'Deployment',
          'trivy-operator.resource.name': 'web',
        },
      },
    );
    const policy = object('PolicyReport', 'p', {
      results: [
        { policy: 'x', resources: [{ kind: 'Deployment', name: 'web' }] },
        { policy: 'y', resources: [{ kind: 'ClusterRole', name: 'web' }] },
      ],
    });
    const hpa = (name: string) =>
      object('HorizontalPodAutoscaler', name, {
        spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' } },
      });
    const rb = object('RoleBinding', 'rb', {
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'ServiceAccount', name: 'app' }],
    });
    const everyone = object('ClusterRoleBinding', 'everyone', {
      roleRef: { kind: 'ClusterRole', name: 'view' },
      subjects: [{ kind: 'Group', name: 'system:serviceaccounts' }],
    });
    const role = object('ClusterRole', 'web');
    const index = new ClusterIndex(
      snapshot([web, vuln, policy, hpa('a'), hpa('b'), rb, everyone, role]),
    );

    expect(index.vulnerabilityReportsFor(web)).toEqual([vuln]);
    expect(index.policyResultsFor(web).map(e => e.result.policy)).toEqual([
      'x',
    ]);
    expect(index.policyResultsFor(role).map(e => e.result.policy)).toEqual([
      'y',
    ]);
    expect(index.hpaFor(index.workloads[0])?.metadata.name).toBe('b');
    const grants = index.grantsForServiceAccount('shop', 'app');
    expect(grants.map(g => g.binding.metadata.name)).toEqual([
      'rb',
      'everyone',
    ]);
    expect(index.grantsForServiceAccount('shop', 'app')).toBe(grants);
    expect(
      index
        .grantsForServiceAccount('pay', 'app')
        .map(g => g.binding.metadata.name),
    ).toEqual(['everyone']);
  });
});
