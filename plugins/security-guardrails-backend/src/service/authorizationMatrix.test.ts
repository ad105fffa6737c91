/*
 * The authorization matrix: every endpoint against every kind of caller, with
 * the answer each must get. Callers:
 *
 *   none      no credentials
 *   service   a service principal (another plugin or an external caller)
 *   dana      owner of storefront (storefront-team), and the requester of every fixture
 *   riley     owner of storefront too, but not the requester
 *   pat       a user of another team (payments-team): not an owner
 *   sam       a security lead (security-leads): audit.read and access.admin
 *   olga      a user the permission policy denies every guardrails permission
 *
 * Requests are created fresh for every cell that changes them, so each cell
 * is judged on its own. A mismatch prints the whole row, not just one cell.
 * Every 2xx answer is also checked against the route's answer schema in the
 * OpenAPI document.
 */
import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { createAccessRouter } from './accessRouter';
import { createCampaignRouter } from './campaignRouter';
import { createPostureRouter } from './postureRouter';
import {
  demoClusterConfig,
  endHeldRequests,
  startGuardrailsBackend,
  waitForPostures,
} from '../__testUtils__/testBackend';
import { answerErrors } from '../__testUtils__/answers';

jest.setTimeout(120_000);

const API = '/api/security-guardrails';
const STOREFRONT = 'component:default/storefront';
const CALLERS = [
  'none',
  'service',
  'dana',
  'riley',
  'pat',
  'sam',
  'olga',
] as const;
type Caller = (typeof CALLERS)[number];
const LEAD_ONLY = [
  'security-guardrails.audit.read',
  'security-guardrails.access.admin',
  'security-guardrails.campaign.manage',
];

function routesOf(router: any): string[] {
  return router.stack
    .filter((layer: any) => layer.route)
    .flatMap((layer: any) =>
      Object.keys(layer.route.methods).map(
        m => `${m.toUpperCase()} ${layer.route.path}`,
      ),
    );
}

function header(caller: Caller): string {
  if (caller === 'none') return mockCredentials.none.header();
  if (caller === 'service') return mockCredentials.service.header();
  return mockCredentials.user.header(`user:default/${caller}`);
}

type Fixture =
  | 'pending'
  | 'active'
  | 'pendingExemption'
  | 'activeExemption'
  | 'campaign';
type Expected = Record<Caller, number>;

interface Row {
  name: string;
  method: 'get' | 'post' | 'put';
  /** The path, given the id of this cell's fixture (if it has one). */
  path: (id: string) => string;
  body?: object;
  fixture?: Fixture;
  expected: Expected;
  /**
   * On a 2xx answer: whether the caller sees the fixture (or the service), and
   * the callers who must; every other caller answered 2xx must not.
   */
  visible?: { sees: (body: any, id: string) => boolean; by: Caller[] };
}

/** Reads that every user may make; a service principal only where it says. */
const readable = (service: number): Expected => ({
  none: 401,
  service,
  dana: 200,
  riley: 200,
  pat: 200,
  sam: 200,
  olga: 403,
});

const edit = {
  entityRef: STOREFRONT,
  role: 'edit',
  cluster: 'demo',
  namespaces: ['shop-web'],
  durationSeconds: 1800,
  justification: 'Debugging INC-4211: checkout errors',
};
const exemption = {
  entityRef: STOREFRONT,
  checkId: 'sc.readonly-rootfs',
  durationSeconds: 7 * 86400,
  justification: 'Legacy nginx image writes its pid file; fix in Q1',
};

const campaign = {
  name: 'No root in production',
  description: 'Run as non-root everywhere in production.',
  owner: 'group:default/security-leads',
  startsAt: '2026-12-01T00:00:00.000Z',
  deadline: '2026-12-29T00:00:00.000Z',
  target: { checkIds: ['sc.non-root', 'sc.priv-escalation'] },
  scope: { lifecycles: ['production'] },
  state: 'active',
};

/** Reads that follow summary.read, as GET /summary does. */
const summaryReadable = readable(200);

/** Campaign changes: security leads only. */
const leadsOnly = (status: number): Expected => ({
  none: 401,
  service: 403,
  dana: 403,
  riley: 403,
  pat: 403,
  sam: status,
  olga: 403,
});

