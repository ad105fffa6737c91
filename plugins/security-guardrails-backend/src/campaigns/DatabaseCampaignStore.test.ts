import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  ANY_CAMPAIGN_SCOPE,
  Campaign,
  CheckResult,
  scoreResults,
} from '@internal/backstage-plugin-security-guardrails-common';
import { databaseServiceFor } from '../__testUtils__/database';
import { DatabasePostureStore } from '../posture/DatabasePostureStore';
import { PostureRecord } from '../posture/PostureStore';
import { DatabaseCampaignStore } from './DatabaseCampaignStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const NOW = new Date('2026-12-04T12:00:00.000Z');

/** Where a record's objects run, and its catalog tags. */
interface Placement {
  cluster?: string;
  namespace?: string;
  tags?: string[];
}

function result(
  checkId: string,
  status: CheckResult['status'],
  at: Placement = {},
): CheckResult {
  return {
    checkId,
    status,
    severity: 'high',
    domain: 'implementation',
    resource: {
      cluster: at.cluster ?? 'demo',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: at.namespace ?? 'shop',
      name: 'app',
    },
    message: status,
  };
}

function record(
  name: string,
  owner: string,
  lifecycle: string,
  statuses: Record<string, CheckResult['status']>,
  at: Placement = {},
): PostureRecord {
  const results = Object.entries(statuses).map(([id, s]) => result(id, s, at));
  return {
    entityRef: `component:default/${name}`,
    owner,
    lifecycle,
    ...(at.tags ? { tags: at.tags } : {}),
    evaluatedAt: NOW.toISOString(),
    stale: false,
    mapped: true,
    clusters: [
      {
        cluster: at.cluster ?? 'demo',
        readAt: NOW.toISOString(),
        status: 'ok',
      },
    ],
    score: scoreResults(results),
    results,
  };
}

function campaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    name: 'No root',
    description: '',
    owner: 'group:default/security-leads',
    state: 'active',
    startsAt: '2026-12-01T00:00:00.000Z',
    deadline: '2026-12-29T00:00:00.000Z',
    target: { checkIds: ['sc.non-root', 'sc.priv-escalation'] },
    scope: { ...ANY_CAMPAIGN_SCOPE, lifecycles: ['production'] },
    createdBy: 'user:default/sam',
    createdAt: NOW.toISOString(),
    updatedBy: 'user:default/sam',
    updatedAt: NOW.toISOString(),
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseCampaignStore on %s',
  id => {
    let store: DatabaseCampaignStore;
    let postures: DatabasePostureStore;

    beforeEach(async () => {
      const knex = await databases.init(id as TestDatabaseId);
      const database = databaseServiceFor(knex);
      postures = await DatabasePostureStore.create({ database });
      store = await DatabaseCampaignStore.create({ database });
      await postures.save(
        [
          // Done: both checks pass, or one is exempt.
          record('a', 'group:default/web', 'production', {
            'sc.non-root': 'pass',
            'sc.priv-escalation': 'pass',
          }),
          record('b', 'group:default/web', 'production', {
            'sc.non-root': 'exempt',
            'sc.priv-escalation': 'pass',
          }),
          // Not done: one or two target checks fail.
          record('c', 'group:default/pay', 'production', {
            'sc.non-root': 'fail',
            'sc.priv-escalation': 'pass',
          }),
          record('d', 'group:default/pay', 'production', {
            'sc.non-root': 'fail',
            'sc.priv-escalation': 'fail',
          }),
          // Out of scope: not production.
          record('e', 'group:default/pay', 'experimental', {
            'sc.non-root': 'fail',
          }),
        ],
        NOW,
      );
    });

    it('counts what is done in the database, by owner, most to do first', async () => {
      const p = await store.progress(campaign());
      expect(p).toMatchObject({ services: 4, done: 2 });
      expect(p.byOwner).toEqual([
        { owner: 'group:default/pay', services: 2, done: 0 },
        { owner: 'group:default/web', services: 2, done: 2 },
      ]);
      expect(p.remaining.map(r => [r.entityRef, r.failingChecks])).toEqual([
        ['component:default/d', ['sc.non-root', 'sc.priv-escalation']],
        ['component:default/c', ['sc.non-root']],
      ]);
    });

    it.each([
      ['checks', { checkIds: ['sc.non-root', 'sc.priv-escalation'] }],
      ['a grade', { checkIds: [], minGrade: 'A' as const }],
      [
        'checks and a domain grade',
        {
          checkIds: ['sc.priv-escalation'],
          minGrade: 'B' as const,
          domain: 'implementation' as const,
        },
      ],
    ])(
      'counts in the database what each service alone shows, with %s',
      async (_what, target) => {
        const c = campaign({ target, scope: ANY_CAMPAIGN_SCOPE });
        const all = await store.progress(c);
        const each = await Promise.all(
          ['a', 'b', 'c', 'd', 'e'].map(
            async n =>
              (
                await store.progress(c, { entityRef: `component:default/${n}` })
              ).remaining[0],
          ),
        );
        const notDone = each.filter(s => !s.done);
        expect(all.services).toBe(5);
        expect(all.done).toBe(5 - notDone.length);
        expect(new Set(all.remaining)).toEqual(new Set(notDone));
        for (const o of all.byOwner) {
          const mine = each.filter(s => s.owner === o.owner);
          expect(o).toEqual({
            owner: o.owner,
            services: mine.length,
            done: mine.filter(s => s.done).length,
          });
        }
        // Most failing target checks first, then below the grade.
        const order = all.remaining.map(r => [
          r.failingChecks.length,
          Number(r.belowGrade),
        ]);
        expect(order).toEqual(
          [...order].sort((x, y) => y[0] - x[0] || y[1] - x[1]),
        );
        const first = await store.progress(c, { limit: 1 });
        expect(first.remaining).toEqual(all.remaining.slice(0, 1));
      },
    );

    it('replays the history into a burn-down from before the start, and finds who regressed', async () => {
      const day = (n: number) =>
        new Date(Date.parse('2026-12-01T12:00:00.000Z') + n * 86_400_000);
      const save = (n: number, recs: PostureRecord[]) =>
        postures.save(recs, day(n));
      // f: failing until day 2; g: passing until day 3, then failing (regressed).
      await save(-3, [
        record('f', 'group:default/web', 'production', {
          'sc.non-root': 'fail',
        }),
        record('g', 'group:default/web', 'production', {
          'sc.non-root': 'pass',
        }),
      ]);
      await save(2, [
        record('f', 'group:default/web', 'production', {
          'sc.non-root': 'pass',
        }),
      ]);
      await save(3, [
        record('g', 'group:default/web', 'production', {
          'sc.non-root': 'fail',
        }),
      ]);
      const c = campaign({
        startsAt: '2026-12-01T00:00:00.000Z',
        scope: { ...ANY_CAMPAIGN_SCOPE, owners: ['group:default/web'] },
      });
      const from = Date.parse('2026-11-27T00:00:00.000Z');
      const b = await store.burndown(c, {
        from,
        to: Date.parse('2026-12-05T23:59:59.999Z'),
      });
      const byDate = Object.fromEntries(
        b.points.map(p => [p.date, [p.services, p.done]]),
      );
      // a and b (saved at NOW, 2026-12-04) appear on the 4th; f and g from 28 Nov.
      expect(byDate['2026-11-27']).toEqual([0, 0]);
      expect(byDate['2026-11-28']).toEqual([2, 1]); // g passes, f fails
      expect(byDate['2026-12-03']).toEqual([2, 2]); // f fixed on the 3rd
      expect(byDate['2026-12-02']).toEqual([2, 1]);
      expect(byDate['2026-12-04']).toEqual([4, 3]); // a and b arrive done; g broke
      expect(b.regressed).toEqual([
        {
          entityRef: 'component:default/g',
          owner: 'group:default/web',
          metOn: '2026-12-01',
        },
      ]);
    });

    it('scopes by catalog tags, namespaces and clusters: every list given must match, any value of a list', async () => {
      const fails = { 'sc.non-root': 'fail' as const };
      await postures.save(
        [
          record('t1', 'group:default/web', 'production', fails, {
            tags: ['pci', 'java'],
            cluster: 'eu-1',
            namespace: 'cards',
          }),
          record('t2', 'group:default/web', 'production', fails, {
            tags: ['pci'],
            cluster: 'us-1',
            namespace: 'cards',
          }),
          record('t3', 'group:default/web', 'production', fails, {
            tags: ['java'],
            cluster: 'eu-1',
            namespace: 'shop',
          }),
        ],
        NOW,
      );
      const scoped = async (scope: Partial<Campaign['scope']>) => {
        const p = await store.progress(
          campaign({ scope: { ...ANY_CAMPAIGN_SCOPE, ...scope } }),
        );
        return p.remaining.map(r => r.entityRef.split('/')[1]).sort();
      };
      expect(await scoped({ tags: ['pci'] })).toEqual(['t1', 't2']);
      expect(await scoped({ tags: ['pci', 'java'] })).toEqual([
        't1',
        't2',
        't3',
      ]);
      expect(await scoped({ clusters: ['eu-1'] })).toEqual(['t1', 't3']);
      expect(await scoped({ namespaces: ['cards'] })).toEqual(['t1', 't2']);
      expect(await scoped({ tags: ['pci'], clusters: ['eu-1'] })).toEqual([
        't1',
      ]);
      expect(await scoped({ tags: ['go'] })).toEqual([]);

      // An entity's campaigns follow the same rule.
      await store.create(
        campaign({
          scope: { ...ANY_CAMPAIGN_SCOPE, tags: ['pci'], clusters: ['eu-1'] },
        }),
      );
      expect(await store.activeFor('component:default/t1')).toHaveLength(1);
      expect(await store.activeFor('component:default/t2')).toEqual([]);
      expect(await store.activeFor('component:default/t3')).toEqual([]);

      // Tags follow the catalog: t1's next posture, without pci, drops it.
      await postures.save(
        [
          record('t1', 'group:default/web', 'production', fails, {
            tags: ['java'],
            cluster: 'eu-1',
            namespace: 'cards',
          }),
        ],
        NOW,
      );
      expect(await scoped({ tags: ['pci'] })).toEqual(['t2']);
      // Stored again as it was: its facets stay as they were.
      await postures.save(
        [
          record('t3', 'group:default/web', 'production', fails, {
            tags: ['java'],
            cluster: 'eu-1',
            namespace: 'shop',
          }),
        ],
        NOW,
      );
      expect(await scoped({ tags: ['java'] })).toEqual(['t1', 't3']);
      expect(await scoped({ namespaces: ['shop'] })).toContain('t3');
      await postures.deleteEntities(['component:default/t2']);
      expect(await scoped({ tags: ['pci'] })).toEqual([]);
    });

    it('counts each day of the burn-down over the services in scope that day', async () => {
      const day = (n: number) =>
        new Date(Date.parse('2026-12-01T12:00:00.000Z') + n * 86_400_000);
      // h passes throughout; web's from day 0 to day 2, then pay's; gone on day 4.
      const h = (owner: string) =>
        record('h', owner, 'production', { 'sc.non-root': 'pass' });
      await postures.save([h('group:default/web')], day(0));
      await postures.save([h('group:default/pay')], day(2));
      const web = campaign({
        scope: { ...ANY_CAMPAIGN_SCOPE, owners: ['group:default/web'] },
      });
      const pay = campaign({
        scope: { ...ANY_CAMPAIGN_SCOPE, owners: ['group:default/pay'] },
      });
      const range = {
        from: Date.parse('2026-12-01T00:00:00.000Z'),
        to: Date.parse('2026-12-03T23:59:59.999Z'),
      };
      const hOn = async (c: Campaign) =>
        Object.fromEntries(
          (await store.burndown(c, range)).points.map(p => [p.date, p.done]),
        );
      // a and b (web) arrive done on 4 Dec, outside the range: only h counts here.
      expect(await hOn(web)).toEqual({
        '2026-12-01': 1,
        '2026-12-02': 1,
        '2026-12-03': 0,
      });
      expect(await hOn(pay)).toEqual({
        '2026-12-01': 0,
        '2026-12-02': 0,
        '2026-12-03': 1,
      });
      // Gone from the catalog: counted nowhere from then on.
      await postures.deleteEntities(['component:default/h']);
      const later = await store.burndown(pay, {
        from: range.from,
        to: Date.now() + 86_400_000,
      });
      expect(later.points.at(-1)?.done).toBe(0);
      expect(later.points.find(p => p.date === '2026-12-03')?.done).toBe(1);
    });

    it('keeps a campaign as it was when someone else changed it first', async () => {
      const c = await store.create(campaign());
      const first = {
        ...c,
        name: 'First',
        updatedAt: '2026-12-04T12:00:01.000Z',
      };
      expect(await store.update(first, c.updatedAt)).toBe(true);
      const second = {
        ...c,
        name: 'Second',
        updatedAt: '2026-12-04T12:00:02.000Z',
      };
      expect(await store.update(second, c.updatedAt)).toBe(false);
      expect((await store.get(c.id))?.name).toBe('First');
    });

    it('finds the active campaigns whose scope covers an entity', async () => {
      await store.create(campaign());
      await store.create(
        campaign({
          id: '22222222-2222-4222-8222-222222222222',
          state: 'draft',
        }),
      );
      expect(
        (await store.activeFor('component:default/c')).map(c => c.id),
      ).toEqual(['11111111-1111-4111-8111-111111111111']);
      expect(await store.activeFor('component:default/e')).toEqual([]);
    });
  },
);
