import fs from 'node:fs';
import path from 'node:path';
import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import request from 'supertest';
import { DEMO_CLUSTER_DIR } from '../__testUtils__/demo';
import {
  startGuardrailsBackend,
  waitForPostures,
} from '../__testUtils__/testBackend';

jest.setTimeout(60_000);

const as = (name: string) => ({
  Authorization: mockCredentials.user.header(`user:default/${name}`),
});
const LEAD_ONLY = [
  'security-guardrails.audit.read',
  'security-guardrails.access.admin',
];
const API = '/api/security-guardrails';

const edit = {
  entityRef: 'component:default/storefront',
  role: 'edit',
  cluster: 'demo',
  namespaces: ['shop-web'],
  durationSeconds: 1800,
  justification: 'Debugging INC-4211: checkout errors',
};

async function eventually<T>(
  fn: () => Promise<T>,
  ok: (v: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() - start > timeoutMs) return v;
    await new Promise(r => setTimeout(r, 100));
  }
}

describe('access API', () => {
  const grants = createMockDirectory();
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;
  let server: any;

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      hidden: { 'user:default/mallory': ['component:default/storefront'] },
      policy: (permission, principal) => {
        if (LEAD_ONLY.includes(permission))
          return principal === 'user:default/sam';
        if (permission === 'security-guardrails.access-request.create')
          return principal !== 'user:default/olga';
        return true;
      },
      config: {
        securityGuardrails: {
          clusters: [
            {
              name: 'demo',
              type: 'manifests',
              paths: [DEMO_CLUSTER_DIR],
              grantsDirectory: grants.path,
            },
          ],
          posture: {
            schedule: { frequency: { hours: 24 }, timeout: { minutes: 2 } },
            refreshIntervalSeconds: 30,
          },
          access: {
            sweepFrequency: { hours: 1 },
            roles: [
              {
                name: 'view',
                clusterRole: 'view',
                maxDuration: { hours: 8 },
                approvals: 0,
              },
              {
                name: 'edit',
                clusterRole: 'edit',
                maxDuration: { hours: 4 },
                defaultDuration: { minutes: 30 },
                approvals: 1,
              },
            ],
          },
        },
      },
    });
    server = backend.server;
    await waitForPostures(server);
  });
  afterAll(async () => {
    await backend?.stop();
    grants.clear();
  });

  it('serves the policy and where access can be granted', async () => {
    const policy = await request(server)
      .get(`${API}/access/policy`)
      .set(as('dana'));
    expect(policy.status).toBe(200);
    expect(policy.body.roles.map((r: any) => r.name)).toEqual(['view', 'edit']);
    const targets = await request(server)
      .get(`${API}/access/targets/component/default/storefront`)
      .set(as('dana'));
    expect(targets.body).toEqual({
      entityRef: 'component:default/storefront',
      targets: [{ cluster: 'demo', namespaces: ['shop-web'] }],
      excluded: [],
    });
    const hidden = await request(server)
      .get(`${API}/access/targets/component/default/storefront`)
      .set(as('mallory'));
    expect(hidden.status).toBe(404);
  });

  it('runs request, approval, RoleBinding, posture, revoke, audit', async () => {
    const before = await eventually(
      () =>
        request(server)
          .get(`${API}/posture/component/default/storefront`)
          .set(as('dana')),
      res => res.status === 200,
    );
    const created = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .send(edit);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'pending',
      requester: 'user:default/dana',
      subject: 'dana@acme.example',
      approvalsRequired: 1,
    });
    const id = created.body.id;

    const self = await request(server)
      .post(`${API}/access-requests/${id}/approve`)
      .set(as('dana'))
      .send({});
    expect(self.status).toBe(403);
    expect(self.body.error.message).toContain(
      'Refused by rule no-self-approval',
    );
    const stranger = await request(server)
      .post(`${API}/access-requests/${id}/approve`)
      .set(as('pat'))
      .send({});
    expect(stranger.status).toBe(404); // pat may not even see it
    const toApprove = await request(server)
      .get(`${API}/access-requests?view=to-approve`)
      .set(as('riley'));
    expect(toApprove.body.items.map((r: any) => r.id)).toEqual([id]);

    const approved = await request(server)
      .post(`${API}/access-requests/${id}/approve`)
      .set(as('sam'))
      .send({ comment: 'go' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      state: 'active',
      bindings: [{ cluster: 'demo', namespace: 'shop-web' }],
    });
    const file = path.join(
      grants.path,
      'shop-web',
      `security-guardrails-${id}.yaml`,
    );
    expect(fs.existsSync(file)).toBe(true);

    // The approver's recently decided, with the comment that went into the audit.
    const decided = async (who: string) =>
      (
        await request(server)
          .get(`${API}/access-requests?view=decided`)
          .set(as(who))
      ).body.items;
    expect(
      (await decided('sam')).map((r: any) => [
        r.id,
        r.approvals.map((a: any) => [a.approver, a.decision, a.comment]),
      ]),
    ).toEqual([[id, [['user:default/sam', 'approve', 'go']]]]);
    expect(await decided('riley')).toEqual([]);
    expect(await decided('dana')).toEqual([]);

    // The posture is re-evaluated and shows the grant's binding, with its
    // expiry, as temporary access: not graded, so the score stays.
    const posture = await eventually(
      () =>
        request(server)
          .get(`${API}/posture/component/default/storefront`)
          .set(as('dana')),
      res =>
        res.body.results?.some(
          (r: any) => r.resource.name === `security-guardrails-${id}`,
        ),
    );
    const standing = posture.body.results.find(
      (r: any) =>
        r.resource.name === `security-guardrails-${id}` &&
        r.checkId === 'maint.standing-privilege',
    );
    expect(standing).toMatchObject({
      status: 'not-applicable',
      message: expect.stringContaining('until'),
      temporaryAccess: {
        grantId: id,
        subjects: ['User dana@acme.example'],
        clusterRole: 'edit',
      },
    });
    expect(
      posture.body.results.filter(
        (r: any) => r.resource.name === `security-guardrails-${id}`,
      ),
    ).toHaveLength(1);
    expect(posture.body.score.overall.score).toBe(
      before.body.score.overall.score,
    );
    expect(posture.body.score.overall.explanation).toBe(
      before.body.score.overall.explanation,
    );

    expect(
      (await request(server).get(`${API}/grants`).set(as('dana'))).body.items,
    ).toHaveLength(1);
    expect(
      (await request(server).get(`${API}/grants`).set(as('pat'))).body.items,
    ).toHaveLength(0);
    expect(
      (await request(server).get(`${API}/grants`).set(as('sam'))).body.items,
    ).toHaveLength(1);

    const revoked = await request(server)
      .post(`${API}/access-requests/${id}/revoke`)
      .set(as('dana'))
      .send({ reason: 'done' });
    expect(revoked.body).toMatchObject({
      state: 'revoked',
      endedBy: 'user:default/dana',
    });
    expect(fs.existsSync(file)).toBe(false);

    const audit = await request(server)
      .get(`${API}/audit?requestId=${id}`)
      .set(as('sam'));
    expect(audit.body.items.map((e: any) => e.event).reverse()).toEqual([
      'requested',
      'approved',
      'applied',
      'revoked',
    ]);
    // Audit: everyone's for security leads, one's own for others.
    expect(
      (await request(server).get(`${API}/audit?requestId=${id}`).set(as('pat')))
        .body.items,
    ).toEqual([]);
    expect(
      (
        await request(server)
          .get(`${API}/audit?requestId=${id}`)
          .set(as('dana'))
      ).body.items,
    ).toHaveLength(4);

    // The actor filter reads a short name as the user it names, without case.
    const byActor = async (actor: string) =>
      (
        await request(server)
          .get(
            `${API}/audit?requestId=${id}&actor=${encodeURIComponent(actor)}`,
          )
          .set(as('sam'))
      ).body.items.map((e: any) => e.event);
    expect(await byActor('dana')).toEqual(['revoked', 'requested']);
    expect(await byActor('Default/Dana')).toEqual(['revoked', 'requested']);
    expect(await byActor('user:default/dana')).toEqual([
      'revoked',
      'requested',
    ]);
    expect(await byActor('sam')).toEqual(['approved']);
    expect(await byActor('system:security-guardrails')).toEqual(['applied']);
    expect(await byActor('nobody')).toEqual([]);
  });

  it('takes the requester from the identity, never from the body', async () => {
    const res = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .send({ ...edit, requester: 'user:default/sam' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Unrecognized key.*requester/);
  });

  it.each([
    [{ role: 'cluster-admin' }, 'role-not-grantable'],
    [{ durationSeconds: 5 * 3600 }, 'duration-out-of-range'],
    [{ namespaces: ['kube-system'] }, 'target-not-mapped'],
    [{ cluster: 'prod' }, 'target-not-mapped'],
    [{ justification: 'because' }, 'body.justification: must say why'],
    [
      { namespaces: ['Not_A_Namespace'] },
      'body.namespaces.0: must be a Kubernetes namespace name',
    ],
    [
      { entityRef: 'storefront' },
      'body.entityRef: must be a full entity reference',
    ],
    [{ durationSeconds: 'soon' }, 'body.durationSeconds'],
    [{ ticket: 'INC 1; DROP TABLE' }, 'body.ticket'],
  ])('refuses %j with a 4xx naming the problem', async (change, message) => {
    const res = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .send({ ...edit, ...change });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(res.body.error.message).toContain(message);
  });

  it('refuses non-owners for edit, foreign entities, and callers without the permission', async () => {
    const notOwner = await request(server)
      .post(`${API}/access-requests`)
      .set(as('pat'))
      .send(edit);
    expect(notOwner.status).toBe(403);
    expect(notOwner.body.error.message).toContain('requester-not-owner');
    const unknown = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .send({ ...edit, entityRef: 'component:default/nope' });
    expect(unknown.status).toBe(404);
    const hidden = await request(server)
      .post(`${API}/access-requests`)
      .set(as('mallory'))
      .send(edit);
    expect(hidden.status).toBe(404);
    const denied = await request(server)
      .post(`${API}/access-requests`)
      .set(as('olga'))
      .send({ ...edit, role: 'view' });
    expect(denied.status).toBe(403);
  });

  it('refuses oversized and malformed bodies, and service credentials', async () => {
    const big = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .send({ ...edit, justification: 'x'.repeat(100_000) });
    expect(big.status).toBe(413);
    const notJson = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .set('Content-Type', 'application/json')
      .send('{"role":');
    expect(notJson.status).toBe(400);
    const service = await request(server)
      .post(`${API}/access-requests`)
      .set(
        'Authorization',
        mockCredentials.service.header({
          onBehalfOf: mockCredentials.service('external:ci'),
          targetPluginId: 'security-guardrails',
        }),
      )
      .send(edit);
    expect(service.status).toBe(403);
    const none = await request(server)
      .get(`${API}/access-requests`)
      .set('Authorization', mockCredentials.none.header());
    expect(none.status).toBe(401);
  });

  it('runs exemption requests through security leads and into the posture', async () => {
    const created = await request(server)
      .post(`${API}/exemption-requests`)
      .set(as('dana'))
      .send({
        entityRef: 'component:default/storefront',
        checkId: 'sc.readonly-rootfs',
        durationSeconds: 30 * 86400,
        justification: 'Next.js writes its cache; SHOP-123',
      });
    expect(created.status).toBe(201);
    const byTeammate = await request(server)
      .post(`${API}/exemption-requests/${created.body.id}/approve`)
      .set(as('riley'))
      .send({});
    expect(byTeammate.status).toBe(404); // not an approver of exemptions: not visible
    const approved = await request(server)
      .post(`${API}/exemption-requests/${created.body.id}/approve`)
      .set(as('sam'))
      .send({});
    expect(approved.body.state).toBe('active');
    const posture = await eventually(
      () =>
        request(server)
          .get(`${API}/posture/component/default/storefront`)
          .set(as('dana')),
      res =>
        res.body.results?.some(
          (r: any) =>
            r.checkId === 'sc.readonly-rootfs' && r.status === 'exempt',
        ),
    );
    expect(
      posture.body.results.find((r: any) => r.checkId === 'sc.readonly-rootfs'),
    ).toMatchObject({
      status: 'exempt',
      exemption: {
        source: 'request',
        approvedBy: ['user:default/sam'],
        requestId: created.body.id,
      },
    });
    // An access request id is not an exemption request.
    const wrongKind = await request(server)
      .get(`${API}/access-requests/${created.body.id}`)
      .set(as('dana'));
    expect(wrongKind.status).toBe(404);
  });

  it('denies with a reason, and refuses to deny without one', async () => {
    const created = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .send(edit);
    const noReason = await request(server)
      .post(`${API}/access-requests/${created.body.id}/deny`)
      .set(as('riley'))
      .send({});
    expect(noReason.status).toBe(400);
    const denied = await request(server)
      .post(`${API}/access-requests/${created.body.id}/deny`)
      .set(as('riley'))
      .send({ comment: 'use view' });
    expect(denied.body).toMatchObject({
      state: 'denied',
      endReason: 'use view',
    });
    const again = await request(server)
      .post(`${API}/access-requests/${created.body.id}/approve`)
      .set(as('sam'))
      .send({});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('invalid-state');
  });

  it('validates list and audit queries', async () => {
    expect(
      (
        await request(server)
          .get(`${API}/access-requests?view=everything`)
          .set(as('dana'))
      ).status,
    ).toBe(400);
    expect(
      (
        await request(server)
          .get(`${API}/access-requests?state=approved,flying`)
          .set(as('dana'))
      ).status,
    ).toBe(400);
    expect(
      (await request(server).get(`${API}/audit?from=last-week`).set(as('sam')))
        .status,
    ).toBe(400);
    expect(
      (
        await request(server)
          .get(`${API}/access-requests/not-a-uuid`)
          .set(as('dana'))
      ).status,
    ).toBe(400);
  });
});
