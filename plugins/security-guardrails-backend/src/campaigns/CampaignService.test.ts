import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  ANY_CAMPAIGN_SCOPE,
  CheckResult,
} from '@internal/backstage-plugin-security-guardrails-common';
import { databaseServiceFor } from '../__testUtils__/database';
import { nonRootRecord } from '../__testUtils__/postures';
import { DatabasePostureStore } from '../posture/DatabasePostureStore';
import { CampaignService } from './CampaignService';
import { DatabaseCampaignStore } from './DatabaseCampaignStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const DAY = 86_400_000;
const START = Date.parse('2026-12-01T00:00:00.000Z');
const DEADLINE = START + 14 * DAY;

const record = (name: string, status: CheckResult['status']) =>
  nonRootRecord(
    name,
    'group:default/web',
    status,
    new Date(START).toISOString(),
  );

const input = {
  name: 'No root',
  description: '',
  owner: 'group:default/security-leads',
  startsAt: new Date(START).toISOString(),
  deadline: new Date(DEADLINE).toISOString(),
  target: { checkIds: ['sc.non-root'] },
  scope: ANY_CAMPAIGN_SCOPE,
  state: 'active' as const,
};

describe.each(databases.eachSupportedId())(
  'CampaignService deadlines on %s',
  id => {
    let store: DatabaseCampaignStore;
    let postures: DatabasePostureStore;
    let now: number;
    let auditor: ReturnType<typeof mockServices.auditor.mock>;
    const replica = () =>
      new CampaignService({
        store,
        knownChecks: new Set(['sc.non-root']),
        auditor,
        logger: mockServices.logger.mock(),
        now: () => new Date(now),
      });

    beforeEach(async () => {
      const knex = await databases.init(id as TestDatabaseId);
      const database = databaseServiceFor(knex);
      postures = await DatabasePostureStore.create({ database });
      store = await DatabaseCampaignStore.create({ database });
      auditor = mockServices.auditor.mock();
      auditor.createEvent.mockResolvedValue({
        success: jest.fn(),
        fail: jest.fn(),
      } as any);
      now = START;
    });

    const audited = () =>
      auditor.createEvent.mock.calls.map(([e]) => e.meta?.action);

    it('ends a campaign met at its deadline, once across two replicas', async () => {
      await postures.save([record('a', 'pass')], new Date(START + DAY));
      const c = await replica().create(input, 'user:default/sam');
      now = DEADLINE - 1;
      expect(await replica().settleDeadlines()).toBe(0);
      now = DEADLINE + 60_000;
      const changed = await Promise.all([
        replica().settleDeadlines(),
        replica().settleDeadlines(),
      ]);
      expect(changed[0] + changed[1]).toBe(1);
      expect(await store.get(c.id)).toMatchObject({
        state: 'ended',
        outcome: 'met',
        endedAt: new Date(now).toISOString(),
        updatedBy: 'system:security-guardrails',
      });
      expect(audited()).toEqual(['created', 'ended']);
    });

    it('decides as the services stood at the deadline, even when it runs late', async () => {
      // Failing at the deadline, fixed two days after; settled only then.
      await postures.save([record('a', 'fail')], new Date(START + DAY));
      await postures.save([record('a', 'pass')], new Date(DEADLINE + 2 * DAY));
      const c = await replica().create(input, 'user:default/sam');
      now = DEADLINE + 3 * DAY;
      expect(await replica().settleDeadlines()).toBe(1);
      // Missed, and still active: overdue until every service meets it.
      expect(await store.get(c.id)).toMatchObject({
        state: 'active',
        outcome: 'missed',
      });
      // The next run sees it met now: it ends, and stays missed.
      expect(await replica().settleDeadlines()).toBe(1);
      expect(await store.get(c.id)).toMatchObject({
        state: 'ended',
        outcome: 'missed',
      });
      expect(audited()).toEqual(['created', 'deadline-passed', 'ended']);
      expect(await replica().settleDeadlines()).toBe(0);
    });

    it('keeps a missed campaign active while a service is still failing, and a lead ending it keeps the outcome', async () => {
      await postures.save([record('a', 'fail')], new Date(START + DAY));
      const c = await replica().create(input, 'user:default/sam');
      now = DEADLINE + DAY;
      await replica().settleDeadlines();
      expect(await replica().settleDeadlines()).toBe(0);
      expect((await store.get(c.id))?.state).toBe('active');
      // Every service meets it a day later, and the lead ends it by hand first.
      await postures.save([record('a', 'pass')], new Date(now));
      const ended = await replica().update(
        c.id,
        { state: 'ended' },
        'user:default/sam',
      );
      expect(ended).toMatchObject({ state: 'ended', outcome: 'missed' });
    });

    it('records what the deadline decided when a lead ends a campaign before it was settled', async () => {
      // Failing at the deadline, fixed the day after; ended by hand then.
      await postures.save([record('a', 'fail')], new Date(START + DAY));
      await postures.save([record('a', 'pass')], new Date(DEADLINE + DAY));
      const c = await replica().create(input, 'user:default/sam');
      now = DEADLINE + 2 * DAY;
      const ended = await replica().update(
        c.id,
        { state: 'ended' },
        'user:default/sam',
      );
      expect(ended).toMatchObject({ state: 'ended', outcome: 'missed' });
      // Ended before its deadline, it is decided by the postures as stored.
      const early = await replica().create(input, 'user:default/sam');
      now = DEADLINE - DAY;
      expect(
        await replica().update(
          early.id,
          { state: 'ended' },
          'user:default/sam',
        ),
      ).toMatchObject({ outcome: 'met' });
    });

    it('decides again at a deadline moved later', async () => {
      await postures.save([record('a', 'fail')], new Date(START + DAY));
      const c = await replica().create(input, 'user:default/sam');
      now = DEADLINE + DAY;
      await replica().settleDeadlines();
      const moved = await replica().update(
        c.id,
        { deadline: new Date(DEADLINE + 10 * DAY).toISOString() },
        'user:default/sam',
      );
      expect(moved.outcome).toBeUndefined();
      expect((await store.get(c.id))?.outcome).toBeUndefined();
    });

    it('counts days left as the portal shows the deadline, and a missed deadline as overdue at once', async () => {
      const c = await replica().create(input, 'user:default/sam');
      const daysLeft = async (at: number) => {
        now = at;
        return (await replica().progress(c.id)).daysLeft;
      };
      const HOUR = DAY / 24;
      // 13.7 days reads "in 14 days", and so many days left.
      expect(await daysLeft(DEADLINE - 13.7 * DAY)).toBe(14);
      expect(await daysLeft(DEADLINE - 3.3 * DAY)).toBe(3);
      expect(await daysLeft(DEADLINE - 20 * HOUR)).toBe(1);
      expect(await daysLeft(DEADLINE - 5 * HOUR)).toBe(0);
      expect(await daysLeft(DEADLINE)).toBe(0);
      // An hour past it is a day overdue, not due today.
      expect(await daysLeft(DEADLINE + HOUR)).toBe(-1);
      expect(await daysLeft(DEADLINE + 2.2 * DAY)).toBe(-2);
    });

    it('counts progress again only when the target, the scope or a posture changed', async () => {
      await postures.save([record('a', 'fail')], new Date(START + DAY));
      const service = replica();
      const c = await service.create(input, 'user:default/sam');
      const counts = jest.spyOn(store, 'progress');
      const [first, second] = await Promise.all([
        service.progress(c.id),
        service.progress(c.id),
      ]);
      expect(await service.progress(c.id)).toMatchObject({ done: 0 });
      expect(first).toMatchObject({ services: 1, done: 0 });
      expect(second).toEqual(first);
      expect(counts).toHaveBeenCalledTimes(1);
      // A posture stored: counted again, and right.
      await postures.save([record('a', 'pass')], new Date(START + 2 * DAY));
      expect(await service.progress(c.id)).toMatchObject({ done: 1 });
      // A new name is shown, and counts nothing again.
      await service.update(
        c.id,
        { name: 'No root, anywhere' },
        'user:default/sam',
      );
      expect((await service.progress(c.id)).campaign.name).toBe(
        'No root, anywhere',
      );
      expect(counts).toHaveBeenCalledTimes(2);
      // A new scope is counted again.
      await service.update(
        c.id,
        { scope: { ...ANY_CAMPAIGN_SCOPE, owners: ['group:default/pay'] } },
        'user:default/sam',
      );
      expect(await service.progress(c.id)).toMatchObject({ services: 0 });
      expect(counts).toHaveBeenCalledTimes(3);
    });

    it('counts active campaigns ahead of requests when postures change, once per change', async () => {
      await postures.save([record('a', 'fail')], new Date(START + DAY));
      const service = replica();
      const c = await service.create(input, 'user:default/sam');
      await service.create(
        { ...input, name: 'A draft', state: 'draft' },
        'user:default/sam',
      );
      await service.warm();
      const counts = jest.spyOn(store, 'progress');
      // Nothing changed since: nothing is counted again.
      await service.warm();
      expect(counts).toHaveBeenCalledTimes(0);
      await postures.save([record('a', 'pass')], new Date(START + 2 * DAY));
      await Promise.all([service.warm(), service.warm()]);
      expect(counts).toHaveBeenCalledTimes(1);
      // The request is served from the count made ahead.
      expect(await service.progress(c.id)).toMatchObject({ done: 1 });
      expect(counts).toHaveBeenCalledTimes(1);
    });

    it('decides nothing before the first full evaluation, nor before any service in scope had a posture', async () => {
      const c = await replica().create(input, 'user:default/sam');
      now = DEADLINE + DAY;
      expect(await replica().settleDeadlines()).toBe(0);
      // Evaluated, but the only service came after the deadline.
      await postures.save([record('a', 'pass')], new Date(now));
      const waiting = new CampaignService({
        store,
        knownChecks: new Set(['sc.non-root']),
        logger: mockServices.logger.mock(),
        now: () => new Date(now),
        evaluated: async () => false,
      });
      expect(await waiting.settleDeadlines()).toBe(0);
      expect(await replica().settleDeadlines()).toBe(0);
      expect(await store.get(c.id)).toMatchObject({ state: 'active' });
      expect((await store.get(c.id))?.outcome).toBeUndefined();
    });
  },
);