const auditOf = (body: any, id: string) =>
  body.items.some((e: any) => e.requestId === id);

const ROWS: Row[] = [
  {
    name: 'GET /health (liveness, no data)',
    method: 'get',
    path: () => '/health',
    expected: { ...readable(200), none: 200, olga: 200 },
  },
  {
    name: 'GET /posture/:entity',
    method: 'get',
    path: () => '/posture/component/default/storefront',
    expected: readable(200),
  },
  {
    name: 'GET /posture/:entity/history',
    method: 'get',
    path: () => '/posture/component/default/storefront/history',
    expected: readable(200),
  },
  {
    name: 'POST /posture/:entity/refresh',
    method: 'post',
    path: () => '/posture/component/default/storefront/refresh',
    expected: readable(200),
  },
  {
    name: 'GET /posture (list, filtered by permission)',
    method: 'get',
    path: () => '/posture',
    expected: { ...readable(200), olga: 200 },
    visible: {
      sees: body => body.items.some((i: any) => i.entityRef === STOREFRONT),
      by: ['service', 'dana', 'riley', 'pat', 'sam'],
    },
  },
  {
    name: 'GET /summary',
    method: 'get',
    path: () => '/summary',
    expected: readable(200),
  },
  {
    name: 'GET /status',
    method: 'get',
    path: () => '/status',
    expected: readable(200),
  },
  {
    name: 'GET /summary/trend',
    method: 'get',
    path: () => '/summary/trend',
    expected: readable(200),
  },
  {
    name: 'GET /summary/standing-access',
    method: 'get',
    path: () => '/summary/standing-access',
    expected: readable(200),
  },
  {
    name: 'GET /unowned',
    method: 'get',
    path: () => '/unowned',
    expected: readable(200),
  },
  {
    name: 'GET /checks',
    method: 'get',
    path: () => '/checks',
    expected: readable(200),
  },
  {
    name: 'GET /openapi.json (the API document, no data)',
    method: 'get',
    path: () => '/openapi.json',
    expected: readable(200),
  },
  {
    name: 'GET /checks/:id',
    method: 'get',
    path: () => '/checks/sc.privileged',
    expected: readable(200),
  },
  {
    name: 'GET /access/policy',
    method: 'get',
    path: () => '/access/policy',
    expected: readable(403),
  },
  {
    name: 'GET /access/targets/:entity',
    method: 'get',
    path: () => '/access/targets/component/default/storefront',
    expected: readable(403),
  },
  {
    name: 'GET /access-requests?view=all',
    method: 'get',
    path: () => '/access-requests?view=all',
    fixture: 'pending',
    expected: readable(403),
    // Visible to the requester, its approver groups and security leads only.
    visible: {
      sees: (body, id) => body.items.some((r: any) => r.id === id),
      by: ['dana', 'riley', 'sam'],
    },
  },
  {
    name: 'GET /access-requests/:id',
    method: 'get',
    path: id => `/access-requests/${id}`,
    fixture: 'pending',
    expected: { ...readable(403), pat: 404 },
  },
  {
    name: 'POST /access-requests (edit, owners only)',
    method: 'post',
    path: () => '/access-requests',
    body: edit,
    expected: { ...readable(403), dana: 201, riley: 201, pat: 403, sam: 403 },
  },
  {
    name: 'POST /access-requests (view, anyone)',
    method: 'post',
    path: () => '/access-requests',
    body: { ...edit, role: 'view' },
    expected: { ...readable(403), dana: 201, riley: 201, pat: 201, sam: 201 },
  },
  {
    name: 'POST /access-requests/:id/approve',
    method: 'post',
    path: id => `/access-requests/${id}/approve`,
    body: {},
    fixture: 'pending',
    // dana: no-self-approval; pat: outside the approver groups, cannot even see it.
    expected: { ...readable(403), dana: 403, pat: 404 },
  },
  {
    name: 'POST /access-requests/:id/deny',
    method: 'post',
    path: id => `/access-requests/${id}/deny`,
    body: { comment: 'Use the read-only role instead' },
    fixture: 'pending',
    expected: { ...readable(403), dana: 403, pat: 404 },
  },
  {
    name: 'POST /access-requests/:id/cancel',
    method: 'post',
    path: id => `/access-requests/${id}/cancel`,
    body: {},
    fixture: 'pending',
    // not-requester for riley and sam.
    expected: { ...readable(403), riley: 403, pat: 404, sam: 403 },
  },
  {
    name: 'POST /access-requests/:id/revoke',
    method: 'post',
    path: id => `/access-requests/${id}/revoke`,
    body: {},
    fixture: 'active',
    // Approved by sam: riley is an owner but neither requester nor approver.
    expected: { ...readable(403), riley: 403, pat: 404 },
  },
  {
    name: 'POST /access-requests/:id/extend',
    method: 'post',
    path: id => `/access-requests/${id}/extend`,
    body: { durationSeconds: 600, justification: 'Still debugging INC-4211' },
    fixture: 'active',
    expected: { ...readable(403), dana: 201, riley: 403, pat: 404, sam: 403 },
  },
  {
    name: 'POST /exemption-requests',
    method: 'post',
    path: () => '/exemption-requests',
    body: exemption,
    // requester-not-owner for pat; security leads may request for any service.
    expected: { ...readable(403), dana: 201, riley: 201, pat: 403, sam: 201 },
  },
  {
    name: 'GET /exemption-requests?view=all',
    method: 'get',
    path: () => '/exemption-requests?view=all',
    fixture: 'pendingExemption',
    expected: readable(403),
    visible: {
      sees: (body, id) => body.items.some((r: any) => r.id === id),
      by: ['dana', 'sam'],
    },
  },
  {
    name: 'GET /exemption-requests/:id',
    method: 'get',
    path: id => `/exemption-requests/${id}`,
    fixture: 'pendingExemption',
    // Decided by security leads only, so teammates do not see it.
    expected: { ...readable(403), riley: 404, pat: 404 },
  },
  {
    name: 'POST /exemption-requests/:id/approve',
    method: 'post',
    path: id => `/exemption-requests/${id}/approve`,
    body: {},
    fixture: 'pendingExemption',
    expected: { ...readable(403), dana: 403, riley: 404, pat: 404 },
  },
  {
    name: 'POST /exemption-requests/:id/deny',
    method: 'post',
    path: id => `/exemption-requests/${id}/deny`,
    body: { comment: 'Fix the image instead' },
    fixture: 'pendingExemption',
    expected: { ...readable(403), dana: 403, riley: 404, pat: 404 },
  },
  {
    name: 'POST /exemption-requests/:id/cancel',
    method: 'post',
    path: id => `/exemption-requests/${id}/cancel`,
    body: {},
    fixture: 'pendingExemption',
    expected: { ...readable(403), riley: 404, pat: 404, sam: 403 },
  },
  {
    name: 'POST /exemption-requests/:id/revoke',
    method: 'post',
    path: id => `/exemption-requests/${id}/revoke`,
    body: {},
    fixture: 'activeExemption',
    expected: { ...readable(403), riley: 404, pat: 404 },
  },
  {
    name: 'GET /grants',
    method: 'get',
    path: () => '/grants',
    fixture: 'active',
    expected: readable(403),
    // One's own grants; security leads see every grant.
    visible: {
      sees: (body, id) =>
        body.items.some((g: any) => (g.requestId ?? g.id) === id),
      by: ['dana', 'sam'],
    },
  },
  {
    name: 'GET /audit',
    method: 'get',
    path: () => '/audit?limit=500',
    fixture: 'active',
    expected: readable(403),
    // Without audit.read: only the history of one's own requests and decisions.
    visible: { sees: auditOf, by: ['dana', 'sam'] },
  },
  {
    name: "GET /audit?entityRef= (another team's service)",
    method: 'get',
    path: () => `/audit?entityRef=${STOREFRONT}&limit=500`,
    fixture: 'active',
    expected: readable(403),
    // The same filter as above: naming the entity does not widen what one sees.
    visible: { sees: auditOf, by: ['dana', 'sam'] },
  },
  {
    name: 'GET /campaigns',
    method: 'get',
    path: () => '/campaigns',
    fixture: 'campaign',
    expected: summaryReadable,
  },
  {
    name: 'POST /campaigns',
    method: 'post',
    path: () => '/campaigns',
    body: campaign,
    expected: leadsOnly(201),
  },
  {
    name: 'GET /campaigns/:id',
    method: 'get',
    path: id => `/campaigns/${id}`,
    fixture: 'campaign',
    expected: summaryReadable,
  },
  {
    name: 'PUT /campaigns/:id',
    method: 'put',
    path: id => `/campaigns/${id}`,
    body: { description: 'Edited: why it matters.' },
    fixture: 'campaign',
    expected: leadsOnly(200),
  },
  {
    name: 'GET /campaigns/:id/progress',
    method: 'get',
    path: id => `/campaigns/${id}/progress`,
    fixture: 'campaign',
    expected: summaryReadable,
  },
  {
    name: 'GET /campaigns/:id/burndown',
    method: 'get',
    path: id => `/campaigns/${id}/burndown`,
    fixture: 'campaign',
    expected: summaryReadable,
  },
  {
    name: 'GET /campaigns/owner/:owner (a team)',
    method: 'get',
    path: () => '/campaigns/owner/group/default/storefront-team',
    fixture: 'campaign',
    expected: summaryReadable,
  },
  {
    name: 'GET /campaigns/entity/:entity',
    method: 'get',
    path: () => '/campaigns/entity/component/default/storefront',
    fixture: 'campaign',
    expected: readable(200),
  },
];

