/*
 * Active temporary grants leave scores alone: their RoleBindings are shown
 * as temporary access, and only bindings the access store vouches for count.
 */
import { scoreResults } from '@internal/backstage-plugin-security-guardrails-common';
import { roleBindingFor } from '../access/drivers/roleBinding';
import {
  deployment,
  entity,
  NOW,
  NS,
  snapshot,
} from '../__testUtils__/builders';
import { evaluate } from './evaluate';
import { ManagedGrant } from './managedGrants';

const IN_TWO_HOURS = new Date(NOW.getTime() + 2 * 3600_000).toISOString();

const spec = {
  grantId: 'req-1',
  cluster: 'test',
  namespaces: [NS],
  clusterRole: 'edit',
  subject: { kind: 'User' as const, name: 'alice@example.com' },
  expiresAt: IN_TWO_HOURS,
  requester: 'user:default/alice',
  approvers: ['user:default/bob'],
  justification: 'incident 4211: restart the checkout pods',
  entityRef: 'component:default/app',
  kubernetesId: 'app',
};
const grantBinding = () => roleBindingFor(spec, NS) as any;
const grant: ManagedGrant = {
  grantId: 'req-1',
  expiresAt: IN_TWO_HOURS,
  clusterRole: 'edit',
  subject: 'alice@example.com',
  bindings: [
    { cluster: 'test', namespace: NS, name: grantBinding().metadata.name },
  ],
};

function posture(
  objects: any[],
  managedGrants: ManagedGrant[] = [grant],
  now = NOW,
) {
  const ev = evaluate(
    { clusters: [snapshot(objects)] },
    {
      entities: [entity()],
      settings: { knownGroups: new Set(['group:default/team']) },
      managedGrants,
      now,
    },
  );
  const results = ev.entities.get('component:default/app')!.results;
  return { results, score: scoreResults(results).overall };
}

describe('managed temporary grants', () => {
  it('an active grant neither raises nor lowers the score and shows as temporary access', () => {
    const before = posture([deployment()]);
    const during = posture([deployment(), grantBinding()]);
    const { counts: _before, ...graded } = before.score;
    const { counts: _during, ...gradedDuring } = during.score;
    expect(gradedDuring).toEqual(graded);
    const about = during.results.filter(r => r.resource.kind === 'RoleBinding');
    expect(about).toHaveLength(1);
    expect(about[0]).toMatchObject({
      checkId: 'maint.standing-privilege',
      status: 'not-applicable',
      temporaryAccess: {
        grantId: 'req-1',
        subjects: ['User alice@example.com'],
        clusterRole: 'edit',
        expiresAt: IN_TWO_HOURS,
      },
    });
    expect(about[0].message).toBe(
      `Temporary access granted through Security Guardrails (request req-1): User alice@example.com holds ClusterRole edit until ${IN_TWO_HOURS}, when it is revoked. Active grants are shown, not graded.`,
    );
  });

  it('copying the labels is not enough: a binding no active grant vouches for is graded', () => {
    const copied = posture([deployment(), grantBinding()], []);
    const graded = copied.results.filter(
      r => r.resource.kind === 'RoleBinding',
    );
    expect(graded.length).toBeGreaterThan(1);
    expect(graded.every(r => r.temporaryAccess === undefined)).toBe(true);
  });

  it.each([
    [
      'another role',
      (b: any) => {
        b.roleRef.name = 'cluster-admin';
      },
    ],
    [
      'another subject',
      (b: any) => {
        b.subjects.push({ kind: 'Group', name: 'system:authenticated' });
      },
    ],
    [
      'a later expiry than the grant',
      (b: any) => {
        b.metadata.annotations['security-guardrails.io/expires-at'] =
          '2099-01-01T00:00:00Z';
      },
    ],
    [
      'another grant id label',
      (b: any) => {
        b.metadata.labels['security-guardrails.io/grant-id'] = 'req-2';
      },
    ],
  ])('a managed binding changed to hold %s is graded', (_, change) => {
    const b = grantBinding();
    change(b);
    const { results } = posture([deployment(), b]);
    const about = results.filter(r => r.resource.kind === 'RoleBinding');
    expect(about.some(r => r.temporaryAccess)).toBe(false);
    expect(about.length).toBeGreaterThan(1);
  });

  it('a grant binding still present after its expiry fails maint.expired-binding', () => {
    const later = new Date(NOW.getTime() + 3 * 3600_000);
    const { results } = posture([deployment(), grantBinding()], [grant], later);
    expect(
      results.find(
        r =>
          r.resource.kind === 'RoleBinding' &&
          r.checkId === 'maint.expired-binding',
      ),
    ).toMatchObject({ status: 'fail', severity: 'critical' });
  });
});
