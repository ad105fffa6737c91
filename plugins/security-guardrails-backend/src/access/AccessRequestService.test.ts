/*
 * The request lifecycle end to end: policy, store, grant driver (files and a
 * live cluster through the Kubernetes API test server), sweeps and restarts.
 */
import {
  mockServices,
  TestDatabases,
  createMockDirectory,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { AppliedBinding } from '@internal/backstage-plugin-security-guardrails-common';
import { Knex } from 'knex';
import { FakeKubernetesApi } from '../__testUtils__/fakeKubernetesApi';
import { migrateUp } from '../database/migrate';
import { kubeConfigFor } from '../sources/kubeConfig';
import { AccessPolicy, Actor } from './AccessPolicy';
import { AUTO_APPROVER } from './actors';
import { readAccessConfig } from '../config';
import { databaseServiceFor } from '../__testUtils__/database';
import { DatabaseAccessStore } from './DatabaseAccessStore';
import {
  GrantDriver,
  KubernetesGrantDriver,
  ManifestsGrantDriver,
} from './drivers';
import { ExpirySweeper } from './ExpirySweeper';
import { activeExemptionRules } from './queries';
import { createAccess } from '.';
import { AccessNotifier } from './notifier';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

const LEADS = 'group:default/security-leads';
const WEB = 'group:default/web';
const actor = (name: string, groups: string[]): Actor => ({
  userRef: `user:default/${name}`,
  ownershipRefs: [`user:default/${name}`, ...groups],
});
const dana = actor('dana', [WEB]);
const riley = actor('riley', [WEB]);
const sam = actor('sam', [LEADS]);
const lee = actor('lee', [LEADS]);
const eve = actor('eve', ['group:default/other']);

const entities: Record<string, Entity> = {
  'component:default/storefront': {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: 'storefront',
      annotations: { 'backstage.io/kubernetes-id': 'storefront' },
    },
    spec: { owner: 'web' },
  },
};
const users = (ref: string): Entity | undefined =>
  ref.startsWith('user:')
    ? {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: ref.split('/')[1] },
        spec: { profile: { email: `${ref.split('/')[1]}@example.com` } },
      }
    : undefined;

class Clock {
  constructor(public now = new Date('2026-11-22T12:00:00.000Z')) {}
  advance(seconds: number) {
    this.now = new Date(this.now.getTime() + seconds * 1000);
  }
}

/** A driver whose next N applies or revokes fail, around a real one. */
class FlakyDriver implements GrantDriver {
  applyFailures = 0;
  revokeFailures = 0;
  applies = 0;
  revokes = 0;
  constructor(private readonly inner: GrantDriver) {}
  get cluster() {
    return this.inner.cluster;
  }
  async apply(g: Parameters<GrantDriver['apply']>[0]) {
    this.applies++;
    if (this.applyFailures > 0) {
      this.applyFailures--;
      throw new Error('API server unavailable (503)');
    }
    return this.inner.apply(g);
  }
  async revoke(id: string, b: AppliedBinding[]) {
    this.revokes++;
    if (this.revokeFailures > 0) {
      this.revokeFailures--;
      throw new Error('connection reset');
    }
    return this.inner.revoke(id, b);
  }
  updateExpiry(g: Parameters<GrantDriver['apply']>[0], b: AppliedBinding[]) {
    return this.inner.updateExpiry(g, b);
  }
  listManaged() {
    return this.inner.listManaged();
  }
}

type DriverKind = 'manifests' | 'kubernetes';

async function makeDriver(kind: DriverKind) {
  if (kind === 'manifests') {
    const dir = createMockDirectory();
    const inner = ManifestsGrantDriver.create({
      cluster: 'demo',
      directory: dir.path,
    });
    return {
      inner,
      bindings: async () => (await inner.listManaged()).length,
      cleanup: async () => dir.clear(),
    };
  }
  const api = await new FakeKubernetesApi().start();
  const inner = KubernetesGrantDriver.create({
    cluster: 'demo',
    kubeConfig: kubeConfigFor({
      type: 'kubernetes',
      name: 'demo',
      url: api.url,
      authProvider: 'none',
      skipTLSVerify: true,
    }),
  });
  return {
    inner,
    api,
    bindings: async () => api.list('RoleBinding').length,
    cleanup: () => api.stop(),
  };
}

