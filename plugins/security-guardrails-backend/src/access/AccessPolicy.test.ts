/* eslint jest/expect-expect: ["warn", { "assertFunctionNames": ["expect", "expectRule"] }] */
import { ConfigReader } from '@backstage/config';
import { AccessRequest } from '@internal/backstage-plugin-security-guardrails-common';
import { AccessPolicy, Actor, EntityContext } from './AccessPolicy';
import { readAccessConfig } from '../config';

const policy = new AccessPolicy(readAccessConfig(new ConfigReader({})));
const LEADS = 'group:default/security-leads';
const dana: Actor = {
  userRef: 'user:default/dana',
  ownershipRefs: ['user:default/dana', 'group:default/web'],
};
const riley: Actor = {
  userRef: 'user:default/riley',
  ownershipRefs: ['user:default/riley', 'group:default/web'],
};
const sam: Actor = {
  userRef: 'user:default/sam',
  ownershipRefs: ['user:default/sam', LEADS],
};
const outsider: Actor = {
  userRef: 'user:default/eve',
  ownershipRefs: ['user:default/eve', 'group:default/other'],
};
const entity: EntityContext = {
  ref: 'component:default/shop',
  owner: 'group:default/web',
  targets: [{ cluster: 'demo', namespaces: ['shop-web', 'shop-jobs'] }],
};
const input = {
  role: 'edit',
  cluster: 'demo',
  namespaces: ['shop-web'],
  durationSeconds: 1800,
  justification: 'Debugging INC-4211: checkout errors',
};

function expectRule(fn: () => unknown, rule: string, name: string) {
  try {
    fn();
  } catch (e) {
    expect((e as Error).message).toContain(`Refused by rule ${rule}:`);
    expect((e as Error).name).toBe(name);
    return;
  }
  throw new Error(`expected rule ${rule} to refuse`);
}

const NOW = new Date('2026-11-22T12:10:00Z');

function request(overrides: Partial<AccessRequest> = {}): AccessRequest {
  return {
    id: 'r1',
    kind: 'access',
    entityRef: entity.ref,
    cluster: 'demo',
    namespaces: ['shop-web'],
    role: 'edit',
    clusterRole: 'edit',
    durationSeconds: 1800,
    justification: 'x'.repeat(20),
    requester: dana.userRef,
    state: 'pending',
    approvalsRequired: 1,
    approvals: [],
    approverGroups: ['group:default/web', LEADS],
    createdAt: '2026-11-22T12:00:00.000Z',
    updatedAt: '2026-11-22T12:00:00.000Z',
    bindings: [],
    attempts: 0,
    ...overrides,
  };
}

