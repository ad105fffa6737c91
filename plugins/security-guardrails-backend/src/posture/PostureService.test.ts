import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ClusterSnapshot, ClusterStateSource, BUILTIN_CHECKS } from '../engine';
import { ManifestsSource } from '../sources/ManifestsSource';
import {
  DEMO_CLUSTER_DIR,
  demoEntities,
  demoGroups,
} from '../__testUtils__/demo';
import {
  deployment,
  entity,
  hardenedContainer,
  hardenedPodSpec,
} from '../__testUtils__/builders';
import { CatalogEntityInfo } from '../catalog/CatalogEntities';
import { databaseServiceFor } from '../__testUtils__/database';
import { testPostureService } from '../__testUtils__/postureService';
import { DatabasePostureStore } from './DatabasePostureStore';
import { PostureQueries } from './PostureQueries';
import { PostureService, RateLimitedError } from './PostureService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** A cluster whose reads we control: fails on demand, recovers later. */
class FlakySource implements ClusterStateSource {
  failing = false;
  reads = 0;
  constructor(
    readonly cluster: string,
    private objects: ClusterSnapshot['objects'],
  ) {}
  async read(): Promise<ClusterSnapshot> {
    this.reads++;
    if (this.failing) {
      return {
        cluster: this.cluster,
        readAt: null,
        status: 'unreachable',
        objects: [],
        errors: [{ message: 'connection refused' }],
      };
    }
    return {
      cluster: this.cluster,
      readAt: new Date().toISOString(),
      status: 'ok',
      objects: this.objects,
      errors: [],
    };
  }
  set(objects: ClusterSnapshot['objects']) {
    this.objects = objects;
  }
}

/** A catalog over a list of entities the test may change. */
function fakeCatalog(
  entities: () => CatalogEntityInfo[],
  groups: () => Promise<Set<string>> = async () =>
    new Set(['group:default/team']),
) {
  return {
    listMapped: async () => entities(),
    mappedVersions: async () =>
      new Map(entities().map(e => [e.ref, e.etag] as const)),
    getMapped: async (refs: string[]) =>
      entities().filter(e => refs.includes(e.ref)),
    groups,
  };
}

async function setup(
  databaseId: Parameters<typeof databases.init>[0],
  sources: ClusterStateSource[],
  entities = [entity()],
  clock = { now: new Date('2026-11-22T12:00:00Z') },
  catalog = fakeCatalog(() => entities),
) {
  const knex = await databases.init(databaseId);
  const store = await DatabasePostureStore.create({
    database: databaseServiceFor(knex),
  });
  const service = testPostureService({
    sources,
    catalog,
    store,
    now: () => clock.now,
  });
  return {
    store,
    service,
    clock,
    queries: new PostureQueries({ store, checks: BUILTIN_CHECKS }),
  };
}

const privileged = deployment({
  podSpec: hardenedPodSpec({
    containers: [
      hardenedContainer('app', {
        securityContext: {
          ...hardenedContainer().securityContext,
          privileged: true,
        },
      }),
    ],
  }),
});