type SweeperOptions = ConstructorParameters<typeof ExpirySweeper>[0];

async function build(
  knex: Knex,
  driver: GrantDriver,
  clock: Clock,
  config: object = {},
  sweep: Pick<SweeperOptions, 'batch' | 'budgetMs'> = {},
) {
  const store = await DatabaseAccessStore.create({
    database: databaseServiceFor(knex),
  });
  const logger = mockServices.logger.mock();
  const sent: Array<{ to: unknown; title: string }> = [];
  const notifier = new AccessNotifier(
    {
      send: async o =>
        void sent.push({ to: o.recipients.entityRef, title: o.payload.title }),
    },
    logger,
  );
  const drivers = new Map([['demo', driver]]);
  const changed: string[] = [];
  const { requests: service, sweeper } = createAccess({
    store,
    policy: new AccessPolicy(
      readAccessConfig(
        new ConfigReader({ securityGuardrails: { access: config } }),
      ),
    ),
    drivers,
    notifier,
    logger,
    knownChecks: new Set(['sc.readonly-rootfs']),
    context: {
      entity: async ref => entities[ref],
      user: async ref => users(ref),
      targets: async () => ({
        targets: [{ cluster: 'demo', namespaces: ['shop-web', 'shop-jobs'] }],
        excluded: [],
      }),
    },
    onEntityChanged: ref => changed.push(ref),
    now: () => clock.now,
    sweep: { expiryWarningSeconds: 600, ...sweep },
  });
  return { store, service, sweeper, sent, changed };
}

const editRequest = {
  entityRef: 'component:default/storefront',
  role: 'edit',
  cluster: 'demo',
  namespaces: ['shop-web'],
  durationSeconds: 1800,
  justification: 'Debugging INC-4211: checkout errors',
};

