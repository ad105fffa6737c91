import { mockCredentials } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import {
  guardrailsAccessAdminPermission,
  guardrailsAccessRequestCreatePermission,
  guardrailsAuditReadPermission,
  guardrailsPostureReadPermission,
} from '@internal/backstage-plugin-security-guardrails-common';
import {
  PolicyMode,
  PortalPermissionPolicy,
  readPortalPolicyOptions,
} from './permissionPolicy';

const LEADS = 'group:default/security-leads';
const ADMINS = 'group:default/platform-team';
const catalogCreate = createPermission({
  name: 'catalog.location.create',
  attributes: { action: 'create' },
});
const catalogRead = createPermission({
  name: 'catalog.entity.read',
  attributes: { action: 'read' },
  resourceType: 'catalog-entity',
});
const noAction = createPermission({ name: 'other.use', attributes: {} });

const groupsOf: Record<string, string[]> = {
  'user:default/sam': [LEADS],
  'user:default/alex': [ADMINS],
  'user:default/dana': ['group:default/storefront-team'],
};

function policy(mode: PolicyMode) {
  const userInfo = {
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef as string;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: [ref, ...groupsOf[ref]],
      };
    },
  };
  return new PortalPermissionPolicy(
    { mode, securityLeadsGroup: LEADS, adminGroups: [ADMINS] },
    userInfo,
  );
}

async function decide(
  mode: PolicyMode,
  permission: any,
  user?: 'sam' | 'alex' | 'dana',
) {
  const decision = await policy(mode).handle(
    { permission },
    user &&
      ({
        credentials: mockCredentials.user(`user:default/${user}`),
        info: {
          userEntityRef: `user:default/${user}`,
          ownershipEntityRefs: [],
        },
        token: 'unused',
        expiresInSeconds: 60,
        identity: {
          type: 'user',
          userEntityRef: `user:default/${user}`,
          ownershipEntityRefs: [],
        },
      } as any),
  );
  return decision.result === AuthorizeResult.ALLOW ? 'allow' : 'deny';
}

describe('PortalPermissionPolicy', () => {
  it.each(['development', 'production'] as const)(
    'keeps audit and access administration to security leads (%s)',
    async mode => {
      for (const p of [
        guardrailsAuditReadPermission,
        guardrailsAccessAdminPermission,
      ]) {
        expect(await decide(mode, p, 'sam')).toBe('allow');
        expect(await decide(mode, p, 'dana')).toBe('deny');
        expect(await decide(mode, p, 'alex')).toBe('deny');
        expect(await decide(mode, p)).toBe('deny');
      }
    },
  );

  it('allows everything else in development, as a fresh Backstage app', async () => {
    expect(await decide('development', catalogCreate, 'dana')).toBe('allow');
    expect(await decide('development', noAction, 'dana')).toBe('allow');
  });

  it('in production allows reads and the plugin to everyone signed in, other writes to admin groups only', async () => {
    expect(await decide('production', catalogRead, 'dana')).toBe('allow');
    expect(
      await decide('production', guardrailsPostureReadPermission, 'dana'),
    ).toBe('allow');
    expect(
      await decide(
        'production',
        guardrailsAccessRequestCreatePermission,
        'dana',
      ),
    ).toBe('allow');
    expect(await decide('production', catalogCreate, 'dana')).toBe('deny');
    expect(await decide('production', noAction, 'dana')).toBe('deny');
    expect(await decide('production', catalogCreate, 'sam')).toBe('deny');
    expect(await decide('production', catalogCreate, 'alex')).toBe('allow');
  });

  it('in production allows nothing without a signed-in user', async () => {
    for (const p of [
      catalogRead,
      guardrailsPostureReadPermission,
      catalogCreate,
    ]) {
      expect(await decide('production', p)).toBe('deny');
    }
  });

  it('takes its mode from auth.environment and no admin groups by default', () => {
    expect(
      readPortalPolicyOptions(
        new ConfigReader({ auth: { environment: 'production' } }),
      ),
    ).toEqual({
      mode: 'production',
      securityLeadsGroup: LEADS,
      adminGroups: [],
    });
    expect(readPortalPolicyOptions(new ConfigReader({})).mode).toBe(
      'development',
    );
  });
});