describe.each(databases.eachSupportedId())(
  'PostureService on %s',
  databaseId => {
    it("carries a reader's notices to the posture and leaves active grants ungraded", async () => {
      const grantBinding = {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: {
          name: 'security-guardrails-req-1',
          namespace: 'shop',
          labels: {
            'app.kubernetes.io/managed-by': 'security-guardrails',
            'security-guardrails.io/grant-id': 'req-1',
            'backstage.io/kubernetes-id': 'app',
          },
          annotations: {
            'security-guardrails.io/expires-at': '2026-11-22T14:00:00.000Z',
          },
        },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'ClusterRole',
          name: 'edit',
        },
        subjects: [
          {
            apiGroup: 'rbac.authorization.k8s.io',
            kind: 'User',
            name: 'alice@example.com',
          },
        ],
      };
      const source: ClusterStateSource = {
        cluster: 'a',
        read: async () => ({
          cluster: 'a',
          readAt: '2026-11-22T12:00:00.000Z',
          status: 'ok',
          objects: [deployment(), grantBinding],
          errors: [],
          notices: ['placed 2 namespace-less objects in namespace shop'],
        }),
      };
      const { service: plain, store: plainStore } = await setup(databaseId, [
        source,
      ]);
      await plain.refreshAll();
      const graded = (await plainStore.get('component:default/app'))!;
      expect(graded.clusters[0].notices).toEqual([
        'placed 2 namespace-less objects in namespace shop',
      ]);

      const knex = await databases.init(databaseId);
      const managedStore = await DatabasePostureStore.create({
        database: databaseServiceFor(knex),
      });
      const managed = PostureService.create({
        logger: mockServices.logger.mock(),
        sources: [source],
        catalog: fakeCatalog(() => [entity()]),
        store: managedStore,
        checks: BUILTIN_CHECKS,
        settings: {},
        annotationExemptions: true,
        disabledChecks: [],
        exemptions: async () => [],
        managedGrants: async () => [
          {
            grantId: 'req-1',
            expiresAt: '2026-11-22T14:00:00.000Z',
            clusterRole: 'edit',
            subject: 'alice@example.com',
            bindings: [
              {
                cluster: 'a',
                namespace: 'shop',
                name: 'security-guardrails-req-1',
              },
            ],
          },
        ],
        historyRetentionDays: 180,
        refreshIntervalMs: 30_000,
        now: () => new Date('2026-11-22T12:00:00Z'),
      });
      await managed.refreshAll();
      const during = (await managedStore.get('component:default/app'))!;
      const onBinding = during.results.filter(
        r => r.resource.kind === 'RoleBinding',
      );
      expect(onBinding).toEqual([
        expect.objectContaining({
          status: 'not-applicable',
          temporaryAccess: expect.objectContaining({ grantId: 'req-1' }),
        }),
      ]);
      const withoutBinding = {
        ...source,
        read: async () => ({
          ...(await source.read()),
          objects: [deployment()],
        }),
      };
      const { service: bare, store: bareStore } = await setup(databaseId, [
        withoutBinding,
      ]);
      await bare.refreshAll();
      const baseline = (await bareStore.get('component:default/app'))!;
      expect(during.score.overall.score).toBe(baseline.score.overall.score);
      expect(during.score.overall.explanation).toBe(
        baseline.score.overall.explanation,
      );
    });

    it('keeps the last good result, marked stale, while a cluster is down, and recovers', async () => {
      const a = new FlakySource('a', [deployment()]);
      const b = new FlakySource('b', [
        deployment({
          name: 'other',
          labels: { 'backstage.io/kubernetes-id': 'other' },
          podLabels: { 'backstage.io/kubernetes-id': 'other' },
        }),
      ]);
      const other = entity({
        ref: 'component:default/other',
        name: 'other',
        annotations: { 'backstage.io/kubernetes-id': 'other' },
      });
      const { service, store } = await setup(
        databaseId,
        [a, b],
        [entity(), other],
      );

      await service.refreshAll();
      const before = await store.get('component:default/app');
      expect(before).toMatchObject({
        stale: false,
        mapped: true,
        clusters: [{ cluster: 'a', status: 'ok' }],
      });

      a.failing = true;
      const report = await service.refreshAll();
      expect(report.clusters.find(c => c.cluster === 'a')!.status).toBe(
        'unreachable',
      );
      const during = await store.get('component:default/app');
      expect(during!.stale).toBe(true);
      expect(during!.clusters[0]).toMatchObject({
        cluster: 'a',
        status: 'unreachable',
      });
      expect(during!.score).toEqual(before!.score);
      // The other cluster's services are not affected.
      expect((await store.get('component:default/other'))!.stale).toBe(false);

      a.failing = false;
      a.set([privileged]);
      await service.refreshAll();
      const after = await store.get('component:default/app');
      expect(after!.stale).toBe(false);
      expect(
        after!.results.find(r => r.checkId === 'sc.privileged')!.status,
      ).toBe('fail');
    });

    it('keeps stored postures when a cluster is down from the start (no state in memory)', async () => {
      const a = new FlakySource('a', [deployment()]);
      const first = await setup(databaseId, [a]);
      await first.service.refreshAll();
      // A new process: no last good snapshot in memory, the cluster is down.
      const restarted = testPostureService({
        sources: [Object.assign(new FlakySource('a', []), { failing: true })],
        catalog: fakeCatalog(() => [entity()]),
        store: first.store,
      });
      const report = await restarted.refreshAll();
      expect(report.skippedStale).toBe(1);
      const p = await first.store.get('component:default/app');
      expect(p!.stale).toBe(true);
      expect(p!.results.length).toBeGreaterThan(10);
    });

    it('marks only the entities it evaluates stale in a partial evaluation while a cluster was never read', async () => {
      const other = entity({
        ref: 'component:default/other',
        name: 'other',
        annotations: { 'backstage.io/kubernetes-id': 'other' },
      });
      const a = new FlakySource('a', [
        deployment(),
        deployment({
          name: 'other',
          labels: { 'backstage.io/kubernetes-id': 'other' },
          podLabels: { 'backstage.io/kubernetes-id': 'other' },
        }),
      ]);
      const first = await setup(databaseId, [a], [entity(), other]);
      await first.service.refreshAll();
      const restarted = testPostureService({
        sources: [Object.assign(new FlakySource('a', []), { failing: true })],
        catalog: fakeCatalog(() => [entity(), other]),
        store: first.store,
      });
      const markStale = jest.spyOn(first.store, 'markStale');
      await restarted.refreshEntity(entity(), { force: true });
      expect(markStale.mock.calls.map(c => c[0])).toEqual([
        ['component:default/app'],
      ]);
      expect((await first.store.get('component:default/app'))!.stale).toBe(
        true,
      );
      expect((await first.store.get('component:default/other'))!.stale).toBe(
        false,
      );
    });

    it('accumulates history across refreshes only when something changes', async () => {
      const a = new FlakySource('a', [deployment()]);
      const { service, clock, queries } = await setup(databaseId, [a]);
      await service.refreshAll();
      clock.now = new Date('2026-11-22T12:10:00Z');
      await service.refreshAll();
      clock.now = new Date('2026-11-22T12:20:00Z');
      a.set([privileged]);
      await service.refreshAll();
      const h = await queries.history(
        'component:default/app',
        new Date('2026-11-22T00:00:00Z'),
        new Date('2026-11-23T00:00:00Z'),
      );
      expect(h.scores).toHaveLength(2);
      expect(h.scores[1].at).toBe('2026-11-22T12:20:00.000Z');
      expect(
        h.checks.filter(c => c.checkId === 'sc.privileged').map(c => c.to),
      ).toEqual(['pass', 'fail']);
    });

    it('rate-limits on-demand refreshes per entity', async () => {
      const a = new FlakySource('a', [deployment()]);
      const { service, clock } = await setup(databaseId, [a]);
      await service.refreshEntity(entity());
      await expect(service.refreshEntity(entity())).rejects.toBeInstanceOf(
        RateLimitedError,
      );
      clock.now = new Date(clock.now.getTime() + 31_000);
      await expect(service.refreshEntity(entity())).resolves.toMatchObject({
        entityRef: 'component:default/app',
      });
    });

    it('rate-limits refreshes per caller too, whatever the entities', async () => {
      const a = new FlakySource('a', [deployment()]);
      const many = Array.from({ length: 11 }, (_, i) =>
        entity({ ref: `component:default/app-${i}`, name: `app-${i}` }),
      );
      const { service, clock } = await setup(databaseId, [a], many);
      const caller = 'user:default/dana';
      for (const e of many.slice(0, 10)) {
        await service.refreshEntity(e, { caller });
      }
      const refused = await service
        .refreshEntity(many[10], { caller })
        .catch(e => e);
      expect(refused).toBeInstanceOf(RateLimitedError);
      expect(refused.message).toBe(
        'You refreshed 10 postures in the last minute (the limit is 10); try again in 60 s',
      );
      // Someone else is not held up, and a minute later dana is not either.
      await expect(
        service.refreshEntity(many[10], { caller: 'user:default/riley' }),
      ).resolves.toBeDefined();
      clock.now = new Date(clock.now.getTime() + 60_000);
      await expect(
        service.refreshEntity(
          entity({ ref: 'component:default/app-0', name: 'app-0' }),
          { caller },
        ),
      ).resolves.toBeDefined();
    });

    it('shares one cluster read among refreshes asked at the same moment', async () => {
      const a = new FlakySource('a', [deployment()]);
      const many = Array.from({ length: 5 }, (_, i) =>
        entity({ ref: `component:default/app-${i}`, name: `app-${i}` }),
      );
      const { service } = await setup(databaseId, [a], many);
      const before = a.reads;
      await Promise.all(many.map(e => service.refreshEntity(e)));
      expect(a.reads - before).toBe(1);
    });

    it('forgets entities that left the catalog', async () => {
      const a = new FlakySource('a', [deployment()]);
      const entities = [
        entity(),
        entity({ ref: 'component:default/gone', name: 'gone' }),
      ];
      const { service, store } = await setup(databaseId, [a], entities);
      await service.refreshAll();
      expect(await store.listEntityRefs()).toHaveLength(2);
      entities.pop();
      await service.refreshAll();
      expect(await store.listEntityRefs()).toEqual(['component:default/app']);
    });

    describe('entities the catalog has that were not evaluated', () => {
      const other = (etag?: string, id = 'other') => ({
        ...entity({
          ref: 'component:default/other',
          name: 'other',
          annotations: { 'backstage.io/kubernetes-id': id },
        }),
        ...(etag ? { etag } : {}),
      });
      const otherDeployment = deployment({
        name: 'other',
        labels: { 'backstage.io/kubernetes-id': 'other' },
        podLabels: { 'backstage.io/kubernetes-id': 'other' },
      });

      it('evaluates a posture asked for and missing at once, from the state already read, once however many ask', async () => {
        const a = new FlakySource('a', [deployment(), otherDeployment]);
        // The catalog had only app when the refresh ran.
        const catalog: CatalogEntityInfo[] = [entity()];
        const { service } = await setup(databaseId, [a], catalog);
        await service.refreshAll();
        expect(a.reads).toBe(1);
        const answers = await Promise.all(
          [1, 2, 3, 4, 5].map(() => service.postureFor(other())),
        );
        for (const answer of answers) {
          expect(answer).toMatchObject({
            posture: {
              entityRef: 'component:default/other',
              mapped: true,
              clusters: [{ cluster: 'a', status: 'ok' }],
            },
          });
        }
        expect(a.reads).toBe(1);
      });

      it('reads the clusters once when a posture is asked for before any refresh', async () => {
        const a = new FlakySource('a', [deployment()]);
        const { service } = await setup(databaseId, [a]);
        const answers = await Promise.all([
          service.postureFor(entity()),
          service.postureFor(entity()),
        ]);
        expect(answers.map(x => 'posture' in x)).toEqual([true, true]);
        expect(a.reads).toBe(1);
      });

      it('answers "being evaluated now" when the evaluation takes longer than a request waits, and serves it once stored', async () => {
        let release = () => {};
        const gate = new Promise<void>(r => {
          release = r;
        });
        const a = new FlakySource('a', [deployment()]);
        const slow: ClusterStateSource = {
          cluster: 'a',
          read: async () => {
            await gate;
            return a.read();
          },
        };
        const { service } = await setup(databaseId, [slow]);
        const first = await service.postureFor(entity(), { waitMs: 20 });
        expect(first).toEqual({
          pending: {
            reason: 'evaluating',
            message: expect.stringMatching(
              /^component:default\/app is being evaluated now \(started 2026-11-22T12:00:00.000Z\)/,
            ),
            retryAfterSeconds: 5,
          },
        });
        release();
        await expect(service.postureFor(entity())).resolves.toHaveProperty(
          'posture.entityRef',
          'component:default/app',
        );
        expect(a.reads).toBe(1);
      });

      it('says which cluster it waits for, and since when, instead of grading on catalog checks alone', async () => {
        const a = Object.assign(new FlakySource('a', [deployment()]), {
          failing: true,
        });
        const { service, store, clock } = await setup(databaseId, [a]);
        await service.refreshAll();
        expect(await store.listEntityRefs()).toEqual([]);
        clock.now = new Date('2026-11-22T12:05:00Z');
        const answer = await service.postureFor(entity());
        expect(answer).toEqual({
          pending: {
            reason: 'cluster-unreachable',
            message:
              'Waiting for cluster state: cluster a unreachable since 2026-11-22T12:00:00.000Z (connection refused). It is evaluated as soon as the cluster can be read.',
            retryAfterSeconds: 30,
          },
        });
        // Asked again with nothing new read: the same answer, no re-read.
        await service.postureFor(entity());
        expect(a.reads).toBe(1);
        const status = await service.status(async refs => new Set(refs));
        expect(status).toMatchObject({
          entities: { mapped: 1, evaluated: 0 },
          waiting: [
            {
              entityRef: 'component:default/app',
              reason: expect.stringContaining('cluster a unreachable'),
            },
          ],
          clusters: [{ cluster: 'a', status: 'unreachable' }],
        });
        a.failing = false;
        await service.refreshAll();
        expect(await service.postureFor(entity())).toHaveProperty(
          'posture.mapped',
          true,
        );
      });

      it('catalog sync: evaluates entities that appear, re-evaluates those whose etag changed and forgets those that left, without re-reading', async () => {
        const a = new FlakySource('a', [deployment(), otherDeployment]);
        const catalog: CatalogEntityInfo[] = [{ ...entity(), etag: 'e1' }];
        const { service, store } = await setup(databaseId, [a], catalog);
        await service.refreshAll();
        expect(await service.syncWithCatalog()).toEqual({
          evaluated: 0,
          removed: 0,
          waiting: 0,
        });

        catalog.push(other('o1'));
        expect(await service.syncWithCatalog()).toEqual({
          evaluated: 1,
          removed: 0,
          waiting: 0,
        });
        expect(await store.get('component:default/other')).toMatchObject({
          mapped: true,
        });
        expect(await service.syncWithCatalog()).toMatchObject({ evaluated: 0 });

        // Its mapping changes in the catalog: evaluated again, as it is now.
        catalog[1] = other('o2', 'nothing-runs-here');
        expect(await service.syncWithCatalog()).toMatchObject({ evaluated: 1 });
        expect(await store.get('component:default/other')).toMatchObject({
          mapped: false,
        });

        catalog.shift();
        expect(await service.syncWithCatalog()).toMatchObject({ removed: 1 });
        expect(await store.listEntityRefs()).toEqual([
          'component:default/other',
        ]);
        expect(a.reads).toBe(1);
        expect(await service.status(async refs => new Set(refs))).toEqual({
          entities: { mapped: 1, evaluated: 1, outdated: 0 },
          waiting: [],
          clusters: [
            { cluster: 'a', readAt: expect.any(String), status: 'ok' },
          ],
        });
      });

      it('a full refresh does not forget an entity the catalog added while it ran', async () => {
        const a = new FlakySource('a', [deployment(), otherDeployment]);
        const listed = [entity()];
        const now = [entity(), other()];
        const { service, store } = await setup(
          databaseId,
          [a],
          now,
          undefined,
          {
            ...fakeCatalog(() => now),
            // The full refresh listed the catalog before other arrived.
            listMapped: async () => listed,
          },
        );
        await service.postureFor(other());
        await service.refreshAll();
        expect((await store.listEntityRefs()).sort()).toEqual([
          'component:default/app',
          'component:default/other',
        ]);
      });
    });

    it('evaluates the demo and rolls it up with the numbers the grades imply', async () => {
      const demo = ManifestsSource.create({
        cluster: 'demo',
        paths: [DEMO_CLUSTER_DIR],
      });
      const knex = await databases.init(databaseId);
      const store = await DatabasePostureStore.create({
        database: databaseServiceFor(knex),
      });
      const service = testPostureService({
        sources: [demo],
        catalog: fakeCatalog(demoEntities, async () => demoGroups()),
        store,
        now: () => new Date('2026-11-22T12:00:00Z'),
      });
      await service.refreshAll();
      const summary = await new PostureQueries({
        store,
        checks: BUILTIN_CHECKS,
      }).summary('owner');
      expect(summary.overall.grades).toEqual({
        A: 2,
        B: 2,
        C: 4,
        D: 1,
        F: 1,
        none: 0,
      });
      expect(summary.overall.shareBOrBetter).toBe(0.4);
      const rows = await store.summaryRows();
      const average =
        Math.round(
          (rows.reduce((s, r) => s + r.score!, 0) / rows.length) * 10,
        ) / 10;
      expect(summary.overall.averageScore).toBe(average);
      const payments = summary.groups.find(
        g => g.key === 'group:default/payments-team',
      )!;
      expect(payments).toMatchObject({
        services: 2,
        grades: { A: 1, B: 1, C: 0, D: 0, F: 0, none: 0 },
      });
      expect(
        summary.passRateByCheck.find(p => p.checkId === 'sc.privileged'),
      ).toMatchObject({ fail: 1 });
    });
  },
);