describe.each(
  databases
    .eachSupportedId()
    .flatMap(([db]) =>
      (['manifests', 'kubernetes'] as DriverKind[]).map(d => [db, d] as const),
    ),
)('access lifecycle on %s with the %s driver', (databaseId, driverKind) => {
  let knex: Knex;
  let d: Awaited<ReturnType<typeof makeDriver>>;
  let driver: FlakyDriver;
  let clock: Clock;

  beforeEach(async () => {
    knex = await databases.init(databaseId);
    await migrateUp(knex);
    d = await makeDriver(driverKind);
    driver = new FlakyDriver(d.inner);
    clock = new Clock();
  });
  afterEach(async () => {
    await d.cleanup();
    // Each test has a database of its own: its connections go with it, so
    // the file's fifty PostgreSQL tests do not hold a hundred idle ones.
    await knex.destroy();
  });

  it('auto-approves view and applies it at once, the clock starting at apply', async () => {
    const { service, store } = await build(knex, driver, clock);
    const r = await service.create(
      { ...editRequest, role: 'view', durationSeconds: 3600 },
      eve,
    );
    expect(r).toMatchObject({
      state: 'active',
      appliedAt: clock.now.toISOString(),
      expiresAt: '2026-11-22T13:00:00.000Z',
      subject: 'eve@example.com',
    });
    expect(r.bindings).toHaveLength(1);
    expect(await d.bindings()).toBe(1);
    const events = (
      await store.audit({ requestId: r.id }, { limit: 10 })
    ).reverse();
    expect(events.map(e => [e.event, e.actor])).toEqual([
      ['requested', 'user:default/eve'],
      ['approved', AUTO_APPROVER],
      ['applied', 'system:security-guardrails'],
    ]);
  });

  it('runs the demo flow: request edit, refuse self-approval and outsiders, approve, apply, expire', async () => {
    const { service, sweeper, store, sent, changed } = await build(
      knex,
      driver,
      clock,
    );
    const r = await service.create(editRequest, dana);
    expect(r.state).toBe('pending');
    expect(sent[0]).toMatchObject({
      to: [LEADS, WEB],
      title: expect.stringContaining('requests edit'),
    });
    await expect(service.decide(r.id, dana, 'approve')).rejects.toThrow(
      /no-self-approval/,
    );
    await expect(service.decide(r.id, eve, 'approve')).rejects.toThrow(
      /approver-not-allowed/,
    );
    clock.advance(120);
    const approved = await service.decide(r.id, sam, 'approve', 'go ahead');
    expect(approved).toMatchObject({
      state: 'active',
      appliedAt: clock.now.toISOString(),
      expiresAt: '2026-11-22T12:32:00.000Z',
    });
    expect(await d.bindings()).toBe(1);
    expect(changed).toEqual(['component:default/storefront']);

    clock.advance(20 * 60);
    expect((await sweeper.sweep()).warned).toBe(1);
    clock.advance(11 * 60);
    const report = await sweeper.sweep();
    expect(report.ended).toBe(1);
    expect((await store.get(r.id))!.state).toBe('expired');
    expect(await d.bindings()).toBe(0);
    // Sweeping again finds nothing: nothing is revoked twice.
    expect((await sweeper.sweep()).ended).toBe(0);
    const events = (await store.audit({ requestId: r.id }, { limit: 20 }))
      .map(e => e.event)
      .reverse();
    expect(events).toEqual(['requested', 'approved', 'applied', 'expired']);
  });

  it('needs two distinct security leads for admin', async () => {
    const { service } = await build(knex, driver, clock);
    const r = await service.create(
      { ...editRequest, role: 'admin', durationSeconds: 1800 },
      dana,
    );
    await expect(service.decide(r.id, riley, 'approve')).rejects.toThrow(
      /approver-not-allowed/,
    );
    const first = await service.decide(r.id, sam, 'approve');
    expect(first.state).toBe('pending');
    await expect(service.decide(r.id, sam, 'approve')).rejects.toThrow(
      /distinct-approvers/,
    );
    const second = await service.decide(r.id, lee, 'approve');
    expect(second.state).toBe('active');
    expect(second.approvals.map(a => a.approver).sort()).toEqual([
      'user:default/lee',
      'user:default/sam',
    ]);
  });

  it('revokes grants that expired while the backend was down, at the first sweep after restart', async () => {
    const a = await build(knex, driver, clock);
    const r = await a.service.create(editRequest, dana);
    await a.service.decide(r.id, riley, 'approve');
    // The backend stops; time passes beyond the expiry; a new instance starts.
    clock.advance(3 * 3600);
    const b = await build(knex, driver, clock);
    const report = await b.sweeper.sweep();
    expect(report.ended).toBe(1);
    expect((await b.store.get(r.id))!).toMatchObject({
      state: 'expired',
      endedBy: 'system:security-guardrails',
    });
    expect(await d.bindings()).toBe(0);
  });

  it('retries a failing apply with backoff, visibly, then applies', async () => {
    const { service, sweeper, store } = await build(knex, driver, clock);
    driver.applyFailures = 2;
    const r = await service.create(editRequest, dana);
    const after = await service.decide(r.id, riley, 'approve');
    expect(after).toMatchObject({
      state: 'approved',
      attempts: 1,
      lastError: 'API server unavailable (503)',
    });
    expect((await sweeper.sweep()).applied).toBe(0); // not due yet (backoff)
    clock.advance(6);
    expect((await sweeper.sweep()).failures).toBe(1);
    clock.advance(11);
    expect((await sweeper.sweep()).applied).toBe(1);
    const active = (await store.get(r.id))!;
    expect(active).toMatchObject({ state: 'active', attempts: 3 });
    expect(active.lastError).toBeUndefined();
    const failed = (
      await store.audit({ requestId: r.id }, { limit: 20 })
    ).filter(e => e.event === 'failed');
    expect(failed).toHaveLength(2);
    expect(failed[0].details).toMatchObject({ operation: 'apply' });
  });

  it('marks a grant failed after too many apply attempts', async () => {
    const { service, sweeper, store } = await build(knex, driver, clock, {
      maxApplyAttempts: 2,
    });
    driver.applyFailures = 10;
    const r = await service.create(editRequest, dana);
    await service.decide(r.id, riley, 'approve');
    clock.advance(10);
    await sweeper.sweep();
    expect((await store.get(r.id))!).toMatchObject({
      state: 'failed',
      attempts: 2,
    });
    expect(await store.countHolding('user:default/dana')).toBe(0);
  });

  it('keeps retrying a failing revocation, never giving up on it', async () => {
    const { service, sweeper, store } = await build(knex, driver, clock);
    const r = await service.create(editRequest, dana);
    await service.decide(r.id, riley, 'approve');
    driver.revokeFailures = 3;
    clock.advance(1801);
    for (let i = 0; i < 3; i++) {
      await sweeper.sweep();
      expect((await store.get(r.id))!).toMatchObject({
        state: 'active',
        lastError: 'connection reset',
      });
      clock.advance(60);
    }
    await sweeper.sweep();
    expect((await store.get(r.id))!.state).toBe('expired');
    expect(await d.bindings()).toBe(0);
  });

  it('lets the requester revoke early, and an approver too', async () => {
    const { service } = await build(knex, driver, clock);
    const r = await service.create(editRequest, dana);
    await service.decide(r.id, riley, 'approve');
    await expect(service.revoke(r.id, eve, false)).rejects.toThrow(
      /revoke-not-allowed/,
    );
    const revoked = await service.revoke(r.id, dana, false, 'done debugging');
    expect(revoked).toMatchObject({
      state: 'revoked',
      endedBy: 'user:default/dana',
      endReason: 'done debugging',
    });
    expect(await d.bindings()).toBe(0);
  });

  it('extends with a new approval, moving the expiry on the binding too', async () => {
    const { service, store } = await build(knex, driver, clock);
    const r = await service.create(editRequest, dana);
    await service.decide(r.id, riley, 'approve');
    clock.advance(600);
    const ext = await service.extend(r.id, dana, {
      durationSeconds: 1800,
      justification: 'the fix needs another half hour',
    });
    expect(ext).toMatchObject({
      kind: 'extension',
      state: 'pending',
      parentId: r.id,
    });
    await service.decide(ext.id, sam, 'approve');
    const parent = (await store.get(r.id))!;
    expect(parent.expiresAt).toBe('2026-11-22T13:00:00.000Z');
    const managed = await driver.listManaged();
    expect(managed).toHaveLength(1);
    const events = (await store.audit({ requestId: r.id }, { limit: 20 })).map(
      e => e.event,
    );
    expect(events).toContain('extended');
  });

  it('extends view at once, as its policy waives approval', async () => {
    const { service, store } = await build(knex, driver, clock);
    const r = await service.create(
      { ...editRequest, role: 'view', durationSeconds: 3600 },
      dana,
    );
    const ext = await service.extend(r.id, dana, {
      durationSeconds: 3600,
      justification: 'still reading the logs',
    });
    expect(ext.state).toBe('approved');
    expect((await store.get(r.id))!.expiresAt).toBe('2026-11-22T14:00:00.000Z');
  });

  it('keeps one pending extension per grant, also when several are asked at once', async () => {
    const { service, store } = await build(knex, driver, clock);
    const r = await service.create(editRequest, dana);
    await service.decide(r.id, riley, 'approve');
    const asks = await Promise.allSettled(
      [1, 2, 3].map(n =>
        service.extend(r.id, dana, {
          durationSeconds: 600,
          justification: `the fix needs more time (${n})`,
        }),
      ),
    );
    expect(asks.filter(a => a.status === 'fulfilled')).toHaveLength(1);
    for (const a of asks.filter(x => x.status === 'rejected')) {
      expect(String((a as PromiseRejectedResult).reason)).toMatch(
        /extension-pending: this grant already has a pending extension/,
      );
    }
    const pending = await store.list(
      { kinds: ['extension'], parentId: r.id, states: ['pending'] },
      { limit: 10 },
    );
    expect(pending).toHaveLength(1);
  });

  it('never extends a grant past its role maximum from when it was applied', async () => {
    // edit: at most 4 h. Applied at 12:00 for 30 min.
    const { service, store } = await build(knex, driver, clock);
    const r = await service.create(editRequest, dana);
    await service.decide(r.id, riley, 'approve');
    const extendBy = async (seconds: number) => {
      const ext = await service.extend(r.id, dana, {
        durationSeconds: seconds,
        justification: 'the fix needs more time',
      });
      return service.decide(ext.id, sam, 'approve');
    };
    await extendBy(2 * 3600);
    await expect(extendBy(2 * 3600)).rejects.toThrow(
      /duration-out-of-range: .*extended by at most 90 min/,
    );
    await extendBy(90 * 60);
    await expect(extendBy(60)).rejects.toThrow(/duration-out-of-range/);
    expect((await store.get(r.id))!.expiresAt).toBe('2026-11-22T16:00:00.000Z');
  });

  it('refuses a decision on a request past its pending time, before any sweep', async () => {
    const { service, store } = await build(knex, driver, clock, {
      pendingTimeout: { hours: 1 },
    });
    const r = await service.create(editRequest, dana);
    clock.advance(3600);
    await expect(service.decide(r.id, riley, 'approve')).rejects.toThrow(
      /request-timed-out/,
    );
    expect((await store.get(r.id))!.state).toBe('pending');
    expect(await d.bindings()).toBe(0);
  });

  it('cancels pending extensions when the grant ends, and refuses to approve one after', async () => {
    const { service, store } = await build(knex, driver, clock);
    const r = await service.create(editRequest, dana);
    await service.decide(r.id, riley, 'approve');
    const ext = await service.extend(r.id, dana, {
      durationSeconds: 600,
      justification: 'the fix needs more time',
    });
    await service.revoke(r.id, dana, false, 'done');
    expect((await store.get(ext.id))!).toMatchObject({
      state: 'cancelled',
      endReason: 'the grant was revoked',
    });
    await expect(service.decide(ext.id, sam, 'approve')).rejects.toThrow(
      /invalid-state/,
    );
    expect((await store.get(r.id))!.state).toBe('revoked');
    expect(await d.bindings()).toBe(0);
  });

  it('leaves no binding behind when a revocation races an extension, and none missing', async () => {
    const { service, store } = await build(knex, driver, clock, {
      maxActiveGrantsPerUser: 100,
    });
    for (let round = 0; round < 8; round++) {
      // view: extensions need no approval, so extend and revoke both write bindings at once.
      const r = await service.create(
        { ...editRequest, role: 'view', durationSeconds: 1800 },
        dana,
      );
      const edit = await service.create(editRequest, dana);
      await service.decide(edit.id, riley, 'approve');
      const ext = await service.extend(edit.id, dana, {
        durationSeconds: 600,
        justification: 'the fix needs more time',
      });
      await Promise.allSettled([
        service.extend(r.id, dana, {
          durationSeconds: 600,
          justification: 'still reading the logs',
        }),
        service.revoke(r.id, dana, false, 'done'),
        service.decide(ext.id, sam, 'approve'),
        service.revoke(edit.id, riley, false, 'done'),
      ]);
      // A quiet point: the managed RoleBindings are exactly the active grants'.
      const active = await store.list(
        { kinds: ['access'], states: ['active'] },
        { limit: 1000 },
      );
      const managed = await driver.listManaged();
      expect(new Set(managed.map(b => b.grantId))).toEqual(
        new Set(active.filter(a => a.bindings.length).map(a => a.id)),
      );
      expect((await store.get(r.id))!.state).toBe('revoked');
      expect((await store.get(edit.id))!.state).toBe('revoked');
    }
  });

  it('times out pending requests, cancels on request and denies with a reason', async () => {
    const { service, sweeper, store } = await build(knex, driver, clock);
    const a = await service.create(editRequest, dana);
    const b = await service.create(
      { ...editRequest, namespaces: ['shop-jobs'] },
      dana,
    );
    const c = await service.create(
      { ...editRequest, namespaces: ['shop-web', 'shop-jobs'] },
      dana,
    );
    await expect(service.cancel(b.id, riley)).rejects.toThrow(/not-requester/);
    expect((await service.cancel(b.id, dana)).state).toBe('cancelled');
    expect(
      (await service.decide(c.id, riley, 'deny', 'use view instead')).state,
    ).toBe('denied');
    clock.advance(24 * 3600 + 1);
    expect((await sweeper.sweep()).timedOut).toBe(1);
    expect((await store.get(a.id))!.state).toBe('timed-out');
  });

  it('caps concurrent grants per person', async () => {
    const { service } = await build(knex, driver, clock, {
      maxActiveGrantsPerUser: 2,
    });
    await service.create({ ...editRequest, role: 'view' }, dana);
    await service.create(
      { ...editRequest, role: 'view', namespaces: ['shop-jobs'] },
      dana,
    );
    await expect(
      service.create(
        { ...editRequest, role: 'view', namespaces: ['shop-web', 'shop-jobs'] },
        dana,
      ),
    ).rejects.toThrow(/concurrent-grant-limit/);
  });

  it('holds the cap under concurrency: six different requests at once against a cap of three give exactly three', async () => {
    const { service, store } = await build(knex, driver, clock, {
      maxActiveGrantsPerUser: 3,
    });
    const asks = await Promise.allSettled(
      ['view', 'edit'].flatMap(role =>
        [['shop-web'], ['shop-jobs'], ['shop-web', 'shop-jobs']].map(
          namespaces =>
            service.create({ ...editRequest, role, namespaces }, dana),
        ),
      ),
    );
    expect(asks.filter(a => a.status === 'fulfilled')).toHaveLength(3);
    for (const a of asks.filter(x => x.status === 'rejected')) {
      expect(String((a as PromiseRejectedResult).reason)).toMatch(
        /concurrent-grant-limit/,
      );
    }
    expect(await store.countHolding(dana.userRef)).toBe(3);
  });

  it('refuses the same access asked again while the first is pending or held, also at once', async () => {
    const { service, store } = await build(knex, driver, clock);
    const asks = await Promise.allSettled(
      [1, 2, 3].map(() => service.create(editRequest, dana)),
    );
    const made = asks.filter(a => a.status === 'fulfilled');
    expect(made).toHaveLength(1);
    const first = (made[0] as PromiseFulfilledResult<any>).value;
    for (const a of asks.filter(x => x.status === 'rejected')) {
      expect(String((a as PromiseRejectedResult).reason)).toMatch(
        new RegExp(
          `duplicate-request: you already asked for this access and it is pending \\(request ${first.id}\\)`,
        ),
      );
    }
    await service.decide(first.id, riley, 'approve');
    await expect(service.create(editRequest, dana)).rejects.toThrow(
      /duplicate-request: you already have this access until 2026-11-22T12:30:00.000Z/,
    );
    // Another person, another namespace set or another role is not the same access.
    await service.create(editRequest, riley);
    await service.create({ ...editRequest, role: 'view' }, dana);
    // Once it ends, it can be asked again.
    await service.revoke(first.id, dana, false, 'done');
    expect((await service.create(editRequest, dana)).state).toBe('pending');
    expect(await store.countHolding(dana.userRef)).toBe(2);
  });

  it('counts pending requests at creation, and approved or active ones at approval', async () => {
    const { service } = await build(knex, driver, clock, {
      maxActiveGrantsPerUser: 2,
    });
    const pending = await service.create(editRequest, dana);
    await service.create({ ...editRequest, role: 'view' }, dana);
    // One pending and one active: a third is refused.
    await expect(
      service.create({ ...editRequest, role: 'view' }, dana),
    ).rejects.toThrow(/concurrent-grant-limit/);
    await service.cancel(pending.id, dana);
    const edit = await service.create(editRequest, dana);
    await expect(
      service.create({ ...editRequest, role: 'view' }, dana),
    ).rejects.toThrow(/concurrent-grant-limit/);
    // At approval, one other grant is approved or active: under the cap.
    expect((await service.decide(edit.id, riley, 'approve')).state).toBe(
      'active',
    );
  });

  it('refuses an approval that would exceed the cap, and the approver may decide again later', async () => {
    const { service, store } = await build(knex, driver, clock, {
      maxActiveGrantsPerUser: 2,
    });
    const a = await service.create(editRequest, dana);
    const b = await service.create(
      { ...editRequest, namespaces: ['shop-jobs'] },
      dana,
    );
    // Past the store's creation check, as an older version or a restore could leave it.
    const c = await store.create(
      {
        ...a,
        id: '00000000-0000-4000-8000-000000000003',
        namespaces: ['shop-web', 'shop-jobs'],
        pendingExpiresAt: a.pendingExpiresAt!,
      },
      clock.now,
      { actor: dana.userRef },
    );
    await service.decide(a.id, riley, 'approve');
    await service.decide(b.id, riley, 'approve');
    await expect(service.decide(c.id, riley, 'approve')).rejects.toThrow(
      /concurrent-grant-limit: user:default\/dana already holds 2 approved or active grant\(s\); the limit is 2/,
    );
    expect((await store.get(c.id))!).toMatchObject({
      state: 'pending',
      approvals: [],
    });
    await service.revoke(a.id, dana, false, 'done');
    expect((await service.decide(c.id, riley, 'approve')).state).toBe('active');
  });

  it('turns approved exemption requests into engine exemptions until they expire', async () => {
    const { service, sweeper, changed, store } = await build(
      knex,
      driver,
      clock,
    );
    const r = await service.createExemption(
      {
        entityRef: 'component:default/storefront',
        checkId: 'sc.readonly-rootfs',
        durationSeconds: 7 * 86400,
        justification: 'Next.js writes its cache; SHOP-123',
      },
      dana,
    );
    await expect(service.decide(r.id, riley, 'approve')).rejects.toThrow(
      /approver-not-allowed/,
    );
    const active = await service.decide(r.id, sam, 'approve');
    expect(active).toMatchObject({
      state: 'active',
      expiresAt: '2026-11-29T12:00:00.000Z',
    });
    expect(changed).toEqual(['component:default/storefront']);
    expect(await activeExemptionRules(store)).toEqual([
      expect.objectContaining({
        checkId: 'sc.readonly-rootfs',
        entityRef: 'component:default/storefront',
        source: 'request',
        approvedBy: ['user:default/sam'],
      }),
    ]);
    clock.advance(7 * 86400 + 1);
    await sweeper.sweep();
    expect(await activeExemptionRules(store)).toEqual([]);
  });

  it('removes managed bindings that have no active grant', async () => {
    const { service, sweeper, store } = await build(knex, driver, clock);
    const r = await service.create({ ...editRequest, role: 'view' }, dana);
    // The store loses track of it (a restore from an old backup, say).
    await knex('guardrails_access_requests')
      .where('id', r.id)
      .update({ state: 'revoked' });
    expect(await sweeper.reconcile()).toBe(1);
    expect(await d.bindings()).toBe(0);
    const events = await store.audit({ requestId: r.id }, { limit: 10 });
    expect(events[0]).toMatchObject({
      event: 'reconciled',
      reason: 'the grant is revoked',
    });
  });
});

