import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import { CATALOG_SYNC_TASK_ID } from '../plugin';
import { DEMO_CLUSTER_DIR } from '../__testUtils__/demo';
import {
  startGuardrailsBackend,
  waitForPostures,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const DANA = 'user:default/dana';
const MALLORY = 'user:default/mallory';
const as = (user: string) => ({
  Authorization: mockCredentials.user.header(user),
});

describe('posture API', () => {
  let server: Awaited<ReturnType<typeof startGuardrailsBackend>>['server'];
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      hidden: { [MALLORY]: ['component:default/legacy-admin'] },
      policy: (permission, principal, resourceRef) => {
        if (principal !== MALLORY) return true;
        if (permission === 'security-guardrails.posture.read')
          return resourceRef !== 'component:default/checkout';
        return ![
          'security-guardrails.summary.read',
          'security-guardrails.checks.read',
          'security-guardrails.posture.refresh',
        ].includes(permission);
      },
    });
    server = backend.server;
    await waitForPostures(server);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('answers /health without credentials', async () => {
    const res = await request(server)
      .get('/api/security-guardrails/health')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('refuses every other endpoint without credentials', async () => {
    for (const path of [
      '/posture/component/default/checkout',
      '/posture',
      '/summary',
      '/checks',
      '/unowned',
    ]) {
      const res = await request(server)
        .get(`/api/security-guardrails${path}`)
        .set('Authorization', mockCredentials.none.header());
      expect(res.status).toBe(401);
    }
  });

  it('returns a posture with its breakdown and evidence', async () => {
    const res = await request(server)
      .get('/api/security-guardrails/posture/component/default/legacy-admin')
      .set(as(DANA));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/legacy-admin',
      mapped: true,
      stale: false,
      clusters: [{ cluster: 'demo', status: 'ok' }],
      score: {
        overall: { grade: 'F', explanation: expect.stringContaining('100 ×') },
      },
    });
    const privileged = res.body.results.find(
      (r: any) => r.checkId === 'sc.privileged',
    );
    expect(privileged).toMatchObject({
      status: 'fail',
      container: 'admin',
      field: expect.stringContaining('privileged'),
      failingSince: expect.any(String),
    });
  });

  it('sends the stored posture with an ETag, gzip-compressed as stored when accepted, and 304 when the caller has it', async () => {
    const path =
      '/api/security-guardrails/posture/component/default/legacy-admin';
    // As browsers ask: the compressed answer as stored.
    const first = await request(server)
      .get(path)
      .set(as(DANA))
      .set('Accept-Encoding', 'gzip, deflate, br');
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe(
      'application/json; charset=utf-8',
    );
    expect(first.headers['content-encoding']).toBe('gzip');
    expect(first.headers.vary).toMatch(/Accept-Encoding/);
    expect(first.body.score.overall.explanation).toMatch(/→ [A-F]$/);
    // A client that does not accept gzip: the same answer, plain.
    const plain = await request(server)
      .get(path)
      .set(as(DANA))
      .set('Accept-Encoding', 'identity');
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/);
    // The bytes as sent: whole, UTF-8 ('→' in the score's explanation).
    expect(Number(plain.headers['content-length'])).toBe(
      Buffer.byteLength(plain.text),
    );
    expect(JSON.parse(plain.text)).toEqual(first.body);
    const refusing = await request(server)
      .get(path)
      .set(as(DANA))
      .set('Accept-Encoding', 'gzip;q=0, identity');
    expect(refusing.headers['content-encoding']).toBeUndefined();
    expect(refusing.body).toEqual(first.body);
    // One weak tag for both encodings of the same answer.
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"/);
    expect(plain.headers.etag).toBe(etag);
    const again = await request(server)
      .get(path)
      .set(as(DANA))
      .set('If-None-Match', etag);
    expect(again.status).toBe(304);
    expect(again.text ?? '').toBe('');
    // Another entity, another tag; a caller without the permission gets no 304.
    const other = await request(server)
      .get('/api/security-guardrails/posture/component/default/storefront')
      .set(as(DANA))
      .set('If-None-Match', etag);
    expect(other.status).toBe(200);
    expect(other.headers.etag).not.toBe(etag);
    const refused = await request(server)
      .get('/api/security-guardrails/posture/component/default/checkout')
      .set(as(MALLORY))
      .set('If-None-Match', etag);
    expect(refused.status).toBe(403);
  });

  it('answers 404 for entities the catalog hides from the caller, and 403 without the permission', async () => {
    const hidden = await request(server)
      .get('/api/security-guardrails/posture/component/default/legacy-admin')
      .set(as(MALLORY));
    expect(hidden.status).toBe(404);
    const denied = await request(server)
      .get('/api/security-guardrails/posture/component/default/checkout')
      .set(as(MALLORY));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toContain(
      'security-guardrails.posture.read',
    );
  });

  it('names the field and the rule for bad input', async () => {
    const res = await request(server)
      .get('/api/security-guardrails/posture/component/default/bad$name')
      .set(as(DANA));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(
      /path\.name: must be letters, digits/,
    );
    const tooLong = await request(server)
      .get(
        `/api/security-guardrails/posture/component/default/${'a'.repeat(64)}`,
      )
      .set(as(DANA));
    expect(tooLong.status).toBe(400);
  });

  it('returns history and validates its range', async () => {
    const ok = await request(server)
      .get(
        '/api/security-guardrails/posture/component/default/checkout/history',
      )
      .set(as(DANA));
    expect(ok.status).toBe(200);
    expect(ok.body.scores.length).toBeGreaterThan(0);
    expect(ok.body.checks.length).toBeGreaterThan(0);
    const reversed = await request(server)
      .get(
        '/api/security-guardrails/posture/component/default/checkout/history?from=2026-11-20&to=2026-11-01',
      )
      .set(as(DANA));
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.message).toContain(
      'query.from must be before query.to',
    );
    const garbage = await request(server)
      .get(
        '/api/security-guardrails/posture/component/default/checkout/history?from=yesterday',
      )
      .set(as(DANA));
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.message).toContain(
      'query.from: must be an ISO 8601 date',
    );
    const unknown = await request(server)
      .get(
        '/api/security-guardrails/posture/component/default/checkout/history?since=2026-11-01',
      )
      .set(as(DANA));
    expect(unknown.status).toBe(400);
  });

  it('refreshes on demand, rate-limited per entity', async () => {
    const first = await request(server)
      .post(
        '/api/security-guardrails/posture/component/default/storefront/refresh',
      )
      .set(as(DANA));
    expect(first.status).toBe(200);
    expect(first.body.entityRef).toBe('component:default/storefront');
    const second = await request(server)
      .post(
        '/api/security-guardrails/posture/component/default/storefront/refresh',
      )
      .set(as(DANA));
    expect(second.status).toBe(429);
    expect(Number(second.headers['retry-after'])).toBeGreaterThan(0);
    expect(second.body.error.name).toBe('RateLimitedError');
    const denied = await request(server)
      .post(
        '/api/security-guardrails/posture/component/default/payments-api/refresh',
      )
      .set(as(MALLORY));
    expect(denied.status).toBe(403);
  });

  it('lists postures with filters and cursors, leaving out what the caller may not see', async () => {
    const all = await request(server)
      .get('/api/security-guardrails/posture?limit=500')
      .set(as(DANA));
    expect(all.status).toBe(200);
    expect(all.body.items).toHaveLength(10);
    const page = await request(server)
      .get('/api/security-guardrails/posture?limit=4')
      .set(as(DANA));
    expect(page.body.items).toHaveLength(4);
    const next = await request(server)
      .get(
        `/api/security-guardrails/posture?limit=4&cursor=${page.body.nextCursor}`,
      )
      .set(as(DANA));
    expect(next.body.items[0].entityRef > page.body.items[3].entityRef).toBe(
      true,
    );
    const owned = await request(server)
      .get('/api/security-guardrails/posture?owner=payments-team')
      .set(as(DANA));
    expect(owned.body.items.map((i: any) => i.entityRef).sort()).toEqual([
      'component:default/checkout',
      'component:default/payments-api',
    ]);
    const failing = await request(server)
      .get('/api/security-guardrails/posture?failingCheck=sc.privileged')
      .set(as(DANA));
    expect(failing.body.items.map((i: any) => i.entityRef)).toEqual([
      'component:default/legacy-admin',
    ]);
    const domainGrade = await request(server)
      .get(
        '/api/security-guardrails/posture?domain=architecture&grade=A&grade=B',
      )
      .set(as(DANA));
    expect(domainGrade.status).toBe(200);
    expect(
      domainGrade.body.items.every((i: any) =>
        ['A', 'B'].includes(i.domains.architecture.grade),
      ),
    ).toBe(true);
    const mallory = await request(server)
      .get('/api/security-guardrails/posture?limit=500')
      .set(as(MALLORY));
    const refs = mallory.body.items.map((i: any) => i.entityRef);
    expect(refs).not.toContain('component:default/legacy-admin');
    expect(refs).not.toContain('component:default/checkout');
    expect(refs).toHaveLength(8);
  });

  it('rejects bad list queries naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['grade=Z', 'query.grade'],
      ['domain=security', 'query.domain'],
      ['failingCheck=DROP TABLE', 'query.failingCheck'],
      ['limit=0', 'query.limit'],
      ['limit=10000', 'query.limit'],
      ['cursor=%27%20OR%201%3D1', 'query.cursor'],
      ['sort=name', 'query'],
    ];
    for (const [q, field] of cases) {
      const res = await request(server)
        .get(`/api/security-guardrails/posture?${q}`)
        .set(as(DANA));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
  });

  it('summarises the org by owner, system, domain and namespace', async () => {
    for (const groupBy of ['owner', 'system', 'domain', 'namespace']) {
      const res = await request(server)
        .get(`/api/security-guardrails/summary?groupBy=${groupBy}`)
        .set(as(DANA));
      expect(res.status).toBe(200);
      expect(res.body.overall.services).toBe(10);
      expect(res.body.groups.length).toBeGreaterThan(0);
    }
    const bad = await request(server)
      .get('/api/security-guardrails/summary?groupBy=team')
      .set(as(DANA));
    expect(bad.status).toBe(400);
    const denied = await request(server)
      .get('/api/security-guardrails/summary')
      .set(as(MALLORY));
    expect(denied.status).toBe(403);
    const trend = await request(server)
      .get('/api/security-guardrails/summary/trend?days=7')
      .set(as(DANA));
    expect(trend.body.points).toHaveLength(7);
    const unowned = await request(server)
      .get('/api/security-guardrails/unowned')
      .set(as(DANA));
    expect(
      unowned.body.results.some(
        (r: any) => r.resource.name === 'olga-cluster-admin',
      ),
    ).toBe(true);
  });

  it('scopes the summary, trend and list by owner, system and lifecycle', async () => {
    const get = async (path: string) => {
      const res = await request(server)
        .get(`/api/security-guardrails${path}`)
        .set(as(DANA));
      expect(res.status).toBe(200);
      return res.body;
    };
    const byLifecycle = await get('/summary?groupBy=lifecycle');
    expect(
      Object.fromEntries(
        byLifecycle.groups.map((g: any) => [g.key, g.services]),
      ),
    ).toEqual({ production: 9, deprecated: 1 });
    const deprecated = await get('/summary?lifecycle=deprecated');
    expect(deprecated.overall.services).toBe(1);
    expect(deprecated.groups.map((g: any) => g.key)).toEqual([
      'group:default/platform-team',
    ]);
    // A short owner name means the group, as in the list.
    const platform = await get(
      '/summary?owner=platform-team&lifecycle=production',
    );
    expect(platform.overall.services).toBe(2);
    const platformAll = await get('/summary?owner=platform-team');
    const storefront = await get('/summary?owner=storefront-team');
    const both = await get('/summary?owner=platform-team,storefront-team');
    expect(platformAll.overall.services).toBe(3);
    expect(both.overall.services).toBe(
      platformAll.overall.services + storefront.overall.services,
    );
    const list = await get('/posture?lifecycle=deprecated');
    expect(list.items.map((i: any) => [i.entityRef, i.lifecycle])).toEqual([
      ['component:default/legacy-admin', 'deprecated'],
    ]);
    const trend = await get('/summary/trend?days=3&lifecycle=deprecated');
    expect(trend.points.at(-1).services).toBe(1);
    for (const q of [
      '/summary?lifecycle=DROP%20TABLE',
      '/summary/trend?lifecycle=%3Cscript%3E',
      '/posture?lifecycle=a;b',
    ]) {
      const res = await request(server)
        .get(`/api/security-guardrails${q}`)
        .set(as(DANA));
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain('query.lifecycle');
    }
  });

  it('lists every standing or expired binding, owned by a service or not', async () => {
    const res = await request(server)
      .get('/api/security-guardrails/summary/standing-access')
      .set(as(DANA));
    expect(res.status).toBe(200);
    const flagged = res.body.items.map(
      (i: any) =>
        `${i.entityRef ?? 'unowned'} ${i.result.checkId} ${
          i.result.resource.name
        }`,
    );
    // The expired incident binding belongs to storefront: it is listed too.
    expect(flagged).toEqual(
      expect.arrayContaining([
        'component:default/storefront maint.expired-binding dana-edit-incident-4102',
        'unowned maint.standing-privilege olga-cluster-admin',
      ]),
    );
    expect(res.body.total).toBe(res.body.items.length);
    expect(
      res.body.items.every((i: any) =>
        ['fail', 'warn'].includes(i.result.status),
      ),
    ).toBe(true);
    const denied = await request(server)
      .get('/api/security-guardrails/summary/standing-access')
      .set(as(MALLORY));
    expect(denied.status).toBe(403);
    const bad = await request(server)
      .get('/api/security-guardrails/summary/standing-access?limit=1')
      .set(as(DANA));
    expect(bad.status).toBe(400);
  });

  it('serves the check catalogue with remediation', async () => {
    const list = await request(server)
      .get('/api/security-guardrails/checks')
      .set(as(DANA));
    expect(list.body.items).toHaveLength(43);
    const one = await request(server)
      .get('/api/security-guardrails/checks/sc.privileged')
      .set(as(DANA));
    expect(one.body).toMatchObject({
      id: 'sc.privileged',
      severity: 'critical',
      remediation: expect.stringContaining('```yaml'),
    });
    expect(
      (
        await request(server)
          .get('/api/security-guardrails/checks/no.such')
          .set(as(DANA))
      ).status,
    ).toBe(404);
    expect(
      (
        await request(server)
          .get('/api/security-guardrails/checks/NOT A CHECK')
          .set(as(DANA))
      ).status,
    ).toBe(400);
    expect(
      (
        await request(server)
          .get('/api/security-guardrails/checks')
          .set(as(MALLORY))
      ).status,
    ).toBe(403);
  });

  it('lets service principals read (as Backstage permissions do), without user-only paths', async () => {
    const res = await request(server)
      .get('/api/security-guardrails/posture/component/default/checkout')
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('plugin:catalog'),
          targetPluginId: 'security-guardrails',
        }),
      );
    expect(res.status).toBe(200);
  });
});

