import fs from 'node:fs';
import path from 'node:path';
import { createMockDirectory } from '@backstage/backend-test-utils';
import { parse } from 'yaml';
import { FakeKubernetesApi } from '../../__testUtils__/fakeKubernetesApi';
import { ManifestsSource } from '../../sources/ManifestsSource';
import { kubeConfigFor } from '../../sources/kubeConfig';
import { KubernetesGrantDriver } from './KubernetesGrantDriver';
import { ManifestsGrantDriver } from './ManifestsGrantDriver';
import { GrantConflictError, GrantDriver, GrantSpec } from './types';

const grant: GrantSpec = {
  grantId: '0b0f1e4e-8d4a-4f0e-9a44-3c5b1e7d2a10',
  cluster: 'c1',
  namespaces: ['shop-web', 'shop-jobs'],
  clusterRole: 'edit',
  subject: { kind: 'User', name: 'dana@example.com' },
  expiresAt: '2026-11-22T12:30:00.000Z',
  requester: 'user:default/dana',
  approvers: ['user:default/sam'],
  justification: 'Debugging INC-4211',
  entityRef: 'component:default/storefront',
  kubernetesId: 'storefront',
};
const NAME = `security-guardrails-${grant.grantId}`;

function contract(
  name: string,
  setup: () => Promise<{
    driver: GrantDriver;
    read: (ns: string, n: string) => Promise<any>;
    cleanup: () => Promise<void>;
  }>,
) {
  // The same contract for every driver: the title is the driver's name.
  // eslint-disable-next-line jest/valid-title
  describe(name, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeEach(async () => {
      ctx = await setup();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it('creates a labelled, annotated RoleBinding per namespace with a deterministic name', async () => {
      const applied = await ctx.driver.apply(grant);
      expect(applied.map(b => `${b.namespace}/${b.name}`)).toEqual([
        `shop-web/${NAME}`,
        `shop-jobs/${NAME}`,
      ]);
      expect(applied.every(b => b.uid)).toBe(true);
      const rb = await ctx.read('shop-web', NAME);
      expect(rb.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'security-guardrails',
        'security-guardrails.io/grant-id': grant.grantId,
        'backstage.io/kubernetes-id': 'storefront',
      });
      expect(rb.metadata.annotations).toMatchObject({
        'security-guardrails.io/expires-at': grant.expiresAt,
        'security-guardrails.io/requester': 'user:default/dana',
        'security-guardrails.io/approvers': 'user:default/sam',
        'security-guardrails.io/justification': 'Debugging INC-4211',
      });
      expect(rb.roleRef).toEqual({
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'edit',
      });
      expect(rb.subjects).toEqual([
        {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'User',
          name: 'dana@example.com',
        },
      ]);
    });

    it('treats an identical existing binding as done (a retry after a crash)', async () => {
      const first = await ctx.driver.apply(grant);
      const again = await ctx.driver.apply(grant);
      expect(again.map(b => b.uid)).toEqual(first.map(b => b.uid));
    });

    it('refuses to take over a binding with the same name that grants something else', async () => {
      await ctx.driver.apply({ ...grant, namespaces: ['shop-web'] });
      await expect(
        ctx.driver.apply({
          ...grant,
          clusterRole: 'admin',
          namespaces: ['shop-web'],
        }),
      ).rejects.toBeInstanceOf(GrantConflictError);
    });

    it('revokes, treating an already removed binding as done', async () => {
      const applied = await ctx.driver.apply(grant);
      await ctx.driver.revoke(grant.grantId, applied);
      expect(await ctx.read('shop-web', NAME)).toBeUndefined();
      await expect(
        ctx.driver.revoke(grant.grantId, applied),
      ).resolves.toBeUndefined();
    });

    it('updates the expiry annotation and lists what it manages', async () => {
      const applied = await ctx.driver.apply(grant);
      await ctx.driver.updateExpiry(
        { ...grant, expiresAt: '2026-11-22T13:00:00.000Z' },
        applied,
      );
      expect(
        (await ctx.read('shop-jobs', NAME)).metadata.annotations[
          'security-guardrails.io/expires-at'
        ],
      ).toBe('2026-11-22T13:00:00.000Z');
      const managed = await ctx.driver.listManaged();
      expect(managed.map(m => [m.namespace, m.grantId]).sort()).toEqual([
        ['shop-jobs', grant.grantId],
        ['shop-web', grant.grantId],
      ]);
    });
  });
}

