/*
 * Who decides where a grant lands: the platform's owner of each namespace
 * (the security-guardrails.io/owner label on the demo's Namespaces), not the
 * service's own annotations. A team that maps its component to every object
 * with a label selector gains no target outside its namespaces.
 */
import {
  createMockDirectory,
  mockCredentials,
} from '@backstage/backend-test-utils';
import request from 'supertest';
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

describe('where access may land', () => {
  const grants = createMockDirectory();
  let backend: Awaited<ReturnType<typeof startGuardrailsBackend>>;
  let server: any;

  beforeAll(async () => {
    backend = await startGuardrailsBackend({
      config: demoClusterConfig(grants.path),
      extraEntities: [
        {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'wide-reach',
            namespace: 'default',
            annotations: {
              // Matches every object that lacks the label x: all of them.
              'backstage.io/kubernetes-label-selector': '!x',
            },
          },
          spec: {
            type: 'service',
            lifecycle: 'production',
            owner: 'group:default/storefront-team',
          },
        },
      ],
    });
    server = backend.server;
    await waitForPostures(server);
  });
  afterAll(async () => {
    await backend?.stop();
    grants.clear();
  });

  const targetsOf = async (name: string, user = 'dana') =>
    (
      await request(server)
        .get(`${API}/access/targets/component/default/${name}`)
        .set(as(user))
    ).body;

  it("lands only in namespaces the platform gives to the service's owner", async () => {
    const wide = await targetsOf('wide-reach');
    expect(wide.targets).toEqual([
      { cluster: 'demo', namespaces: ['shop-web'] },
    ]);
    const reasons = Object.fromEntries(
      wide.excluded.map((e: any) => [e.namespace, e.reason]),
    );
    expect(reasons['shop-payments']).toBe(
      'shop-payments belongs to group:default/payments-team, not to group:default/storefront-team of component:default/wide-reach',
    );
    expect(reasons.default).toMatch(
      /^the platform has not given default an owner \(the security-guardrails.io\/owner label/,
    );
    const refused = await request(server)
      .post(`${API}/access-requests`)
      .set(as('dana'))
      .send({
        entityRef: 'component:default/wide-reach',
        role: 'view',
        cluster: 'demo',
        namespaces: ['shop-payments'],
        durationSeconds: 1800,
        justification: 'reading the payments logs',
      });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/target-not-mapped/);
  });

  it('gives a service a person owns the namespaces of their groups', async () => {
    // notification-worker is owned by riley, of the storefront team.
    expect(await targetsOf('notification-worker')).toMatchObject({
      targets: [{ cluster: 'demo', namespaces: ['shop-web'] }],
      excluded: [],
    });
  });

  it('says why a service has nowhere to request access', async () => {
    expect(await targetsOf('legacy-admin')).toMatchObject({
      targets: [],
      excluded: [
        expect.objectContaining({
          cluster: 'demo',
          namespace: 'default',
          reason: expect.stringMatching(/has not given default an owner/),
        }),
      ],
    });
  });
});
