import { randomUUID } from 'node:crypto';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { migrateDownAll, migrateUp } from '../database/migrate';
import { NewRequest } from './AccessStore';
import { databaseServiceFor } from '../__testUtils__/database';
import { DatabaseAccessStore } from './DatabaseAccessStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const T0 = new Date('2026-11-22T12:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function newRequest(overrides: Partial<NewRequest> = {}): NewRequest {
  return {
    id: randomUUID(),
    kind: 'access',
    entityRef: 'component:default/shop',
    cluster: 'demo',
    namespaces: ['shop-web'],
    role: 'edit',
    clusterRole: 'edit',
    durationSeconds: 1800,
    justification: 'debugging an incident',
    requester: 'user:default/dana',
    subject: 'dana@example.com',
    approvalsRequired: 1,
    approverGroups: ['group:default/web', 'group:default/security-leads'],
    pendingExpiresAt: at(60).toISOString(),
    ...overrides,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseAccessStore on %s',
  databaseId => {
    let knex: Knex;
    let store: DatabaseAccessStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      await migrateUp(knex);
      store = await DatabaseAccessStore.create({
        database: databaseServiceFor(knex),
      });
    });

    it('migrates down and up', async () => {
      await migrateDownAll(knex);
      expect(await knex.schema.hasTable('guardrails_audit')).toBe(false);
      await migrateUp(knex);
      expect(await knex.schema.hasTable('guardrails_access_requests')).toBe(
        true,
      );
    });

    it('stores a request with its requested event', async () => {
      const r = await store.create(newRequest(), T0, {
        actor: 'user:default/dana',
        reason: 'debugging an incident',
      });
      expect(r).toMatchObject({
        state: 'pending',
        approverGroups: ['group:default/security-leads', 'group:default/web'],
        bindings: [],
        attempts: 0,
      });
      const audit = await store.audit({ requestId: r.id }, { limit: 10 });
      expect(audit).toEqual([
        expect.objectContaining({
          event: 'requested',
          actor: 'user:default/dana',
          at: T0.toISOString(),
        }),
      ]);
    });

    it('moves a request once: compare-and-set, with exactly one audit event, even under races', async () => {
      const r = await store.create(newRequest(), T0, {
        actor: 'user:default/dana',
      });
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.transition(
            r,
            'pending',
            'approved',
            at(1),
            { actor: `user:default/a${i}` },
            { approvedAt: at(1).toISOString() },
          ),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const events = await store.audit({ requestId: r.id }, { limit: 20 });
      expect(events.filter(e => e.event === 'approved')).toHaveLength(1);
      // A move from the wrong state does nothing.
      expect(
        await store.transition(r, 'pending', 'denied', at(2), { actor: 'x' }),
      ).toBe(false);
      expect((await store.get(r.id))!.state).toBe('approved');
    });

    it('refuses moves the state machine does not allow', async () => {
      const r = await store.create(newRequest(), T0, {
        actor: 'user:default/dana',
      });
      await expect(
        store.transition(r, 'pending', 'active', at(1), { actor: 'x' }),
      ).rejects.toThrow(/cannot become active/);
    });

    it('keeps decisions distinct per approver', async () => {
      const r = await store.create(newRequest(), T0, {
        actor: 'user:default/dana',
      });
      await store.addDecision(r.id, 'user:default/sam', 'approve', 'ok', at(1));
      await expect(
        store.addDecision(r.id, 'user:default/sam', 'approve', 'again', at(2)),
      ).rejects.toThrow(/distinct-approvers/);
      expect((await store.get(r.id))!.approvals).toEqual([
        expect.objectContaining({
          approver: 'user:default/sam',
          decision: 'approve',
        }),
      ]);
    });

    it('grants one lease at a time for work on a request', async () => {
      const r = await store.create(newRequest(), T0, {
        actor: 'user:default/dana',
      });
      await store.transition(r, 'pending', 'approved', at(1), { actor: 'x' });
      const claims = await Promise.all(
        Array.from({ length: 5 }, () =>
          store.claim(r.id, 'approved', at(2), at(3)),
        ),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await store.claim(r.id, 'approved', at(2.5), at(3.5))).toBe(false);
      expect(await store.claim(r.id, 'approved', at(3), at(4))).toBe(true);
    });

    it('leases many requests at once, each to exactly one of several concurrent claimers', async () => {
      const requests = [];
      for (let i = 0; i < 12; i++) {
        const r = await store.create(
          newRequest({ requester: `user:default/u${i}` }),
          T0,
          { actor: 'x' },
        );
        await store.transition(r, 'pending', 'approved', at(1), {
          actor: 'x',
        });
        requests.push(r);
      }
      const ids = requests.map(r => r.id);
      // Four workers ask for overlapping halves at the same moment.
      const asks = [ids.slice(0, 8), ids.slice(4), ids, ids.slice(2, 10)];
      const taken = await Promise.all(
        asks.map(a => store.claimMany(a, 'approved', at(2), at(3))),
      );
      const all = taken.flatMap(t => [...t]);
      expect(all.sort()).toEqual([...ids].sort());
      taken.forEach((t, i) =>
        [...t].forEach(id => expect(asks[i]).toContain(id)),
      );
      // Held until the lease runs out; a request in another state is never taken.
      expect(await store.claimMany(ids, 'approved', at(2.5), at(3.5))).toEqual(
        new Set(),
      );
      expect(await store.claimMany(ids, 'active', at(3), at(4))).toEqual(
        new Set(),
      );
      expect(
        await store.claimMany(ids.slice(0, 3), 'approved', at(3), at(4)),
      ).toEqual(new Set(ids.slice(0, 3)));
      expect(await store.claimMany([], 'approved', at(3), at(4))).toEqual(
        new Set(),
      );
    });

    it('moves many requests in one transaction, only those still where the move starts, each with its event', async () => {
      const requests = [];
      for (let i = 0; i < 4; i++) {
        requests.push(
          await store.create(
            newRequest({ requester: `user:default/m${i}` }),
            T0,
            {
              actor: 'x',
            },
          ),
        );
      }
      // One was decided by someone else first.
      await store.transition(requests[3], 'pending', 'denied', at(1), {
        actor: 'user:default/sam',
      });
      const moved = await store.transitionMany(
        requests.map(r => ({
          request: r,
          from: 'pending' as const,
          to: 'cancelled' as const,
          audit: { actor: 'user:default/dana', reason: `batch ${r.id}` },
          patch: { endedAt: at(2).toISOString(), endReason: 'batch' },
        })),
        at(2),
      );
      expect(moved).toEqual(new Set(requests.slice(0, 3).map(r => r.id)));
      for (const r of requests.slice(0, 3)) {
        expect(await store.get(r.id)).toMatchObject({
          state: 'cancelled',
          endReason: 'batch',
        });
        const events = await store.audit({ requestId: r.id }, { limit: 10 });
        expect(events.map(e => e.event)).toEqual(['cancelled', 'requested']);
        expect(events[0]).toMatchObject({ reason: `batch ${r.id}` });
      }
      expect((await store.get(requests[3].id))!.state).toBe('denied');
      const denied = await store.audit(
        { requestId: requests[3].id },
        { limit: 10 },
      );
      expect(denied.map(e => e.event)).toEqual(['denied', 'requested']);
      // A move the state machine forbids is refused before anything is written.
      await expect(
        store.transitionMany(
          [
            {
              request: requests[0],
              from: 'cancelled',
              to: 'active',
              audit: { actor: 'x' },
            },
          ],
          at(3),
        ),
      ).rejects.toThrow();
      expect((await store.get(requests[0].id))!.state).toBe('cancelled');
    });

    it('finds what is due: timed-out, to apply, to end, to warn', async () => {
      const pending = await store.create(
        newRequest({
          pendingExpiresAt: at(5).toISOString(),
          namespaces: ['ns-pending'],
        }),
        T0,
        { actor: 'u' },
      );
      const approved = await store.create(
        newRequest({ namespaces: ['ns-approved'] }),
        T0,
        { actor: 'u' },
      );
      await store.transition(approved, 'pending', 'approved', T0, {
        actor: 'x',
      });
      const expiring = await store.create(
        newRequest({ namespaces: ['ns-expiring'] }),
        T0,
        { actor: 'u' },
      );
      await store.transition(expiring, 'pending', 'approved', T0, {
        actor: 'x',
      });
      await store.transition(
        expiring,
        'approved',
        'active',
        T0,
        { actor: 'x' },
        { appliedAt: T0.toISOString(), expiresAt: at(8).toISOString() },
      );
      const later = await store.create(
        newRequest({ namespaces: ['ns-later'] }),
        T0,
        { actor: 'u' },
      );
      await store.transition(later, 'pending', 'approved', T0, { actor: 'x' });
      await store.transition(
        later,
        'approved',
        'active',
        T0,
        { actor: 'x' },
        { appliedAt: T0.toISOString(), expiresAt: at(30).toISOString() },
      );

      const due = await store.due(at(10), 600);
      expect(due.timedOut.map(r => r.id)).toEqual([pending.id]);
      expect(due.toApply.map(r => r.id)).toEqual([approved.id]);
      expect(due.toEnd.map(r => r.id)).toEqual([expiring.id]);
      expect(due.toWarn.map(r => r.id)).toEqual([]);
      expect((await store.due(at(21), 600)).toWarn.map(r => r.id)).toEqual([
        later.id,
      ]);
      // The cap counts what is pending too (the timed-out one has not moved yet).
      expect(await store.countHolding('user:default/dana')).toBe(4);
      expect(await store.activeGrantIds()).toEqual(
        new Set([approved.id, expiring.id, later.id]),
      );
    });

    it('lists by view: mine, to approve, visible to a user', async () => {
      const a = await store.create(
        newRequest({ requester: 'user:default/dana' }),
        at(1),
        { actor: 'u' },
      );
      const b = await store.create(
        newRequest({
          requester: 'user:default/pat',
          approverGroups: ['group:default/payments'],
        }),
        at(2),
        { actor: 'u' },
      );
      expect(
        (await store.list({ requester: 'user:default/dana' })).map(r => r.id),
      ).toEqual([a.id]);
      expect(
        (await store.list({ approvableBy: ['group:default/payments'] })).map(
          r => r.id,
        ),
      ).toEqual([b.id]);
      expect(
        (
          await store.list({
            visibleTo: {
              user: 'user:default/riley',
              groups: ['group:default/web'],
            },
          })
        ).map(r => r.id),
      ).toEqual([a.id]);
      const page1 = await store.list({}, { limit: 1 });
      expect(page1.map(r => r.id)).toEqual([b.id]);
      const page2 = await store.list(
        {},
        { limit: 1, after: `${page1[0].createdAt}|${page1[0].id}` },
      );
      expect(page2.map(r => r.id)).toEqual([a.id]);
    });

    it('filters the audit history and restricts it to what a user took part in', async () => {
      const mine = await store.create(
        newRequest({ requester: 'user:default/dana' }),
        at(1),
        { actor: 'user:default/dana' },
      );
      const decided = await store.create(
        newRequest({ requester: 'user:default/pat' }),
        at(2),
        { actor: 'user:default/pat' },
      );
      await store.addDecision(
        decided.id,
        'user:default/dana',
        'deny',
        'no',
        at(3),
      );
      await store.transition(decided, 'pending', 'denied', at(3), {
        actor: 'user:default/dana',
      });
      const other = await store.create(
        newRequest({
          requester: 'user:default/olga',
          entityRef: 'component:default/ops',
        }),
        at(4),
        { actor: 'user:default/olga' },
      );
      const involving = await store.audit(
        { involving: 'user:default/dana' },
        { limit: 50 },
      );
      expect(new Set(involving.map(e => e.requestId))).toEqual(
        new Set([mine.id, decided.id]),
      );
      const byEntity = await store.audit(
        { entityRef: 'component:default/ops' },
        { limit: 50 },
      );
      expect(byEntity.map(e => e.requestId)).toEqual([other.id]);
      const window = await store.audit(
        { from: at(2).toISOString(), to: at(3).toISOString() },
        { limit: 50 },
      );
      expect(window.map(e => e.event).sort()).toEqual(['denied', 'requested']);
      const page = await store.audit({}, { limit: 2 });
      const next = await store.audit({}, { limit: 2, before: page[1].id });
      expect(next[0].id).toBeLessThan(page[1].id);
    });
  },
);