describe('authorization matrix', () => {
  const grants = createMockDirectory();
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;
  let server: any;

  const call = (
    caller: Caller,
    method: 'get' | 'post' | 'put',
    path: string,
    body?: object,
  ) => {
    const r = request(server)
      [method](`${API}${path}`)
      .set('Authorization', header(caller));
    return body ? r.send(body) : r;
  };

  async function ok(
    res: Promise<request.Response>,
    status: number,
  ): Promise<any> {
    const r = await res;
    if (r.status !== status)
      throw new Error(`fixture: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  async function waitForState(kind: string, id: string, state: string) {
    for (let i = 0; i < 200; i++) {
      const r = await call('sam', 'get', `/${kind}/${id}`);
      if (r.body.state === state) return;
      await new Promise(resolve => setTimeout(resolve, 50));
    }
    throw new Error(`fixture ${id} never became ${state}`);
  }

  const endHeld = (user: Caller) => endHeldRequests(server, user);

  async function fixture(kind: Fixture): Promise<string> {
    if (kind === 'campaign') {
      return (await ok(call('sam', 'post', '/campaigns', campaign), 201)).id;
    }
    if (kind === 'pending' || kind === 'active') {
      await endHeld('dana');
      const { id } = await ok(
        call('dana', 'post', '/access-requests', edit),
        201,
      );
      if (kind === 'active') {
        await ok(
          call('sam', 'post', `/access-requests/${id}/approve`, {}),
          200,
        );
        await waitForState('access-requests', id, 'active');
      }
      return id;
    }
    const { id } = await ok(
      call('dana', 'post', '/exemption-requests', exemption),
      201,
    );
    if (kind === 'activeExemption') {
      await ok(
        call('sam', 'post', `/exemption-requests/${id}/approve`, {}),
        200,
      );
      await waitForState('exemption-requests', id, 'active');
    }
    return id;
  }

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      policy: (permission, principal) => {
        if (!permission.startsWith('security-guardrails.')) return true;
        if (principal === 'user:default/olga') return false;
        if (LEAD_ONLY.includes(permission))
          return principal === 'user:default/sam';
        return true;
      },
      config: demoClusterConfig(grants.path),
    });
    server = backend.server;
    await waitForPostures(server);
  });
  afterAll(async () => {
    await backend?.stop();
    grants.clear();
  });

  it('has a row for every route the routers serve', () => {
    // Read off the routers themselves, so a new route fails here until it is in the matrix.
    const served = [
      'GET /health',
      'GET /openapi.json',
      ...routesOf(createPostureRouter({} as any)),
      ...routesOf(createAccessRouter({} as any)),
      ...routesOf(createCampaignRouter({} as any)),
    ];
    const covered = new Set(
      ROWS.map(r =>
        `${r.method.toUpperCase()} ${r.path(':id')}`
          .replace(/\?.*$/, '')
          .replace('/component/default/storefront', '/:kind/:namespace/:name')
          .replace('/group/default/storefront-team', '/:kind/:namespace/:name')
          .replace('/checks/sc.privileged', '/checks/:id'),
      ),
    );
    expect(served.filter(r => !covered.has(r))).toEqual([]);
    expect(served.length).toBeGreaterThan(25);
  });

  it.each(ROWS.map(r => [r.name, r] as const))('%s', async (_name, row) => {
    const mismatches: string[] = [];
    for (const caller of CALLERS) {
      const id = row.fixture ? await fixture(row.fixture) : '';
      // A new request is judged on its own, not refused as a repeat.
      if (!row.fixture && row.method === 'post' && caller !== 'none')
        await endHeld(caller);
      const res = await call(caller, row.method, row.path(id), row.body);
      const want = row.expected[caller];
      if (res.status !== want) {
        mismatches.push(
          `${caller}: got ${res.status}, want ${want} (${
            res.body?.error?.message ?? ''
          })`,
        );
        continue;
      }
      if (res.status >= 400 && typeof res.body?.error?.message !== 'string') {
        mismatches.push(`${caller}: refused with no message`); // every refusal says why
      }
      // Every answer is what the OpenAPI document says the route answers.
      if (res.status < 300) {
        const wrong = answerErrors(row.method, row.path(id), res.body);
        if (wrong.length)
          mismatches.push(
            `${caller}: answer off its schema: ${wrong.slice(0, 5).join('; ')}`,
          );
      }
      const sees = res.status < 300 && row.visible?.sees(res.body, id);
      if (
        res.status < 300 &&
        row.visible &&
        sees !== row.visible.by.includes(caller)
      ) {
        mismatches.push(
          `${caller}: ${sees ? 'sees' : 'does not see'} the fixture`,
        );
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('refuses self-approval and approval beyond one’s scope, naming the rule', async () => {
    const id = await fixture('pending');
    const self = await call(
      'dana',
      'post',
      `/access-requests/${id}/approve`,
      {},
    );
    expect(self.status).toBe(403);
    expect(self.body.error.message).toMatch(/no-self-approval/);

    // An exemption is for security leads: an owner who can see it may not decide.
    const ex = await fixture('pendingExemption');
    const exAsLead = await call('sam', 'get', `/exemption-requests/${ex}`);
    expect(exAsLead.body.approverGroups).toEqual([
      'group:default/security-leads',
    ]);
    const owner = await call(
      'riley',
      'post',
      `/exemption-requests/${ex}/approve`,
      {},
    );
    expect(owner.status).toBe(404);

    // A request of another team: pat sees nothing, and cannot decide it.
    const other = await call('pat', 'post', `/access-requests/${id}/deny`, {
      comment: 'not mine to decide',
    });
    expect(other.status).toBe(404);
    const after = await call('sam', 'get', `/access-requests/${id}`);
    expect(after.body.state).toBe('pending');
    expect(after.body.approvals).toEqual([]);
  });

  it('keeps audit history to those involved, unless the caller may read all of it', async () => {
    const id = await fixture('active');
    for (const query of [
      `requestId=${id}`,
      `actor=user:default/dana`,
      `entityRef=${STOREFRONT}`,
    ]) {
      const ofFixture = (items: any[]) =>
        items.filter(
          e => e.requestId === id || e.actor === 'user:default/dana',
        );
      // pat may see events of pat's own requests on storefront, never dana's.
      const pat = await call('pat', 'get', `/audit?${query}&limit=500`);
      expect(pat.status).toBe(200);
      expect(ofFixture(pat.body.items)).toEqual([]);
      const sam = await call('sam', 'get', `/audit?${query}&limit=500`);
      expect(ofFixture(sam.body.items).length).toBeGreaterThan(0);
    }
    const riley = await call('riley', 'get', `/audit?requestId=${id}`);
    expect(riley.body.items).toEqual([]);
  });
});