describe.each(databases.eachSupportedId())('two replicas on %s', databaseId => {
  it('apply and revoke each grant once, with one audit event per move, when they sweep together', async () => {
    const knex = await databases.init(databaseId);
    await migrateUp(knex);
    const dir = createMockDirectory();
    const clock = new Clock();
    const inner = ManifestsGrantDriver.create({
      cluster: 'demo',
      directory: dir.path,
    });
    const counting = new FlakyDriver(inner);
    const a = await build(knex, counting, clock);
    const b = await build(knex, counting, clock);
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await a.service.create(
        { ...editRequest, durationSeconds: 600 },
        actor(`dev${i}`, [WEB]),
      );
      ids.push(r.id);
      // Approve without applying in the request path: both replicas' sweeps race to apply.
      await knex('guardrails_access_approvals').insert({
        request_id: r.id,
        approver: 'user:default/sam',
        decision: 'approve',
        at: clock.now.toISOString(),
      });
      await a.store.transition(r, 'pending', 'approved', clock.now, {
        actor: 'user:default/sam',
      });
    }
    await Promise.all([a.sweeper.sweep(), b.sweeper.sweep()]);
    expect(counting.applies).toBe(20);
    clock.advance(601);
    await Promise.all([
      a.sweeper.sweep(),
      b.sweeper.sweep(),
      a.sweeper.sweep(),
    ]);
    expect(counting.revokes).toBe(20);
    const events = await a.store.audit({}, { limit: 1000 });
    for (const id of ids) {
      const mine = events
        .filter(e => e.requestId === id)
        .map(e => e.event)
        .sort();
      expect(mine).toEqual(['applied', 'approved', 'expired', 'requested']);
    }
    expect((await inner.listManaged()).length).toBe(0);
    dir.clear();
  });
});