contract(
  'KubernetesGrantDriver (against the Kubernetes API test server)',
  async () => {
    const api = await new FakeKubernetesApi({ token: 't' }).start();
    const driver = KubernetesGrantDriver.create({
      cluster: 'c1',
      kubeConfig: kubeConfigFor({
        type: 'kubernetes',
        name: 'c1',
        url: api.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: 't',
        skipTLSVerify: true,
      }),
    });
    return {
      driver,
      read: async (ns: string, n: string) =>
        api
          .list('RoleBinding')
          .find(o => o.metadata.namespace === ns && o.metadata.name === n),
      cleanup: () => api.stop(),
    };
  },
);

contract('ManifestsGrantDriver', async () => {
  const dir = createMockDirectory();
  const driver = ManifestsGrantDriver.create({
    cluster: 'c1',
    directory: dir.path,
  });
  return {
    driver,
    read: async (ns: string, n: string) => {
      const file = path.join(dir.path, ns, `${n}.yaml`);
      return fs.existsSync(file)
        ? parse(fs.readFileSync(file, 'utf8'))
        : undefined;
    },
    cleanup: async () => dir.clear(),
  };
});

describe('KubernetesGrantDriver against the API', () => {
  let api: FakeKubernetesApi;
  let driver: KubernetesGrantDriver;
  beforeEach(async () => {
    api = await new FakeKubernetesApi().start();
    driver = KubernetesGrantDriver.create({
      cluster: 'c1',
      kubeConfig: kubeConfigFor({
        type: 'kubernetes',
        name: 'c1',
        url: api.url,
        authProvider: 'none',
        skipTLSVerify: true,
      }),
    });
  });
  afterEach(() => api.stop());

  it('deletes with the UID precondition, and leaves a same-named binding it does not own', async () => {
    const [applied] = await driver.apply({
      ...grant,
      namespaces: ['shop-web'],
    });
    const deletes = () => api.requests.filter(r => r.method === 'DELETE');
    // Someone replaces the binding with one of their own under the same name.
    const stored = api.remove('RoleBinding', 'shop-web', NAME)!;
    const intruder = api.add({
      ...stored,
      metadata: { ...stored.metadata, uid: 'other-uid', labels: { team: 'x' } },
    } as any);
    await expect(
      driver.revoke(grant.grantId, [applied]),
    ).rejects.toBeInstanceOf(GrantConflictError);
    expect(api.list('RoleBinding')).toEqual([intruder]);
    expect(deletes().length).toBe(1);
  });

  it('surfaces API failures', async () => {
    api.fault({
      path: /rolebindings$/,
      method: 'POST',
      fault: { status: 403 },
    });
    await expect(driver.apply(grant)).rejects.toThrow(/HTTP 403/);
  });
});

describe('ManifestsGrantDriver and the manifests source', () => {
  it('writes grants where the cluster source reads them, so the posture sees them', async () => {
    const dir = createMockDirectory();
    const driver = ManifestsGrantDriver.create({
      cluster: 'c1',
      directory: dir.path,
    });
    await driver.apply(grant);
    const snapshot = await ManifestsSource.create({
      cluster: 'c1',
      paths: [dir.path],
    }).read();
    expect(
      snapshot.objects
        .map(o => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)
        .sort(),
    ).toEqual([
      `RoleBinding/shop-jobs/${NAME}`,
      `RoleBinding/shop-web/${NAME}`,
    ]);
  });

  it('never writes outside its directory', async () => {
    const dir = createMockDirectory();
    const driver = ManifestsGrantDriver.create({
      cluster: 'c1',
      directory: dir.path,
    });
    await expect(
      driver.apply({ ...grant, namespaces: ['../../etc'] }),
    ).rejects.toThrow(/refusing to write/);
  });
});
