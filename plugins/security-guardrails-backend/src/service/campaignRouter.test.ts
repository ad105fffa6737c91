/*
 * Campaigns over the demo: create, validate, start, edit, end; progress
 * counted in the database and checked against the posture list's own
 * filters; an entity's active campaigns with what it still lacks.
 */
import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import {
  demoClusterConfig,
  startGuardrailsBackend,
  waitForPostures,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const API = '/api/security-guardrails';
const as = (name: string) => ({
  Authorization: mockCredentials.user.header(`user:default/${name}`),
});

const noRoot = {
  name: 'No root in production',
  description:
    'Why: a root container escapes more easily. [Guide](https://kubernetes.io/docs/concepts/security/pod-security-standards/)',
  owner: 'group:default/security-leads',
  startsAt: '2026-12-01T00:00:00.000Z',
  deadline: '2026-12-29T00:00:00.000Z',
  target: { checkIds: ['sc.non-root', 'sc.priv-escalation'] },
  scope: { lifecycles: ['production'] },
};

describe('campaigns API', () => {
  const grants = createMockDirectory();
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;
  let server: any;

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      policy: (permission, principal) =>
        permission !== 'security-guardrails.campaign.manage' ||
        principal === 'user:default/sam',
      config: demoClusterConfig(grants.path),
    });
    server = backend.server;
    await waitForPostures(server);
  });
  afterAll(async () => {
    await backend?.stop();
    grants.clear();
  });

  const get = async (path: string, who = 'dana') => {
    const res = await request(server).get(`${API}${path}`).set(as(who));
    expect(res.status).toBe(200);
    return res.body;
  };

  it('creates a draft, starts it, edits it, ends it with its outcome', async () => {
    const created = await request(server)
      .post(`${API}/campaigns`)
      .set(as('sam'))
      .send(noRoot);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      ...noRoot,
      state: 'draft',
      scope: { owners: [], systems: [], lifecycles: ['production'] },
      createdBy: 'user:default/sam',
    });
    const id = created.body.id;
    expect((await get('/campaigns')).items.map((c: any) => c.id)).toContain(id);

    // A draft applies to no one yet.
    expect(
      (await get('/campaigns/entity/component/default/catalog-search')).items,
    ).toEqual([]);

    const started = await request(server)
      .put(`${API}/campaigns/${id}`)
      .set(as('sam'))
      .send({ state: 'active' });
    expect(started.status).toBe(200);
    expect(started.body.state).toBe('active');

    // Progress, in the database, agrees with the posture list's own filters.
    const progress = await get(`/campaigns/${id}/progress`);
    const failing = new Set<string>();
    for (const check of noRoot.target.checkIds) {
      for (const item of (
        await get(
          `/posture?lifecycle=production&failingCheck=${check}&limit=500`,
        )
      ).items) {
        failing.add(item.entityRef);
      }
    }
    const production = (await get('/posture?lifecycle=production&limit=500'))
      .items.length;
    expect(production).toBe(9);
    expect(progress).toMatchObject({ services: 9, done: 9 - failing.size });
    expect(failing.size).toBeGreaterThan(0);
    expect(
      progress.byOwner.reduce((n: number, o: any) => n + o.services, 0),
    ).toBe(9);
    expect(new Set(progress.remaining.map((r: any) => r.entityRef))).toEqual(
      failing,
    );
    for (const r of progress.remaining) {
      expect(r.failingChecks.length).toBeGreaterThan(0);
      expect(r.done).toBe(false);
    }

    // The entity page's view: the active campaign, days left, what is left.
    const someFailing = [...failing][0].split(/[:/]/);
    const mine = await get(
      `/campaigns/entity/${someFailing[0]}/${someFailing[1]}/${someFailing[2]}`,
    );
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0].campaign.id).toBe(id);
    expect(mine.items[0].status.done).toBe(false);
    expect(typeof mine.items[0].daysLeft).toBe('number');
    // legacy-admin is deprecated: out of this campaign's scope.
    expect(
      (await get('/campaigns/entity/component/default/legacy-admin')).items,
    ).toEqual([]);

    // An exemption may name the campaign it concerns, and the campaign shows it.
    const exempt = (body: object) =>
      request(server)
        .post(`${API}/exemption-requests`)
        .set(as('dana'))
        .send({
          entityRef: 'component:default/catalog-search',
          checkId: 'sc.non-root',
          durationSeconds: 7 * 86400,
          justification: 'The search image runs as root until the Q1 rebuild',
          ...body,
        });
    const named = await exempt({ campaignId: id });
    expect(named.status).toBe(201);
    expect(named.body.campaignId).toBe(id);
    const wrongCheck = await exempt({
      campaignId: id,
      checkId: 'sc.readonly-rootfs',
    });
    expect(wrongCheck.status).toBe(400);
    expect(wrongCheck.body.error.message).toContain('body.campaignId');
    const noSuch = await exempt({
      campaignId: '00000000-0000-4000-8000-000000000000',
    });
    expect(noSuch.status).toBe(400);
    expect(noSuch.body.error.message).toContain('body.campaignId');
    expect((await get(`/campaigns/${id}/progress`)).exemptions).toEqual([
      expect.objectContaining({
        requestId: named.body.id,
        entityRef: 'component:default/catalog-search',
        checkId: 'sc.non-root',
        state: 'pending',
        requester: 'user:default/dana',
      }),
    ]);

    // Editing an active campaign; going back to draft is refused.
    const edited = await request(server)
      .put(`${API}/campaigns/${id}`)
      .set(as('sam'))
      .send({ description: 'Updated.' });
    expect(edited.body).toMatchObject({
      description: 'Updated.',
      state: 'active',
    });
    const back = await request(server)
      .put(`${API}/campaigns/${id}`)
      .set(as('sam'))
      .send({ state: 'draft' });
    expect(back.status).toBe(409);
    expect(back.body.error.message).toContain('cannot go back to draft');

    const ended = await request(server)
      .put(`${API}/campaigns/${id}`)
      .set(as('sam'))
      .send({ state: 'ended' });
    expect(ended.body).toMatchObject({ state: 'ended', outcome: 'missed' });
    expect(ended.body.endedAt).toBeDefined();
    const again = await request(server)
      .put(`${API}/campaigns/${id}`)
      .set(as('sam'))
      .send({ name: 'Renamed' });
    expect(again.status).toBe(409);
    expect((await get(`/campaigns/${id}`)).name).toBe(noRoot.name);
  });

  it('counts a grade target in its domain', async () => {
    const created = await request(server)
      .post(`${API}/campaigns`)
      .set(as('sam'))
      .send({
        ...noRoot,
        name: 'Response at B or better',
        target: { checkIds: [], minGrade: 'B', domain: 'response' },
        scope: {},
        state: 'active',
      });
    expect(created.status).toBe(201);
    const progress = await get(`/campaigns/${created.body.id}/progress`);
    const all = (await get('/posture?limit=500')).items;
    const below = all.filter(
      (p: any) => !['A', 'B'].includes(p.domains.response.grade),
    );
    expect(progress.services).toBe(all.length);
    expect(progress.done).toBe(all.length - below.length);
    for (const r of progress.remaining) expect(r.belowGrade).toBe(true);
  });

  it.each([
    ['a one-letter name', { ...noRoot, name: 'x' }, 'body.name'],
    [
      'a deadline before the start',
      { ...noRoot, deadline: '2026-11-01T00:00:00.000Z' },
      'body.deadline',
    ],
    [
      'a deadline that is not a time',
      { ...noRoot, deadline: 'next week' },
      'body.deadline',
    ],
    ['an empty target', { ...noRoot, target: { checkIds: [] } }, 'body.target'],
    [
      'an unknown check',
      { ...noRoot, target: { checkIds: ['sc.no-such-check'] } },
      'body.target.checkIds',
    ],
    [
      'a check id that is not one',
      { ...noRoot, target: { checkIds: ['DROP TABLE'] } },
      'body.target.checkIds',
    ],
    [
      'a domain without a grade',
      { ...noRoot, target: { checkIds: [], domain: 'response' } },
      'body.target',
    ],
    [
      'an owner that is not a full ref',
      { ...noRoot, owner: 'security-leads' },
      'body.owner',
    ],
    [
      'a scope owner that is not a ref',
      { ...noRoot, scope: { owners: ['<script>'] } },
      'body.scope.owners',
    ],
    [
      'a lifecycle with a semicolon',
      { ...noRoot, scope: { lifecycles: ['a;b'] } },
      'body.scope.lifecycles',
    ],
    [
      'a tag in capitals',
      { ...noRoot, scope: { tags: ['PCI'] } },
      'body.scope.tags',
    ],
    [
      'a tag with a space',
      { ...noRoot, scope: { tags: ['p ci'] } },
      'body.scope.tags',
    ],
    [
      'a namespace that is not a DNS label',
      { ...noRoot, scope: { namespaces: ['Kube_System'] } },
      'body.scope.namespaces',
    ],
    [
      'a cluster name with a slash',
      { ...noRoot, scope: { clusters: ['eu/1'] } },
      'body.scope.clusters',
    ],
    [
      'more than 50 namespaces',
      {
        ...noRoot,
        scope: { namespaces: Array.from({ length: 51 }, (_, i) => `ns-${i}`) },
      },
      'body.scope.namespaces',
    ],
    ['a campaign created ended', { ...noRoot, state: 'ended' }, 'body.state'],
    ['an unknown field', { ...noRoot, extra: 1 }, 'body'],
    [
      'a description over 10,000 characters',
      { ...noRoot, description: 'x'.repeat(10_001) },
      'body.description',
    ],
  ])('refuses %s with a 400 naming the field', async (_what, body, field) => {
    const res = await request(server)
      .post(`${API}/campaigns`)
      .set(as('sam'))
      .send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
  });

  it('scopes a campaign by catalog tags, namespaces and clusters of the demo', async () => {
    const ids: string[] = [];
    const progressOf = async (scope: object) => {
      const created = await request(server)
        .post(`${API}/campaigns`)
        .set(as('sam'))
        .send({ ...noRoot, scope, state: 'active' });
      expect(created.status).toBe(201);
      ids.push(created.body.id);
      const p = await get(`/campaigns/${created.body.id}/progress`);
      return { services: p.services, id: created.body.id };
    };
    // checkout and payments-api are tagged pci in examples/catalog.
    const pci = await progressOf({ tags: ['pci'] });
    expect(pci.services).toBe(2);
    // Both run in shop-payments: the same two by namespace.
    const payments = await progressOf({ namespaces: ['shop-payments'] });
    expect(payments.services).toBe(2);
    // Every mapped service runs in the demo cluster; none elsewhere.
    expect((await progressOf({ clusters: ['demo'] })).services).toBe(
      (await get('/posture?limit=500')).items.filter((i: any) => i.mapped)
        .length,
    );
    expect((await progressOf({ clusters: ['elsewhere'] })).services).toBe(0);
    // Lists combine: pci services outside shop-payments are none.
    expect(
      (await progressOf({ tags: ['pci'], namespaces: ['shop-web'] })).services,
    ).toBe(0);
    // An owner's view: its part of each, the same counts as the campaign's.
    const team = (
      await get('/campaigns/owner/group/default/payments-team')
    ).items.find((i: any) => i.campaign.id === pci.id);
    const pciProgress = await get(`/campaigns/${pci.id}/progress`);
    const { services, done } = pciProgress.byOwner.find(
      (o: any) => o.owner === 'group:default/payments-team',
    );
    expect(team).toMatchObject({ services, done });
    expect(team.remaining.map((r: any) => r.entityRef).sort()).toEqual(
      pciProgress.remaining
        .filter((r: any) => r.owner === 'group:default/payments-team')
        .map((r: any) => r.entityRef)
        .sort(),
    );
    // A team with no service in a campaign's scope is not in it.
    expect(
      (await get('/campaigns/owner/group/default/storefront-team')).items.map(
        (i: any) => i.campaign.id,
      ),
    ).not.toContain(pci.id);
    // The entity's view applies the same scope.
    const checkout = await get('/campaigns/entity/component/default/checkout');
    expect(checkout.items.map((i: any) => i.campaign.id)).toEqual(
      expect.arrayContaining([pci.id, payments.id]),
    );
    const storefront = await get(
      '/campaigns/entity/component/default/storefront',
    );
    expect(storefront.items.map((i: any) => i.campaign.id)).not.toContain(
      pci.id,
    );
    // End them, so other tests see only their own.
    for (const id of ids) {
      await request(server)
        .put(`${API}/campaigns/${id}`)
        .set(as('sam'))
        .send({ state: 'ended' });
    }
  });

  it('answers 404 for a campaign that does not exist, and 400 for a malformed id', async () => {
    const missing = await request(server)
      .get(`${API}/campaigns/00000000-0000-4000-8000-000000000000`)
      .set(as('dana'));
    expect(missing.status).toBe(404);
    const bad = await request(server)
      .get(`${API}/campaigns/not-a-uuid/progress`)
      .set(as('dana'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('path.id');
    const badOwner = await request(server)
      .get(`${API}/campaigns/owner/group/default/${encodeURIComponent('<x>')}`)
      .set(as('dana'));
    expect(badOwner.status).toBe(400);
    expect(badOwner.body.error.message).toContain('path.name');
    const extra = await request(server)
      .get(`${API}/campaigns/owner/group/default/web?limit=5`)
      .set(as('dana'));
    expect(extra.status).toBe(400);
  });
});

