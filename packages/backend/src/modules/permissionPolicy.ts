/*
 * The portal's permission policy, in two modes chosen by `auth.environment`.
 *
 * Both modes: reading every team's audit history and administering all grants
 * is for security leads only; everyone signed in may read postures, summaries
 * and the check catalogue, refresh, request access and act on requests (the
 * access policy in the plugin decides whose requests they may approve).
 *
 * development (the demo): every other plugin's permission is allowed, as in
 * a fresh Backstage app, so the demo can register and refresh entities.
 *
 * production: nothing is allowed without a signed-in user, and other plugins'
 * permissions other than reads (registering catalog locations, deleting
 * entities, anything without an action) only to `permissionPolicy.adminGroups`,
 * empty unless configured. Reads stay open to everyone signed in. Service
 * principals never reach a policy: the permissions service allows them.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  guardrailsAccessAdminPermission,
  guardrailsAuditReadPermission,
  guardrailsCampaignManagePermission,
  guardrailsPermissions,
} from '@internal/backstage-plugin-security-guardrails-common';

const SECURITY_LEADS_ONLY = new Set([
  guardrailsAuditReadPermission.name,
  guardrailsAccessAdminPermission.name,
  guardrailsCampaignManagePermission.name,
]);
const GUARDRAILS = new Set(guardrailsPermissions.map(p => p.name));

export type PolicyMode = 'development' | 'production';

export interface PortalPolicyOptions {
  mode: PolicyMode;
  securityLeadsGroup: string;
  /** Production: who may use other plugins' create/update/delete permissions. */
  adminGroups: string[];
}

export function readPortalPolicyOptions(config: Config): PortalPolicyOptions {
  return {
    mode:
      config.getOptionalString('auth.environment') === 'production'
        ? 'production'
        : 'development',
    securityLeadsGroup:
      config.getOptionalString(
        'securityGuardrails.access.securityLeadsGroup',
      ) ?? 'group:default/security-leads',
    adminGroups:
      config.getOptionalStringArray('permissionPolicy.adminGroups') ?? [],
  };
}

const ALLOW: PolicyDecision = { result: AuthorizeResult.ALLOW };
const DENY: PolicyDecision = { result: AuthorizeResult.DENY };

export class PortalPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly options: PortalPolicyOptions,
    private readonly userInfo: typeof coreServices.userInfo.T,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { name, attributes } = request.permission;
    const production = this.options.mode === 'production';
    if (SECURITY_LEADS_ONLY.has(name)) {
      return (await this.memberOf(user, [this.options.securityLeadsGroup]))
        ? ALLOW
        : DENY;
    }
    if (!production) return ALLOW;
    if (!user) return DENY;
    if (GUARDRAILS.has(name) || attributes.action === 'read') return ALLOW;
    return (await this.memberOf(user, this.options.adminGroups)) ? ALLOW : DENY;
  }

  private async memberOf(
    user: PolicyQueryUser | undefined,
    groups: string[],
  ): Promise<boolean> {
    if (!user || groups.length === 0) return false;
    const info = await this.userInfo.getUserInfo(user.credentials);
    return groups.some(g => info.ownershipEntityRefs.includes(g));
  }
}

export const permissionModulePortalPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'security-guardrails-portal-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
      },
      async init({ policy, config, userInfo, logger }) {
        const options = readPortalPolicyOptions(config);
        logger.info(
          `Permission policy: ${options.mode} mode${
            options.mode === 'production'
              ? `, admin groups: ${options.adminGroups.join(', ') || 'none'}`
              : ' (other plugins allow everything)'
          }`,
        );
        policy.setPolicy(new PortalPermissionPolicy(options, userInfo));
      },
    });
  },
});
