import { LifecycleServiceShutdownHook } from '@backstage/backend-plugin-api';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { metricsServiceMock } from '@backstage/backend-test-utils/alpha';
import { DefaultSchedulerService } from '@backstage/backend-defaults/scheduler';
import { Knex } from 'knex';
import { KubeObject } from '../engine';
import {
  deployment,
  entity,
  hardenedContainer,
  hardenedPodSpec,
  object,
} from '../__testUtils__/builders';
import { databaseServiceFor } from '../__testUtils__/database';
import { testPostureService } from '../__testUtils__/postureService';
import { FakeKubernetesApi } from '../__testUtils__/fakeKubernetesApi';
import { ClusterWatch, WatchedSource } from '../sources/ClusterWatch';
import { liveSource } from '../__testUtils__/liveCluster';
import { KINDS } from '../sources/KubernetesSource';
import { scheduleClusterWatches } from '../service/tasks';
import { DatabasePostureStore } from './DatabasePostureStore';
import { LivePostures } from './LivePostures';

jest.setTimeout(90_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const labels = (id: string) => ({ 'backstage.io/kubernetes-id': id });
const app = (id: string, namespace: string, privileged = false) =>
  deployment({
    name: id,
    namespace,
    labels: labels(id),
    podLabels: labels(id),
    podSpec: hardenedPodSpec({
      containers: [
        hardenedContainer('app', {
          securityContext: {
            ...hardenedContainer().securityContext,
            privileged,
          },
        }),
      ],
    }),
  });

const ENTITIES = ['shop', 'pay'].map(id =>
  entity({
    ref: `component:default/${id}`,
    name: id,
    annotations: { 'backstage.io/kubernetes-id': id },
  }),
);

const catalog = {
  listMapped: async () => ENTITIES,
  mappedVersions: async () =>
    new Map(ENTITIES.map(e => [e.ref, undefined] as const)),
  getMapped: async (refs: string[]) =>
    ENTITIES.filter(e => refs.includes(e.ref)),
  groups: async () => new Set(['group:default/team']),
};

const CLUSTER: KubeObject[] = [
  object('Namespace', 'shop'),
  object('Namespace', 'payments'),
  app('shop', 'shop'),
  app('pay', 'payments'),
];

async function until(what: () => Promise<boolean> | boolean, ms = 15_000) {
  const start = Date.now();
  while (!(await what())) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await new Promise(r => setTimeout(r, 25));
  }
}

/** One backend replica: its own watch, posture service and scheduler, on the shared database. */
async function replica(knex: Knex, api: FakeKubernetesApi, leaseSeconds = 3) {
  const logger = mockServices.logger.mock();
  const { kubeConfig: kc, source } = liveSource(api);
  const watch = new ClusterWatch({
    cluster: 'live',
    source,
    kubeConfig: kc,
    logger,
    kinds: KINDS.filter(k => !k.optional),
    backoffMs: 20,
  });
  const store = await DatabasePostureStore.create({
    database: databaseServiceFor(knex),
  });
  const posture = testPostureService({
    logger,
    sources: [new WatchedSource(watch, source)],
    catalog,
    store,
  });
  const live = new LivePostures({ posture, catalog, logger, settleMs: 50 });
  const hooks: LifecycleServiceShutdownHook[] = [];
  const scheduler = DefaultSchedulerService.create({
    database: databaseServiceFor(knex),
    logger,
    metrics: metricsServiceMock.mock(),
    rootLifecycle: {
      addStartupHook: () => {},
      addBeforeShutdownHook: () => {},
      addShutdownHook: (hook: LifecycleServiceShutdownHook) => hooks.push(hook),
    } as any,
    httpRouter: { use: () => {}, addAuthPolicy: () => {} },
    pluginMetadata: { getId: () => 'security-guardrails' },
  });
  return {
    watch,
    store,
    posture,
    live,
    start: () =>
      scheduleClusterWatches(scheduler, {
        watches: [{ watch, leaseSeconds }],
        live,
      }),
    shutdown: async () => {
      for (const hook of hooks) await hook();
    },
  };
}

async function privilegedFails(
  store: DatabasePostureStore,
  ref: string,
): Promise<boolean> {
  const posture = await store.get(ref);
  return (
    posture?.results.some(
      r => r.checkId === 'sc.privileged' && r.status === 'fail',
    ) ?? false
  );
}

