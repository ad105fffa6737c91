import { mockServices } from '@backstage/backend-test-utils';
import { KubeObject } from '../engine';
import { FakeKubernetesApi } from '../__testUtils__/fakeKubernetesApi';
import { ClusterWatch, ObjectChange } from './ClusterWatch';
import { liveSource } from '../__testUtils__/liveCluster';
import { KINDS } from './KubernetesSource';

const deployment = (name: string, image = 'nginx:1'): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: { template: { spec: { containers: [{ name: 'app', image }] } } },
});

const CORE = KINDS.filter(k => ['Namespace', 'Deployment'].includes(k.kind));
const MONITORS = KINDS.filter(k => k.kind === 'ServiceMonitor');

async function until(what: () => boolean, timeoutMs = 5000) {
  const start = Date.now();
  while (!what()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('ClusterWatch', () => {
  let api: FakeKubernetesApi;
  let watch: ClusterWatch;
  let changes: ObjectChange[];
  let controller: AbortController;
  let running: Promise<void>;
  let logger: ReturnType<typeof mockServices.logger.mock>;

  const start = () => {
    controller = new AbortController();
    running = watch.run(controller.signal);
  };
  const stop = async () => {
    controller.abort();
    await running;
  };
  const lists = () =>
    api.requests.filter(
      r => r.path === '/apis/apps/v1/deployments' && !r.query.watch,
    ).length;

  beforeEach(async () => {
    api = await new FakeKubernetesApi({
      objects: [deployment('a'), deployment('b')],
      keepAlive: true,
    }).start();
    const { kubeConfig: kc, source } = liveSource(api);
    logger = mockServices.logger.mock();
    watch = new ClusterWatch({
      cluster: 'live',
      source,
      kubeConfig: kc,
      logger,
      kinds: [...CORE, ...MONITORS],
      backoffMs: 10,
      absentRetryMs: 60_000,
    });
    changes = [];
    watch.onChanges(c => changes.push(...c));
  });

  afterEach(async () => {
    await stop();
    await api.stop();
  });

  it('lists each kind once, then follows changes through the watch', async () => {
    start();
    await watch.synced(controller.signal);
    await until(() => api.watches.open === 3);
    expect(watch.live).toBe(true);
    expect(changes).toEqual([]); // the first listing is not a change
    expect(watch.snapshot().objects.map(o => o.metadata.name)).toEqual([
      'a',
      'b',
    ]);

    api.update(deployment('a', 'nginx:2'));
    api.add(deployment('c'));
    api.remove('Deployment', 'shop', 'b');
    await until(() => changes.length === 3);
    expect(
      changes.map(c => [c.before?.metadata.name, c.after?.metadata.name]),
    ).toEqual([
      ['a', 'a'],
      [undefined, 'c'],
      ['b', undefined],
    ]);
    expect(changes[0].after?.kind).toBe('Deployment');
    const snapshot = watch.snapshot();
    expect(snapshot.objects.map(o => o.metadata.name).sort()).toEqual([
      'a',
      'c',
    ]);
    expect(
      snapshot.objects.find(o => o.metadata.name === 'a')?.spec,
    ).toMatchObject({
      template: { spec: { containers: [{ image: 'nginx:2' }] } },
    });
    // Watches ask for bookmarks and continue from the listing's version.
    const served = api.watches.served.filter(
      w => w.key === 'apps/v1|Deployment',
    );
    expect(served[0].resourceVersion).toBeDefined();
    expect(
      api.requests.find(r => r.query.watch)?.query.allowWatchBookmarks,
    ).toBe('true');
    expect(lists()).toBe(1);
  });

  it('keeps a status-only update without reporting it, and holds no status or managedFields: no check reads them', async () => {
    start();
    await watch.synced(controller.signal);
    await until(() => api.watches.open === 3);
    const updated = api.update({
      ...deployment('a'),
      metadata: {
        ...deployment('a').metadata,
        managedFields: [{ manager: 'kube-controller-manager' }],
      },
      status: { readyReplicas: 3, observedGeneration: 2 },
    } as KubeObject);
    const version = (updated.metadata as { resourceVersion?: string })
      .resourceVersion;
    const held = () =>
      watch.snapshot().objects.find(o => o.metadata.name === 'a') as any;
    await until(() => held()?.metadata.resourceVersion === version);
    expect(changes).toEqual([]);
    // Held as evaluated: the version (watches resume from it), not the status.
    expect(held().status).toBeUndefined();
    expect(held().metadata.managedFields).toBeUndefined();
    expect(held().spec).toEqual(deployment('a').spec);
    api.update(deployment('a', 'nginx:9'));
    await until(() => changes.length === 1);
    expect(changes[0].after?.status).toBeUndefined();
  });

  it('resumes from the last version seen when a watch ends, without listing again', async () => {
    start();
    await watch.synced(controller.signal);
    await until(() => api.watches.open === 3);
    api.watches.closeAll(); // the server's timeout
    api.update(deployment('a', 'nginx:3'));
    await until(() => changes.length === 1);
    expect(changes[0].after?.metadata.name).toBe('a');
    expect(lists()).toBe(1);
  });

  it('keeps a quiet kind current with bookmarks, so compaction does not force a relist', async () => {
    start();
    await watch.synced(controller.signal);
    await until(() => api.watches.open === 3);
    api.add({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'busy' },
    });
    await until(() => changes.length === 1);
    api.watches.bookmark(api.resourceVersion);
    await new Promise(r => setTimeout(r, 200)); // the bookmark arrives
    api.watches.compact(api.resourceVersion);
    api.watches.closeAll();
    await until(() => api.watches.open === 3);
    expect(lists()).toBe(1);
  });

  it('relists a kind whose version was compacted away (410) and reports what differs', async () => {
    start();
    await watch.synced(controller.signal);
    await stop(); // this replica lost the watch for a while
    expect(watch.live).toBe(false);
    api.update(deployment('a', 'nginx:4'));
    api.remove('Deployment', 'shop', 'b');
    api.add(deployment('d'));
    api.watches.compact(api.resourceVersion);

    start();
    await until(() => changes.length === 3);
    expect(lists()).toBe(2);
    expect(
      changes
        .map(
          c =>
            `${c.before?.metadata.name ?? '-'}>${
              c.after?.metadata.name ?? '-'
            }`,
        )
        .sort(),
    ).toEqual(['->d', 'a>a', 'b>-']);
    await until(() => watch.live);
  });

  it('retries a failing kind with backoff, and is not live until it recovers', async () => {
    // Two listings fail (each after four attempts of its own), the third works.
    api.fault({
      path: /deployments$/,
      watch: false,
      fault: { status: 500 },
      times: 8,
    });
    const whenWarned: Array<{ live: boolean; errors: number }> = [];
    (logger.warn as jest.Mock).mockImplementation(() =>
      whenWarned.push({
        live: watch.live,
        errors: watch.snapshot().errors.length,
      }),
    );
    start();
    await watch.synced(controller.signal);
    await until(() => watch.live);
    expect(whenWarned).toEqual([{ live: false, errors: 1 }]); // once a streak
    expect((logger.warn as jest.Mock).mock.calls[0][0]).toContain(
      'listing Deployment',
    );
    expect(watch.snapshot().errors).toEqual([]);
    expect(
      api.requests.filter(
        r => r.path.endsWith('deployments') && !r.query.watch,
      ),
    ).toHaveLength(9);
  });

  it('says once, with the fix, when the identity may not watch, and keeps the listed state', async () => {
    api.fault({
      path: /deployments$/,
      watch: true,
      fault: { status: 403 },
    });
    start();
    await watch.synced(controller.signal);
    await until(() =>
      api.requests.some(r => r.path.endsWith('deployments') && r.query.watch),
    );
    await until(() => !watch.live);
    expect(watch.snapshot().objects.map(o => o.metadata.name)).toEqual([
      'a',
      'b',
    ]);
    expect(watch.snapshot().errors).toEqual([
      {
        kind: 'Deployment',
        message:
          "the backend's identity may not watch deployments (give its role `watch`, see deploy/rbac.yaml); the scheduled refresh reads the cluster meanwhile",
      },
    ]);
    await new Promise(r => setTimeout(r, 100));
    // Not asked again at once, and said once.
    expect(
      api.requests.filter(r => r.path.endsWith('deployments') && r.query.watch),
    ).toHaveLength(1);
    expect((logger.warn as jest.Mock).mock.calls).toHaveLength(1);
  });

  it('holds nothing for an optional kind the cluster does not serve, and stays live', async () => {
    api.fault({ path: /servicemonitors$/, fault: { status: 404 } });
    start();
    await watch.synced(controller.signal);
    await until(() => watch.live);
    expect(watch.snapshot().status).toBe('ok');
  });
});