describe('AccessPolicy', () => {
  it('accepts a valid request and names its approvers from ownership and security leads', () => {
    const v = policy.validateAccess(input, dana, entity, 0);
    expect(v).toMatchObject({
      durationSeconds: 1800,
      approvalsRequired: 1,
      approverRefs: ['group:default/web', LEADS],
    });
  });

  it('uses the role default duration when none is given', () => {
    expect(
      policy.validateAccess(
        { ...input, durationSeconds: undefined },
        dana,
        entity,
        0,
      ).durationSeconds,
    ).toBe(3600);
  });

  it('role-not-grantable: only configured roles', () => {
    expectRule(
      () =>
        policy.validateAccess(
          { ...input, role: 'cluster-admin' },
          dana,
          entity,
          0,
        ),
      'role-not-grantable',
      'InputError',
    );
  });

  it('duration-out-of-range: above the maximum and below a minute', () => {
    expectRule(
      () =>
        policy.validateAccess(
          { ...input, durationSeconds: 5 * 3600 },
          dana,
          entity,
          0,
        ),
      'duration-out-of-range',
      'InputError',
    );
    expectRule(
      () =>
        policy.validateAccess(
          { ...input, durationSeconds: 30 },
          dana,
          entity,
          0,
        ),
      'duration-out-of-range',
      'InputError',
    );
    expectRule(
      () =>
        policy.validateAccess(
          { ...input, durationSeconds: 90.5 },
          dana,
          entity,
          0,
        ),
      'duration-out-of-range',
      'InputError',
    );
  });

  it('justification-required', () => {
    expectRule(
      () =>
        policy.validateAccess(
          { ...input, justification: 'pls' },
          dana,
          entity,
          0,
        ),
      'justification-required',
      'InputError',
    );
  });

  it('target-not-mapped: clusters and namespaces outside the entity', () => {
    expectRule(
      () =>
        policy.validateAccess({ ...input, cluster: 'prod' }, dana, entity, 0),
      'target-not-mapped',
      'InputError',
    );
    expectRule(
      () =>
        policy.validateAccess(
          { ...input, namespaces: ['kube-system'] },
          dana,
          entity,
          0,
        ),
      'target-not-mapped',
      'InputError',
    );
    expectRule(
      () =>
        policy.validateAccess({ ...input, namespaces: [] }, dana, entity, 0),
      'target-not-mapped',
      'InputError',
    );
  });

  it('requester-not-owner: edit needs a member of the owning group; view does not', () => {
    expectRule(
      () => policy.validateAccess(input, outsider, entity, 0),
      'requester-not-owner',
      'NotAllowedError',
    );
    expect(
      policy.validateAccess({ ...input, role: 'view' }, outsider, entity, 0)
        .approvalsRequired,
    ).toBe(0);
  });

  it('concurrent-grant-limit', () => {
    expectRule(
      () => policy.validateAccess(input, dana, entity, 3),
      'concurrent-grant-limit',
      'ConflictError',
    );
  });

  it('no-self-approval', () => {
    expectRule(
      () => policy.checkDecision(request(), dana, NOW),
      'no-self-approval',
      'NotAllowedError',
    );
  });

  it('approver-not-allowed: outsiders cannot decide; owners and security leads can', () => {
    expectRule(
      () => policy.checkDecision(request(), outsider, NOW),
      'approver-not-allowed',
      'NotAllowedError',
    );
    expect(() => policy.checkDecision(request(), riley, NOW)).not.toThrow();
    expect(() => policy.checkDecision(request(), sam, NOW)).not.toThrow();
    // admin is decided by security leads only
    expectRule(
      () =>
        policy.checkDecision(
          request({ role: 'admin', approverGroups: [LEADS] }),
          riley,
          NOW,
        ),
      'approver-not-allowed',
      'NotAllowedError',
    );
  });

  it('invalid-state: decisions only on pending requests', () => {
    expectRule(
      () => policy.checkDecision(request({ state: 'active' }), riley, NOW),
      'invalid-state',
      'ConflictError',
    );
  });

  it('not-requester: only the requester cancels or extends', () => {
    expectRule(
      () => policy.checkCancel(request(), riley),
      'not-requester',
      'NotAllowedError',
    );
    expect(() => policy.checkCancel(request(), dana)).not.toThrow();
    const active = request({
      state: 'active',
      expiresAt: '2026-11-22T12:30:00.000Z',
    });
    expectRule(
      () =>
        policy.validateExtension(active, riley, 600, 'need more time please'),
      'not-requester',
      'NotAllowedError',
    );
  });

  it('extensions stay within the role maximum from when the grant was applied', () => {
    const active = request({
      state: 'active',
      expiresAt: '2026-11-22T12:30:00.000Z',
    });
    expect(
      policy
        .validateExtension(active, dana, 1800, 'need more time please')
        .newExpiry.toISOString(),
    ).toBe('2026-11-22T13:00:00.000Z');
    expectRule(
      () =>
        policy.validateExtension(
          active,
          dana,
          4 * 3600,
          'need more time please',
        ),
      'duration-out-of-range',
      'InputError',
    );
    expectRule(
      () =>
        policy.validateExtension(request(), dana, 600, 'need more time please'),
      'invalid-state',
      'ConflictError',
    );
  });

  it('extensions never take a grant past its role maximum, however many there are', () => {
    // edit: at most 4 h. Applied at 12:00 for 30 min, extended to 15:00 so far.
    const extended = request({
      state: 'active',
      appliedAt: '2026-11-22T12:00:00.000Z',
      expiresAt: '2026-11-22T15:00:00.000Z',
    });
    expect(
      policy.checkExtensionCeiling(extended, 3600, 409).toISOString(),
    ).toBe('2026-11-22T16:00:00.000Z');
    expectRule(
      () => policy.checkExtensionCeiling(extended, 3601, 409),
      'duration-out-of-range',
      'ConflictError',
    );
    expect(() => policy.checkExtensionCeiling(extended, 3601, 409)).toThrow(
      /applied at 2026-11-22T12:00:00.000Z, so it can be extended by at most 1 h/,
    );
  });

  it('request-timed-out: no decision once the request waited past its time', () => {
    const waited = request({ pendingExpiresAt: '2026-11-22T12:10:00.000Z' });
    expectRule(
      () => policy.checkDecision(waited, riley, NOW),
      'request-timed-out',
      'ConflictError',
    );
    expect(() =>
      policy.checkDecision(waited, riley, new Date('2026-11-22T12:09:59Z')),
    ).not.toThrow();
  });

  it('revoke-not-allowed: requester, approvers and security leads may revoke', () => {
    const active = request({
      state: 'active',
      approvals: [{ approver: riley.userRef, decision: 'approve', at: 'x' }],
    });
    expect(() => policy.checkRevoke(active, dana, false)).not.toThrow();
    expect(() => policy.checkRevoke(active, riley, false)).not.toThrow();
    expect(() => policy.checkRevoke(active, sam, false)).not.toThrow();
    expect(() => policy.checkRevoke(active, outsider, true)).not.toThrow();
    expectRule(
      () => policy.checkRevoke(active, outsider, false),
      'revoke-not-allowed',
      'NotAllowedError',
    );
    expectRule(
      () => policy.checkRevoke(request({ state: 'expired' }), dana, false),
      'invalid-state',
      'ConflictError',
    );
  });

  it('unknown-check and exemption durations', () => {
    const known = new Set(['sc.readonly-rootfs']);
    expectRule(
      () =>
        policy.validateExemption(
          {
            checkId: 'sc.nope',
            durationSeconds: 86400,
            justification: 'a good reason here',
          },
          dana,
          entity,
          known,
        ),
      'unknown-check',
      'InputError',
    );
    expectRule(
      () =>
        policy.validateExemption(
          {
            checkId: 'sc.readonly-rootfs',
            durationSeconds: 91 * 86400,
            justification: 'a good reason here',
          },
          dana,
          entity,
          known,
        ),
      'duration-out-of-range',
      'InputError',
    );
    expect(
      policy.validateExemption(
        {
          checkId: 'sc.readonly-rootfs',
          durationSeconds: 30 * 86400,
          justification: 'a good reason here',
        },
        dana,
        entity,
        known,
      ).approverRefs,
    ).toEqual([LEADS]);
  });

  it('requester-not-owner: exemptions come from the owning group or the security leads', () => {
    const known = new Set(['sc.readonly-rootfs']);
    const exemptionInput = {
      checkId: 'sc.readonly-rootfs',
      durationSeconds: 86400,
      justification: 'a good reason here',
    };
    expect(() =>
      policy.validateExemption(exemptionInput, sam, entity, known),
    ).not.toThrow();
    expectRule(
      () => policy.validateExemption(exemptionInput, outsider, entity, known),
      'requester-not-owner',
      'NotAllowedError',
    );
    expectRule(
      () =>
        policy.validateExemption(
          exemptionInput,
          dana,
          { ...entity, owner: undefined },
          known,
        ),
      'requester-not-owner',
      'NotAllowedError',
    );
  });
});