describe.each(databases.eachSupportedId())('LivePostures on %s', databaseId => {
  let api: FakeKubernetesApi;
  const stops: Array<() => Promise<void>> = [];

  beforeEach(async () => {
    api = await new FakeKubernetesApi({
      objects: CLUSTER,
      keepAlive: true,
    }).start();
  });

  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await api.stop();
  });

  it('evaluates the services a change reaches within moments, and leaves the others alone', async () => {
    const knex = await databases.init(databaseId);
    const r = await replica(knex, api);
    await r.posture.refreshAll();
    expect(await privilegedFails(r.store, 'component:default/shop')).toBe(
      false,
    );

    const controller = new AbortController();
    const following = r.live.follow(r.watch, controller.signal);
    stops.push(async () => {
      controller.abort();
      await following;
    });
    await r.watch.synced(controller.signal);
    // Followed for the first time: the whole cluster once, from the watch.
    await until(() => r.live.stats.batches === 1);
    await r.live.idle();
    expect(r.live.stats.entities).toBe(2);
    const payBefore = await r.store.get('component:default/pay');

    api.update(app('shop', 'shop', true));
    await until(() => privilegedFails(r.store, 'component:default/shop'));
    await r.live.idle();
    expect(r.live.stats.entities).toBe(3); // the one service the change reaches
    expect((await r.store.get('component:default/pay'))?.evaluatedAt).toBe(
      payBefore?.evaluatedAt,
    );

    // A full refresh while following reads the watched state, not the API.
    const lists = api.requests.filter(q => !q.query.watch).length;
    await r.posture.refreshAll();
    expect(api.requests.filter(q => !q.query.watch).length).toBe(lists);
    expect(await privilegedFails(r.store, 'component:default/shop')).toBe(true);
  });

  it('is followed by one replica at a time, and by the other when that one stops', async () => {
    const knex = await databases.init(databaseId);
    const a = await replica(knex, api);
    const b = await replica(knex, api);
    stops.push(a.shutdown, b.shutdown);
    await a.posture.refreshAll();
    await a.start();
    await b.start();

    await until(() => a.watch.live || b.watch.live);
    // Sampled over more than one lease: never both, never more than one set of watches.
    const kinds = KINDS.filter(k => !k.optional).length;
    const until5s = Date.now() + 5000;
    while (Date.now() < until5s) {
      expect(a.watch.live && b.watch.live).toBe(false);
      expect(api.watches.open).toBeLessThanOrEqual(kinds);
      await new Promise(res => setTimeout(res, 50));
    }

    api.update(app('pay', 'payments', true));
    await until(() => privilegedFails(a.store, 'component:default/pay'));

    // The replica holding the watch now stops; the other takes it over.
    const holder = a.watch.live ? a : b;
    const other = holder === a ? b : a;
    await holder.shutdown();
    await until(() => other.watch.live);
    api.update(app('pay', 'payments', false));
    await until(
      async () => !(await privilegedFails(a.store, 'component:default/pay')),
    );
  });
});

describe('LivePostures mapping', () => {
  it('maps changes with the catalog as the last catalog sync found it', async () => {
    const newcomer = entity({
      ref: 'component:default/newcomer',
      name: 'newcomer',
      annotations: { 'backstage.io/kubernetes-id': 'newcomer' },
    });
    const entities = [ENTITIES[0]];
    const api = await new FakeKubernetesApi({
      objects: [...CLUSTER, app('newcomer', 'other')],
      keepAlive: true,
    }).start();
    const { kubeConfig, source } = liveSource(api);
    const watch = new ClusterWatch({
      cluster: 'live',
      source,
      kubeConfig,
      logger: mockServices.logger.mock(),
      kinds: KINDS.filter(k => !k.optional),
    });
    const evaluated: Array<Set<string> | 'all'> = [];
    const live = new LivePostures({
      posture: {
        evaluateWatched: async (_snapshot, refs) => {
          evaluated.push(refs);
          return refs === 'all' ? entities.length : refs.size;
        },
      },
      catalog: { listMapped: async () => [...entities] },
      logger: mockServices.logger.mock(),
      settleMs: 10,
      mappingTtlMs: 3_600_000,
    });
    const controller = new AbortController();
    const following = live.follow(watch, controller.signal);
    try {
      await until(() => evaluated.length === 1); // the whole cluster, once
      // A change to the newcomer's Deployment, and its batch run.
      const change = async (paused: boolean) => {
        const newcomerApp = app('newcomer', 'other') as any;
        api.update({
          ...newcomerApp,
          spec: { ...newcomerApp.spec, paused },
        });
        await new Promise(r => setTimeout(r, 300));
        await live.idle();
      };
      await change(true); // not in the catalog: reaches no one
      expect(evaluated).toHaveLength(1);
      entities.push(newcomer); // registered; the mapping is not told yet
      await change(false);
      expect(evaluated).toHaveLength(1);
      live.catalogChanged();
      await change(true);
      expect(evaluated[1]).toEqual(new Set(['component:default/newcomer']));
    } finally {
      controller.abort();
      await following;
      await api.stop();
    }
  });
});
