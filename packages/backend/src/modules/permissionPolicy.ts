/*
 * The demo's permission policy. Everyone may read postures, summaries and
 * the check catalogue, request access and act on requests the access policy
 * lets them act on; reading every team's audit history and administering all
 * grants is for security leads only. Everything else (catalog etc.) is
 * allowed, as in a fresh Backstage app.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
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
} from '@internal/backstage-plugin-security-guardrails-common';

const SECURITY_LEADS_ONLY = new Set([
  guardrailsAuditReadPermission.name,
  guardrailsAccessAdminPermission.name,
]);

export class DemoPermissionPolicy implements PermissionPolicy {
  constructor(
    private readonly securityLeadsGroup: string,
    private readonly userInfo: typeof coreServices.userInfo.T,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!SECURITY_LEADS_ONLY.has(request.permission.name)) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) return { result: AuthorizeResult.DENY };
    const info = await this.userInfo.getUserInfo(user.credentials);
    return {
      result: info.ownershipEntityRefs.includes(this.securityLeadsGroup)
        ? AuthorizeResult.ALLOW
        : AuthorizeResult.DENY,
    };
  }
}

export const permissionModuleDemoPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'security-guardrails-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
      },
      async init({ policy, config, userInfo }) {
        const group =
          config.getOptionalString(
            'securityGuardrails.access.securityLeadsGroup',
          ) ?? 'group:default/security-leads';
        policy.setPolicy(new DemoPermissionPolicy(group, userInfo));
      },
    });
  },
});
