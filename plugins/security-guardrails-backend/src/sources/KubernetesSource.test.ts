import { KubeObject } from '../engine';
import { FakeKubernetesApi } from '../__testUtils__/fakeKubernetesApi';
import { kubeConfigFor } from './kubeConfig';
import { KubernetesHttp } from './kubernetesHttp';
import { KINDS, KubernetesSource } from './KubernetesSource';

const deployments = (n: number): KubeObject[] =>
  Array.from(
    { length: n },
    (_, i) =>
      ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: `d${String(i).padStart(3, '0')}`,
          namespace: 'shop',
          managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
        },
        spec: {
          template: {
            spec: { containers: [{ name: 'app', image: 'nginx:1' }] },
          },
        },
        status: { replicas: 1, readyReplicas: 1 },
      } as KubeObject),
  );

function source(
  api: FakeKubernetesApi,
  options: {
    token?: string;
    pageSize?: number;
    timeoutMs?: number;
    maxAttempts?: number;
  } = {},
) {
  const sleeps: number[] = [];
  const kc = kubeConfigFor({
    type: 'kubernetes',
    name: 'live',
    url: api.url,
    authProvider: 'serviceAccount',
    serviceAccountToken: options.token ?? 'token-1',
    skipTLSVerify: true,
  });
  const http = new KubernetesHttp(kc, {
    timeoutMs: options.timeoutMs ?? 2000,
    maxAttempts: options.maxAttempts ?? 4,
    sleep: async ms => {
      sleeps.push(ms);
    },
  });
  return {
    src: KubernetesSource.create({
      cluster: 'live',
      http,
      pageSize: options.pageSize ?? 10,
    }),
    sleeps,
  };
}

describe('KubernetesSource', () => {
  let api: FakeKubernetesApi;

  beforeEach(async () => {
    api = await new FakeKubernetesApi({
      objects: deployments(25),
      token: 'token-1',
    }).start();
  });
  afterEach(async () => {
    await api.stop();
  });

  it('lists every kind across namespaces with limit/continue and restores kind/apiVersion on items', async () => {
    const { src } = source(api);
    const snapshot = await src.read();
    expect(snapshot.status).toBe('ok');
    expect(snapshot.readAt).not.toBeNull();
    const found = snapshot.objects.filter(o => o.kind === 'Deployment');
    expect(found).toHaveLength(25);
    expect(found.every(o => o.apiVersion === 'apps/v1')).toBe(true);
    // What no check reads is not held: status and managedFields.
    expect(found.some(o => 'status' in o)).toBe(false);
    expect(found.some(o => 'managedFields' in o.metadata)).toBe(false);
    expect(found[0].metadata).toMatchObject({
      name: 'd000',
      namespace: 'shop',
    });
    const pages = api.requests.filter(
      r => r.path === '/apis/apps/v1/deployments',
    );
    expect(pages.map(p => p.query.limit)).toEqual(['10', '10', '10']);
    expect(pages[0].query.continue).toBeUndefined();
    expect(pages[1].query.continue).toBeTruthy();
  });

  it('uses the real API paths and never lists Secrets', async () => {
    const { src } = source(api);
    await src.read();
    const paths = new Set(api.requests.map(r => r.path));
    expect(paths).toContain('/api/v1/pods');
    expect(paths).toContain(
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
    );
    expect(paths).toContain('/apis/wgpolicyk8s.io/v1alpha2/policyreports');
    expect([...paths].some(p => p.includes('secrets'))).toBe(false);
    expect(paths.size).toBe(KINDS.length);
  });

  it('restarts a listing whose continue token expired (410 Gone)', async () => {
    const { src } = source(api);
    api.fault({
      path: /\/apis\/apps\/v1\/deployments$/,
      fault: { expireContinue: true },
      times: 2,
    });
    const snapshot = await src.read();
    expect(snapshot.status).toBe('ok');
    expect(snapshot.objects.filter(o => o.kind === 'Deployment')).toHaveLength(
      25,
    );
    const starts = api.requests.filter(
      r => r.path === '/apis/apps/v1/deployments' && !r.query.continue,
    );
    expect(starts.length).toBe(2);
  });

  it('gives up after repeated 410s and marks the cluster unreachable', async () => {
    const { src } = source(api);
    api.fault({
      path: /\/apis\/apps\/v1\/deployments$/,
      fault: { expireContinue: true },
    });
    const snapshot = await src.read();
    expect(snapshot.status).toBe('unreachable');
    expect(snapshot.objects).toEqual([]);
    expect(snapshot.errors[0].message).toMatch(/listing Deployment: .*410/);
  });

  it('retries 500s with backoff and honours 429 Retry-After', async () => {
    const { src, sleeps } = source(api);
    api.fault({ path: /\/api\/v1\/pods$/, fault: { status: 500 }, times: 2 });
    api.fault({
      path: /\/api\/v1\/services$/,
      fault: { status: 429, headers: { 'Retry-After': '3' } },
      times: 1,
    });
    const snapshot = await src.read();
    expect(snapshot.status).toBe('ok');
    expect(sleeps).toContain(3000);
    expect(
      sleeps.filter(s => s === 250 || s === 500).length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('retries truncated JSON and connection resets', async () => {
    const { src } = source(api);
    api.fault({
      path: /\/api\/v1\/namespaces$/,
      fault: { truncate: true },
      times: 1,
    });
    api.fault({
      path: /\/api\/v1\/configmaps$/,
      fault: { reset: true },
      times: 1,
    });
    expect((await src.read()).status).toBe('ok');
  });

  it('treats a missing CRD (404) as absent, and a forbidden CRD (403) as partial', async () => {
    api.fault({ path: /vulnerabilityreports$/, fault: { status: 404 } });
    api.fault({ path: /servicemonitors$/, fault: { status: 403 } });
    const { src } = source(api);
    const snapshot = await src.read();
    expect(snapshot.status).toBe('partial');
    expect(snapshot.errors.map(e => e.kind)).toEqual(['ServiceMonitor']);
    expect(snapshot.objects.filter(o => o.kind === 'Deployment')).toHaveLength(
      25,
    );
  });

  it('is unreachable when a core kind is forbidden, without partial objects that would produce false findings', async () => {
    api.fault({ path: /networkpolicies$/, fault: { status: 403 } });
    const { src } = source(api);
    const snapshot = await src.read();
    expect(snapshot.status).toBe('unreachable');
    expect(snapshot.objects).toEqual([]);
    expect(snapshot.readAt).toBeNull();
  });

  it('fails fast on bad credentials (401 is not retried)', async () => {
    const { src, sleeps } = source(api, { token: 'wrong' });
    const snapshot = await src.read();
    expect(snapshot.status).toBe('unreachable');
    expect(snapshot.errors[0].message).toMatch(/401/);
    expect(sleeps).toEqual([]);
  });

  it('times out slow answers and reports them', async () => {
    api.fault({ path: /\/api\/v1\/pods$/, fault: { delayMs: 500 } });
    const { src } = source(api, { timeoutMs: 100, maxAttempts: 2 });
    const snapshot = await src.read();
    expect(snapshot.status).toBe('unreachable');
    expect(snapshot.errors[0].message).toMatch(/timed out after 100 ms/);
  });

  it('is unreachable when nothing listens', async () => {
    const { src } = source(api, { maxAttempts: 1 });
    await api.stop();
    const snapshot = await src.read();
    expect(snapshot.status).toBe('unreachable');
    expect(snapshot.errors.length).toBe(KINDS.length);
  });
});
