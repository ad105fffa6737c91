/*
 * The demo manifests produce the postures the demo intends: a reference
 * service graded A down to an F, with evidence and remediation for every
 * failing check.
 */
import { scoreResults } from '@internal/backstage-plugin-security-guardrails-common';
import { ManifestsSource } from '../sources/ManifestsSource';
import {
  DEMO_CLUSTER_DIR,
  demoEntities,
  demoGroups,
} from '../__testUtils__/demo';
import { BUILTIN_CHECKS } from './checks';
import { evaluate } from './evaluate';

const NOW = new Date('2026-11-22T12:00:00Z');

async function evaluateDemo() {
  const snapshot = await ManifestsSource.create({
    cluster: 'demo',
    paths: [DEMO_CLUSTER_DIR],
  }).read();
  return evaluate(
    { clusters: [snapshot] },
    {
      entities: demoEntities(),
      settings: { knownGroups: demoGroups() },
      now: NOW,
    },
  );
}

describe('the demo estate', () => {
  let evaluation: Awaited<ReturnType<typeof evaluateDemo>>;
  beforeAll(async () => {
    evaluation = await evaluateDemo();
  });

  it('reads without errors', () => {
    expect(evaluation.errors).toEqual([]);
    expect(evaluation.clusters).toEqual([
      expect.objectContaining({ cluster: 'demo', status: 'ok' }),
    ]);
  });

  it.each([
    ['checkout', 'A'],
    ['report-generator', 'A'],
    ['payments-api', 'B'],
    ['recommendations', 'B'],
    ['storefront', 'C'],
    ['notification-worker', 'C'],
    ['ingress-gateway', 'C'],
    ['metrics-collector', 'C'],
    ['catalog-search', 'D'],
    ['legacy-admin', 'F'],
  ])('grades %s %s', (name, grade) => {
    const e = evaluation.entities.get(`component:default/${name}`);
    expect(e?.mapped).toBe(true);
    expect(scoreResults(e!.results).overall.grade).toBe(grade);
  });

  it("gives the reference service no failures and the worst one the product's point", () => {
    const checkout = evaluation.entities.get('component:default/checkout')!;
    expect(
      checkout.results.filter(r => r.status === 'fail' || r.status === 'warn'),
    ).toEqual([]);
    const legacy = evaluation.entities.get('component:default/legacy-admin')!;
    const failing = new Set(
      legacy.results.filter(r => r.status === 'fail').map(r => r.checkId),
    );
    for (const id of [
      'sc.privileged',
      'img.tag-pinned',
      'net.policy-coverage',
      'rbac.cluster-admin',
      'secret.env-literal',
      'sc.host-path',
    ]) {
      expect(failing).toContain(id);
    }
  });

  it('caps grades at C where critical checks fail, and says so', () => {
    const storefront = scoreResults(
      evaluation.entities.get('component:default/storefront')!.results,
    ).overall;
    expect(storefront.criticalFailures).toEqual(['maint.expired-binding']);
    expect(storefront.gradeCappedFrom).toBe('B');
    expect(storefront.explanation).toContain('capped at C');
  });

  it('has evidence and a remediation for every failing result', () => {
    const ids = new Set(BUILTIN_CHECKS.map(c => c.meta.id));
    const failing = evaluation.results.filter(x => x.status === 'fail');
    for (const r of failing) {
      expect(ids.has(r.checkId)).toBe(true);
      expect(r.message.length).toBeGreaterThan(5);
      expect(r.resource.name).toBeTruthy();
    }
    const fromManifests = failing.filter(r => r.resource.cluster === 'demo');
    expect(fromManifests.length).toBeGreaterThan(50);
    for (const r of fromManifests) {
      expect(r.source).toEqual({
        file: expect.stringMatching(/examples\/cluster\/demo\/.+\.yaml$/),
        line: expect.any(Number),
      });
    }
  });

  it('shows cluster-wide findings as unowned', () => {
    const unowned = new Set(
      evaluation.unowned
        .filter(r => r.status === 'fail')
        .map(r => `${r.checkId} ${r.resource.kind}/${r.resource.name}`),
    );
    expect(unowned).toContain(
      'maint.standing-privilege ClusterRoleBinding/olga-cluster-admin',
    );
    expect(unowned).toContain('maint.dangling-rbac RoleBinding/ci-deployer');
    expect(unowned).toContain('rbac.exec-attach ClusterRole/pod-debugger');
    expect(unowned).toContain(
      'maint.deprecated-api PodDisruptionBudget/old-batch',
    );
  });

  it('never reads Secret objects', async () => {
    const snapshot = await ManifestsSource.create({
      cluster: 'demo',
      paths: [DEMO_CLUSTER_DIR],
    }).read();
    expect(snapshot.objects.some(o => o.kind === 'Secret')).toBe(false);
  });
});