describe.each(databases.eachSupportedId())(
  'sweeps in batches on %s',
  databaseId => {
    const batch = { timedOut: 5, toApply: 5, toEnd: 5, toWarn: 5 };
    let knex: Knex;
    let dir: ReturnType<typeof createMockDirectory>;
    let clock: Clock;
    let inner: GrantDriver;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      await migrateUp(knex);
      dir = createMockDirectory();
      clock = new Clock();
      inner = ManifestsGrantDriver.create({
        cluster: 'demo',
        directory: dir.path,
      });
    });
    afterEach(async () => {
      dir.clear();
      await knex.destroy();
    });

    /** Twelve applied grants that have all expired by the returned clock. */
    async function twelveExpired(sweep: Pick<SweeperOptions, 'budgetMs'>) {
      const built = await build(knex, inner, clock, {}, { batch, ...sweep });
      for (let i = 0; i < 12; i++) {
        const r = await built.service.create(
          { ...editRequest, durationSeconds: 600 },
          actor(`dev${i}`, [WEB]),
        );
        await built.service.decide(r.id, riley, 'approve');
      }
      expect(await built.store.activeGrantIds()).toHaveProperty('size', 12);
      clock.advance(601);
      return { ...built, due: jest.spyOn(built.store, 'due') };
    }

    it('takes batch after batch within its budget until nothing is due', async () => {
      const { sweeper, store, due } = await twelveExpired({});
      const report = await sweeper.sweep();
      expect(report.ended).toBe(12);
      // 5 + 5 + 2: the short batch says nothing more is due.
      expect(due).toHaveBeenCalledTimes(3);
      expect(await store.activeGrantIds()).toHaveProperty('size', 0);
      expect(await inner.listManaged()).toHaveLength(0);
    });

    it('leaves the rest to the next sweep once its budget is spent', async () => {
      const { sweeper, store, due } = await twelveExpired({ budgetMs: 0 });
      expect((await sweeper.sweep()).ended).toBe(5);
      expect(await store.activeGrantIds()).toHaveProperty('size', 7);
      expect((await sweeper.sweep()).ended).toBe(5);
      expect((await sweeper.sweep()).ended).toBe(2);
      expect(due).toHaveBeenCalledTimes(3);
      expect(await inner.listManaged()).toHaveLength(0);
    });

    it('ends the rest of a batch when one removal fails, and retries that one later', async () => {
      const { sweeper, store } = await twelveExpired({});
      const revoke = jest.spyOn(inner, 'revoke');
      revoke.mockRejectedValueOnce(new Error('connection reset'));
      const report = await sweeper.sweep();
      expect(report).toMatchObject({ ended: 11, failures: 1 });
      const [left] = await store.list({ states: ['active'] }, { limit: 10 });
      // One attempt to apply it, one failed removal.
      expect(left).toMatchObject({
        lastError: 'connection reset',
        attempts: 2,
      });
      expect(await inner.listManaged()).toHaveLength(1);
      // After the backoff (10 s for a second attempt), the next sweep removes it.
      clock.advance(9);
      expect(await sweeper.sweep()).toMatchObject({ ended: 0, failures: 0 });
      clock.advance(2);
      expect(await sweeper.sweep()).toMatchObject({ ended: 1, failures: 0 });
      expect(await inner.listManaged()).toHaveLength(0);
      expect(await store.activeGrantIds()).toHaveProperty('size', 0);
    });

    it('stops when a batch moves nothing, as when another replica holds every lease', async () => {
      const { sweeper, store, due } = await twelveExpired({});
      // Every lease is taken between the sweep's look at what is due and its claim.
      jest.spyOn(store, 'claimMany').mockResolvedValue(new Set());
      const report = await sweeper.sweep();
      expect(report).toMatchObject({ ended: 0, failures: 0 });
      // A full batch says more is due, but retrying at once would spin until the budget.
      expect(due).toHaveBeenCalledTimes(1);
      expect(await store.activeGrantIds()).toHaveProperty('size', 12);
    });
  },
);