describe('postures follow the catalog', () => {
  const component = (name: string, annotations: Record<string, string>) => ({
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'service',
      lifecycle: 'production',
      owner: 'storefront-team',
    },
  });
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      extraEntities: [component('docs-site', {})],
      config: {
        securityGuardrails: {
          clusters: [
            { name: 'demo', type: 'manifests', paths: [DEMO_CLUSTER_DIR] },
          ],
          posture: {
            schedule: { frequency: { hours: 24 }, timeout: { minutes: 2 } },
          },
        },
      },
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  it('grades a mapped entity the moment its posture is asked for, whatever the schedule', async () => {
    // Registered after the start-up evaluation, before any sync.
    backend.addEntity(
      component('late-mirror', {
        'backstage.io/kubernetes-id': 'storefront',
      }) as any,
    );
    const res = await request(backend.server)
      .get('/api/security-guardrails/posture/component/default/late-mirror')
      .set(as(DANA));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      entityRef: 'component:default/late-mirror',
      mapped: true,
    });
  });

  it('says an entity without a mapping has none, not that it waits', async () => {
    const res = await request(backend.server)
      .get('/api/security-guardrails/posture/component/default/docs-site')
      .set(as(DANA));
    expect(res.status).toBe(404);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(res.body.error.message).toBe(
      'component:default/docs-site has no backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation, so it has no Kubernetes objects to evaluate',
    );
  });

  it('grades an entity registered while the backend runs, without anyone asking for it', async () => {
    await waitForPostures(backend.server);
    backend.addEntity(
      component('registered-later', {
        'backstage.io/kubernetes-id': 'checkout',
      }) as any,
    );
    const status = async () =>
      (
        await request(backend.server)
          .get('/api/security-guardrails/status')
          .set(as('user:default/sam'))
      ).body;
    expect(await status()).toMatchObject({
      entities: { mapped: 12, evaluated: 11 },
      waiting: [
        {
          entityRef: 'component:default/registered-later',
          reason: 'new in the catalog: evaluated by the next catalog sync',
        },
      ],
    });
    // The sync task, as the scheduler runs it every few seconds.
    await backend.triggerTask(CATALOG_SYNC_TASK_ID);
    expect((await status()).entities).toEqual({
      mapped: 12,
      evaluated: 12,
      outdated: 0,
    });
    const res = await request(backend.server)
      .get('/api/security-guardrails/posture')
      .query({ limit: 100 })
      .set(as('user:default/sam'));
    expect(res.body.items.map((i: any) => i.entityRef)).toContain(
      'component:default/registered-later',
    );
  });
});