describe('the demo campaigns', () => {
  const grants = createMockDirectory();
  const actions = actionsRegistryServiceMock();
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;

  afterAll(async () => {
    await backend?.stop();
    grants.clear();
  });

  it('are seeded once: one partly done, one overdue and almost done', async () => {
    const config = demoClusterConfig(grants.path) as any;
    // As the demo portal has it: campaigns and 30 days of history.
    config.securityGuardrails.demo = {
      seedCampaigns: true,
      seedHistoryDays: 30,
    };
    backend = await startGuardrailsBackend({
      config,
      features: [
        createServiceFactory({
          service: actionsRegistryServiceRef,
          deps: {},
          factory: () => actions,
        }),
      ],
    });
    const server = backend.server;
    await waitForPostures(server);
    const list = await request(server).get(`${API}/campaigns`).set(as('dana'));
    expect(list.body.items.map((c: any) => c.name).sort()).toEqual([
      'Every service has an owner and a runbook',
      'No root in production',
    ]);
    const progress = async (name: string) => {
      const c = list.body.items.find((x: any) => x.name === name);
      return (
        await request(server)
          .get(`${API}/campaigns/${c.id}/progress`)
          .set(as('dana'))
      ).body;
    };
    const partly = await progress('No root in production');
    expect(partly.services).toBe(9);
    expect(partly.done).toBeGreaterThan(0);
    expect(partly.done).toBeLessThan(partly.services);
    expect(partly.daysLeft).toBe(28);
    // Its burn-down, replayed from the history: two weeks of baseline
    // before the start a week ago, and today's point as progress counts it.
    const burndown = (
      await request(server)
        .get(`${API}/campaigns/${partly.campaign.id}/burndown`)
        .set(as('dana'))
    ).body;
    expect(burndown.points).toHaveLength(22);
    expect(burndown.points.at(-1)).toMatchObject({
      services: partly.services,
      done: partly.done,
    });
    const runbooks = await progress('Every service has an owner and a runbook');
    expect(runbooks.daysLeft).toBe(-2);
    // Its deadline was decided after the first refresh, from the history:
    // missed, and still active so the teams see what is left.
    expect(runbooks.campaign).toMatchObject({
      state: 'active',
      outcome: 'missed',
    });
    // notification-worker (owned by a person) and metrics-collector have no runbook link.
    expect(runbooks.remaining.map((r: any) => r.entityRef).sort()).toEqual([
      'component:default/metrics-collector',
      'component:default/notification-worker',
    ]);
    expect(runbooks.done).toBe(runbooks.services - 2);

    // The same, for an agent: which campaigns apply to a service and what is left.
    const { output } = await actions.invoke({
      id: 'test:get-service-campaigns',
      input: { entityRef: 'notification-worker' },
      credentials: mockCredentials.user('user:default/dana'),
    });
    expect(output).toEqual({
      campaigns: expect.arrayContaining([
        expect.objectContaining({
          name: 'Every service has an owner and a runbook',
          daysLeft: -2,
          done: false,
          failingChecks: ['own.owner', 'own.runbook'],
          belowGrade: false,
        }),
      ]),
    });
  });
});
